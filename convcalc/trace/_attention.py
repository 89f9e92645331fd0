"""``nn.MultiheadAttention`` for shape-only tensors, with PyTorch's parameters and checks.

Parameters: ``in_proj_weight`` (3E, E) when keys and values have the embedding size, else
``q_proj_weight``, ``k_proj_weight`` and ``v_proj_weight``; ``in_proj_bias`` (3E) with
``bias``; ``bias_k``/``bias_v`` (1, 1, E) with ``add_bias_kv``; and the ``out_proj`` linear
layer (E, E), a child module that ``forward`` uses without calling. MACs count one
multiply-accumulate per weight use of the four projections, as for ``nn.Linear``.
"""

from __future__ import annotations

from typing import Any

from . import _shapes as S
from ._layers import layer_module
from ._module import Module, Parameter
from ._operands import describe
from ._state import active, cannot, here, stop
from ._tensor import Tensor
from .messages import LayerRejects, PyTorchError

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """``torch.nn.MultiheadAttention``."""

    __module__ = "torch.nn"

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise stop(
                LayerRejects(
                    "nn.MultiheadAttention(...) fails in PyTorch: embed_dim and num_heads must "
                    f"be greater than 0, got embed_dim={embed_dim} and num_heads={num_heads} "
                    "instead"
                )
            )
        if embed_dim % num_heads:
            raise stop(
                LayerRejects(
                    "nn.MultiheadAttention(...) fails in PyTorch: embed_dim must be divisible "
                    f"by num_heads ({embed_dim} by {num_heads})"
                )
            )
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        self.add_zero_attn = add_zero_attn
        e = embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(Tensor((3 * e, e)))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(Tensor((e, e)))
            self.k_proj_weight = Parameter(Tensor((e, self.kdim)))
            self.v_proj_weight = Parameter(Tensor((e, self.vdim)))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(Tensor((3 * e,)))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = layer_module("Linear")(e, e, bias=bias)
        self.bias_k: Parameter | None = None
        self.bias_v: Parameter | None = None
        if add_bias_kv:
            self.bias_k = Parameter(Tensor((1, 1, e)))
            self.bias_v = Parameter(Tensor((1, 1, e)))

    def forward(
        self,
        query: Any,
        key: Any,
        value: Any,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        for item in (query, key, value):
            if not isinstance(item, Tensor):
                raise cannot(f"nn.MultiheadAttention on a {type(item).__name__}")
        q, k, v = (tuple(t.shape) for t in (query, key, value))
        op = "nn.MultiheadAttention"
        operands = [describe(query), describe(key), describe(value)]
        if len(q) not in (2, 3) or len(k) != len(q) or len(v) != len(q):
            raise stop(
                PyTorchError(
                    op,
                    operands,
                    f"query should be unbatched 2D or batched 3D tensor but received {len(q)}-D "
                    "query tensor",
                )
            )
        batched = len(q) == 3
        if batched and self.batch_first:
            q, k, v = ((s[1], s[0], s[2]) for s in (q, k, v))
        # Now (L, N, E) batched or (L, E) unbatched.
        if q[-1] != self.embed_dim:
            raise stop(
                PyTorchError(
                    op,
                    operands,
                    f"was expecting embedding dimension of {self.embed_dim}, but got {q[-1]}",
                )
            )
        if k[:-1] != v[:-1]:
            raise stop(
                PyTorchError(
                    op,
                    operands,
                    f"key shape {S.listed(k)} does not match value shape {S.listed(v)}",
                )
            )
        if batched and (k[1] != q[1]):
            raise stop(
                PyTorchError(
                    op,
                    operands,
                    f"key's sequence and batch dims {S.listed(k[:2])} do not match value's "
                    f"{S.listed(v[:2])}",
                )
            )
        if k[-1] != self.kdim or v[-1] != self.vdim:
            raise stop(
                PyTorchError(
                    op,
                    operands,
                    f"key or value has embedding dimension {k[-1]} or {v[-1]}, but kdim is "
                    f"{self.kdim} and vdim is {self.vdim}",
                )
            )
        length, source = q[0], k[0]
        batch = q[1] if batched else 1
        e = self.embed_dim
        recorder = active().recorder
        if recorder is not None:
            macs = batch * (length * e * e + source * self.kdim * e + source * self.vdim * e)
            recorder.layer_done_functional(macs + batch * length * e * e)
        out_shape = (q[0], q[1], e) if batched else (q[0], e)
        if batched and self.batch_first:
            out_shape = (q[1], q[0], e)
        output = Tensor(out_shape, origin=here("the attention"))
        if not need_weights:
            return output, None
        extra = (1 if self.bias_k is not None else 0) + (1 if self.add_zero_attn else 0)
        keys = source + extra
        heads = () if average_attn_weights else (self.num_heads,)
        weights = (batch, *heads, length, keys) if batched else (*heads, length, keys)
        return output, Tensor(weights, origin=here("the attention weights"))
