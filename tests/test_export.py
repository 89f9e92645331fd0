"""Exported PyTorch modules: they compile, and (with PyTorch) run with convcalc's shapes."""

from __future__ import annotations

import importlib.util
import os
import pickle
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from convcalc import ShapeError, SpecError
from convcalc._export_blocks import class_name
from convcalc.export import to_pytorch
from convcalc.network import Network, summarize
from convcalc.spec import load_spec, load_spec_file, zoo_names

HAS_TORCH = importlib.util.find_spec("torch") is not None


def test_export_fills_in_inferred_sizes() -> None:
    source = to_pytorch(load_spec_file("lenet"))
    compile(source, "lenet.py", "exec")
    assert "nn.Linear(in_features=800, out_features=500, bias=True)" in source
    assert "class Lenet(nn.Module):" in source
    assert "INPUT_SHAPE = (64, 1, 28, 28)" in source


def test_export_writes_graphs_and_frozen_layers() -> None:
    text = """
name: tiny-skip
input: [1, 4, 8, 8]
layers:
  - Conv2d: {out_channels: 4, kernel_size: 3, padding: 1}
    id: a
    trainable: false
  - Add:
    from: [a, input]
  - Concat: {dim: 1}
    from: [-1, a]
"""
    source = to_pytorch(load_spec(text))
    compile(source, "tiny.py", "exec")
    assert "h1 = h0 + x" in source
    assert "h2 = torch.cat([h1, h0], dim=1)" in source
    assert 'self.get_submodule("a").requires_grad_(False)' in source
    assert "class TinySkip(nn.Module):" in source


def test_export_nests_blocks_one_class_per_block_type() -> None:
    """Blocks become submodules of a class per block type, so state-dict keys and torchinfo's
    rows follow the spec's blocks. A part a condition left out is None, as PyTorch code has
    it; a chain of layers is an nn.Sequential, however many layers an instance has."""
    source = to_pytorch(load_spec_file("resnet18"))
    compile(source, "resnet18.py", "exec")
    assert source.count("class Stage(nn.Sequential):") == 1
    assert source.count("class Downsample(nn.Sequential):") == 1
    assert source.count("class BasicBlock(nn.Module):") == 1
    assert "__name__ =" not in source.replace('if __name__ == "__main__":', "")
    assert "        identity: nn.Module | None = None,\n" in source
    assert "        h5 = self.identity(x) if self.identity is not None else x\n" in source
    assert "        self.layer1 = Stage(\n" in source
    assert "        h5 = self.layer2(h4)  # [1, 128, 28, 28]\n" in source


FAMILIES = ["resnet50", "mobilenet_v3_large", "shufflenet_v2_x1_0", "efficientnet_b0"]
FAMILIES += ["convnext_tiny", "googlenet", "mnasnet1_0", "squeezenet1_0", "vgg11_bn"]


@pytest.mark.parametrize("name", FAMILIES)
def test_export_writes_each_block_type_once(name: str) -> None:
    network = load_spec_file(name)
    source = to_pytorch(network)
    classes = re.findall(r"^class (\w+)\(nn\.(?:Module|Sequential)\):$", source, re.MULTILINE)
    kinds = {kind for _, kind in network.blocks}
    blocks = [
        c for c in classes[:-1] if c not in ("Permute", "Scale", "LayerNorm2d", "StochasticDepth")
    ]
    assert sorted(blocks) == sorted(class_name(kind) for kind in kinds)
    assert not re.search(r"\b\w+\.__name__ =", source)


def test_export_switches_a_left_out_merge_with_a_flag() -> None:
    """MobileNetV3's inverted residual: the expansion and the squeeze-excitation are None
    where left out, the residual Add is switched by a flag; one forward serves all."""
    source = to_pytorch(load_spec_file("mobilenet_v3_large"))
    assert "        use_add_1: bool = False,\n" in source
    assert "        h4 = h3 + x if self.use_add_1 else h3\n" in source
    assert "            use_add_1=True,\n" in source
    assert source.count("self.squeezeexcitation_1 is not None") == 1


def test_export_branches_where_instances_are_wired_differently() -> None:
    """ShuffleNetV2's block reads its input whole (stride 2) or in halves (stride 1): one
    class, a branch each, told apart by the part only one kind has."""
    source = to_pytorch(load_spec_file("shufflenet_v2_x1_0"))
    assert source.count("class InvertedResidual(nn.Module):") == 1
    assert "        left: nn.Module | None = None,\n" in source
    assert "        if self.left is not None:\n            h0 = self.left(x)\n" in source


