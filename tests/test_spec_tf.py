"""``padding: tf_same`` in specs: TensorFlow's SAME for any stride, written as PyTorch layers;
the Distill table's rows from specs written like their TF-Slim models; the exported module
under PyTorch."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from convcalc import ConvCalcError
from convcalc.analysis import receptive_field
from convcalc.export import to_pytorch
from convcalc.layers import layer_fields
from convcalc.network import Network, summarize
from convcalc.spec import load_spec, load_spec_file

SPECS = Path(__file__).parent / "specs"
HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"
needs_torch = pytest.mark.skipif(
    not HAS_TORCH and not REQUIRE_TORCH,
    reason="PyTorch is not installed (pip install torch==2.13.0)",
)


def _rows(text: str, **options: Any) -> list[tuple[str, Any, tuple[int, ...]]]:
    """Each layer's type, its padding and its output shape."""
    summary = summarize(load_spec(text, **options))
    return [
        (row.type, layer_fields(row.layer)["padding"], row.output_shape)  # type: ignore[arg-type]
        for row in summary.layer_rows()
    ]


def _spec(input_shape: str, *layers: str) -> str:
    return f"input: {input_shape}\nlayers:\n" + "".join(f"  - {layer}\n" for layer in layers)


# --------------------------------------------------------------------------------------------
# the Distill table from specs


@pytest.mark.parametrize(
    ("spec", "final", "size", "jump", "padding"),
    [
        pytest.param("alexnet_v2_tf.yaml", "pool5", 195, 32, 64, id="alexnet_v2"),
        pytest.param("vgg_16_tf.yaml", "stage5.maxpool2d_5", 212, 32, 90, id="vgg_16"),
    ],
)
def test_distill_table_rows_from_tf_slim_specs(
    spec: str, final: str, size: int, jump: int, padding: int
) -> None:
    """Araujo et al., "Computing Receptive Fields of Convolutional Neural Networks", Distill
    2019, table 1: size / effective stride / effective padding at the final feature map of
    TF-Slim's alexnet_v2 and vgg_16 at 224x224."""
    fields = receptive_field(load_spec_file(str(SPECS / spec)))
    assert fields.nodes[-1].name == final
    for axis in fields[final].axes:
        assert (axis.size, axis.jump, axis.effective_padding) == (
            Fraction(size),
            Fraction(jump),
            Fraction(padding),
        )
    assert fields.warnings == ()


def test_tf_slim_specs_give_tf_slims_feature_maps() -> None:
    """TF-Slim's alexnet_v2 ends its features at 5x5 and vgg_16 at 7x7 for a 224 input."""
    alexnet = summarize(load_spec_file(str(SPECS / "alexnet_v2_tf.yaml")))
    vgg = summarize(load_spec_file(str(SPECS / "vgg_16_tf.yaml")))
    assert alexnet.output_shape == (1, 256, 5, 5)
    assert vgg.output_shape == (1, 512, 7, 7)
    # VGG-16's 13 convolutions: 14,714,688 weights and biases (Simonyan & Zisserman's net D
    # without its classifier, as torchvision's vgg16().features counts them).
    assert vgg.totals.params == 14_714_688


# --------------------------------------------------------------------------------------------
# what the reader writes


def test_tf_same_asymmetric_split_writes_a_zero_pad_then_padding_zero() -> None:
    """5x5, kernel 2, stride 2: TensorFlow pads 0 before and 1 after, for ceil(5/2) = 3."""
    text = _spec(
        "[1, 3, 5, 5]", "Conv2d: {out_channels: 4, kernel_size: 2, stride: 2, padding: tf_same}"
    )
    assert _rows(text) == [
        ("ZeroPad2d", (0, 1, 0, 1), (1, 3, 6, 6)),
        ("Conv2d", (0, 0), (1, 4, 3, 3)),
    ]


def test_tf_same_symmetric_split_is_the_layers_own_padding() -> None:
    text = _spec("[1, 3, 7, 7]", "Conv2d: [4, 3, 1, tf_same]", "MaxPool2d: [3, 2, tf_same]")
    assert _rows(text) == [
        ("Conv2d", (1, 1), (1, 4, 7, 7)),
        ("MaxPool2d", 1, (1, 4, 4, 4)),
    ]


def test_tf_same_max_pooling_pads_with_minus_infinity() -> None:
    text = _spec("[1, 2, 4, 6]", "MaxPool2d: {kernel_size: 3, stride: 2, padding: tf_same}")
    assert _rows(text) == [
        ("ConstantPad2d", (0, 1, 0, 1), (1, 2, 5, 7)),
        ("MaxPool2d", 0, (1, 2, 2, 3)),
    ]


