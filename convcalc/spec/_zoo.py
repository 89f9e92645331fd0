"""Zoo variants: each torchvision builder name as its family spec with parameters set.

``ALIASES[name] = (family, parameters, input shape)``; the input shape is the one torchvision
publishes for the weights of that builder (``transforms().crop_size``), or ``None`` for the
family's own ``input:``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ALIASES"]

_Alias = tuple[str, dict[str, Any], tuple[int, ...] | None]

ALIASES: dict[str, _Alias] = {}
