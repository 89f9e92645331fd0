"""Frozen, slotted record classes that are cheap to define.

The layer classes behave like ``@dataclass(frozen=True, slots=True)``: fields come from the
class body's annotations, in order, with their defaults; instances are immutable, compare by
value, hash, and print as ``Conv2d(in_channels=64, ...)``. ``dataclasses`` builds each class
with ``exec`` and, for slots, builds it twice: about 0.7 ms a class here, which for the ~90
layer classes was most of a command's start-up time. This metaclass does the same job with
plain dictionaries in microseconds, and ``dataclass_transform`` tells type checkers that it
does what ``dataclass`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar, dataclass_transform

_MISSING: Any = object()


class _Field:
    __slots__ = ("default", "kw_only")

    def __init__(self, default: Any, kw_only: bool) -> None:
        self.default = default
        self.kw_only = kw_only


def field(*, default: Any = _MISSING, kw_only: bool = False) -> Any:
    """Declare a field's default, and whether it may only be passed by keyword."""
    return _Field(default, kw_only)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class RecordMeta(type):
    """Turns annotated class attributes into slots with an ``__init__`` in PyTorch's order."""

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> RecordMeta:
        inherited: dict[str, _Field] = {}
        for base in reversed(bases):
            inherited.update(getattr(base, "_record_fields", {}))
        own: list[str] = []
        for attr, annotation in namespace.get("__annotations__", {}).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            value = namespace.pop(attr, _MISSING)
            spec = value if isinstance(value, _Field) else _Field(value, False)
            if attr not in inherited:
                own.append(attr)
            inherited[attr] = spec
        namespace["__slots__"] = tuple(own)
        namespace["_record_fields"] = inherited
        namespace["_record_values"] = _getter(tuple(inherited))
        positional = [n for n, f in inherited.items() if not f.kw_only]
        namespace["_record_positional"] = tuple(positional)
        namespace.setdefault("__match_args__", tuple(positional))
        # Each class gets its own __init__, written for its fields on first use (see _init).
        namespace.setdefault("__init__", _first_init)
        return super().__new__(mcls, name, bases, namespace, **kwargs)


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of a record's fields as a tuple, read in C (comparing and hashing use it)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda record: (one(record),)
    return lambda record: ()


# Writing a class's __init__ costs about as much as 25 generic constructions: a class is
# given its own only once it has been constructed this many times.
_WRITE_AFTER = 32
_constructed: dict[type, int] = {}


def _first_init(self: Record, *args: Any, **kwargs: Any) -> None:
    """Construct with the generic ``__init__``; once the class has been constructed often,
    write its own (see :func:`_init`) and install it."""
    cls = type(self)
    count = _constructed[cls] = _constructed.get(cls, 0) + 1
    if count < _WRITE_AFTER or cls.__dict__.get("__init__") is not _first_init:
        # Rarely used so far, or called through super() from an __init__ of its own.
        Record._generic_init(self, *args, **kwargs)
        return
    init = _init(cls)
    type.__setattr__(cls, "__init__", init)
    init(self, *args, **kwargs)


