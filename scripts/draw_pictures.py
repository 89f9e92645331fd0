"""Generate docs/pictures/*.svg (and, with cairosvg installed, PNG copies to look at).

python scripts/draw_pictures.py [--png DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from convcalc.draw import layer_svg, network_svg, padding_modes_svg
from convcalc.layers import Conv2d, ConvTranspose2d, MaxPool2d
from convcalc.spec import load_spec_file

OUT = Path(__file__).resolve().parent.parent / "docs" / "pictures"


def pictures() -> dict[str, str]:
    """Every picture the docs show, by file name."""
    return {
        "conv-strided.svg": layer_svg(Conv2d(1, 1, 3, stride=2, padding=1), (6, 6)),
        "conv-dilated.svg": layer_svg(Conv2d(1, 1, 3, dilation=2), (7, 7)),
        "conv-transposed.svg": layer_svg(ConvTranspose2d(1, 1, 3, stride=2, padding=1), (3, 3)),
        "maxpool-ceil.svg": layer_svg(MaxPool2d(3, stride=2, ceil_mode=True), (6, 6)),
        "padding-modes.svg": padding_modes_svg(3, 2),
        "resnet18.svg": network_svg(load_spec_file("resnet18"), depth=0),
        "unet.svg": network_svg(load_spec_file("unet"), depth=1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--png", type=Path, help="also render PNG copies into this directory")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, svg in pictures().items():
        (OUT / name).write_text(svg, encoding="utf-8")
        if args.png:
            import cairosvg  # test-only: pip install cairosvg

            args.png.mkdir(parents=True, exist_ok=True)
            cairosvg.svg2png(bytestring=svg.encode(), write_to=str(args.png / f"{name[:-4]}.png"))
        print(OUT / name)


if __name__ == "__main__":
    main()
