"""Pictures: every kind renders, parses as SVG, has the right colours at known places, and the
pictures in docs/ are what the script draws today."""

from __future__ import annotations

import importlib.util
import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from convcalc.draw import layer_svg, network_dot, network_mermaid, network_svg, padding_modes_svg
from convcalc.draw.layer import CELL, COLOURS
from convcalc.errors import ShapeError
from convcalc.layers import Conv1d, Conv2d, ConvTranspose2d, Linear, MaxPool2d
from convcalc.network import LayerSpec, NetworkBuilder
from convcalc.spec import load_spec_file

ROOT = Path(__file__).resolve().parent.parent
HAS_CAIRO = importlib.util.find_spec("cairosvg") is not None


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "draw_pictures", ROOT / "scripts/draw_pictures.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _every_picture() -> dict[str, str]:
    pictures: dict[str, str] = _script().pictures()
    pictures["conv1d.svg"] = layer_svg(Conv1d(1, 1, 3, stride=2), (9,))
    pictures["mobilenet.svg"] = network_svg(load_spec_file("mobilenet_v2"), depth=1)
    return pictures


@pytest.mark.parametrize(("name", "svg"), sorted(_every_picture().items()))
def test_pictures_parse_as_svg(name: str, svg: str) -> None:
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG text
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.attrib["width"]) > 100
    assert len(root) > 5


def test_docs_pictures_are_current() -> None:
    """docs/pictures/ holds exactly what scripts/draw_pictures.py draws (rerun it to update)."""
    for name, svg in _script().pictures().items():
        assert (ROOT / "docs" / "pictures" / name).read_text(encoding="utf-8") == svg, name


def _png(svg: str) -> Any:
    import cairosvg  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from PIL import Image  # type: ignore[import-not-found,unused-ignore]

    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode()))).convert("RGB")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _cell(image: Any, row: int, col: int, x0: int = 12, y0: int = 40, dx: int = 2) -> Any:
    """The pixel near the top-left corner inside a grid cell (outside any window's overlay)."""
    return image.getpixel((x0 + col * CELL + dx, y0 + row * CELL + dx))


