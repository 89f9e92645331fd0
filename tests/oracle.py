"""Random layer configurations, and the answers PyTorch and convcalc give for them.

A *case* is plain JSON: ``{"layer": "Conv2d", "args": [...], "kwargs": {...}, "input": [...],
"forward": {...}, "training": true}``; without ``"training"`` the module runs in eval mode
(``module.eval()``), convcalc's default. A *result* is ``{"ok": true, "output_shape": [...],
"params": n, "parameter_shapes": {...}, "buffer_shapes": {...}}`` or ``{"ok": false, "stage":
"init" | "forward"}``.

``scripts/record_fixtures.py`` runs the generators below through PyTorch and stores the
answers in ``tests/fixtures/``; ``test_differential.py`` replays them without PyTorch, and
runs fresh random cases against PyTorch itself when it is installed.
"""

from __future__ import annotations

import ast
import importlib.util
import random
import warnings
from collections.abc import Callable
from functools import partial
from math import prod
from pathlib import Path
from typing import Any

import convcalc

Case = dict[str, Any]
Result = dict[str, Any]

SMALL_SPATIAL = {1: 64, 2: 40, 3: 12}


# --------------------------------------------------------------------------------------------
# random choices, weighted towards realistic values with a few degenerate ones


def _size(rng: random.Random, nd: int) -> int:
    r = rng.random()
    if r < 0.02:
        return 0
    if r < 0.25:
        return rng.randint(1, 6)
    return rng.randint(1, SMALL_SPATIAL[nd])


