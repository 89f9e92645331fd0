"""Counting conventions other tools use, worked out from a :class:`~convcalc.network.Summary`.

convcalc's own MACs follow torchvision's published table: one multiply-accumulate per weight
use in convolutions, transposed convolutions and linear layers, times the batch; bias, norms,
activations and pooling count zero. torchinfo (1.8) counts differently, per leaf module that
has parameters, with ``N`` the batch size (the first dimension of the module's output):

- a module whose class name contains ``Conv`` (transposed ones included):
  ``params × N × prod(output spatial sizes)``, so the bias adds ``N × out_channels × H × W``;
- any other module: ``params × N`` (a ``Linear`` on ``[N, L, F]`` counts ``N``, not ``N × L``;
  BatchNorm and LayerNorm count their affine parameters once per sample).

Its "Forward/backward pass size" is twice the output bytes of the leaf modules that have
parameters (the output and its gradient), and its totals sum every call of a module, a reused
one included (torchinfo marks its later rows ``(recursive)``).
"""

from __future__ import annotations

from enum import StrEnum
from math import prod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .network import Row, Summary

__all__ = [
    "MacsConvention",
    "forward_backward_elements",
    "module_params",
    "row_macs",
    "total_macs",
]


class MacsConvention(StrEnum):
    """Whose mult-adds: ``torchvision`` (convcalc's default) or ``torchinfo``."""

    TORCHVISION = "torchvision"
    TORCHINFO = "torchinfo"


def module_params(row: Row) -> int:
    """The parameters of the module a row calls: its own count, or for a second use of a
    shared module (whose row counts 0, as PyTorch counts a parameter once) the module's."""
    if row.shared_with is not None:
        return int(getattr(row.layer, "param_count", 0))
    return row.params


def row_macs(row: Row, convention: MacsConvention | str = MacsConvention.TORCHVISION) -> int:
    """The mult-adds of one layer row under ``convention``.

    >>> from convcalc.network import sequential, summarize, LayerSpec
    >>> rows = summarize(sequential([LayerSpec("Conv2d", (8, 3))], input_shape=(2, 3, 6, 6))).rows
    >>> row_macs(rows[0]), row_macs(rows[0], "torchinfo")
    (6912, 7168)
    """
    if convention is MacsConvention.TORCHVISION or (
        MacsConvention(convention) is MacsConvention.TORCHVISION
    ):
        return row.macs
    params = module_params(row)
    if row.is_block or not params or not row.output_shape:
        return 0
    out = row.output_shape
    if "Conv" in row.type:
        return params * prod(out[:1] + out[2:])
    return params * out[0]


def total_macs(
    summary: Summary, convention: MacsConvention | str = MacsConvention.TORCHVISION
) -> int:
    """The summary's total mult-adds under ``convention``."""
    if MacsConvention(convention) is MacsConvention.TORCHVISION:
        return summary.totals.macs
    return sum(row_macs(row, convention) for row in summary.layer_rows())


def forward_backward_elements(summary: Summary) -> int:
    """torchinfo's "Forward/backward pass size" in elements: twice the output of every layer
    with parameters (every call of a shared one). Functional rows are no modules: a block of
    them counts as the one module it stands for."""
    rows = summary.layer_rows()
    total = sum(
        2 * prod(row.output_shape) for row in rows if not row.functional and module_params(row)
    )
    from .network import _functional_blocks

    blocks = _functional_blocks(summary.rows)
    return total + sum(2 * prod(block.output_shape) for block in blocks if block.params)
