"""YAML (or JSON) network specs -> validated :class:`~convcalc.network.Network` objects.

Reading happens in stages, one module each: :mod:`._yaml` composes the document with PyYAML's
safe loader into plain values that keep their line and column (the package's only ``yaml``
import); :mod:`._expand` turns them into a network, expanding blocks and repeats (:mod:`._nodes`
writes each entry's node, :mod:`._copies` copies a block used again); :mod:`._expr`
evaluates ``${...}``. No code after this package sees a raw dict, and every error points into
the file:

    net.yaml:7:5: layers[2]: unknown layer type 'conv2d' (did you mean 'Conv2d'?)

Limits keep any input from hanging or exhausting memory: the document's size, its nesting
depth, alias expansion, ``repeat`` counts and the total number of layers.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from .._record import record_fields
from ..errors import SpecError
from ..network import Network
from ._common import LIMITS, _suggest
from ._expand import _Loader
from ._yaml import _parse
from ._zoo import ALIASES

__all__ = [
    "LIMITS",
    "load_spec",
    "load_spec_file",
    "parse_assignment",
    "zoo_description",
    "zoo_families",
    "zoo_names",
    "zoo_text",
]

# Paths as strings: pathlib costs a command a few milliseconds to import.
_ZOO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "zoo")


def load_spec(
    text_or_path: str | os.PathLike[str],
    *,
    source: str | None = None,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    input_shape: Sequence[int] | None = None,
) -> Network:
    """A network from YAML or JSON text, a file path, ``-`` (standard input) or a zoo name.

    A one-line string naming an existing file, ending in ``.yaml``/``.yml``/``.json``, or
    naming a zoo entry is read as a path; anything else is the spec's text. ``params``
    overrides the spec's top-level ``params:`` (``{"depth": 101}``); ``input_shape``
    overrides its ``input:``.
    """
    if isinstance(text_or_path, os.PathLike):
        return load_spec_file(os.fspath(text_or_path), params=params, input_shape=input_shape)
    text = text_or_path
    if _looks_like_path(text):
        return load_spec_file(text, params=params, input_shape=input_shape)
    return _load_text(
        text, source=source or "<spec>", name=name, params=params, input_shape=input_shape
    )


def _looks_like_path(text: str) -> bool:
    if "\n" in text or ": " in text or text.lstrip().startswith(("{", "[")):
        return False
    if text == "-" or text.endswith((".yaml", ".yml", ".json")) or text in zoo_names():
        return True
    try:
        return os.path.isfile(text)
    except (OSError, ValueError):
        return False


def _load_text(
    text: str,
    *,
    source: str,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    input_shape: Sequence[int] | None = None,
    base: str | None = None,
    built_for: tuple[int, ...] | None = None,
) -> Network:
    data = _parse(text, source)
    stem = os.path.splitext(os.path.basename(source))[0]
    default = name or (stem if not source.startswith("<") else "network")
    shape = tuple(input_shape) if input_shape is not None else None

    def rebuild(new_shape: tuple[int, ...]) -> Network:
        return _load_text(
            text,
            source=source,
            name=name,
            params=params,
            input_shape=new_shape,
            base=base,
            built_for=network.own_input(),
        )

    if base is None and not source.startswith(("<", "zoo:")):
        base = os.path.dirname(source)
    loader = _Loader(
        source, params=dict(params or {}), input_shape=shape, base=base, rebuild=rebuild
    )
    network = loader.load(data, default)
    changes: dict[str, Any] = {}
    if source.startswith("zoo:") and name is not None and network.name != name:
        # A zoo variant is named as its torchvision builder, not as its family.
        changes["name"] = name
    if built_for is not None and built_for != network.input_shape:
        changes["built_for"] = built_for  # read again for another input (Network.at)
    if changes:
        network = Network(**{**record_fields(network), **changes})
    return network


def load_spec_file(
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    input_shape: Sequence[int] | None = None,
) -> Network:
    """Load a spec from a file, ``-`` for standard input, or a zoo name such as ``lenet``.

    A zoo name may be a family (``resnet``) or one of its variants (``resnet152``: the family
    with its parameters set, at the input size torchvision publishes for it).
    """
    if path == "-":
        return _load_text(
            sys.stdin.read(), source="<stdin>", params=params, input_shape=input_shape
        )
    if not os.path.exists(path) and path in zoo_names():
        family, preset, shape = _zoo_entry(path)
        return _load_text(
            zoo_text(family),
            source=f"zoo:{family}",
            name=path,
            params={**preset, **(params or {})},
            input_shape=input_shape if input_shape is not None else shape,
            base=_ZOO,
        )
    try:
        size = os.stat(path).st_size
        if size > LIMITS["bytes"]:
            raise SpecError(f"the spec is larger than {LIMITS['bytes']:,} bytes", source=path)
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        raise SpecError(
            f"no such file, and no zoo entry by that name (the zoo has: {_zoo_listing()})",
            source=path,
        ) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a spec file", source=path) from None
    except UnicodeDecodeError:
        raise SpecError("is not UTF-8 text", source=path) from None
    except OSError as exc:
        raise SpecError(f"cannot read it: {exc.strerror}", source=path) from None
    return _load_text(text, source=path, params=params, input_shape=input_shape)


def _zoo_entry(name: str) -> tuple[str, dict[str, Any], tuple[int, ...] | None]:
    """A zoo name's family file, parameters and input shape."""
    if name in ALIASES:
        family, preset, shape = ALIASES[name]
        return family, dict(preset), shape
    return name, {}, None