@pytest.mark.skipif(not HAS_CAIRO, reason="cairosvg is not installed (pip install cairosvg)")
def test_strided_conv_picture_pixels() -> None:
    """Conv2d k3 s2 p1 on 6x6: the padded grid is 8x8, windows start at 0, 2, 4; the last
    padded row and column are never read; output 3x3."""
    image = _png(layer_svg(Conv2d(1, 1, 3, stride=2, padding=1), (6, 6)))
    assert _cell(image, 7, 7) == _rgb(COLOURS["unused"])
    assert _cell(image, 7, 3) == _rgb(COLOURS["unused"])
    assert _cell(image, 3, 3) == _rgb(COLOURS["input"])
    assert _cell(image, 0, 7) == _rgb(COLOURS["unused"])
    centre = image.getpixel((12 + CELL + CELL // 2, 40 + CELL + CELL // 2))
    assert centre != _rgb(COLOURS["input"])  # the first window covers (1, 1)
    out_x = 12 + 8 * CELL + 56
    assert _cell(image, 0, 0, x0=out_x, dx=12) == _rgb(COLOURS["first"])
    assert _cell(image, 2, 2, x0=out_x, dx=12) == _rgb(COLOURS["last"])
    assert _cell(image, 1, 1, x0=out_x, dx=12) == _rgb(COLOURS["output"])
    assert _cell(image, 3, 3, x0=out_x, dx=12) == (255, 255, 255)  # no fourth output row


@pytest.mark.skipif(not HAS_CAIRO, reason="cairosvg is not installed (pip install cairosvg)")
def test_transposed_and_dilated_pictures_pixels() -> None:
    image = _png(layer_svg(ConvTranspose2d(1, 1, 3, stride=2, padding=1), (3, 3)))
    # zero-inserted 5x5 inside a border of 1: inputs at 1, 3, 5; inserted zeros between.
    assert _cell(image, 3, 3, dx=12) == _rgb(COLOURS["input"])
    assert _cell(image, 3, 2, dx=3) == _rgb(COLOURS["zero"])
    assert _cell(image, 6, 3, dx=3) != _rgb(COLOURS["input"])
    image = _png(layer_svg(Conv2d(1, 1, 3, dilation=2), (7, 7)))
    hole = image.getpixel((12 + CELL + CELL // 2, 40 + CELL // 2))
    tap = image.getpixel((12 + 2 * CELL + CELL // 2, 40 + CELL // 2))
    assert hole == _rgb(COLOURS["input"])  # a dilation hole stays open
    assert tap != _rgb(COLOURS["input"])


@pytest.mark.skipif(not HAS_CAIRO, reason="cairosvg is not installed (pip install cairosvg)")
def test_ceil_mode_and_padding_mode_pixels() -> None:
    image = _png(layer_svg(MaxPool2d(3, stride=2, ceil_mode=True), (6, 6)))
    assert _cell(image, 6, 0) == _rgb(COLOURS["outside"])
    image = _png(padding_modes_svg(3, 2))
    assert _cell(image, 0, 0, y0=54) == _rgb(COLOURS["pad"])  # zeros
    assert _cell(image, 2, 2, y0=54) == _rgb(COLOURS["input"])
    reflect_x = 12 + 7 * CELL + 28
    assert _cell(image, 0, 0, x0=reflect_x, y0=54) == _rgb(COLOURS["zero"])


@pytest.mark.skipif(not HAS_CAIRO, reason="cairosvg is not installed (pip install cairosvg)")
def test_network_picture_draws_the_skips() -> None:
    image = _png(network_svg(load_spec_file("unet")))
    lanes = {}
    for lane in (1, 2, 3):
        column = [image.getpixel((12 + 380 + 14 * lane, y)) for y in range(image.height)]
        lanes[lane] = sum(1 for r, g, b in column if r > 150 and g < 120 and b < 100)
    # enc3 -> concat_1, enc2 -> concat_2 and enc1 -> concat_3 nest in lanes 1, 2 and 3
    assert lanes[1] < lanes[2] < lanes[3]
    assert lanes[3] > 600


def _small_graph() -> NetworkBuilder:
    b = NetworkBuilder(input_shape=(1, 3, 8, 8), name="tiny")
    a = b.add(LayerSpec("Conv2d", (4, 3), (("padding", 1),)), name="stem")
    b.add("ReLU", name="act")
    b.add("Add", inputs=["act", a], name="sum")
    return b


def test_mermaid_and_dot_text() -> None:
    network = _small_graph().build()
    assert network_mermaid(network) == (
        "flowchart TD\n"
        '  input["input<br/>1x3x8x8"]\n'
        '  n0["stem: Conv2d<br/>1x4x8x8 · 112 params"]\n'
        '  n1["act: ReLU<br/>1x4x8x8"]\n'
        '  n2["sum: Add<br/>1x4x8x8"]\n'
        "  input --> n0\n"
        "  n0 --> n1\n"
        "  n0 --> n2\n"
        "  n1 --> n2\n"
    )
    dot = network_dot(network)
    assert dot.splitlines()[0] == 'digraph "tiny" {'
    assert '  n0 [label="stem: Conv2d\\n1x4x8x8 · 112 params"];' in dot
    assert "  n0 -> n2;" in dot


def test_blocks_fold_to_depth() -> None:
    network = load_spec_file("resnet18")
    assert network_mermaid(network, depth=1).count('["') == 12  # the input and 11 boxes
    assert "n4 --> n5" in network_mermaid(network, depth=1)
    assert network_mermaid(network, depth=3).count('["') > 60


def test_resnet_diagram_names_blocks_once_and_draws_every_residual() -> None:
    from convcalc.draw.network import diagram

    folded = diagram(load_spec_file("resnet18"), depth=2)
    assert [box.title for box in folded.boxes][4:6] == [
        "layer1.basicblock_1: BasicBlock",
        "layer1.basicblock_2: BasicBlock",
    ]
    full = diagram(load_spec_file("resnet18"), depth=0)
    skips = [(a, b) for a, b in full.edges if b != a + 1]
    # Each of the 8 blocks adds its input to its body's output, past the body's boxes; in the
    # 3 blocks with a projection, the input also jumps past the body into the projection.
    assert len(skips) == 8 + 3
    assert {full.boxes[b].title.split(": ")[1] for a, b in skips} <= {"Add", "Conv2d"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: layer_svg(Linear(3, 4), (3,)),
            "cannot draw Linear: draw shows 1-d and 2-d convolutions, transposed convolutions "
            "and pooling",
            id="not-a-window",
        ),
        pytest.param(
            lambda: layer_svg(Conv2d(1, 1, 3), (100, 100)),
            "cannot draw more than 64 cells per axis; use a smaller input",
            id="too-large",
        ),
        pytest.param(
            lambda: padding_modes_svg(3, 3),
            "draw the padding modes on a grid of 2 to 8 with padding 1 to size - 1",
            id="reflect-needs-smaller-padding",
        ),
    ],
)
def test_draw_rejects_with_one_sentence(call: Any, message: str) -> None:
    with pytest.raises(ShapeError) as info:
        call()
    assert str(info.value) == message
