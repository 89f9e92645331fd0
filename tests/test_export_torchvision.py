"""Exported zoo networks compute torchvision's function, not just its counts (issue 8).

For each model below, the zoo entry is exported with :func:`convcalc.export.to_pytorch` and
built under PyTorch beside torchvision's own model (its file loaded from site-packages through
``tests/torchvision_models.py``). Every floating-point tensor of torchvision's state dict,
parameters and buffers alike, gets a fresh random value, so that no BatchNorm statistic,
affine parameter, bias or layer scale keeps the constant torchvision initialises it to (a
constant could hide a swapped operand). The state dict is then mapped onto the export's and
loaded strictly, and both models, in eval mode, must give the same output on the same random
input.

The mapping is derived from the computation, not from names: each model runs once on the
meta device (shapes only) under a :class:`~torch.overrides.TorchFunctionMode` that records
the state-dict tensors in the order the forward pass first reads them, with the function
that read each one and the argument position. The two lists are paired in order, and each
pair must agree in shape, in kind (parameter or buffer) and in how it was read. Entries that
the eval forward pass never reads (BatchNorm's ``num_batches_tracked``) are paired through
their modules: the modules owning the paired tensors are paired, and such an entry maps to
the entry of the same name in the paired module. Every key on either side is mapped exactly
once, or the test fails.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
import torchvision_models

from convcalc.export import to_pytorch
from convcalc.spec import load_spec_file

HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"

# zoo name (also torchvision's builder name) -> torchvision's model file
MODELS = {
    "resnet50": "resnet.py",
    "mobilenet_v3_large": "mobilenetv3.py",
    "shufflenet_v2_x1_0": "shufflenetv2.py",
    "efficientnet_b0": "efficientnet.py",
    "convnext_tiny": "convnext.py",
}
# Small enough to keep the five models within seconds; every model halves it five times.
INPUT_SHAPE = (2, 3, 64, 64)
TOLERANCE = 1e-5

pytestmark = [
    pytest.mark.torch,
    pytest.mark.skipif(
        not HAS_TORCH and not REQUIRE_TORCH,
        reason="PyTorch is not installed (pip install torch==2.13.0)",
    ),
]


def _installed_torchvision() -> Path:
    return torchvision_models.installed_or_skip()


def _exported(name: str, tmp_path: Path) -> Any:
    """The export of zoo entry ``name`` at INPUT_SHAPE, built on the meta device."""
    import torch

    path = tmp_path / f"{name}.py"
    path.write_text(to_pytorch(load_spec_file(name), INPUT_SHAPE), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"exported_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.INPUT_SHAPE == INPUT_SHAPE
    with torch.device("meta"):
        return getattr(module, module.__all__[-1])()


def _torchvision(name: str) -> Any:
    """torchvision's model ``name``, built on the meta device (its initialisation skipped:
    every value is drawn afresh by :func:`_randomise`)."""
    import torch

    module = torchvision_models.load_module(_installed_torchvision(), MODELS[name])
    with torch.device("meta"):
        return getattr(module, name)()


class _Read:
    """One state-dict entry as the forward pass first read it."""

    def __init__(self, key: str, tensor: Any, buffer: bool, function: str, position: int):
        self.key = key
        self.kind = (tuple(tensor.shape), tensor.dtype, buffer, function, position)

    def __repr__(self) -> str:
        return f"{self.key} {self.kind}"


def _reads(model: Any) -> list[_Read]:
    """The state-dict entries in the order an eval forward pass on the meta device first
    reads them, each with the function that read it and the argument position."""
    import torch
    from torch.overrides import TorchFunctionMode

    entries = model.state_dict(keep_vars=True)
    by_id = {id(tensor): key for key, tensor in entries.items()}
    buffers = {key for key, _ in model.named_buffers()}
    reads: list[_Read] = []

    class Recorder(TorchFunctionMode):
        def __torch_function__(
            self,
            func: Any,
            types: Any,
            args: tuple[Any, ...] = (),
            kwargs: dict[str, Any] | None = None,
        ) -> Any:
            kwargs = kwargs or {}
            for position, value in enumerate([*args, *kwargs.values()]):
                key = by_id.pop(id(value), None)
                if key is not None:
                    function = getattr(func, "__name__", repr(func))
                    reads.append(_Read(key, entries[key], key in buffers, function, position))
            return func(*args, **kwargs)

    model.eval()
    with torch.no_grad(), Recorder():
        model(torch.empty(INPUT_SHAPE, device="meta"))
    return reads


def _mapping(theirs: Any, ours: Any) -> dict[str, str]:
    """Our state-dict key for each of torchvision's (see the module docstring)."""
    their_reads, our_reads = _reads(theirs), _reads(ours)
    assert len(their_reads) == len(our_reads), (their_reads, our_reads)
    keys: dict[str, str] = {}
    for their, our in zip(their_reads, our_reads, strict=True):
        assert their.kind == our.kind, f"torchvision's {their} is paired with {our}"
        keys[their.key] = our.key
    modules: dict[str, str] = {}
    for their_key, our_key in keys.items():
        their_owner, our_owner = their_key.rpartition(".")[0], our_key.rpartition(".")[0]
        assert modules.setdefault(their_owner, our_owner) == our_owner, their_key
    their_keys, our_keys = list(theirs.state_dict()), list(ours.state_dict())
    for key in their_keys:
        if key not in keys:
            owner, _, local = key.rpartition(".")
            assert owner in modules, f"{key}: its module reads nothing in eval"
            keys[key] = f"{modules[owner]}.{local}" if modules[owner] else local
    assert sorted(keys.values()) == sorted(our_keys)
    return keys


