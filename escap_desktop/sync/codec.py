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
    hints = _hints(type(entity))
    return {
        f.name: _encode(getattr(entity, f.name), hints[f.name]) for f in dataclasses.fields(entity)
    }


def entity_from_dict(entity_type: type[T], data: dict[str, Json]) -> T:
    """The entity back from :func:`entity_to_dict`'s output; raises CodecError when malformed."""
    if not isinstance(data, dict):
        raise CodecError(f"{entity_type.__name__} : objet JSON attendu.")
    hints = _hints(entity_type)  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for f in dataclasses.fields(entity_type):  # type: ignore[arg-type]
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise CodecError(f"{entity_type.__name__} : champ {f.name} absent.")
            continue
        try:
            values[f.name] = _decode(data[f.name], hints[f.name])
        except (TypeError, ValueError, KeyError) as error:
            raise CodecError(f"{entity_type.__name__}.{f.name} : valeur invalide.") from error
    try:
        return entity_type(**values)
    except TypeError as error:
        raise CodecError(f"{entity_type.__name__} : champs incohérents.") from error


@functools.cache
def _hints(entity_type: type) -> dict[str, Any]:
    return typing.get_type_hints(entity_type)


def _encode(value: Any, hint: Any) -> Json:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in args if arg is not type(None)]
        return _encode(value, inner[0])
    if origin is frozenset or origin is set:
        return sorted(_encode(item, args[0]) for item in value)
    if origin is tuple:
        return [_encode(item, args[0]) for item in value]
    if origin is dict:
        return {str(key): _encode(item, args[1]) for key, item in value.items()}
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


def _decode(value: Json, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [arg for arg in args if arg is not type(None)]
        return _decode(value, inner[0])
    if value is None:
        raise ValueError("valeur absente")
    if origin is frozenset or origin is set:
        return frozenset(_decode(item, args[0]) for item in _list(value))
    if origin is tuple:
        return tuple(_decode(item, args[0]) for item in _list(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError("objet attendu")
        return {str(key): _decode(item, args[1]) for key, item in value.items()}
    if isinstance(hint, type):
        if issubclass(hint, StrEnum):
            return hint(value)
        if hint is bool:
            return _typed(value, bool)
        if hint is int:
            if isinstance(value, bool):
                raise ValueError("entier attendu")
            return _typed(value, int)
        if hint is str:
            return _typed(value, str)
        if hint is datetime:
            parsed = datetime.fromisoformat(_typed(value, str))
            if parsed.tzinfo is None:
                raise ValueError("fuseau horaire absent")
            return parsed.astimezone(UTC)
        if hint is date:
            return date.fromisoformat(_typed(value, str))
        if dataclasses.is_dataclass(hint):
            return entity_from_dict(hint, value)
    raise TypeError(f"Type non pris en charge par la synchronisation : {hint!r}")


def _list(value: Json) -> list[Json]:
    if not isinstance(value, list):
        raise ValueError("liste attendue")
    return value


def _typed(value: Json, kind: type[T]) -> T:
    if not isinstance(value, kind):
        raise ValueError(f"{kind.__name__} attendu")
    return value
