"""Column types that turn SQLite's text into the exact Python values the entities hold.

The entities are the contract: a value read back must compare equal to the value written, so
enums come back as their StrEnum, instants as timezone-aware UTC, sets as frozensets and
sequences as tuples. Everything is stored as plain text or JSON so that the schema in the
migrations (which never import these types) stays readable by any SQLite tool once decrypted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)

# Fixed width, so that text order is time order and SQL can sort and compare instants.
_INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_INSTANT_WIDTH = len("2026-01-01T08:00:00.000000Z")


def instant_to_text(value: datetime) -> str:
    """UTC text of an aware instant; a naive datetime is a programming error, not user input.

    An instant already in UTC (``datetime.UTC``, as the clock gives them) with a four-digit
    year is formatted by ``isoformat``, the same text several times faster than ``strftime``:
    every row written carries one or two (a pulled page of a thousand records, two thousand)."""
    if value.tzinfo is UTC and value.year >= 1000:
        return value.isoformat(timespec="microseconds")[:-6] + "Z"
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Les dates-heures enregistrées doivent porter un fuseau horaire.")
    return value.astimezone(UTC).strftime(_INSTANT_FORMAT)


class UtcDateTime(TypeDecorator[datetime]):
    """An instant stored as fixed-width UTC ISO text and read back timezone-aware (UTC)."""

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        return None if value is None else instant_to_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if len(value) == _INSTANT_WIDTH and value[-1] == "Z":
            # The text instant_to_text writes: ISO parsing, fifty times quicker than strptime
            # (a thread of 2,000 messages reads 2,000 of them), gives the same aware UTC value.
            return datetime.fromisoformat(value)
        return datetime.strptime(value, _INSTANT_FORMAT).replace(tzinfo=UTC)


class EnumText(TypeDecorator[E], Generic[E]):
    """A StrEnum stored as its value (the stable code), never its name or label."""

    impl = String(40)
    cache_ok = True

    def __init__(self, enum_type: type[E]) -> None:
        super().__init__()
        self.enum_type = enum_type

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        if value is None:
            return None
        # The member map is Enum's own fast path; long lists read thousands of these.
        member = self.enum_type._value2member_map_.get(value)
        return cast(E, member) if member is not None else self.enum_type(value)


class _JsonText(TypeDecorator[Any]):
    """JSON in a TEXT column, with a conversion applied on the way back."""

    impl = Text
    cache_ok = True

    def _to_json(self, value: Any) -> Any:
        return value

    def _from_json(self, value: Any) -> Any:
        return value

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(self._to_json(value), ensure_ascii=False, sort_keys=True)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else self._from_json(json.loads(value))


class EnumSetJson(_JsonText, Generic[E]):
    """A frozenset of StrEnum members, stored as a sorted JSON list of values."""

    def __init__(self, enum_type: type[E]) -> None:
        super().__init__()
        self.enum_type = enum_type

    def _to_json(self, value: Any) -> Any:
        return sorted(self.enum_type(member).value for member in value)

    def _from_json(self, value: Any) -> frozenset[E]:
        return frozenset(self.enum_type(member) for member in value)


class EnumTupleJson(_JsonText, Generic[E]):
    """An ordered tuple of StrEnum members, stored as a JSON list of values."""

    def __init__(self, enum_type: type[E]) -> None:
        super().__init__()
        self.enum_type = enum_type

    def _to_json(self, value: Any) -> Any:
        return [self.enum_type(member).value for member in value]

    def _from_json(self, value: Any) -> tuple[E, ...]:
        return tuple(self.enum_type(member) for member in value)


class StrTupleJson(_JsonText):
    """An ordered tuple of strings (ids), stored as a JSON list."""

    def _to_json(self, value: Any) -> Any:
        return [str(item) for item in value]

    def _from_json(self, value: Any) -> tuple[str, ...]:
        return tuple(str(item) for item in value)


class BoolMapJson(_JsonText):
    """A mapping of item id -> ticked, stored as a JSON object."""

    def _to_json(self, value: Any) -> Any:
        return {str(key): bool(ticked) for key, ticked in value.items()}

    def _from_json(self, value: Any) -> dict[str, bool]:
        return {str(key): bool(ticked) for key, ticked in value.items()}


class DataclassJson(_JsonText):
    """A small frozen dataclass stored as a JSON object through explicit converters.

    The converters live next to the models, because only they know which fields are dates.
    """

    def __init__(
        self, dump: Callable[[Any], dict[str, Any]], load: Callable[[dict[str, Any]], Any]
    ) -> None:
        super().__init__()
        self.dump = dump
        self.load = load

    def _to_json(self, value: Any) -> Any:
        return self.dump(value)

    def _from_json(self, value: Any) -> Any:
        return self.load(value)
