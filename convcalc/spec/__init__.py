"""YAML (or JSON) network specs -> validated :class:`~convcalc.network.Network` objects.

Reading happens in stages, one module each: :mod:`._yaml` composes the document with PyYAML's
safe loader into plain values that keep their line and column (the package's only ``yaml``
import); :mod:`._expand` turns them into a network, expanding blocks and repeats; :mod:`._expr`
evaluates ``${...}``. No code after this package sees a raw dict, and every error points into
the file:

    net.yaml:7:5: layers[2]: unknown layer type 'conv2d' (did you mean 'Conv2d'?)

Limits keep any input from hanging or exhausting memory: the document's size, its nesting
depth, alias expansion, ``repeat`` counts and the total number of layers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import SpecError
from ..network import Network
from ._common import LIMITS, _suggest
from ._expand import _Loader
from ._yaml import _parse

__all__ = ["LIMITS", "load_spec", "load_spec_file", "zoo_names", "zoo_text"]

_ZOO = Path(__file__).parent.parent / "zoo"


def load_spec(
    text_or_path: str | Path, *, source: str | None = None, name: str | None = None
) -> Network:
    """A network from YAML or JSON text, a file path, ``-`` (standard input) or a zoo name.

    A one-line string naming an existing file, ending in ``.yaml``/``.yml``/``.json``, or
    naming a zoo entry is read as a path; anything else is the spec's text.
    """
    if isinstance(text_or_path, Path):
        return load_spec_file(str(text_or_path))
    text = text_or_path
    if _looks_like_path(text):
        return load_spec_file(text)
    return _load_text(text, source=source or "<spec>", name=name)


def _looks_like_path(text: str) -> bool:
    if "\n" in text or ": " in text or text.lstrip().startswith(("{", "[")):
        return False
    if text == "-" or text.endswith((".yaml", ".yml", ".json")) or text in zoo_names():
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def _load_text(text: str, *, source: str, name: str | None = None) -> Network:
    data = _parse(text, source)
    default = name or (Path(source).stem if not source.startswith("<") else "network")
    return _Loader(source).load(data, default)


def load_spec_file(path: str) -> Network:
    """Load a spec from a file, ``-`` for standard input, or a zoo name such as ``lenet``."""
    if path == "-":
        return _load_text(sys.stdin.read(), source="<stdin>")
    file = Path(path)
    if not file.exists() and path in zoo_names():
        return _load_text(zoo_text(path), source=f"zoo:{path}", name=path)
    try:
        size = file.stat().st_size
        if size > LIMITS["bytes"]:
            raise SpecError(f"the spec is larger than {LIMITS['bytes']:,} bytes", source=path)
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        zoo = ", ".join(zoo_names())
        raise SpecError(
            f"no such file, and no zoo entry by that name (the zoo has: {zoo})", source=path
        ) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a spec file", source=path) from None
    except UnicodeDecodeError:
        raise SpecError("is not UTF-8 text", source=path) from None
    except OSError as exc:
        raise SpecError(f"cannot read it: {exc.strerror}", source=path) from None
    return _load_text(text, source=path)


def zoo_names() -> list[str]:
    """The built-in example networks."""
    return sorted(p.stem for p in _ZOO.glob("*.yaml"))


def zoo_text(name: str) -> str:
    """The YAML of a built-in network."""
    if name not in zoo_names():
        raise SpecError(
            f"no zoo entry {name!r}{_suggest(name, zoo_names())}; the zoo has: "
            f"{', '.join(zoo_names())}"
        )
    return (_ZOO / f"{name}.yaml").read_text(encoding="utf-8")