def test_tf_same_in_call_text_1d_and_3d_and_with_dilation() -> None:
    assert _rows(_spec("[1, 2, 10]", "Conv1d(2, 4, 3, 4, 'tf_same', dilation=2)")) == [
        ("ZeroPad1d", (1, 2), (1, 2, 13)),
        ("Conv1d", (0,), (1, 4, 3)),
    ]
    text = _spec(
        "[1, 1, 4, 5, 6]", "Conv3d: {out_channels: 2, kernel_size: 2, stride: 2, padding: tf_same}"
    )
    assert _rows(text) == [
        ("ZeroPad3d", (0, 0, 0, 1, 0, 0), (1, 1, 4, 6, 6)),
        ("Conv3d", (0, 0, 0), (1, 2, 2, 3, 3)),
    ]


def test_tf_same_keeps_the_entrys_id_on_the_layer() -> None:
    text = (
        "input: [1, 3, 5, 5]\nlayers:\n"
        "  - Conv2d: {out_channels: 4, kernel_size: 2, stride: 2, padding: tf_same}\n"
        "    id: stem\n"
        "  - ReLU\n"
        "  - Add: {from: [stem, -1]}\n"
    )
    network = load_spec(text)
    assert [node.name for node in network.nodes] == ["zeropad2d_1", "stem", "relu_1", "add_1"]
    assert network.nodes[3].inputs == (1, 2)


@pytest.mark.parametrize("size", range(1, 40))
@pytest.mark.parametrize(
    ("kernel", "stride", "dilation"),
    [(1, 2, 1), (2, 2, 1), (3, 2, 1), (3, 3, 2), (5, 4, 1), (7, 2, 3)],
)
def test_tf_same_gives_ceil_of_size_over_stride(
    size: int, kernel: int, stride: int, dilation: int
) -> None:
    """TensorFlow's law for SAME: an axis of n gives ceil(n / stride) outputs, for convolutions
    and max pooling, whatever the kernel and dilation."""
    window = f"kernel_size: {kernel}, stride: {stride}, dilation: {dilation}, padding: tf_same"
    for layer in (f"Conv1d: {{out_channels: 1, {window}}}", f"MaxPool1d: {{{window}}}"):
        out = summarize(load_spec(_spec(f"[1, 1, {size}]", layer))).output_shape
        assert out == (1, 1, -(-size // stride)), layer


def test_tf_same_is_worked_out_again_for_another_input() -> None:
    """5 -> symmetric (1, 1); 6 -> TensorFlow's (0, 1), so a pad appears."""
    network = load_spec(_spec("[1, 3, 5, 5]", "Conv2d: [4, 3, 2, tf_same]"))
    assert [(row.type, row.output_shape) for row in summarize(network).layer_rows()] == [
        ("Conv2d", (1, 4, 3, 3))
    ]
    other = summarize(network, (1, 3, 6, 6))
    assert [(row.type, row.output_shape) for row in other.layer_rows()] == [
        ("ZeroPad2d", (1, 3, 7, 7)),
        ("Conv2d", (1, 4, 3, 3)),
    ]


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        pytest.param(
            "Conv2d: {out_channels: 4, kernel_size: 3, stride: 2, padding: same}",
            "net.yaml:3: layers[0] Conv2d: padding='same' needs stride 1, got stride 2x2; give "
            "the padding as a number instead",
            id="pytorch-same-keeps-stride-1",
        ),
        pytest.param(
            "AvgPool2d: {kernel_size: 3, padding: tf_same}",
            "net.yaml:3:16: layers[0].AvgPool2d.padding: padding 'tf_same' (TensorFlow's SAME) "
            "applies to Conv1d/2d/3d and MaxPool1d/2d/3d, not AvgPool2d",
            id="avg-pool",
        ),
        pytest.param(
            "ConvTranspose2d: {out_channels: 4, kernel_size: 3, padding: tf_same}",
            "net.yaml:3:22: layers[0].ConvTranspose2d.padding: padding 'tf_same' (TensorFlow's "
            "SAME) applies to Conv1d/2d/3d and MaxPool1d/2d/3d, not ConvTranspose2d",
            id="transposed",
        ),
        pytest.param(
            "Conv2d: {out_channels: 4, kernel_size: 3, padding: tf_same, padding_mode: reflect}",
            "net.yaml:3:13: layers[0].Conv2d.padding: padding 'tf_same' pads with zeros, as "
            "TensorFlow does; drop padding_mode 'reflect'",
            id="padding-mode",
        ),
        pytest.param(
            "Conv2d: {out_channels: 4, padding: tf_same}",
            "net.yaml:3:13: layers[0].Conv2d.padding: padding 'tf_same': Conv2d: TF padding "
            "needs kernel_size",
            id="no-kernel",
        ),
        pytest.param(
            "Conv2d: {out_channels: 4, kernel_size: 0, padding: tf_same}",
            "net.yaml:3:13: layers[0].Conv2d.padding: padding 'tf_same': TF SAME padding: "
            "kernel_size must be a positive integer, got 0",
            id="zero-kernel",
        ),
    ],
)
def test_tf_same_rejections(layer: str, message: str) -> None:
    with pytest.raises(ConvCalcError) as caught:
        summarize(load_spec(_spec("[1, 3, 8, 8]", layer), source="net.yaml"))
    assert str(caught.value) == message