def _randomise(model: Any, generator: Any) -> None:
    """Materialise ``model`` on the CPU with a random value in every floating-point entry of
    its state dict.

    A tensor of two or more dimensions (a weight, or ConvNeXt's layer scale) is uniform with
    variance 1/fan-in; norms' scales are in [0.5, 1.5) and other vectors (biases, shifts) in
    [-0.1, 0.1). BatchNorm's running statistics are then measured on a random batch (one
    forward pass in training mode), so that each layer sees its input roughly normalised and
    the input still reaches the output fifty layers on, and each statistic is perturbed at
    random: a mean by up to a tenth of its deviation, a variance by a factor in [e^-0.2, e^0.2)
    (symmetric in the logarithm, so that fifty layers do not drift one way).
    """
    import torch
    from torch import nn

    model.to_empty(device="cpu")
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for key, tensor in model.named_parameters():
            if tensor.dim() > 1:
                bound = (3 / tensor[0].numel()) ** 0.5  # uniform(-b, b) has variance b²/3
                tensor.uniform_(-bound, bound, generator=generator)
            elif key.endswith("weight"):
                tensor.uniform_(0.5, 1.5, generator=generator)
            else:
                tensor.uniform_(-0.1, 0.1, generator=generator)
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # a cumulative average: after one batch, that batch's stats
        model.train()
        model(torch.randn((4, *INPUT_SHAPE[1:]), generator=generator))
        for norm in norms:
            mean, var = norm.running_mean, norm.running_var
            assert mean is not None
            assert var is not None
            mean.add_((torch.rand(mean.shape, generator=generator) * 0.2 - 0.1) * var.sqrt())
            var.mul_((torch.rand(var.shape, generator=generator) * 0.4 - 0.2).exp())
    assert not any(tensor.is_meta for tensor in model.state_dict().values()), (
        "an entry was left unset"
    )


def _max_difference(name: str, tmp_path: Path) -> float:
    import torch

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    theirs, ours = _torchvision(name), _exported(name, tmp_path)
    keys = _mapping(theirs, ours)
    generator = torch.Generator().manual_seed(0)
    _randomise(theirs, generator)
    state = theirs.state_dict()
    # assign: the meta-device export takes torchvision's tensors as they are, no copy.
    ours.load_state_dict(
        {keys[key]: value for key, value in state.items()}, strict=True, assign=True
    )
    theirs.eval()
    ours.eval()
    x = torch.randn(INPUT_SHAPE, generator=generator)
    with torch.no_grad():
        expected, got = theirs(x), ours(x)
    assert got.shape == expected.shape
    # The input reaches the output: the two samples' outputs differ well beyond the tolerance.
    assert (expected[0] - expected[1]).abs().max().item() > 0.1
    return float((got - expected).abs().max().item())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_export_with_torchvision_state_dict_gives_torchvision_output(
    name: str, tmp_path: Path
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        difference = _max_difference(name, tmp_path)
    assert difference <= TOLERANCE


def test_mapping_follows_the_computation_and_refuses_a_mismatch() -> None:
    """Tensors pair in the order the forward pass reads them, whatever the registration order
    and the names; a pairing whose shapes or readers differ fails."""
    import torch
    from torch import nn

    class Late(nn.Module):  # registers its norm before its convolution, runs it after
        def __init__(self, eps: float = 1e-5) -> None:
            super().__init__()
            self.norm = nn.BatchNorm2d(4, eps=eps)
            self.conv = nn.Conv2d(3, 4, 3)

        def forward(self, x: Any) -> Any:
            return self.norm(self.conv(x))

    with torch.device("meta"):
        late, plain = Late(), nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        swapped = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4))
    keys = _mapping(late, plain)
    assert keys["conv.weight"] == "0.weight"
    assert keys["norm.running_var"] == "1.running_var"
    assert keys["norm.num_batches_tracked"] == "1.num_batches_tracked"
    with pytest.raises(AssertionError, match=r"conv\.bias"):
        _mapping(late, swapped)
