"""Reading YAML with positions: PyYAML's composed nodes -> located plain values.

The only module that imports ``yaml``. Every mapping and list keeps its values' lines and
columns, so that errors point into the file. YAML's traps are errors, not surprises:
``yes``/``on``/``off`` (booleans in YAML 1.1), ``010`` (octal 8), ``1:30`` (sexagesimal 90),
dates, duplicate keys, empty documents, several documents.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..errors import SpecError
from ._common import LIMITS, _Map, _Seq

# libyaml's parser when PyYAML was built with it: the same nodes and marks, much faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Doc:
    """Turns PyYAML's composed nodes into located plain values, with the traps rejected."""

    _BOOL = re.compile(r"true|false", re.IGNORECASE)
    _DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)")

    def __init__(self, source: str) -> None:
        self.source = source
        self.visited = 0

    def error(self, message: str, path: str, node: yaml.Node | None) -> SpecError:
        mark = node.start_mark if node is not None else None
        return SpecError(
            message,
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            source=self.source,
        )

    def convert(self, node: yaml.Node, path: str, depth: int = 0) -> Any:
        self.visited += 1
        if self.visited > LIMITS["values"]:
            raise self.error(
                f"the document expands to more than {LIMITS['values']:,} values "
                "(aliases repeat what they point to); write it out smaller",
                path,
                node,
            )
        if depth > LIMITS["depth"]:
            short = path if len(path) <= 40 else path[:40] + "…"
            raise self.error(f"nesting deeper than {LIMITS['depth']} levels", short, node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            seq = _Seq()
            seq.line, seq.column = node.start_mark.line + 1, node.start_mark.column + 1
            seq.marks = []
            for i, item in enumerate(node.value):
                seq.append(self.convert(item, f"{path}[{i}]", depth + 1))
                seq.marks.append((item.start_mark.line + 1, item.start_mark.column + 1))
            return seq
        if isinstance(node, yaml.MappingNode):
            mapping = _Map()
            mapping.line, mapping.column = node.start_mark.line + 1, node.start_mark.column + 1
            mapping.marks = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.error("mapping keys must be plain names", path, key_node)
                key = str(self.scalar(key_node, path))
                where = f"{path}.{key}" if path else key
                if key in mapping:
                    first = mapping.marks[key][0]
                    raise self.error(
                        f"duplicate key {key!r} (first given on line {first}); "
                        "YAML would silently keep only the last",
                        where,
                        key_node,
                    )
                mapping[key] = self.convert(value_node, where, depth + 1)
                mapping.marks[key] = (
                    value_node.start_mark.line + 1,
                    value_node.start_mark.column + 1,
                )
            return mapping
        raise self.error("unsupported YAML node", path, node)  # pragma: no cover

    def scalar(self, node: yaml.ScalarNode, path: str) -> Any:
        tag, text = node.tag, node.value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            if not self._BOOL.fullmatch(text):
                raise self.error(
                    f"{text!r} is read as a boolean by YAML; write true or false "
                    "(or quote it for a string)",
                    path,
                    node,
                )
            return text.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            if not self._DECIMAL.fullmatch(text):
                raise self.error(
                    f"{text!r} is not a plain decimal integer (YAML reads "
                    "leading zeros as octal and 1:30 as 90); write it in decimal",
                    path,
                    node,
                )
            return int(text.replace("_", ""))
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(text.replace("_", ""))
            except ValueError:
                return float(yaml.safe_load(text))
        if tag == "tag:yaml.org,2002:str":
            return text
        raise self.error(
            f"{text!r} has YAML type {tag.rsplit(':', 1)[-1]}; quote it for a string", path, node
        )


def _parse(text: str, source: str) -> Any:
    if len(text.encode("utf-8", errors="replace")) > LIMITS["bytes"]:
        raise SpecError(f"the spec is larger than {LIMITS['bytes']:,} bytes", source=source)
    doc = _Doc(source)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc.context or ""):
            problem = "the file holds several YAML documents; give one"
        raise SpecError(
            f"invalid YAML: {problem}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            source=source,
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", source=source) from None
    except RecursionError:
        raise SpecError(f"nesting deeper than {LIMITS['depth']} levels", source=source) from None
    if node is None:
        raise SpecError("the spec is empty; it needs at least 'layers:'", source=source)
    return doc.convert(node, "")
