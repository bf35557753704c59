"""Model values to and from JSON, for the build cache (incremental/cache.py): a dataclass is
stored as the list of its fields in order. Read back in two steps: msgspec decodes the
JSON and checks every value against its field's type in C (a dataclass's fields as a
tuple of their types), then a constructor made once per type builds the dataclasses. The
cache is data, never pickle: reading it back never runs code."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone, tzinfo
from enum import Enum
from typing import Any

import msgspec

from feedpub.zones import from_cache

_PLAIN = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a manifest's 10,000 records: looked up once


def to_data(value: Any) -> Any:
    """A model value as JSON-able data: a dataclass as the list of its fields in order."""
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        return [v if type(v) in _PLAIN else to_data(v) for v in map(value.__getattribute__, names)]
    if kind is tuple or kind is list:  # before the checks below: most values left are these
        return [item if type(item) in _PLAIN else to_data(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
        return to_data(value)
    # (Plain values as they are, without a call each: a manifest's 10,000 sources.)
    if isinstance(value, tuple | list):
        return [item if type(item) in _PLAIN else to_data(item) for item in value]
    if isinstance(value, Mapping):
        return {k: v if type(v) in _PLAIN else to_data(v) for k, v in value.items()}
    raise TypeError(f"cannot store {type(value).__name__}")


def encode(data: Any) -> bytes:
    """JSON-able data (see to_data) as compact JSON, non-ASCII text as it is."""
    return _ENCODER.encode(data)


def converted(value: Any) -> Any:
    """to_data(value) as encode() writes it, for a dataclass whose fields' types say what
    each holds: converted by a function made once per type, which leaves as they are the
    values msgspec writes as to_data() would (text, numbers, tuples of them), not value by
    value through to_data() (a twentieth of compiling a statement). Each dataclass is a
    list, as to_data() makes it."""
    convert = _converter(type(value))
    return value if convert is None else convert(value)


Converter = Callable[[Any], Any]
_CONVERTERS: dict[Any, Converter | None] = {}


def _converter(kind: Any) -> Converter | None:
    """What makes a value of `kind` what to_data() makes of it; None where msgspec writes
    the value itself as it writes that (text, numbers, booleans, None, an Enum by value,
    tuples and lists of them, a dict of them)."""
    if kind not in _CONVERTERS:
        _CONVERTERS[kind] = _make_converter(kind)
    return _CONVERTERS[kind]


def _make_converter(kind: Any) -> Converter | None:
    if kind in _PLAIN or (isinstance(kind, type) and issubclass(kind, Enum)):
        return None
    if kind is datetime:
        return datetime.isoformat
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_converter(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            return to_data
        found = _converter(inner[0])
        if found is None:
            return None
        one: Converter = found
        return lambda value: None if value is None else one(value)
    if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        found = _converter(args[0])
        if found is None:
            return None
        each: Converter = found
        return lambda value: [each(item) for item in value]
    if origin is tuple:
        converters = [_converter(a) for a in args]
        if not any(converters):
            return None
        return lambda value: [
            item if convert is None else convert(item)
            for convert, item in zip(converters, value, strict=True)
        ]
    if origin in (dict, Mapping) and args and args[0] in _PLAIN:
        found = _converter(args[1])
        if found is None:  # a mapping read back from the cache is no dict (stored.Lazy)
            return lambda value: value if type(value) is dict else dict(value)
        item_of: Converter = found
        return lambda value: {k: item_of(item) for k, item in value.items()}
    return to_data  # Any, or what the model does not hold: converted value by value


def _dataclass_converter(kind: type) -> Converter:
    """A dataclass as the list of its fields in order, each converted as its type says,
    written out once as one list display (as _dataclass_maker writes a constructor)."""
    hints = typing.get_type_hints(kind)
    names: dict[str, Any] = {}
    items = []
    for i, f in enumerate(dataclasses.fields(kind)):
        convert = _converter(hints[f.name])
        if convert is None:
            items.append(f"value.{f.name}")
        else:
            names[f"_convert_{i}"] = convert
            items.append(f"_convert_{i}(value.{f.name})")
    made: Converter = _written("value", f"[{', '.join(items)}]", names)
    return made


def _written(parameters: str, returned: str, names: dict[str, Any]) -> Any:
    """A function returning `returned`, written out once (as dataclasses writes __init__)
    from the model's own field names, never from data, with `names` its globals."""
    exec(f"def made({parameters}):\n    return {returned}\n", names)  # noqa: S102
    return names["made"]


_ENCODER = msgspec.json.Encoder()


class Reader:
    """Reads back values of one type from the JSON encode() made; one that is not as
    stored (malformed, a field of another type, a tuple of another length) raises
    ValueError. Datetimes come back in the zone given, or None: with the offset stored."""

    def __init__(self, kind: Any) -> None:
        self._decoder = msgspec.json.Decoder(_shape(kind))
        self._make = _maker(kind)

    def read(self, data: bytes | msgspec.Raw, zone: tzinfo | None) -> Any:
        return self.build(self.decode(data), zone)

    def decode(self, data: bytes | msgspec.Raw) -> Any:
        """The value checked, before its dataclasses are made (by build())."""
        return self._decoder.decode(data)

    def build(self, value: Any, zone: tzinfo | None) -> Any:
        return value if self._make is None else self._make(value, zone)