def _kernel(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.02:
        return 0
    if r < 0.04:
        return rng.randint(8, 13)
    return rng.randint(1, 7)


def _stride(rng: random.Random) -> int:
    return 0 if rng.random() < 0.03 else rng.choice([1, 1, 1, 2, 2, 3, 4, 5])


def _padding(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.03:
        return -1
    return rng.choice([0, 0, 0, 1, 1, 2, 3, 4, 6])


def _dilation(rng: random.Random) -> int:
    return 0 if rng.random() < 0.02 else rng.choice([1, 1, 1, 1, 2, 3, 4])


def _per_axis(rng: random.Random, nd: int, draw: Callable[[random.Random], int]) -> Any:
    """An int, or a tuple of ``nd`` values; rarely a tuple of the wrong length."""
    r = rng.random()
    if r < 0.5:
        return draw(rng)
    if r < 0.02 + 0.5:
        length = rng.choice([n for n in (1, 2, 3, 4) if n != nd])
        return [draw(rng) for _ in range(length)]
    return [draw(rng) for _ in range(nd)]


def _channels(rng: random.Random) -> int:
    return rng.choice([1, 1, 2, 3, 4, 6, 8, 12, 16])


def _input(rng: random.Random, nd: int, channels: int, *, unbatched: bool = True) -> list[int]:
    """A (N, C, *spatial) or (C, *spatial) shape; sometimes the wrong rank or channel count."""
    spatial = [_size(rng, nd) for _ in range(nd)]
    if rng.random() < 0.05:
        channels = max(0, channels + rng.choice([-1, 1, channels or 1]))
    r = rng.random()
    if r < 0.02:
        return [rng.randint(1, 2), channels, *spatial, *([3] * rng.choice([1, 2]))][: nd + 3]
    if r < 0.04:
        return spatial[:1] or [3]
    if unbatched and r < 0.14:
        return [channels, *spatial]
    if r < 0.17:
        return [0, channels, *spatial]  # an empty batch
    return [rng.randint(1, 2), channels, *spatial]


def _mode(rng: random.Random, case: Case) -> Case:
    """Half the cases in training mode (``module.train()``), half in eval."""
    if rng.random() < 0.5:
        case["training"] = True
    return case


def _divisor_of(rng: random.Random, *values: int) -> int:
    common = [g for g in range(1, 17) if all(v % g == 0 for v in values)]
    if rng.random() < 0.05:
        return rng.choice([0, 3, 5, -1])
    return rng.choice(common)


# --------------------------------------------------------------------------------------------
# generators, one per layer family


def gen_conv(rng: random.Random, nd: int) -> Case:
    groups = rng.choice([1, 1, 1, 2, 4])
    cin = groups * rng.choice([1, 1, 2, 3, 4])
    cout = groups * rng.choice([1, 2, 3, 4])
    if rng.random() < 0.04:
        cin += 1
    if rng.random() < 0.02:
        groups = rng.choice([0, -1, 3])
    kwargs: dict[str, Any] = {}
    stride = _per_axis(rng, nd, _stride)
    padding: Any = _per_axis(rng, nd, _padding)
    r = rng.random()
    if r < 0.1:
        padding = "same"
        if rng.random() < 0.7:
            stride = 1
    elif r < 0.14:
        padding = "valid"
    elif r < 0.15:
        padding = "full"
    if rng.random() < 0.7:
        kwargs["stride"] = stride
    kwargs["padding"] = padding
    if rng.random() < 0.4:
        kwargs["dilation"] = _per_axis(rng, nd, _dilation)
    if groups != 1 or rng.random() < 0.05:
        kwargs["groups"] = groups
    if rng.random() < 0.2:
        kwargs["bias"] = False
    if rng.random() < 0.25:
        kwargs["padding_mode"] = rng.choice(["reflect", "replicate", "circular", "zeros", "zero"])
    kernel = _per_axis(rng, nd, _kernel)
    return {
        "layer": f"Conv{nd}d",
        "args": [cin, cout, kernel],
        "kwargs": kwargs,
        "input": _input(rng, nd, cin),
    }


def gen_conv_transpose(rng: random.Random, nd: int) -> Case:
    groups = rng.choice([1, 1, 1, 2, 4])
    cin = groups * rng.choice([1, 2, 3, 4])
    cout = groups * rng.choice([1, 1, 2, 3])
    if rng.random() < 0.03:
        cout += 1
    kwargs: dict[str, Any] = {}
    stride = _per_axis(rng, nd, _stride)
    kwargs["stride"] = stride
    kwargs["padding"] = _per_axis(rng, nd, _padding)
    if rng.random() < 0.5:
        kwargs["output_padding"] = _per_axis(rng, nd, lambda r: r.choice([0, 0, 1, 1, 2, 3]))
    if rng.random() < 0.4:
        kwargs["dilation"] = _per_axis(rng, nd, _dilation)
    if groups != 1:
        kwargs["groups"] = groups
    if rng.random() < 0.2:
        kwargs["bias"] = False
    if rng.random() < 0.02:
        kwargs["padding_mode"] = "reflect"
    case: Case = {
        "layer": f"ConvTranspose{nd}d",
        "args": [cin, cout, _per_axis(rng, nd, _kernel)],
        "kwargs": kwargs,
        "input": _input(rng, nd, cin),
    }
    if rng.random() < 0.25:
        spatial = case["input"][-nd:]
        case["forward"] = {
            "output_size": [max(0, s * rng.randint(1, 4) + rng.randint(-2, 2)) for s in spatial]
        }
    return case


def _pool_stride(rng: random.Random, nd: int) -> Any:
    """A pooling stride; rarely an empty list, which PyTorch reads as the kernel size."""
    return [] if rng.random() < 0.05 else _per_axis(rng, nd, _stride)


def gen_max_pool(rng: random.Random, nd: int) -> Case:
    kwargs: dict[str, Any] = {}
    if rng.random() < 0.6:
        kwargs["stride"] = _pool_stride(rng, nd)
    if rng.random() < 0.6:
        kwargs["padding"] = _per_axis(rng, nd, lambda r: r.choice([-1, 0, 0, 1, 1, 2, 3]))
    if rng.random() < 0.4:
        kwargs["dilation"] = _per_axis(rng, nd, _dilation)
    if rng.random() < 0.4:
        kwargs["ceil_mode"] = True
    if rng.random() < 0.1:
        kwargs["return_indices"] = True
    return {
        "layer": f"MaxPool{nd}d",
        "args": [_per_axis(rng, nd, _kernel)],
        "kwargs": kwargs,
        "input": _input(rng, nd, _channels(rng)),
    }


def gen_avg_pool(rng: random.Random, nd: int) -> Case:
    kwargs: dict[str, Any] = {}
    if rng.random() < 0.6:
        kwargs["stride"] = _pool_stride(rng, nd)
    if rng.random() < 0.6:
        kwargs["padding"] = _per_axis(rng, nd, lambda r: r.choice([-1, 0, 0, 1, 1, 2, 3]))
    if rng.random() < 0.4:
        kwargs["ceil_mode"] = True
    if rng.random() < 0.2:
        kwargs["count_include_pad"] = False
    if nd > 1 and rng.random() < 0.1:
        kwargs["divisor_override"] = rng.choice([0, 1, 3])
    return {
        "layer": f"AvgPool{nd}d",
        "args": [_per_axis(rng, nd, _kernel)],
        "kwargs": kwargs,
        "input": _input(rng, nd, _channels(rng)),
    }


def gen_lp_pool(rng: random.Random, nd: int) -> Case:
    kwargs: dict[str, Any] = {}
    if rng.random() < 0.6:
        kwargs["stride"] = _pool_stride(rng, nd)
    if rng.random() < 0.4:
        kwargs["ceil_mode"] = True
    norm = rng.choice([1.0, 2.0, 2.0, 3.0, float("inf")])
    kernel = _kernel(rng) if nd == 1 and rng.random() < 0.9 else _per_axis(rng, nd, _kernel)
    return {
        "layer": f"LPPool{nd}d",
        "args": [norm, kernel],
        "kwargs": kwargs,
        "input": _input(rng, nd, _channels(rng)),
    }


def gen_adaptive(rng: random.Random, nd: int, kind: str) -> Case:
    def out(r: random.Random) -> int:
        return r.choice([-1, 0, 1, 1, 2, 3, 4, 5, 7, 8, 12])

    size: Any = out(rng)
    if nd > 1 and rng.random() < 0.5:
        size = [out(rng) for _ in range(nd)]
        if kind == "Avg" and rng.random() < 0.3:
            size[rng.randrange(nd)] = None
    return {
        "layer": f"Adaptive{kind}Pool{nd}d",
        "args": [size],
        "kwargs": {},
        "input": _input(rng, nd, _channels(rng)),
    }


def gen_max_unpool(rng: random.Random, nd: int) -> Case:
    kernel = rng.randint(1, 4)
    kwargs: dict[str, Any] = {}
    if rng.random() < 0.6:
        kwargs["stride"] = rng.choice([1, 2, 2, 3])
    if rng.random() < 0.4:
        kwargs["padding"] = rng.choice([0, 0, 1, 2])
    spatial = [rng.randint(1, 6) for _ in range(nd)]
    shape = [rng.randint(1, 2), _channels(rng), *spatial]
    if rng.random() < 0.1:
        shape = shape[1:]
    case: Case = {"layer": f"MaxUnpool{nd}d", "args": [kernel], "kwargs": kwargs, "input": shape}
    if rng.random() < 0.3:
        stride = kwargs.get("stride", kernel)
        pad = kwargs.get("padding", 0)
        default = [(s - 1) * stride + kernel - 2 * pad for s in spatial]
        case["forward"] = {"output_size": [d + rng.randint(-stride, stride) for d in default]}
    return case


MODES = [
    "nearest",
    "nearest",
    "linear",
    "bilinear",
    "bicubic",
    "trilinear",
    "area",
    "nearest-exact",
    "lanczos",
]


def gen_upsample(rng: random.Random) -> Case:
    nd = rng.choice([1, 2, 2, 3])
    mode = rng.choice(MODES)
    kwargs: dict[str, Any] = {"mode": mode}
    if rng.random() < 0.5:
        kwargs["size"] = (
            rng.randint(0, 24) if rng.random() < 0.5 else [rng.randint(0, 24) for _ in range(nd)]
        )
    else:

        def scale(r: random.Random) -> float:
            return r.choice([0.0, 0.1, 0.29, 0.5, 0.58, 0.7, 1.0, 1.5, 2.0, 2.5, 3.0, -1.0])

        kwargs["scale_factor"] = (
            scale(rng) if rng.random() < 0.5 else [scale(rng) for _ in range(nd)]
        )
    if rng.random() < 0.15:
        kwargs["align_corners"] = rng.choice([True, False])
    if rng.random() < 0.05:
        kwargs["recompute_scale_factor"] = True
    spatial = [
        rng.randint(0 if rng.random() < 0.03 else 1, 30 if nd < 3 else 10) for _ in range(nd)
    ]
    channels = 0 if rng.random() < 0.02 else _channels(rng)
    shape = [rng.randint(1, 2), channels, *spatial]
    if rng.random() < 0.03:
        shape = shape[1:]
    return {"layer": "Upsample", "args": [], "kwargs": kwargs, "input": shape}


def gen_pixel_shuffle(rng: random.Random) -> Case:
    unshuffle = rng.random() < 0.5
    r = rng.choice([0, 1, 2, 2, 3, 4])
    lead = [rng.randint(1, 3) for _ in range(rng.choice([0, 1, 1, 2]))]
    if unshuffle:
        c = rng.randint(1, 5)
        h = rng.randint(0 if rng.random() < 0.02 else 1, 6) * max(r, 1) + rng.choice([0, 0, 0, 1])
        w = rng.randint(1, 6) * max(r, 1) + rng.choice([0, 0, 0, 1])
        shape = [*lead, c, h, w]
        layer = "PixelUnshuffle"
    else:
        c = rng.randint(1, 4) * max(r, 1) ** 2 + rng.choice([0, 0, 0, 1])
        shape = [*lead, c, rng.randint(1, 6), rng.randint(1, 6)]
        layer = "PixelShuffle"
    if rng.random() < 0.03:
        shape = shape[-2:]
    return {"layer": layer, "args": [r], "kwargs": {}, "input": shape}


def gen_unfold(rng: random.Random) -> Case:
    kwargs: dict[str, Any] = {}
    if rng.random() < 0.4:
        kwargs["dilation"] = _per_axis(rng, 2, _dilation)
    if rng.random() < 0.5:
        kwargs["padding"] = _per_axis(rng, 2, lambda r: r.choice([-1, 0, 0, 1, 2]))
    if rng.random() < 0.5:
        kwargs["stride"] = _per_axis(rng, 2, _stride)
    return {
        "layer": "Unfold",
        "args": [_per_axis(rng, 2, _kernel)],
        "kwargs": kwargs,
        "input": _input(rng, 2, _channels(rng)),
    }


def gen_fold(rng: random.Random) -> Case:
    kernel = [rng.randint(1, 4), rng.randint(1, 4)]
    stride = [rng.randint(1, 3), rng.randint(1, 3)]
    padding = [rng.randint(0, 1), rng.randint(0, 1)]
    size = [rng.randint(1, 12), rng.randint(1, 12)]
    blocks = [
        (s + 2 * p - (k - 1) - 1) // st + 1
        for s, p, k, st in zip(size, padding, kernel, stride, strict=True)
    ]
    c = rng.randint(1, 3)
    columns = c * prod(kernel) + (rng.choice([0, 0, 0, 0, 1]))
    length = max(0, prod(blocks)) + rng.choice([0, 0, 0, 0, 1, -1])
    shape = [rng.randint(1, 2), columns, length]
    if rng.random() < 0.15:
        shape = shape[1:]
    kwargs = {"stride": stride, "padding": padding}
    if rng.random() < 0.05:
        kwargs["stride"] = [0, 1]
    return {"layer": "Fold", "args": [size, kernel], "kwargs": kwargs, "input": shape}


def _any_shape(rng: random.Random, rank_low: int = 0, rank_high: int = 5) -> list[int]:
    return [rng.randint(1, 6) for _ in range(rng.randint(rank_low, rank_high))]


def gen_flatten(rng: random.Random) -> Case:
    shape = _any_shape(rng, 0, 5)
    if rng.random() < 0.5:
        return {
            "layer": "Flatten",
            "args": [],
            "kwargs": {"start_dim": rng.randint(-4, 4), "end_dim": rng.randint(-4, 4)},
            "input": shape,
        }
    if rng.random() < 0.5:
        return {"layer": "Flatten", "args": [], "kwargs": {}, "input": shape}
    shape = shape or [6]
    dim = rng.randint(-len(shape) - 1, len(shape))
    size = shape[dim] if -len(shape) <= dim < len(shape) else 6
    parts = [d for d in range(1, size + 1) if size % d == 0]
    a = rng.choice(parts)
    sizes = [a, size // a]
    if rng.random() < 0.3:
        sizes[rng.randrange(2)] = -1
    if rng.random() < 0.1:
        sizes[0] += 1
    return {"layer": "Unflatten", "args": [dim, sizes], "kwargs": {}, "input": shape}


def gen_linear(rng: random.Random) -> Case:
    cin, cout = rng.randint(0, 40), rng.randint(0, 40)
    shape = [*_any_shape(rng, 0, 3), cin if rng.random() < 0.9 else cin + 1]
    if rng.random() < 0.03:
        shape = []
    kwargs = {"bias": False} if rng.random() < 0.2 else {}
    return {"layer": "Linear", "args": [cin, cout], "kwargs": kwargs, "input": shape}


def gen_norm(rng: random.Random) -> Case:
    kind = rng.choice(["BatchNorm", "InstanceNorm", "GroupNorm", "LayerNorm", "RMSNorm"])
    c = rng.choice([1, 2, 3, 4, 6, 8])
    kwargs: dict[str, Any] = {}
    if kind in ("BatchNorm", "InstanceNorm"):
        nd = rng.randint(1, 3)
        if rng.random() < 0.3:
            kwargs["affine"] = rng.random() < 0.5
        if rng.random() < 0.3:
            kwargs["track_running_stats"] = rng.random() < 0.5
        if rng.random() < 0.1:
            kwargs["bias"] = False
        if rng.random() < 0.15:
            kwargs["eps"] = rng.choice([0.0, -1e-5, 1e-6, 1e-3])
        shape = _input(rng, nd, c)
        shape = [s if s or rng.random() < 0.3 else 1 for s in shape]
        if rng.random() < 0.2:
            shape = [1, c] + [1] * nd
        return _mode(rng, {"layer": f"{kind}{nd}d", "args": [c], "kwargs": kwargs, "input": shape})
    if kind == "GroupNorm":
        g = rng.choice([1, 2, 3, 4, -2, 0])
        c = abs(g or 1) * rng.randint(1, 3) + (1 if rng.random() < 0.05 else 0)
        if rng.random() < 0.3:
            kwargs["affine"] = False
        if rng.random() < 0.1:
            kwargs["eps"] = rng.choice([0.0, -1e-5])
        shape = [rng.randint(1, 2), c + (1 if rng.random() < 0.05 else 0), *_any_shape(rng, 0, 2)]
        if rng.random() < 0.03:
            shape = shape[:1]
        return _mode(rng, {"layer": "GroupNorm", "args": [g, c], "kwargs": kwargs, "input": shape})
    shape = _any_shape(rng, 1, 4)
    tail = shape[len(shape) - rng.randint(1, len(shape)) :]
    normalized: Any = list(tail)
    if rng.random() < 0.1:
        normalized[0] += 1
    if len(normalized) == 1 and rng.random() < 0.5:
        normalized = normalized[0]
    if rng.random() < 0.3:
        kwargs["elementwise_affine"] = False
    if kind == "LayerNorm" and rng.random() < 0.2:
        kwargs["bias"] = False
    if rng.random() < 0.1:
        kwargs["eps"] = rng.choice([0.0, -1e-5])
    return _mode(rng, {"layer": kind, "args": [normalized], "kwargs": kwargs, "input": shape})


ACTIVATIONS = [
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "ELU",
    "CELU",
    "SELU",
    "GELU",
    "SiLU",
    "Mish",
    "Sigmoid",
    "Tanh",
    "Hardswish",
    "Hardsigmoid",
    "Hardtanh",
    "Softplus",
    "Softsign",
    "Tanhshrink",
    "LogSigmoid",
    "Hardshrink",
    "Softshrink",
    "Identity",
]


def gen_elementwise(rng: random.Random) -> Case:
    shape = _any_shape(rng, 0, 5)
    r = rng.random()
    if r < 0.4:
        return {"layer": rng.choice(ACTIVATIONS), "args": [], "kwargs": {}, "input": shape}
    if r < 0.55:
        layer = rng.choice(["Softmax", "LogSoftmax", "Softmin"])
        return {"layer": layer, "args": [], "kwargs": {"dim": rng.randint(-4, 4)}, "input": shape}
    if r < 0.65:
        return {"layer": "GLU", "args": [], "kwargs": {"dim": rng.randint(-3, 3)}, "input": shape}
    if r < 0.75:
        n = rng.choice([1, 1, 2, 3, 4])
        return {"layer": "PReLU", "args": [n], "kwargs": {}, "input": shape}
    if r < 0.8:
        return {
            "layer": "LocalResponseNorm",
            "args": [rng.randint(1, 4)],
            "kwargs": {},
            "input": shape,
        }
    layer = rng.choice(
        ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
    )
    p = rng.choice([0.0, 0.1, 0.5, 1.0, 1.5])
    return _mode(rng, {"layer": layer, "args": [p], "kwargs": {}, "input": shape})


def gen_pad(rng: random.Random) -> Case:
    nd = rng.randint(1, 3)
    prefix = rng.choice(["Zero", "Constant", "Reflection", "Replication", "Circular"])
    padding: Any = rng.choice([-1, 0, 1, 2, 3, 5])
    if rng.random() < 0.6:
        padding = [
            rng.choice([-2, -1, 0, 0, 1, 2, 3, 4, 6])
            for _ in range(2 * nd if rng.random() < 0.95 else rng.randint(1, 6))
        ]
    args: list[Any] = [padding]
    if prefix == "Constant":
        args.append(0.5)
    spatial = [rng.randint(0 if rng.random() < 0.03 else 1, 7) for _ in range(nd)]
    shape = [rng.randint(1, 2), rng.randint(1, 3), *spatial]
    r = rng.random()
    if r < 0.2:
        shape = shape[1:]
    elif r < 0.25:
        shape = shape[2:] if rng.random() < 0.5 else [1, *shape]
    return {"layer": f"{prefix}Pad{nd}d", "args": args, "kwargs": {}, "input": shape}


def gen_channel_shuffle(rng: random.Random) -> Case:
    groups = rng.choice([-1, 0, 1, 2, 2, 3, 4])
    shape = _any_shape(rng, 1, 5)
    if len(shape) > 1 and rng.random() < 0.8:
        shape[1] = abs(groups or 1) * rng.randint(0 if rng.random() < 0.05 else 1, 4)
    if rng.random() < 0.05:
        shape[0] = 0
    return {"layer": "ChannelShuffle", "args": [groups], "kwargs": {}, "input": shape}


def gen_permute(rng: random.Random) -> Case:
    shape = _any_shape(rng, 0, 5)
    dims = list(range(len(shape)))
    rng.shuffle(dims)
    dims = [d - len(shape) if rng.random() < 0.2 else d for d in dims]
    r = rng.random()
    if r < 0.05 and dims:
        dims[rng.randrange(len(dims))] = dims[0]  # a repeated dimension
    elif r < 0.1:
        dims.append(rng.randint(-2, len(shape)))  # one too many
    elif r < 0.15 and dims:
        dims.pop()
    elif r < 0.2 and dims:
        dims[rng.randrange(len(dims))] = rng.choice([len(shape), -len(shape) - 1])
    return {"layer": "Permute", "args": [dims], "kwargs": {}, "input": shape}


def gen_stochastic_depth(rng: random.Random) -> Case:
    p = rng.choice([0.0, 0.0, 0.1, 0.2, 0.5, 1.0, 1.5, -0.1])
    mode = rng.choice(["row", "row", "batch", "batch", "rows"])
    shape = _any_shape(rng, 0, 4)
    return _mode(rng, {"layer": "StochasticDepth", "args": [p, mode], "kwargs": {}, "input": shape})


def gen_scale(rng: random.Random) -> Case:
    shape = _any_shape(rng, 0, 4)
    if rng.random() < 0.05 and shape:
        shape[0] = 0
    tail = shape[len(shape) - rng.randint(0, len(shape)) :]
    param = [1 if rng.random() < 0.5 else s for s in tail]
    r = rng.random()
    if r < 0.1:
        param = [rng.randint(1, 3), *param]  # more dimensions than the input
    elif r < 0.2 and param:
        param[rng.randrange(len(param))] += 1  # a size that does not broadcast
    elif r < 0.23:
        param = [-1, *param]
    kwargs = {"init": rng.choice([1.0, 1e-6])} if rng.random() < 0.3 else {}
    return {"layer": "Scale", "args": [param], "kwargs": kwargs, "input": shape}


def gen_layer_norm_2d(rng: random.Random) -> Case:
    shape = [rng.randint(1, 2), *(_any_shape(rng, 3, 3))]
    r = rng.random()
    if r < 0.05:
        shape = _any_shape(rng, 2, 5)
    n, c, h, w = [*shape, 1, 1, 1, 1][:4]
    normalized: Any = rng.choice([[c], [c], c, [w, c], [h, w, c]])
    if rng.random() < 0.1:
        normalized = rng.choice([[w], [c + 1], [], [n, h, w, c, 1]])
    kwargs: dict[str, Any] = {}
    if rng.random() < 0.3:
        kwargs["eps"] = 1e-6
    if rng.random() < 0.2:
        kwargs["elementwise_affine"] = False
    if rng.random() < 0.2:
        kwargs["bias"] = False
    return {"layer": "LayerNorm2d", "args": [normalized], "kwargs": kwargs, "input": shape}


def gen_transpose(rng: random.Random) -> Case:
    shape = _any_shape(rng, 0, 5)
    bound = max(len(shape), 1)
    dims = [rng.randint(-bound - 1, bound) for _ in range(2)]
    return {"layer": "Transpose", "args": dims, "kwargs": {}, "input": shape}


def gen_mean(rng: random.Random) -> Case:
    shape = _any_shape(rng, 0, 5)
    if rng.random() < 0.05 and shape:
        shape[0] = 0
    bound = max(len(shape), 1)
    r = rng.random()
    dim: Any
    if r < 0.1:
        dim = rng.choice([None, []])
    elif r < 0.4:
        dim = rng.randint(-bound - 1, bound)
    else:
        dim = rng.sample(range(-bound, bound), rng.randint(1, min(bound, 3)))
    kwargs = {"keepdim": True} if rng.random() < 0.3 else {}
    return {"layer": "Mean", "args": [dim], "kwargs": kwargs, "input": shape}


def gen_frozen_batch_norm(rng: random.Random) -> Case:
    c = rng.choice([0, 1, 3, 3, 8])
    shape = _input(rng, 2, c)
    if rng.random() < 0.1:
        shape = _any_shape(rng, 0, 5)
    kwargs = {"eps": rng.choice([0.0, 1e-3])} if rng.random() < 0.2 else {}
    return {"layer": "FrozenBatchNorm2d", "args": [c], "kwargs": kwargs, "input": shape}


FAMILIES: dict[str, Callable[[random.Random], Case]] = {
    **{f"Conv{nd}d": partial(gen_conv, nd=nd) for nd in (1, 2, 3)},
    **{f"ConvTranspose{nd}d": partial(gen_conv_transpose, nd=nd) for nd in (1, 2, 3)},
    **{f"MaxPool{nd}d": partial(gen_max_pool, nd=nd) for nd in (1, 2, 3)},
    **{f"AvgPool{nd}d": partial(gen_avg_pool, nd=nd) for nd in (1, 2, 3)},
    **{f"LPPool{nd}d": partial(gen_lp_pool, nd=nd) for nd in (1, 2, 3)},
    **{
        f"Adaptive{kind}Pool{nd}d": partial(gen_adaptive, nd=nd, kind=kind)
        for nd in (1, 2, 3)
        for kind in ("Avg", "Max")
    },
    **{f"MaxUnpool{nd}d": partial(gen_max_unpool, nd=nd) for nd in (1, 2, 3)},
    "Upsample": gen_upsample,
    "Unfold": gen_unfold,
    "Fold": gen_fold,
    "Linear": gen_linear,
    "ChannelShuffle": gen_channel_shuffle,
    "Permute": gen_permute,
    "StochasticDepth": gen_stochastic_depth,
    "Scale": gen_scale,
    "LayerNorm2d": gen_layer_norm_2d,
    "Transpose": gen_transpose,
    "Mean": gen_mean,
    "FrozenBatchNorm2d": gen_frozen_batch_norm,
}

# Layers that torch.nn lacks: torchvision's definitions (read from its installed files at test
# time), and the layer scale written out as ConvNeXt writes it.
TORCHVISION = {
    "Permute": ("ops/misc.py", ["Permute"]),
    "StochasticDepth": ("ops/stochastic_depth.py", ["stochastic_depth", "StochasticDepth"]),
    "LayerNorm2d": ("models/convnext.py", ["LayerNorm2d"]),
    "FrozenBatchNorm2d": ("ops/misc.py", ["FrozenBatchNorm2d"]),
}

# Generators that mix several layer classes give each class a family of its own, so that
# every class gets the same number of cases.
_MIXED: list[tuple[Callable[[random.Random], Case], list[str]]] = [
    (gen_pixel_shuffle, ["PixelShuffle", "PixelUnshuffle"]),
    (gen_flatten, ["Flatten", "Unflatten"]),
    (
        gen_norm,
        [
            *(f"{k}Norm{nd}d" for k in ("Batch", "Instance") for nd in (1, 2, 3)),
            "GroupNorm",
            "LayerNorm",
            "RMSNorm",
        ],
    ),
    (
        gen_elementwise,
        [
            *ACTIVATIONS,
            "Softmax",
            "LogSoftmax",
            "Softmin",
            "GLU",
            "PReLU",
            "LocalResponseNorm",
            "Dropout",
            "Dropout1d",
            "Dropout2d",
            "Dropout3d",
            "AlphaDropout",
            "FeatureAlphaDropout",
        ],
    ),
    (
        gen_pad,
        [
            f"{prefix}Pad{nd}d"
            for nd in (1, 2, 3)
            for prefix in ("Zero", "Constant", "Reflection", "Replication", "Circular")
        ],
    ),
]


def _only(layer: str, generator: Callable[[random.Random], Case], rng: random.Random) -> Case:
    """Draw from a mixed generator until it gives a case of ``layer``."""
    while True:
        case = generator(rng)
        if case["layer"] == layer:
            return case


for _generator, _layers in _MIXED:
    for _layer in _layers:
        FAMILIES[_layer] = partial(_only, _layer, _generator)


# --------------------------------------------------------------------------------------------
# answers


def _tuples(value: Any) -> Any:
    """JSON lists back to tuples, which is what PyTorch's constructors expect, and integers
    too long for JSON back to integers."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict) and set(value) == {"$int"}:
        return int(value["$int"], 16)
    return value


def encode(value: Any) -> Any:
    """A case as JSON can hold it: an integer past Python's 4,300-digit printing limit is
    written ``{"$int": "<hex digits>"}``."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 4000:
        return {"$int": format(value, "x")}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def run_convcalc(case: Case) -> Result:
    cls = getattr(convcalc, case["layer"])
    args = [_tuples(a) for a in case["args"]]
    kwargs = {k: _tuples(v) for k, v in case["kwargs"].items()}
    try:
        layer = cls(*args, **kwargs)
    except convcalc.ShapeError:
        return {"ok": False, "stage": "init"}
    forward = {k: _tuples(v) for k, v in case.get("forward", {}).items()}
    try:
        out = layer.output_shape(
            _tuples(case["input"]), training=case.get("training", False), **forward
        )
    except convcalc.ShapeError:
        return {"ok": False, "stage": "forward"}
    return {
        "ok": True,
        "output_shape": list(out),
        "params": layer.param_count,
        "parameter_shapes": {k: list(v) for k, v in layer.parameter_shapes.items()},
        "buffer_shapes": {k: list(v) for k, v in layer.buffer_shapes.items()},
    }


def run_torch(case: Case) -> Result:
    """Build the real ``torch.nn`` module and run a real eager CPU forward pass."""
    with warnings.catch_warnings():
        # torch warns at import when NumPy is absent, and in forward about deprecated ranks.
        warnings.simplefilter("ignore")
        import torch

        if not case["layer"].startswith("Conv"):
            return _run_torch_once(torch, case)
        # Degenerate convolutions (kernel 0, dilation 0, an empty transposed output) are judged
        # differently by the oneDNN and the native CPU kernels; convcalc follows the native ones.
        with torch.backends.mkldnn.flags(enabled=False):
            return _run_torch_once(torch, case)


def torchvision_available() -> bool:
    """torchvision's files are installed (``pip install --no-deps torchvision==0.28.0``)."""
    return importlib.util.find_spec("torchvision") is not None


def _torchvision_definitions(torch: Any, path: str, names: list[str]) -> dict[str, Any]:
    """The named top-level definitions of one of torchvision's files, executed without
    importing the package: ``import torchvision`` fails against the CPU torch build (its
    compiled operators do not match), but these definitions are plain Python."""
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("torchvision is not installed: pip install --no-deps torchvision")
    source = Path(spec.submodule_search_locations[0], path).read_text(encoding="utf-8")
    tree = ast.parse(source)
    body: list[ast.stmt] = [
        node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names
    ]
    namespace: dict[str, Any] = {
        "torch": torch,
        "nn": torch.nn,
        "F": torch.nn.functional,
        "Tensor": torch.Tensor,
        "_log_api_usage_once": lambda obj: None,
    }
    code = compile(ast.Module(body=body, type_ignores=[]), path, "exec")
    exec(code, namespace)  # noqa: S102  (torchvision's own installed definitions, as the oracle)
    return {name: namespace[name] for name in names}


_LOADED: dict[str, Any] = {}


def _torch_layer(torch: Any, layer: str) -> Any:
    if layer in TORCHVISION:
        if layer not in _LOADED:
            path, names = TORCHVISION[layer]
            _LOADED[layer] = _torchvision_definitions(torch, path, names)[layer]
        return _LOADED[layer]
    if layer == "Scale":

        class Scale(torch.nn.Module):  # type: ignore[misc]
            def __init__(self, shape: tuple[int, ...], init: float = 1.0) -> None:
                super().__init__()
                self.weight = torch.nn.Parameter(torch.ones(shape) * init)

            def forward(self, x: Any) -> Any:
                return self.weight * x

        return Scale
    if layer == "Transpose":

        class Transpose(torch.nn.Module):  # type: ignore[misc]
            def __init__(self, dim0: int, dim1: int) -> None:
                super().__init__()
                self.dims = (dim0, dim1)

            def forward(self, x: Any) -> Any:
                return torch.transpose(x, *self.dims)

        return Transpose
    if layer == "Mean":

        class Mean(torch.nn.Module):  # type: ignore[misc]
            def __init__(self, dim: Any = None, keepdim: bool = False) -> None:
                super().__init__()
                self.dim, self.keepdim = dim, keepdim

            def forward(self, x: Any) -> Any:
                return torch.mean(x, self.dim, keepdim=self.keepdim)

        return Mean
    return getattr(torch.nn, layer)


def _run_torch_once(torch: Any, case: Case) -> Result:
    cls = _torch_layer(torch, case["layer"])
    args = [_tuples(a) for a in case["args"]]
    kwargs = {k: _tuples(v) for k, v in case["kwargs"].items()}
    try:
        module = cls(*args, **kwargs)
    except Exception:
        return {"ok": False, "stage": "init"}
    module.train(bool(case.get("training", False)))
    forward = {k: _tuples(v) for k, v in case.get("forward", {}).items()}
    shape = _tuples(case["input"])
    try:
        with torch.no_grad():
            x = torch.empty(shape)
            if case["layer"].startswith("MaxUnpool"):
                out = module(x, torch.zeros(shape, dtype=torch.long), **forward)
            else:
                out = module(x, **forward)
    except Exception:
        return {"ok": False, "stage": "forward"}
    if isinstance(out, tuple):
        out = out[0]
    return {
        "ok": True,
        "output_shape": list(out.shape),
        "params": sum(p.numel() for p in module.parameters()),
        "parameter_shapes": {k: list(p.shape) for k, p in module.named_parameters()},
        "buffer_shapes": {k: list(b.shape) for k, b in module.named_buffers()},
    }


def _case(layer: str, args: list[Any], input: list[int], **more: Any) -> Case:
    case: Case = {"layer": layer, "args": args, "kwargs": more.pop("kwargs", {}), "input": input}
    case.update(more)
    return case


_BIG = 2**63  # one past int64
_HUGE = 10**5000  # a 5,001-digit integer

# Hand-picked cases at the edges random draws rarely reach: the mode-dependent norms, empty
# pooling strides, int64 and int32 bounds, huge integers, and PyTorch's path for empty batches.
TARGETED: list[Case] = [
    # BatchNorm: eval with running statistics accepts one value per channel and eps 0.
    _case("BatchNorm2d", [3], [1, 3, 1, 1]),
    _case("BatchNorm2d", [3], [1, 3, 1, 1], training=True),
    _case("BatchNorm2d", [3], [1, 3, 1, 1], kwargs={"track_running_stats": False}),
    _case("BatchNorm1d", [3], [1, 3]),
    _case("BatchNorm1d", [3], [1, 3], training=True),
    _case("BatchNorm2d", [3], [2, 3, 4, 4], kwargs={"eps": 0.0}),
    _case("BatchNorm2d", [3], [2, 3, 4, 4], kwargs={"eps": 0.0}, training=True),
    _case("BatchNorm2d", [3], [2, 3, 4, 4], kwargs={"eps": -1.0}),
    _case("BatchNorm2d", [3], [2, 3, 4, 4], kwargs={"eps": -1e-5}, training=True),
    _case("BatchNorm3d", [3], [2, 3, 2, 2, 2], kwargs={"eps": 0, "track_running_stats": False}),
    _case("BatchNorm2d", [3], [0, 3, 4, 4], kwargs={"eps": 0.0}, training=True),
    _case("InstanceNorm2d", [3], [2, 3, 1, 1]),
    _case("InstanceNorm2d", [3], [2, 3, 1, 1], kwargs={"track_running_stats": True}),
    _case("InstanceNorm2d", [3], [2, 3, 1, 1], kwargs={"track_running_stats": True}, training=True),
    _case("InstanceNorm2d", [3], [0, 3, 4, 4], kwargs={"affine": True}),
    _case("Dropout2d", [0.5], [7]),
    _case("Dropout2d", [0.5], [7], training=True),
    _case("StochasticDepth", [0.5, "row"], []),
    _case("StochasticDepth", [0.5, "row"], [], training=True),
    # An empty stride means the kernel size.
    *(
        _case(f"{pool}{nd}d", [2], [1, 2, *[7] * nd], kwargs={"stride": stride})
        for pool in ("MaxPool", "AvgPool")
        for nd in (1, 2, 3)
        for stride in (list[int](), None)
    ),
    _case("MaxPool2d", [[3, 2]], [1, 2, 7, 8], kwargs={"stride": []}),
    *(
        _case(f"LPPool{nd}d", [2.0, 2], [1, 2, *[7] * nd], kwargs={"stride": []})
        for nd in (1, 2, 3)
    ),
    _case("MaxUnpool2d", [2], [1, 2, 3, 3], kwargs={"stride": []}),
    # Sizes past int64, tensors whose bytes or strides overflow it, int32 kernels.
    _case("AdaptiveMaxPool1d", [_BIG], [1, 2, 7]),
    _case("AdaptiveMaxPool1d", [_BIG - 1], [1, 2, 7]),
    _case("AdaptiveMaxPool1d", [2**62], [1, 2, 7]),
    _case("AdaptiveMaxPool1d", [-_BIG - 1], [1, 2, 7]),
    _case("AdaptiveAvgPool1d", [_BIG], [1, 2, 7]),
    _case("AdaptiveAvgPool1d", [2**62], [1, 2, 7]),
    _case("AdaptiveAvgPool2d", [2**40], [1, 2, 7, 7]),
    _case("AdaptiveAvgPool2d", [[2**32, None]], [1, 2, 7, 2**31]),
    _case("AdaptiveMaxPool2d", [[2**31, 2**31]], [1, 2, 7, 7]),
    _case("AdaptiveMaxPool3d", [2**40], [1, 2, 3, 3, 3]),
    _case("AdaptiveAvgPool3d", [_BIG], [1, 2, 3, 3, 3]),
    _case("ReLU", [], [2**61]),
    _case("ReLU", [], [2**62, 2**62, 0]),
    _case("ReLU", [], [0, 2**62, 2**62]),
    _case("ReLU", [], [_BIG - 1, 0]),
    _case("Flatten", [], [2**31, 2**31, 0]),
    _case("Linear", [2**31, 2**30], [2, 2**31]),
    _case("Linear", [2**31, 2**30], [0, 2**31]),
    _case("Conv2d", [1, 1, _BIG], [1, 1, 4, 4]),
    _case("Conv2d", [1, 1, 1], [1, 1, 4, 4], kwargs={"stride": _BIG}),
    _case("Conv2d", [1, 1, 1], [1, 1, 4, 4], kwargs={"stride": _BIG - 1}),
    _case("Conv2d", [1, 1, 1], [1, 1, 4, 4], kwargs={"dilation": 2**62}),
    _case("Conv2d", [1, 1, 1], [1, 1, 4, 4], kwargs={"padding": 2**62}),
    _case("Conv2d", [1, 1, 1], [1, 1, 4, 4], kwargs={"padding": 2**62 - 1}),
    _case("ConvTranspose2d", [1, 1, 1], [1, 1, 4, 4], kwargs={"stride": 2**31}),
    _case("ConvTranspose2d", [1, 1, 1], [1, 1, 4, 4], kwargs={"dilation": 2**40}),
    _case("ConvTranspose2d", [1, 1, 1], [1, 1, 4, 4], kwargs={"output_padding": _BIG}),
    _case("Upsample", [], [1, 1, 4, 4], kwargs={"size": _BIG}),
    _case("Upsample", [], [1, 1, 4, 4], kwargs={"size": [2**31, 2**31]}),
    _case("ZeroPad2d", [[0, 0, 0, 2**62]], [1, 1, 4, 4]),
    *(
        _case(f"{pool}{nd}d", [1], [1, 1, *[4] * nd], kwargs={"stride": stride})
        for pool in ("MaxPool", "AvgPool")
        for nd in (1, 2, 3)
        for stride in (2**31 - 1, 2**31, _BIG - 1, _BIG)
    ),
    _case("MaxPool2d", [1], [1, 1, 4, 4], kwargs={"dilation": 2**31}),
    _case("LPPool2d", [2.0, 1], [1, 1, 4, 4], kwargs={"stride": 2**31}),
    _case("MaxUnpool2d", [1], [1, 1, 4, 4], kwargs={"stride": _BIG}),
    # Integers of thousands of digits.
    _case("Conv2d", [3, _HUGE, 3], [1, 3, 8, 8]),
    _case("Conv2d", [3, 8, 3], [1, 3, 8, 8], kwargs={"stride": _HUGE}),
    _case("MaxPool2d", [2], [1, 3, 8, 8], kwargs={"stride": _HUGE}),
    _case("Linear", [_HUGE, 2], [1, 4]),
    _case("ReLU", [], [1, _HUGE]),
    _case("AdaptiveAvgPool2d", [_HUGE], [1, 3, 8, 8]),
    # An empty batch takes PyTorch's empty path, which skips some of the kernels' checks.
    _case("ConvTranspose2d", [2, 3, 3], [0, 2, 5, 5]),
    _case("ConvTranspose2d", [2, 3, 3], [0, 2, 5, 5], kwargs={"output_padding": 2}),
    _case("ConvTranspose2d", [2, 3, 3], [1, 2, 5, 5], kwargs={"output_padding": 2}),
    _case("ConvTranspose2d", [2, 3, 3], [0, 2, 5, 5], kwargs={"dilation": 0}),
    _case("ConvTranspose2d", [2, 3, 3], [0, 2, 5, 5], kwargs={"dilation": -1}),
    _case("ConvTranspose2d", [2, 3, 3], [0, 2, 2, 2], kwargs={"padding": 2}),
    _case("ConvTranspose2d", [2, 3, 3], [1, 2, 2, 2], kwargs={"padding": 2}),
    _case("ConvTranspose2d", [2, 3, 3], [0, 2, 1, 1], kwargs={"padding": 4}),
    _case("ConvTranspose2d", [2, 3, 3], [0, 2, 0, 5]),
    _case("ConvTranspose2d", [2, 3, 3], [1, 2, 0, 5]),
    _case("ConvTranspose2d", [2, 3, 3], [0, 4, 5, 5]),
    _case("ConvTranspose2d", [2, 3, 3], [0, 2, 5, 5], kwargs={"stride": 0}),
    _case("ConvTranspose2d", [2, 3, 3], [0, 2, 5, 5], kwargs={"output_padding": -1}),
    _case("ConvTranspose2d", [2, 3, 0], [0, 2, 5, 5]),
    _case("ConvTranspose2d", [4, 4, 3], [0, 4, 5, 5], kwargs={"groups": 2, "output_padding": 1}),
    _case("ConvTranspose2d", [2, 3, 3], [2, 5, 5], kwargs={"output_padding": 1}),
    _case("ConvTranspose1d", [2, 3, 3], [0, 2, 5], kwargs={"output_padding": 1}),
    _case("ConvTranspose3d", [2, 3, 3], [0, 2, 5, 5, 5], kwargs={"output_padding": 1}),
    _case(
        "ConvTranspose2d",
        [2, 3, 3],
        [0, 2, 5, 5],
        kwargs={"stride": 2, "dilation": 0, "output_padding": 3},
    ),
    _case(
        "ConvTranspose2d",
        [2, 3, 3],
        [0, 2, 5, 5],
        kwargs={"stride": 2},
        forward={"output_size": [12, 12]},
    ),
    _case("Conv2d", [2, 3, 3], [0, 2, 5, 5], kwargs={"dilation": 0}),
    _case("Conv2d", [2, 3, 3], [1, 2, 5, 5], kwargs={"dilation": 0}),
    _case("Conv2d", [0, 3, 3], [1, 0, 5, 5], kwargs={"dilation": 0}),
    _case("Conv2d", [2, 3, 3], [0, 2, 0, 5], kwargs={"padding": 2}),
    _case("Conv2d", [2, 3, 3], [1, 2, 0, 5], kwargs={"padding": 2}),
    _case("Conv2d", [2, 3, 3], [0, 2, 0, 5]),
    _case("Conv2d", [2, 3, 7], [0, 2, 5, 5]),
    _case("Conv2d", [2, 0, 3], [0, 2, 5, 5]),
    _case("Conv2d", [2, 3, [0, 3]], [0, 2, 5, 5]),
    _case("Conv2d", [4, 4, 3], [0, 4, 5, 5], kwargs={"groups": 2, "dilation": 0}),
    _case(
        "Conv2d",
        [2, 3, 3],
        [0, 2, 5, 5],
        kwargs={"dilation": 0, "padding": 1, "padding_mode": "reflect"},
    ),
]


def generate(family: str, count: int, seed: int) -> list[Case]:
    rng = random.Random(f"{family}:{seed}")
    return [FAMILIES[family](rng) for _ in range(count)]