def zoo_families() -> list[str]:
    """The built-in networks' spec files: one per family (``resnet``), and single networks."""
    if not _FAMILIES:
        stems = (os.path.splitext(f)[0] for f in os.listdir(_ZOO) if f.endswith(".yaml"))
        _FAMILIES.extend(sorted(stem for stem in stems if not stem.startswith("_")))
    return list(_FAMILIES)


def zoo_names() -> list[str]:
    """The built-in networks: each family and each variant's name (``resnet152``)."""
    if not _NAMES:
        _NAMES.extend(sorted({*zoo_families(), *ALIASES}))
    return list(_NAMES)


def zoo_description(name: str) -> str:
    """One line about a zoo entry: a family's first comment, a variant's family and settings."""
    family, preset, shape = _zoo_entry(name)
    if name not in zoo_names():
        zoo_text(name)  # the error, with suggestions
    if family == name:
        return zoo_text(name).splitlines()[0].lstrip("# ").strip()
    settings = ", ".join(f"{key}={value}" for key, value in preset.items())
    at = f" at {'x'.join(map(str, shape))}" if shape else ""
    return f"{family} with {settings}{at}"


_FAMILIES: list[str] = []
_NAMES: list[str] = []


def _zoo_listing() -> str:
    return f"{', '.join(zoo_families())} and their variants (convcalc zoo lists them)"


def zoo_text(name: str) -> str:
    """The YAML of a built-in network (a variant's is its family's)."""
    if name not in zoo_names():
        raise SpecError(
            f"no zoo entry {name!r}{_suggest(name, zoo_names())}; the zoo has: {_zoo_listing()}"
        )
    family = _zoo_entry(name)[0]
    with open(os.path.join(_ZOO, f"{family}.yaml"), encoding="utf-8") as file:
        return file.read()


def parse_assignment(text: str) -> tuple[str, Any]:
    """``depth=101`` -> ``("depth", 101)``: a parameter override as typed on a command line.

    The value is read as a YAML value (a number, true/false, a list such as ``[3, 4, 6, 3]``,
    or text), with YAML's traps refused as in a spec.
    """
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise SpecError(f"expected NAME=VALUE, such as depth=101, got {text!r}")
    value = _parse(raw, f"--set {name}") if raw.strip() else None
    if value is None:
        raise SpecError(f"--set {name}: give a value after '=', such as {name}=101")
    return name, value