def test_tf_same_needs_an_input_shape() -> None:
    text = "layers:\n  - Conv2d: {out_channels: 4, kernel_size: 3, padding: tf_same}\n"
    with pytest.raises(ConvCalcError) as caught:
        load_spec(text, source="net.yaml")
    assert str(caught.value) == (
        "net.yaml:2:13: layers[0].Conv2d.padding: padding 'tf_same' depends on the incoming "
        "tensor's size, so the spec needs an input shape: add 'input:'"
    )


def test_spec_reader_never_imports_the_analysis() -> None:
    """TF padding is layer arithmetic (convcalc.padding), loaded only when a spec uses it."""
    code = (
        "import sys\nfrom convcalc.spec import load_spec_file\nload_spec_file('lenet')\n"
        "assert 'convcalc.padding' not in sys.modules, 'imported'\n"
        "load_spec_file(sys.argv[1])\nassert 'convcalc.padding' in sys.modules\n"
        "assert 'convcalc.analysis' not in sys.modules, 'analysis imported'\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(SPECS / "vgg_16_tf.yaml")], check=True, timeout=60
    )


def test_export_writes_minus_infinity_as_python() -> None:
    source = to_pytorch(load_spec(_spec("[1, 2, 4, 4]", "MaxPool2d: [3, 2, tf_same]")))
    assert "nn.ConstantPad2d(padding=(0, 1, 0, 1), value=float('-inf'))" in source


# --------------------------------------------------------------------------------------------
# under PyTorch


def _export_and_run(network: Network, tmp_path: Path) -> tuple[int, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch

        torch.set_num_threads(min(2, os.cpu_count() or 1))
        path = tmp_path / "tf_same_net.py"
        path.write_text(to_pytorch(network), encoding="utf-8")
        spec = importlib.util.spec_from_file_location("tf_same_net", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = getattr(module, module.__all__[-1])().eval()
        with torch.no_grad():
            out = model(torch.randn(module.INPUT_SHAPE))
        return tuple(out.shape)


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize("size", [5, 6, 7, 224, 225])
def test_exported_tf_same_gives_tensorflows_size_under_pytorch(size: int, tmp_path: Path) -> None:
    """Conv k3 s2, max pooling k3 s2 and conv k2 s2, each with TensorFlow's SAME: PyTorch runs
    the exported module and gets ceil(n/2), then ceil(ceil(n/2)/2), then once more."""
    text = _spec(
        f"[1, 3, {size}, {size + 1}]",
        "Conv2d: {out_channels: 8, kernel_size: 3, stride: 2, padding: tf_same}",
        "MaxPool2d: {kernel_size: 3, stride: 2, padding: tf_same}",
        "Conv2d: {out_channels: 4, kernel_size: 2, stride: 2, padding: tf_same}",
    )
    network = load_spec(text)
    expected = [size, size + 1]
    for _ in range(3):
        expected = [-(-n // 2) for n in expected]
    assert summarize(network).output_shape == (1, 4, *expected)
    assert _export_and_run(network, tmp_path) == (1, 4, *expected)


def test_schema_accepts_tf_same_where_the_reader_does() -> None:
    import jsonschema
    import yaml

    from convcalc.schema import spec_schema

    validator = jsonschema.Draft202012Validator(spec_schema())
    for spec in ("alexnet_v2_tf.yaml", "vgg_16_tf.yaml"):
        validator.validate(yaml.safe_load((SPECS / spec).read_text(encoding="utf-8")))
    for layer, valid in [
        ({"Conv2d": {"out_channels": 8, "kernel_size": 3, "padding": "tf_same"}}, True),
        ({"Conv2d": {"out_channels": 8, "kernel_size": 3, "padding": "same"}}, True),
        ({"MaxPool3d": {"kernel_size": 3, "padding": "tf_same"}}, True),
        ({"MaxPool2d": {"kernel_size": 3, "padding": "same"}}, False),
        ({"AvgPool2d": {"kernel_size": 3, "padding": "tf_same"}}, False),
        ({"Conv2d": {"out_channels": 8, "kernel_size": 3, "padding": "tf_sme"}}, False),
    ]:
        assert validator.is_valid({"input": [1, 3, 8, 8], "layers": [layer]}) is valid, layer


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "Conv2d: {out_channels: 8, kernel_size: 3, padding: tf_sme}",
            "Conv2d: padding 'tf_sme' is not a size; use an integer, a tuple, 'same', 'valid' "
            "or 'tf_same' (TensorFlow's SAME) (did you mean 'tf_same'?)",
        ),
        (
            "MaxPool2d: [3, 2, TF_SAME]",
            "MaxPool2d: padding 'TF_SAME' is not a size; use an integer, a tuple or 'tf_same' "
            "(TensorFlow's SAME) (did you mean 'tf_same'?)",
        ),
    ],
)
def test_misspelt_padding_word_names_tf_same(entry: str, message: str) -> None:
    with pytest.raises(ConvCalcError) as caught:
        load_spec(_spec("[1, 3, 8, 8]", entry), source="net.yaml")
    assert str(caught.value).endswith(message)
