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
# Longer integers are errors before Python converts them (its limit is 4,300 digits).
_DIGITS = 100
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Doc:
    """Turns PyYAML's composed nodes into located plain values, with the traps rejected."""

    _BOOL = re.compile(r"true|false", re.IGNORECASE)
    _DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
    _FLOAT12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+")

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
            mapping.keymarks = {}
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
                mapping.keymarks[key] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
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
            digits = text.replace("_", "").lstrip("+-")
            if len(digits) > _DIGITS:
                raise self.error(
                    f"an integer of {len(digits):,} digits is far beyond any size PyTorch can "
                    "hold (at most 19 digits, int64); check the number",
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
            if not node.style and self._FLOAT12.fullmatch(text):  # plain, not quoted
                # YAML 1.2 reads 1e-6 as a number; YAML 1.1 (PyYAML) wants 1.0e-6.
                return float(text)
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
        raise SpecError(
            f"invalid YAML: {_problem(exc, text)}",
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


def _problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    """PyYAML's (or libyaml's) message as one sentence with the likely fix."""
    problem = str(exc.problem or exc.context or "")
    context = str(exc.context or "")
    start = exc.context_mark
    opened = f"line {start.line + 1}, column {start.column + 1}" if start else "above"
    mark = exc.problem_mark or start
    char = ""
    if mark is not None and 0 <= mark.index < len(text):
        char = text[mark.index]
    if "expected a single document" in context:
        return "the file holds several YAML documents; give one"
    if problem.startswith("mapping values are not allowed"):
        return (
            "a ':' here makes a key where a plain value already stands; after a bare name such "
            "as '- BatchNorm2d', add a colon ('- BatchNorm2d:') so that the keys below belong "
            "to it, and quote a value that contains ': '"
        )
    if "cannot start any token" in problem or "found character" in problem:
        if char == "\t":
            return "a tab character; YAML indents with spaces only: replace the tab with spaces"
        return f"{char!r} cannot start a value; quote the value ('...')"
    if problem.startswith(("did not find expected key", "expected <block end>")) or (
        "expected '-' indicator" in problem
    ):
        what = "mapping" if "mapping" in context else "list"
        return (
            f"this line's indentation does not match the {what} that starts at {opened}; "
            "indent the entries of one list, or the keys of one mapping, to the same column"
        )
    if "flow sequence" in context or "',' or ']'" in problem:
        return f"the '[' at {opened} is not closed; add ']' (or a ',' between items)"
    if "flow mapping" in context or "',' or '}'" in problem:
        return f"the '{{' at {opened} is not closed; add '}}' (or a ',' between items)"
    if "quoted scalar" in context:
        return f"the quoted string that starts at {opened} is not closed; add the closing quote"
    if "undefined alias" in problem:
        return "an alias (*name) refers to no anchor (&name) defined before it"
    if "could not find expected ':'" in problem:
        return "a key without ':'; write 'key: value' (or quote a value that spans lines)"
    return problem or "the document cannot be read"
