"""A block used again with the same arguments is copied from its first expansion rather than
worked out again: the network must be the one a fresh expansion gives, names, numbering,
scopes, indices and all."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc import ConvCalcError
from convcalc.network import LayerSpec, Network, Node, ShapeTracker, summarize
from convcalc.spec import _copies, _expand, load_spec, load_spec_file, zoo_names


def _fields(network: Network) -> tuple[Any, ...]:
    return (
        network.nodes,
        network.blocks,
        network.block_entries,
        network.block_inputs,
        network.outputs,
        network.input_shape,
        network.name,
        network.rebuild is None,
    )


def _layers(network: Network) -> list[tuple[Node, LayerSpec]]:
    """The network's layers (not merges or pieces), with their nodes."""
    return [(n, n.op) for n in network.nodes if isinstance(n.op, LayerSpec)]


def _check_tracked(monkeypatch: pytest.MonkeyPatch) -> None:
    """After every load, the shapes the reader tracked (copied with the nodes where it
    could) must be the ones worked out node by node."""
    original = _expand._Loader.load

    def checking(self: Any, *args: Any) -> Network:
        network = original(self, *args)
        tracked = self.tracker
        if tracked is not None and tracked.shapes:
            fresh = ShapeTracker(tracked.input_shape)
            fresh.shape(network.nodes, len(tracked.shapes) - 1)
            assert (tracked.shapes, tracked.flattened) == (fresh.shapes, fresh.flattened)
        return network

    monkeypatch.setattr(_expand._Loader, "load", checking)


def _both(load: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Network, Network, int]:
    """The network with copies, the network expanded afresh every time, and the number of
    expansions the first load kept for copying."""
    kept: list[int] = []
    remember = _expand._Loader.remember

    def counting(self: Any, *args: Any) -> None:
        remember(self, *args)
        kept.append(len(self.expansions))

    with monkeypatch.context() as m:
        m.setattr(_expand._Loader, "remember", counting)
        _check_tracked(m)
        copied = load()
    with monkeypatch.context() as m:
        m.setattr(_copies, "_expansion_key", lambda *args: None)
        fresh = load()
    return copied, fresh, max(kept, default=0)