def test_export_writes_a_block_of_several_inputs_as_a_class() -> None:
    """Its forward takes the inputs under the spec's names, in the order it first reads them
    (the input a summary's row and torchinfo show for the block)."""
    source = to_pytorch(load_spec(GRAPHS["pieces-and-sharing"]))
    forward = "    def forward(self, right: torch.Tensor, left: torch.Tensor) -> torch.Tensor:\n"
    assert forward in source
    assert "        h0 = self.conv(right)\n" in source
    assert "        h2 = self.conv(h1)\n" in source  # the shared convolution, run again
    assert "        h3 = torch.cat([left, h2], dim=1)\n" in source
    assert "        h2 = self.half_1(h1, h0)  # [2, 8, 6, 6]\n" in source


def test_export_refuses_max_unpool() -> None:
    with pytest.raises(SpecError, match="MaxUnpool needs the indices"):
        to_pytorch(load_spec("input: [1, 2, 4, 4]\nlayers:\n  - MaxUnpool2d: 2\n"))


def _load_module(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _batch_for(mode: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The input to run in ``mode``: in train mode a batch of 2 for an image batch of 1, as a
    training-mode BatchNorm on a 1x1 map (Inception v3's aux head) needs more than one value
    per channel, in PyTorch as in convcalc."""
    if mode == "train" and len(shape) == 4 and shape[0] == 1:
        return (2, *shape[1:])
    return shape


def _check_under_torch(network: Network, name: str, tmp_path: Path) -> None:
    """Each layer's output shape, the network's output and the parameter counts equal the
    summary's, in eval mode (training-only entries do not run) and in train mode."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch

        torch.set_num_threads(min(2, os.cpu_count() or 1))
        path = tmp_path / f"{name}.py"
        path.write_text(to_pytorch(network), encoding="utf-8")
        module = _load_module(path)
        # On the meta device tensors carry shapes and no data: the check costs no arithmetic.
        with torch.device("meta"):
            model = getattr(module, module.__all__[-1])()
        shapes: list[tuple[int, ...]] = []
        for child in model.modules():
            if not any(child.children()):
                child.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape)))
        for mode in ("eval", "train"):
            shape = _batch_for(mode, module.INPUT_SHAPE)
            summary = summarize(network, shape, mode=mode)
            model.train(mode == "train")
            shapes.clear()
            with torch.no_grad():
                out = model(torch.zeros(shape, device="meta"))
            outs = out if isinstance(out, tuple) else (out,)
            assert tuple(tuple(o.shape) for o in outs) == summary.outputs
            assert sum(p.numel() for p in model.parameters()) == summary.totals.params
            assert (
                sum(p.numel() for p in model.parameters() if p.requires_grad)
                == summary.totals.trainable_params
            )
            layer_shapes = [
                r.output_shape
                for r in summary.layer_rows()
                if r.type not in ("Add", "Mul", "Concat", "Chunk", "Split") and not r.functional
            ]
            assert shapes == layer_shapes, mode


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
@pytest.mark.parametrize("name", zoo_names())
def test_exported_zoo_runs_under_pytorch(name: str, tmp_path: Path) -> None:
    _check_under_torch(load_spec_file(name), name, tmp_path)


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
def test_export_at_a_size_only_eval_takes_builds_the_head_for_the_spec_s_input(
    tmp_path: Path,
) -> None:
    """Inception v3 at 75 pixels: eval runs it, as in torchvision; its auxiliary head, which
    only training runs and which needs 299, is built for 299, with all 27,161,264
    parameters. Exported in train mode at 75, it is refused, as training at 75 fails."""
    import torch

    network = load_spec_file("inception_v3")
    source = to_pytorch(network, (1, 3, 75, 75))
    assert "built, and their shapes commented, for the spec's\ninput [1, 3, 299, 299]" in source
    path = tmp_path / "inception_75.py"
    path.write_text(source, encoding="utf-8")
    module = _load_module(path)
    with torch.device("meta"):
        model = getattr(module, module.__all__[-1])().eval()
    with torch.no_grad():
        out = model(torch.zeros((1, 3, 75, 75), device="meta"))
    assert tuple(out.shape) == (1, 1000)
    assert sum(p.numel() for p in model.parameters()) == 27_161_264
    with pytest.raises(ShapeError, match="InceptionAux"):
        to_pytorch(network, (1, 3, 75, 75), mode="train")


