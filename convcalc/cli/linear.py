"""The linear command."""

from __future__ import annotations

import click

from .. import layers as L
from ._common import Command, bias_option, input_option, json_option, show


def linear_command(name: str) -> click.Command:
    @click.command(cls=Command, name="linear")
    @click.option(
        "--in",
        "in_features",
        type=int,
        default=None,
        help="in_features (taken from -i when omitted).",
    )
    @click.option("--out", "out_features", type=int, required=True, help="out_features.")
    @bias_option
    @input_option("Input: any shape ending in in_features, e.g. 64x800.")
    @json_option
    def _linear(
        in_features: int | None,
        out_features: int,
        bias: bool,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
    ) -> None:
        """Linear: output shape, weight shape, params, MACs.

        (*, in_features) -> (*, out_features).

        \b
        Example:
          convcalc linear --in 800 --out 500 -i 64x800
        """
        if in_features is None:
            if not input_shape:
                raise click.UsageError("give --in, or -i whose last size is in_features")
            in_features = input_shape[-1]
        show(L.Linear(in_features, out_features, bias), input_shape, as_json)

    return _linear
