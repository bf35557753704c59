"""Model values to and from JSON-able data, for the build cache (incremental.py): a
dataclass is stored as the list of its fields in order, and read back by a decoder made
once per type. The cache is data, never pickle: reading it back never runs code."""

from __future__ import annotations

import dataclasses
import itertools
import operator
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from enum import Enum
from typing import Any

_PLAIN = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a manifest's 10,000 records: looked up once


def to_data(value: Any) -> Any:
    """A model value as JSON-able data: a dataclass as the list of its fields in order."""
    names = _FIELD_NAMES.get(type(value))
    if names is not None:
        return [v if type(v) in _PLAIN else to_data(v) for v in map(value.__getattribute__, names)]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
        return to_data(value)
    if isinstance(value, tuple | list):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {key: to_data(item) for key, item in value.items()}
    raise TypeError(f"cannot store {type(value).__name__}")


def from_data(kind: Any, data: Any, zone: tzinfo) -> Any:
    """The inverse of to_data for a value of type `kind`; datetimes come back in `zone`."""
    return _decoder(kind)(data, zone)


Decoder = Callable[[Any, tzinfo], Any]
_DECODERS: dict[Any, Decoder] = {}


def _decoder(kind: Any) -> Decoder:
    if kind not in _DECODERS:
        _DECODERS[kind] = _make_decoder(kind)
    return _DECODERS[kind]


def _same(data: Any, zone: tzinfo) -> Any:
    return data


# What JSON gives for a value stored as it is: checked as it is read back, as a planted
# cache file may hold anything (a number for a title, a list for a tag).
_JSON_TYPES: dict[Any, frozenset[type]] = {
    str: frozenset({str}),
    int: frozenset({int}),
    float: frozenset({float, int}),
    bool: frozenset({bool}),
    type(None): frozenset({type(None)}),
}


def _plain(kind: Any) -> frozenset[type] | None:
    """The types of a value of `kind` stored as it is (`str | None`: str, None); None for
    a kind that is decoded, or not checked (Any)."""
    if kind in _JSON_TYPES:
        return _JSON_TYPES[kind]
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        found = [_plain(a) for a in typing.get_args(kind)]
        return frozenset().union(*found) if all(found) else None  # type: ignore[arg-type]
    return None


def _items(data: Any, allowed: frozenset[type], values: Callable[[Any], Any] = iter) -> Any:
    """`data`, once each of its items (or `values(data)`) is of an allowed type."""
    if not allowed.issuperset(map(type, values(data))):
        raise TypeError("not as stored")
    return data


def _all_of(allowed: list[frozenset[type]], values: Iterable[Any]) -> bool:
    """Whether each value is of its allowed types (in C: decoding 10,000 entries checks
    300,000 values)."""
    return all(map(frozenset.__contains__, allowed, map(type, values)))


def _tuples(data: dict[str, Any], size: int, allowed: frozenset[type]) -> dict[str, Any]:
    """`data`'s values as tuples, once each is a list of `size` values of allowed types."""
    if not {size}.issuperset(map(len, data.values())):
        raise ValueError(f"not {size} values")
    if not allowed.issuperset(map(type, itertools.chain.from_iterable(data.values()))):
        raise TypeError("not as stored")
    return {key: tuple(value) for key, value in data.items()}


def _sized_tuple(data: Any, size: int) -> tuple[Any, ...]:
    if len(data) != size:
        raise ValueError(f"not {size} values")
    return tuple(data)


def _make_decoder(kind: Any) -> Decoder:
    # Made once per type and reused: the cache decodes thousands of entries per build, so a
    # value stored as it is (most fields: text, numbers, flags) is not decoded at all.
    if kind in (str, int, float, bool, type(None), Any):
        return _same
    if kind is datetime:
        return lambda data, zone: datetime.fromisoformat(data).astimezone(zone)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return lambda data, zone: kind(data)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = dataclasses.fields(kind)
        names = tuple(f.name for f in fields)
        decoded = [(i, _decoder(hints[f.name])) for i, f in enumerate(fields)]
        decoded = [(i, decode) for i, decode in decoded if decode is not _same]
        plain = [(i, _plain(hints[f.name])) for i, f in enumerate(fields)]
        checked = [(i, allowed) for i, allowed in plain if allowed is not None]
        take = operator.itemgetter(*[i for i, _ in checked], 0, 0)  # a tuple, even of one
        kinds = [allowed for _, allowed in checked]

        positional = not any(f.kw_only for f in fields)  # else by name: slower

        def make(data: Any, zone: tzinfo) -> Any:
            if type(data) is not list or len(data) != len(names):
                raise ValueError(f"not a stored {kind.__name__}")
            if not _all_of(kinds, take(data)):  # (the last two taken are not checked)
                raise TypeError(f"not a stored {kind.__name__}")
            values = data.copy()
            for i, decode in decoded:
                values[i] = decode(values[i], zone)
            if positional:
                return kind(*values)
            return kind(**dict(zip(names, values, strict=True)))

        return make
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [a for a in args if a is not type(None)]
        decode = _decoder(inner)
        if decode is _same:
            return _same
        return lambda data, zone: None if data is None else decode(data, zone)
    if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        many: Callable[[Iterable[Any]], Any] = list if origin is list else tuple
        decode, allowed = _decoder(args[0]), _plain(args[0])
        if allowed is not None:
            element: frozenset[type] = allowed
            return lambda data, zone: _items(many(data), element)
        if decode is _same:
            return lambda data, zone: many(data)
        return lambda data, zone: many([decode(item, zone) for item in data])
    if origin is tuple:
        decoders = [_decoder(a) for a in args]
        if all(d is _same for d in decoders):
            return lambda data, zone: _sized_tuple(data, len(decoders))
        return lambda data, zone: tuple(
            [d(item, zone) for d, item in zip(decoders, data, strict=True)]
        )
    if origin in (dict, Mapping):
        inner = typing.get_args(args[1])
        each = [_plain(a) for a in inner]
        if typing.get_origin(args[1]) is tuple and Ellipsis not in inner and all(each):
            # Fixed tuples of plain values (each entry's positions of its fields): checked
            # in two passes in C rather than by a call a tuple.
            values: frozenset[type] = frozenset().union(*each)  # type: ignore[arg-type]
            return lambda data, zone: _tuples(dict(data), len(inner), values)
        decode, allowed = _decoder(args[1]), _plain(args[1])
        if allowed is not None:
            value: frozenset[type] = allowed
            return lambda data, zone: _items(dict(data), value, dict.values)
        if decode is _same:
            return lambda data, zone: dict(data)
        return lambda data, zone: {key: decode(item, zone) for key, item in data.items()}
    raise TypeError(f"cannot read back {kind!r}")
