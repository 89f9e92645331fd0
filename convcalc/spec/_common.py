"""What every stage of the spec reader shares: limits, located values, error helpers.

Standard library only.
"""

from __future__ import annotations

from typing import Any

from ..errors import SpecError

LIMITS = {
    "bytes": 2_000_000,  # document size
    "depth": 40,  # nesting of mappings and lists
    "values": 500_000,  # values visited, aliases expanded
    "repeat": 10_000,  # one entry's repeat count
    "layers": 50_000,  # layers after expanding repeats and blocks (about 7 kB each)
    "block_depth": 16,  # blocks used inside blocks
    "expression": 200,  # characters in one ${...}
}


class _Map(dict[str, Any]):
    """A mapping from the document, remembering where each value stands."""

    line: int
    column: int
    marks: dict[str, tuple[int, int]]
    keymarks: dict[str, tuple[int, int]]


class _Seq(list[Any]):
    """A list from the document, remembering where each item stands."""

    line: int
    column: int
    marks: list[tuple[int, int]]


# --------------------------------------------------------------------------------------------
# checking helpers


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        # The entry being read, for errors about values that carry no position of their own.
        self.here: tuple[int | None, int | None] = (None, None)

    def error(
        self, message: str, path: str, line: int | None = None, column: int | None = None
    ) -> SpecError:
        return SpecError(message, path=path, line=line, column=column, source=self.source)

    def at(self, container: Any, key: Any) -> tuple[int | None, int | None]:
        marks = getattr(container, "marks", None)
        if isinstance(container, _Map) and key in container.marks:
            return container.marks[key]
        if isinstance(container, _Seq) and isinstance(key, int) and marks:
            return container.marks[key]
        if isinstance(container, (_Map, _Seq)):
            return container.line, container.column
        return self.here

    def fail(self, message: str, path: str, container: Any, key: Any = None) -> SpecError:
        line, column = self.at(container, key)
        return self.error(message, path, line, column)

    def fail_key(self, message: str, path: str, mapping: _Map, key: str) -> SpecError:
        """An error about a key itself (unknown, misspelt): placed at the key, not its value."""
        keymarks = getattr(mapping, "keymarks", None) or {}
        line, column = keymarks[key] if key in keymarks else self.at(mapping, key)
        return self.error(message, path, line, column)

    def keys(self, mapping: _Map, allowed: tuple[str, ...], path: str) -> None:
        for key in mapping:
            if key not in allowed:
                raise self.fail_key(
                    f"unknown key {key!r}{_suggest(key, allowed)}",
                    f"{path}.{key}" if path else key,
                    mapping,
                    key,
                )


def _suggest(name: str, options: Any) -> str:
    options = list(options)
    lowered = {o.lower(): o for o in options}
    bare = name.removeprefix("nn.").removeprefix("torch.nn.")
    if bare.lower() in lowered and lowered[bare.lower()] != name:
        return f" (did you mean {lowered[bare.lower()]!r}?)"
    import difflib  # only a mistake pays for it

    close = difflib.get_close_matches(bare, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _describe(value: Any) -> str:
    if value is True or value is False:
        return str(value).lower()
    if value is None:
        return "null"
    return repr(value)
