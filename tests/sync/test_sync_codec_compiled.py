"""The codec's per-type encoders and decoders give what reading each type hint per value gave.

``sync/codec.py`` builds each field's encoder and decoder once per entity type (a pulled page
decodes thousands of records). The reference below is the former generic walk over the type
hint, kept here only to check, value for value and error for error, that nothing changed.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escap_desktop.sync import codec
from escap_desktop.sync.merge import ENTITY_TYPES
from tests.sync.test_sync_codec import SAMPLES


def _reference_encode(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in args if arg is not type(None)]
        return _reference_encode(value, inner[0])
    if origin is frozenset or origin is set:
        return sorted(_reference_encode(item, args[0]) for item in value)
    if origin is tuple:
        return [_reference_encode(item, args[0]) for item in value]
    if origin is dict:
        return {str(key): _reference_encode(item, args[1]) for key, item in value.items()}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        hints = typing.get_type_hints(type(value))
        return {
            f.name: _reference_encode(getattr(value, f.name), hints[f.name])
            for f in dataclasses.fields(value)
        }
    raise TypeError(type(value).__name__)


def _reference_decode(value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [arg for arg in args if arg is not type(None)]
        return _reference_decode(value, inner[0])
    if value is None:
        raise ValueError("absent")
    if origin is frozenset or origin is set:
        return frozenset(_reference_decode(item, args[0]) for item in _as_list(value))
    if origin is tuple:
        return tuple(_reference_decode(item, args[0]) for item in _as_list(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError("object")
        return {str(key): _reference_decode(item, args[1]) for key, item in value.items()}
    if isinstance(hint, type):
        if issubclass(hint, StrEnum):
            return hint(value)
        if hint is bool:
            return _of(value, bool)
        if hint is int:
            if isinstance(value, bool):
                raise ValueError("int")
            return _of(value, int)
        if hint is str:
            return _of(value, str)
        if hint is datetime:
            parsed = datetime.fromisoformat(_of(value, str))
            if parsed.tzinfo is None:
                raise ValueError("naive")
            return parsed.astimezone(UTC)
        if hint is date:
            return date.fromisoformat(_of(value, str))
        if dataclasses.is_dataclass(hint):
            return codec.entity_from_dict(hint, value)
    raise TypeError(repr(hint))


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("list")
    return value


def _of(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise ValueError(kind.__name__)
    return value


def _outcome(function: Any, *arguments: Any) -> tuple[str, Any]:
    try:
        return "value", function(*arguments)
    except (TypeError, ValueError, KeyError) as error:
        return "error", type(error).__name__


def _fields() -> list[tuple[type, str, Any]]:
    found = []
    for entity_type in ENTITY_TYPES.values():
        hints = typing.get_type_hints(entity_type)
        for field in dataclasses.fields(entity_type):
            found.append((entity_type, field.name, hints[field.name]))
    return found


FIELDS = _fields()

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.sampled_from(
        [
            "",
            "2026-11-25",
            "2026-11-25T09:30:15.123456+00:00",
            "2026-11-25T09:30:15",
            "medical",
            "social",
            "invite",
            "x" * 32,
            "Zoë",
        ]
    )
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FIELDS), value=_JSON)
def test_each_field_decodes_any_json_as_before(field: tuple[type, str, Any], value: Any) -> None:
    entity_type, name, hint = field
    decode = dict((n, d) for n, _required, d in codec._decoders(entity_type))[name]
    assert _outcome(decode, value) == _outcome(_reference_decode, value, hint)


@pytest.mark.parametrize("entity", SAMPLES, ids=lambda e: type(e).__name__)
def test_each_entity_encodes_as_before(entity: object) -> None:
    hints = typing.get_type_hints(type(entity))
    expected = {
        f.name: _reference_encode(getattr(entity, f.name), hints[f.name])
        for f in dataclasses.fields(entity)  # type: ignore[arg-type]
    }
    assert codec.entity_to_dict(entity) == expected


def test_a_naive_datetime_is_still_refused() -> None:
    message = next(sample for sample in SAMPLES if type(sample).__name__ == "Message")
    naive = dataclasses.replace(message, sent_at=datetime(2026, 1, 1))  # type: ignore[type-var]
    with pytest.raises(ValueError, match="fuseau horaire"):
        codec.entity_to_dict(naive)
    shifted = dataclasses.replace(  # type: ignore[type-var]
        message, sent_at=datetime(2026, 1, 1, 10, tzinfo=timezone(timedelta(hours=2)))
    )
    assert codec.entity_to_dict(shifted)["sent_at"] == "2026-01-01T08:00:00.000000+00:00"