GRAPHS = {
    # Instances wired differently with the same modules: told apart by the merge's flag.
    "branches-on-a-flag": """
input: [1, 4, 6, 6]
blocks:
  Block:
    params: {skip: false}
    layers:
      - Conv2d: {out_channels: 4, kernel_size: 3, padding: 1}
        id: conv
      - Add: {from: [conv, input]}
        if: '${skip}'
      - ReLU:
        from: '${"conv" if skip else "input"}'
layers:
  - Block: {skip: true}
  - Block: {skip: false}
""",
    # Instances with the same parts wired differently: no one class serves, written flat.
    "same-parts-other-wiring": """
input: [1, 4, 6, 6]
blocks:
  Block:
    params: {late: false}
    layers:
      - Conv2d: {out_channels: 4, kernel_size: 3, padding: 1}
        id: conv
      - ReLU:
        from: '${"conv" if late else "input"}'
      - Add: {from: [conv, -1]}
layers:
  - Block: {late: true}
  - Block: {late: false}
""",
    "pieces-and-sharing": """
input: [2, 8, 6, 6]
blocks:
  Half:
    inputs: [left, right]
    layers:
      - Conv2d: [4, 1]
        from: right
        id: conv
      - ReLU
      - share: conv
      - Concat: {from: [left, -1]}
layers:
  - Chunk: {chunks: 2, dim: 1}
    id: halves
  - Half:
    from: [halves.0, halves.1]
  - Split: {split_size_or_sections: [3, 5], dim: 1}
    id: parts
  - Concat: {from: [parts.1, parts.0]}
  - ChannelShuffle: 2
""",
    "aux-head": """
input: [2, 3, 16, 16]
layers:
  - Conv2d: [8, 3]
    id: stem
  - AdaptiveAvgPool2d: 1
    train_only: true
  - Flatten:
    train_only: true
  - Linear: 5
    train_only: true
  - BatchNorm2d:
    from: stem
  - AdaptiveAvgPool2d: 1
  - Flatten
  - Linear: 10
""",
}


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_exported_graphs_run_under_pytorch(name: str, tmp_path: Path) -> None:
    _check_under_torch(load_spec(GRAPHS[name]), name.replace("-", "_"), tmp_path)


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
def test_exported_model_pickles(tmp_path: Path) -> None:
    """Every class is found in the file under the name it gives (``__name__``), and a model
    pickles and unpickles."""
    import torch

    text = """
name: tiny-resnet
input: [1, 3, 8, 8]
blocks:
  Block:
    params: {out: null, stride: 1}
    layers:
      - Conv2d: {out_channels: '${out}', kernel_size: 3, stride: '${stride}', padding: 1}
        id: conv
      - Conv2d: {out_channels: '${out}', kernel_size: 1, stride: '${stride}'}
        from: input
        id: downsample
        if: '${stride != 1 or in_channels != out}'
      - Add: {from: [conv, downsample]}
layers:
  - Block: 4
  - Block: {out: 8, stride: 2}
  - Block: 8
    repeat: 2
"""
    path = tmp_path / "tiny_resnet.py"
    path.write_text(to_pytorch(load_spec(text)), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("tiny_resnet")
        model = module.TinyResnet()
        for child in model.modules():
            if type(child).__module__ == "tiny_resnet":
                assert getattr(module, type(child).__name__) is type(child)
        copy = pickle.loads(pickle.dumps(model))
        assert [type(m).__name__ for m in copy.modules()] == [
            type(m).__name__ for m in model.modules()
        ]
        x = torch.randn(module.INPUT_SHAPE)
        with torch.no_grad():
            assert torch.equal(copy(x), model(x))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("tiny_resnet", None)


def test_export_branches_on_a_flag_or_writes_flat() -> None:
    source = to_pytorch(load_spec(GRAPHS["branches-on-a-flag"]))
    assert "        if self.use_add_1:\n            h0 = self.conv(x)\n" in source
    assert "            use_add_1=True,\n" in source
    source = to_pytorch(load_spec(GRAPHS["same-parts-other-wiring"]))
    assert "class Block" not in source
    assert "        h4 = self.block_2_relu_2(h2)  # [1, 4, 6, 6]\n" in source