def _init(cls: type[Record]) -> Any:
    """An ``__init__`` written for ``cls``'s fields, as ``dataclasses`` writes one, but only
    for the classes a program uses: the arguments bind by Python's own calling convention,
    each value goes straight into its slot, and the fields' annotated types are tested
    inline (``type(v) is int``); only a value that fails the quick test takes the full check,
    which accepts it or raises the message."""
    fields = cls._record_fields
    names = list(fields)
    positional = [n for n in names if not fields[n].kw_only]
    keyword = [n for n in names if fields[n].kw_only]
    env: dict[str, Any] = {"_MISSING": _MISSING, "TypeError": TypeError}
    params = []
    for n in positional:
        env[f"_d_{n}"] = fields[n].default
        params.append(f"{n}=_d_{n}")
    params.append("*_extra")
    for n in keyword:
        env[f"_d_{n}"] = fields[n].default
        params.append(f"{n}=_d_{n}")
    env["_too_many"] = (
        f"{cls.__name__}() takes at most {len(positional)} positional arguments ({{}} given)"
    )
    lines = [
        "    if _extra:",
        f"        raise TypeError(_too_many.format({len(positional)} + len(_extra)))",
    ]
    for n in names:
        if fields[n].default is _MISSING:
            lines += [
                f"    if {n} is _MISSING:",
                f"        raise TypeError(\"{cls.__name__}() missing required argument '{n}'\")",
            ]
        env[f"_s_{n}"] = getattr(cls, n).__set__
        lines.append(f"    _s_{n}(self, {n})")
    quick = [
        "(" + " or ".join(_QUICK.get(atom, "False").format(v=n) for atom in atoms) + ")"
        for n, atoms in cls._quick_types().items()
    ]
    if quick:
        lines += [f"    if not ({' and '.join(quick)}):", "        self._check_types()"]
    elif cls._check_types is not Record._check_types:
        lines.append("    self._check_types()")
    if cls.__post_init__ is not Record.__post_init__:  # the base's hooks do nothing
        lines.append("    self.__post_init__()")
    # Named after the class, so that Python's own messages read "Conv2d() got ...".
    source = f"def {cls.__name__}(self, {', '.join(params)}):\n" + "\n".join(lines) + "\n"
    exec(source, env)  # noqa: S102  (our own code, written from the class's field names)
    return env[cls.__name__]


# Quick tests of the annotated types; a value that fails one gets the full check.
_QUICK = {
    "None": "{v} is None",
    "int": "type({v}) is int",
    "bool": "type({v}) is bool",
    "float": "type({v}) is float",
    "str": "type({v}) is str",
    "IntOrTuple": "type({v}) is int",
}


class Record(metaclass=RecordMeta):
    """Base of the frozen record classes; subclasses declare fields as annotations."""

    __slots__ = ()
    _record_fields: ClassVar[dict[str, _Field]]
    _record_positional: ClassVar[tuple[str, ...]]
    _record_values: ClassVar[Callable[[Any], tuple[Any, ...]]]

    @classmethod
    def _quick_types(cls) -> dict[str, tuple[str, ...]]:
        """Each field's annotated type, split at ``|``, for fields whose values are checked
        (a hook for subclasses; none here)."""
        return {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Every subclass gets _first_init as its own __init__ (RecordMeta); this one is what
        # type checkers see, and what a record without fields runs.
        self._generic_init(*args, **kwargs)

    def _generic_init(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        names = cls._record_positional
        if len(args) > len(names):
            raise TypeError(
                f"{cls.__name__}() takes at most {len(names)} positional "
                f"arguments ({len(args)} given)"
            )
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in cls._record_fields:
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"{cls.__name__}() got multiple values for argument {key!r}")
            values[key] = value
        setter = object.__setattr__
        for key, spec in cls._record_fields.items():
            if key in values:
                setter(self, key, values[key])
            elif spec.default is not _MISSING:
                setter(self, key, spec.default)
            else:
                raise TypeError(f"{cls.__name__}() missing required argument {key!r}")
        self._check_types()
        self.__post_init__()

    def _check_types(self) -> None:
        """Check the values against the fields' annotations (a hook for subclasses)."""

    def __post_init__(self) -> None:
        """Normalise and validate the fields; runs at the end of ``__init__``."""

    def _values(self) -> tuple[Any, ...]:
        return type(self)._record_values(self)

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._record_fields)
        return f"{type(self).__qualname__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        values = type(self)._record_values  # a plain function of the record: not bound
        return values(self) == values(other)

    def __hash__(self) -> int:
        cls = type(self)
        return hash((cls, cls._record_values(self)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot assign {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), {n: getattr(self, n) for n in self._record_fields})


def _rebuild(cls: type[Record], values: dict[str, Any]) -> Record:
    obj = cls.__new__(cls)
    for key, value in values.items():
        object.__setattr__(obj, key, value)
    return obj


def record_fields(record: Record) -> dict[str, Any]:
    """A record's fields and values, in declaration order."""
    return {name: getattr(record, name) for name in record._record_fields}