@pytest.mark.parametrize("name", zoo_names())
def test_zoo_entries_expand_the_same_with_copies(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied, fresh, _ = _both(lambda: load_spec_file(name), monkeypatch)
    assert _fields(copied) == _fields(fresh)


SPEC = """\
name: repeats
input: [1, 8, 32, 32]
blocks:
  ConvBN:
    params: {out: null, flag: false}
    layers:
      - Conv2d: {out_channels: '${out}', kernel_size: 3, padding: 1, bias: '${flag}'}
      - BatchNorm2d
      - ReLU
  Squeeze:                          # reads the incoming tensor: copied only for the same size
    params: {channels: '${in_channels}'}
    layers:
      - AdaptiveAvgPool2d: 1
      - Conv2d: ['${channels // 2}', 1]
      - ReLU
      - Conv2d: ['${channels}', 1]
      - Sigmoid
      - Mul: {from: [-1, input]}
  Halves:                           # pieces, a shared module and a nested block
    params: {out: null}
    layers:
      - Chunk: {chunks: 2, dim: 1}
        id: parts
      - Conv2d: {out_channels: '${out}', kernel_size: 1}
        from: parts.0
        id: proj
      - share: proj
        from: parts.1
      - Concat: {from: [-2, -1]}
      - ConvBN: {out: '${out * 2}'}
      - Squeeze
  Nothing:                          # every entry left out: passes its input on
    params: {enabled: false}
    layers:
      - ReLU:
        if: '${enabled}'
layers:
  - ConvBN: {out: 16}
  - ConvBN: {out: 16}
  - ConvBN: {out: 16, flag: 1}      # 1 is not true: a copy would change the row
  - ConvBN: {out: 16, flag: true}
  - Squeeze
  - Squeeze
  - Halves: {out: 8}
  - Halves: {out: 8}
    id: second
  - Nothing
  - Nothing
  - Conv2d: [32, 3]
  - Squeeze                         # 32 channels now, not 16
  - Halves: {out: 16}
  - Halves: {out: 16}
"""


def test_copies_are_renamed_renumbered_and_rewired(monkeypatch: pytest.MonkeyPatch) -> None:
    copied, fresh, kept = _both(lambda: load_spec(SPEC), monkeypatch)
    assert kept >= 4  # the copying did happen
    assert _fields(copied) == _fields(fresh)
    assert summarize(copied) == summarize(fresh)
    names = [node.name for node in copied.nodes]
    assert len(set(names)) == len(names)
    assert "convbn_2.conv2d_2" in names  # numbered across the network, copies included
    assert "second.parts.1" in names
    assert "second.squeeze_4.mul_4" in names
    ops = {node.name: op for node, op in _layers(copied)}
    assert ops["squeeze_2.conv2d_7"].args == (8, 1)  # 16 channels in
    assert ops["squeeze_5.conv2d_20"].args == (16, 1)  # 32 channels in: its own expansion
    assert dict(ops["convbn_3.conv2d_3"].kwargs)["bias"] == 1
    assert dict(ops["convbn_4.conv2d_4"].kwargs)["bias"] is True
    shared = next(node for node in copied.nodes if node.name == "second.conv2d_15")
    assert shared.shares is not None
    assert copied.nodes[shared.shares].name == "second.proj"
    assert summarize(copied).output_shape == (1, 32, 30, 30)


# A block that reads its incoming tensor: a copy of it fits only the same input size.
SQUEEZE = """\
  Squeeze:
    params: {channels: '${in_channels}'}
    layers:
      - Conv2d: ['${channels // 4}', 1]
      - Conv2d: ['${channels}', 1]
"""


def test_a_copy_of_a_block_that_reads_its_input_follows_the_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = f"""\
input: [1, 16, 8, 8]
blocks:
{SQUEEZE}layers:
  - Squeeze
  - Conv2d: [64, 1]
  - Squeeze
  - Squeeze
"""
    copied, fresh, _ = _both(lambda: load_spec(spec), monkeypatch)
    assert _fields(copied) == _fields(fresh)
    convs = [op.args[0] for n, op in _layers(copied) if n.scope]
    assert convs == [4, 16, 16, 64, 16, 64]
    # A spec that reads its input is loaded again for another input size.
    other = summarize(copied, (1, 8, 8, 8))
    channels = [r.output_shape[1] for r in other.rows if r.type == "Conv2d"]
    assert channels == [2, 8, 64, 16, 64, 16, 64]


def test_a_block_holding_a_copy_that_read_its_input_reads_it_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = f"""\
input: [1, 16, 8, 8]
blocks:
{SQUEEZE}  First:
    layers:
      - Squeeze
  Outer:                   # reads nothing itself; its Squeeze is a copy of First's
    layers:
      - ReLU
      - Squeeze
layers:
  - First
  - Outer
  - Conv2d: [32, 1]
  - Outer                  # on 32 channels: its Squeeze must be worked out for them
"""
    copied, fresh, _ = _both(lambda: load_spec(spec), monkeypatch)
    assert _fields(copied) == _fields(fresh)
    convs = [op.args[0] for n, op in _layers(copied) if n.scope and op.type == "Conv2d"]
    assert convs == [4, 16, 4, 16, 8, 32]


# Random specs of blocks used again and again, nested, reading their input or not, with
# conditions, pieces, shared modules and merges: copies or not, the same network or error.
_ENTRIES = [
    "      - Conv2d: {out_channels: '${w}', kernel_size: 1}\n",
    "      - Conv2d: {out_channels: '${in_channels}', kernel_size: 3, padding: 1}\n",
    "      - ReLU\n",
    "      - BatchNorm2d\n",
    "      - Conv2d: {out_channels: '${w}', kernel_size: 1}\n        id: p\n"
    "      - share: p\n        if: '${in_channels == w}'\n",
    "      - Add: {from: [-1, input]}\n        if: '${in_channels == w}'\n",
    "      - Chunk: {chunks: 2, dim: 1}\n        id: halves\n"
    "      - Concat: {from: [halves.1, halves.0]}\n",
    "      - Inner: {w: '${w}'}\n",
    "      - Inner: {w: '${w * 2}'}\n        if: '${flag}'\n",
    "      - MaxPool2d: 2\n        if: '${in_height > 4}'\n",
    # Layers reading w alone: copied with w's new value worked out in them, or expanded
    # afresh where that value pads as TensorFlow does, fails, or changes a shape read later.
    "      - Conv2d: {out_channels: 4, kernel_size: 3,"
    " padding: '${\"tf_same\" if w > 4 else 1}'}\n",
    "      - Dropout: '${w / 16}'\n",
    "      - Conv2d: ['${w + repeat_index}', 1]\n        repeat: 2\n",
    "      - Conv2d: {out_channels: '${w}', kernel_size: 1}\n        id: q\n"
    "      - Conv2d: ['${in_channels}', 1]\n      - share: q\n",
]
_INNER = """\
  Inner:
    params: {w: 8}
    layers:
      - Conv2d: {out_channels: '${w}', kernel_size: 1}
      - Conv2d: ['${in_channels}', 3, 1, 1]
"""


@given(
    body=st.lists(st.sampled_from(_ENTRIES), min_size=1, max_size=5),
    uses=st.lists(
        st.tuples(st.sampled_from([4, 8, 16]), st.booleans(), st.integers(1, 3), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    channels=st.sampled_from([4, 8]),
)
@settings(max_examples=200, deadline=None)
def test_random_block_uses_expand_the_same_with_copies(
    body: list[str], uses: list[tuple[int, bool, int, bool]], channels: int
) -> None:
    # A probe reads the width where it stands, and is left out.
    probe = "  - ReLU:\n    if: '${in_channels > 99}'\n"
    layers = "".join(
        f"  - Block: {{w: {w}, flag: {str(flag).lower()}}}\n    repeat: {repeat}\n"
        + (probe if read else "")
        for w, flag, repeat, read in uses
    )
    spec = (
        f"input: [1, {channels}, 16, 16]\nblocks:\n{_INNER}"
        "  Block:\n    params: {w: 8, flag: false}\n    layers:\n"
        f"{''.join(body)}layers:\n{layers}"
    )

    def load(copies: bool) -> Any:
        with pytest.MonkeyPatch.context() as m:
            _check_tracked(m)
            if not copies:
                m.setattr(_copies, "_expansion_key", lambda *args: None)
            try:
                return _fields(load_spec(spec))
            except ConvCalcError as exc:
                return str(exc)

    assert load(True) == load(False)


LEAF = """\
input: [1, 8, 16, 16]
blocks:
  Residual:
    params: {index: null, total: 4, skip: true}   # index and total: read by a layer alone
    layers:
      - Conv2d: [8, 3, 1, 1]
        id: conv
      - StochasticDepth: {p: '${0.5 * index / total}', mode: row}
      - share: conv
      - Add: {from: [-1, input]}
        if: '${skip}'
layers:
  - Residual: 0
  - Residual: 1
  - Residual: 2
  - Residual: {index: 3, total: 8, skip: false}   # skip decides an entry: expanded afresh
"""


def test_a_block_differing_in_what_only_a_layer_reads_is_copied_with_that_layer_new(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rebuilt: list[int] = []
    original = _expand._Loader.rebuilt

    def counting(self: Any, *args: Any) -> Any:
        ops = original(self, *args)
        rebuilt.append(len(ops or {}))
        return ops

    monkeypatch.setattr(_expand._Loader, "rebuilt", counting)
    copied, fresh, _ = _both(lambda: load_spec(LEAF), monkeypatch)
    assert rebuilt == [1, 1]  # the second and third uses: their StochasticDepth worked out again
    assert _fields(copied) == _fields(fresh)
    depth = [dict(op.kwargs)["p"] for _, op in _layers(copied) if op.type == "StochasticDepth"]
    assert depth == [0.0, 0.125, 0.25, 0.1875]
    shares = [copied.nodes[n.shares].name for n in copied.nodes if n.shares is not None]
    assert shares == ["residual_1.conv", "residual_2.conv", "residual_3.conv", "residual_4.conv"]


def test_a_copy_whose_layer_changes_a_shape_tracks_the_new_shapes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Wide reads nothing, so its copy is made for any input, its Conv2d worked out again
    # for another width: the shapes after that layer are the copy's own, not the original's.
    spec = """\
input: [1, 8, 8, 8]
blocks:
  Wide:
    params: {w: 8}
    layers:
      - Conv2d: {out_channels: '${w}', kernel_size: 1}
      - ReLU
layers:
  - Wide: {w: 8}
  - ReLU:
    if: '${in_channels > 99}'    # reads the width here, and leaves the entry out
  - Wide: {w: 16}
  - Conv2d: ['${in_channels}', 1]
"""
    copied, fresh, _ = _both(lambda: load_spec(spec), monkeypatch)
    assert _fields(copied) == _fields(fresh)
    assert _layers(copied)[-1][1].args == (16, 1)
