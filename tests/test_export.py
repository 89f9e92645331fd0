"""Exported PyTorch modules: they compile, and (with PyTorch) run with convcalc's shapes."""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from convcalc import SpecError
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
    """Blocks become submodules of a class per block type, with the same attributes in every
    instance, so state-dict keys and torchinfo's rows follow the spec's blocks."""
    source = to_pytorch(load_spec_file("resnet18"))
    compile(source, "resnet18.py", "exec")
    assert source.count("class Stage(nn.Module):") == 1
    assert source.count("class BasicBlock(nn.Module):") == 1
    # A block whose condition kept its projection shortcut: its own class, the block's name.
    assert source.count("class BasicBlock2(nn.Module):") == 1
    assert "BasicBlock2.__name__ = 'BasicBlock'" in source
    assert "        self.layer1 = Stage(\n" in source
    assert "        h5 = self.identity(x)\n" in source  # the projection shortcut reads the input
    assert "        h5 = self.layer2(h4)  # [1, 128, 28, 28]\n" in source


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


GRAPHS = {
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