def _shape(kind: Any) -> Any:
    """The type msgspec checks stored data of `kind` against: a dataclass as a tuple of its
    fields' shapes, a datetime as its ISO text (parsed by the constructor: msgspec takes
    only RFC 3339 offsets, Python writes a zone's historical ones to the second)."""
    if kind is datetime:
        return str
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints, lazy = typing.get_type_hints(kind), getattr(kind, "LAZY", ())
        return tuple[  # type: ignore[misc]
            tuple(
                msgspec.Raw if f.name in lazy else _shape(hints[f.name])
                for f in dataclasses.fields(kind)
            )
        ]
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return typing.Union[tuple(_shape(a) for a in args)]  # noqa: UP007 - made at run time
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple[_shape(args[0]), ...]  # type: ignore[misc]
        return tuple[tuple(_shape(a) for a in args)]  # type: ignore[misc]
    if origin is list:
        return list[_shape(args[0])]  # type: ignore[misc]
    if origin in (dict, Mapping):
        return dict[_shape(args[0]), _shape(args[1])]  # type: ignore[misc]
    return kind  # str, int, float, bool, None, an Enum (by value), Any


Maker = Callable[[Any, tzinfo | None], Any]
_MAKERS: dict[Any, Maker | None] = {}


def _maker(kind: Any) -> Maker | None:
    """What turns checked data of `kind` into its value; None where it already is one."""
    if kind not in _MAKERS:
        _MAKERS[kind] = _make_maker(kind)
    return _MAKERS[kind]


def _when(data: str, zone: tzinfo | None) -> datetime:
    moment = datetime.fromisoformat(data)
    if moment.tzinfo is None:
        raise ValueError(f"{data!r} has no offset; feedpub stores every time with its own")
    return moment if zone is None else from_cache(moment, zone)


def _make_maker(kind: Any) -> Maker | None:
    if kind is datetime:
        return _when
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_maker(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        make = _maker(inner[0]) if len(inner) == 1 else None
        if make is None:
            return None
        return lambda data, zone: None if data is None else make(data, zone)
    if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        each, many = _maker(args[0]), (list if origin is list else tuple)
        if each is None:
            return None
        # (most are empty: attachments, corrections, contacts, problems)
        return lambda data, zone: many([each(i, zone) for i in data]) if data else data
    if origin is tuple and any(_maker(a) for a in args):
        makers = [_maker(a) for a in args]
        return lambda data, zone: tuple(
            [item if m is None else m(item, zone) for m, item in zip(makers, data, strict=True)]
        )
    if origin in (dict, Mapping):
        value = _maker(args[1])
        if value is None:
            return None
        return lambda data, zone: {k: value(item, zone) for k, item in data.items()}
    return None


class Lazy(Mapping[Any, Any]):
    """A stored mapping decoded when first read (a dataclass's field named in its LAZY):
    its JSON, checked then; {} if it is not as stored (a planted cache file)."""

    __slots__ = ("_raw", "_reader", "_value")

    def __init__(self, reader: Reader, raw: msgspec.Raw) -> None:
        self._reader = reader
        self._value: Mapping[Any, Any] | None = None
        self._raw: msgspec.Raw | None = raw.copy()  # not the whole line it was read from

    def _mapping(self) -> Mapping[Any, Any]:
        if self._value is None:
            try:
                self._value = self._reader.read(self._raw or b"", timezone.utc)
            except ValueError:
                self._value = {}
            self._raw = None
        return self._value

    def __getitem__(self, key: Any) -> Any:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())


# Values that many of the values read share (a site's types and tags: see Entry.REPEATED),
# kept as one object each for as long as the process runs: a few thousand at most.
_SHARED: dict[Any, Any] = {}
_share = _SHARED.setdefault


def _shared(items: tuple[Any, ...]) -> tuple[Any, ...]:
    """A tuple of repeated values, it and its items one object each (see _SHARED)."""
    if not items:
        return ()
    shared = tuple([_share(item, item) for item in items])
    return _share(shared, shared)  # type: ignore[no-any-return]


def _dataclass_maker(kind: type) -> Maker:
    """A constructor of `kind` from the tuple of its checked fields, written out once as
    a keyword call (as dataclasses writes __init__): 10,000 entries are read per build."""
    hints = typing.get_type_hints(kind)
    fields = dataclasses.fields(kind)
    names: dict[str, Any] = {"_kind": kind, "_share": _share, "_shared": _shared}
    arguments = []
    repeated = getattr(kind, "REPEATED", ())  # values many share: read as one object each
    lazy = getattr(kind, "LAZY", ())  # mappings seldom read: read when first asked
    for i, f in enumerate(fields):
        make = _maker(hints[f.name])
        if f.name in lazy:
            names[f"_lazy_{i}"] = functools.partial(Lazy, Reader(hints[f.name]))
            arguments.append(f"{f.name}=_lazy_{i}(data[{i}])")
        elif f.name in repeated:
            if typing.get_origin(hints[f.name]) is tuple:
                arguments.append(f"{f.name}=_shared(data[{i}])")
            else:
                arguments.append(f"{f.name}=_share(data[{i}], data[{i}])")
        elif make is None:
            arguments.append(f"{f.name}=data[{i}]")
        else:
            names[f"_make_{i}"] = make
            arguments.append(f"{f.name}=_make_{i}(data[{i}], zone)")
    made: Maker = _written("data, zone", f"_kind({', '.join(arguments)})", names)
    return made
