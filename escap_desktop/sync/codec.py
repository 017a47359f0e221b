"""Core entities to canonical JSON and back, driven by the dataclass fields and their types.

Every synced record is one entity as a JSON object whose keys are the field names. The encoding
is canonical (sorted keys, no spaces, UTF-8, sets sorted) so that two stores encoding the same
entity produce the same bytes: the merge hashes and the convergence test rely on it.

Types handled: str, int, bool, None, StrEnum (its value), date (ISO), timezone-aware datetime
(UTC ISO, microseconds), frozenset (sorted list), tuple (list), dict[str, X] and nested frozen
dataclasses (caregivers, other schemes, the clinical situation). A naive datetime is a bug and
raises. Decoding ignores unknown keys (a newer version's fields) and fills missing ones with the
field's default, so two versions of the app can share a team.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")

Json = Any


class CodecError(ValueError):
    """A record whose JSON does not fit the entity it claims to be."""


def canonical_json(value: Json) -> bytes:
    """The one byte string of a JSON value: sorted keys, compact, UTF-8 (accents kept)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entity_to_dict(entity: object) -> dict[str, Json]:
    """Every field of a dataclass entity, as JSON values."""
    if not dataclasses.is_dataclass(entity) or isinstance(entity, type):
        raise TypeError(f"{type(entity).__name__} n'est pas une entité.")
    return {name: encode(getattr(entity, name)) for name, encode in _encoders(type(entity))}


def entity_from_dict(entity_type: type[T], data: dict[str, Json]) -> T:
    """The entity back from :func:`entity_to_dict`'s output; raises CodecError when malformed."""
    if not isinstance(data, dict):
        raise CodecError(f"{entity_type.__name__} : objet JSON attendu.")
    values: dict[str, Any] = {}
    for name, required, decode in _decoders(entity_type):  # type: ignore[arg-type]
        if name not in data:
            if required:
                raise CodecError(f"{entity_type.__name__} : champ {name} absent.")
            continue
        try:
            values[name] = decode(data[name])
        except (TypeError, ValueError, KeyError) as error:
            raise CodecError(f"{entity_type.__name__}.{name} : valeur invalide.") from error
    try:
        return entity_type(**values)
    except TypeError as error:
        raise CodecError(f"{entity_type.__name__} : champs incohérents.") from error


@functools.cache
def _hints(entity_type: type) -> dict[str, Any]:
    return typing.get_type_hints(entity_type)


# Each field's type is read once per entity type: the encoder and decoder of a field are built
# from its type hint the first time, then called for every record (a page holds thousands).

_Encode = Callable[[Any], Json]
_Decode = Callable[[Json], Any]


@functools.cache
def _encoders(entity_type: type) -> tuple[tuple[str, _Encode], ...]:
    hints = _hints(entity_type)
    return tuple((f.name, _encoder(hints[f.name])) for f in dataclasses.fields(entity_type))


@functools.cache
def _decoders(entity_type: type) -> tuple[tuple[str, bool, _Decode], ...]:
    hints = _hints(entity_type)
    return tuple(
        (
            f.name,
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            _decoder(hints[f.name]),
        )
        for f in dataclasses.fields(entity_type)
    )


@functools.cache
def _encoder(hint: Any) -> _Encode:
    """``value -> JSON`` for one type hint: None stays None; containers by the hint, the rest
    by the value's own type."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = _encoder(next(arg for arg in args if arg is not type(None)))

        def optional(value: Any) -> Json:
            return None if value is None else inner(value)

        return optional
    if origin is frozenset or origin is set:
        item = _encoder(args[0])

        def sorted_list(value: Any) -> Json:
            return None if value is None else sorted(item(element) for element in value)

        return sorted_list
    if origin is tuple:
        item = _encoder(args[0])

        def as_list(value: Any) -> Json:
            return None if value is None else [item(element) for element in value]

        return as_list
    if origin is dict:
        item = _encoder(args[1])

        def as_object(value: Any) -> Json:
            if value is None:
                return None
            return {str(key): item(element) for key, element in value.items()}

        return as_object
    return _encode_value


def _encode_value(value: Any) -> Json:
    if value is None:
        return None
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("Une date-heure partagée doit porter un fuseau horaire.")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return entity_to_dict(value)
    raise TypeError(f"Type non pris en charge par la synchronisation : {type(value).__name__}")


@functools.cache
def _decoder(hint: Any) -> _Decode:
    """``JSON -> value`` for one type hint; raises ValueError or TypeError when the value does
    not fit (None only where the hint is optional)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(arg for arg in args if arg is not type(None)))

        def optional(value: Json) -> Any:
            return None if value is None else inner(value)

        return optional
    decode = _present_decoder(hint, origin, args)

    def present(value: Json) -> Any:
        if value is None:
            raise ValueError("valeur absente")
        return decode(value)

    return present


def _present_decoder(hint: Any, origin: Any, args: tuple[Any, ...]) -> _Decode:
    if origin is frozenset or origin is set:
        item = _decoder(args[0])
        return lambda value: frozenset(item(element) for element in _list(value))
    if origin is tuple:
        item = _decoder(args[0])
        return lambda value: tuple(item(element) for element in _list(value))
    if origin is dict:
        item = _decoder(args[1])

        def as_dict(value: Json) -> Any:
            if not isinstance(value, dict):
                raise ValueError("objet attendu")
            return {str(key): item(element) for key, element in value.items()}

        return as_dict
    if isinstance(hint, type):
        if issubclass(hint, StrEnum):
            # The member by its value, as ``hint(value)`` gives it, without the enum's call
            # machinery (a page of records decodes several per record); anything else
            # (an unknown value, a list) goes through the call, which refuses it.
            members = hint._value2member_map_

            def member(value: Json) -> Any:
                try:
                    return members[value]
                except (KeyError, TypeError):
                    return hint(value)

            return member
        if hint is bool:
            return lambda value: _typed(value, bool)
        if hint is int:

            def integer(value: Json) -> int:
                if isinstance(value, bool):
                    raise ValueError("entier attendu")
                return _typed(value, int)

            return integer
        if hint is str:
            return lambda value: _typed(value, str)
        if hint is datetime:

            def instant(value: Json) -> datetime:
                parsed = datetime.fromisoformat(_typed(value, str))
                if parsed.tzinfo is None:
                    raise ValueError("fuseau horaire absent")
                return parsed.astimezone(UTC)

            return instant
        if hint is date:
            return lambda value: date.fromisoformat(_typed(value, str))
        if dataclasses.is_dataclass(hint):
            return lambda value: entity_from_dict(hint, value)

    def unsupported(_value: Json) -> Any:
        raise TypeError(f"Type non pris en charge par la synchronisation : {hint!r}")

    return unsupported


def _list(value: Json) -> list[Json]:
    if not isinstance(value, list):
        raise ValueError("liste attendue")
    return value


def _typed(value: Json, kind: type[T]) -> T:
    if not isinstance(value, kind):
        raise ValueError(f"{kind.__name__} attendu")
    return value
