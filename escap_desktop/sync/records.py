"""The plaintext of one envelope: a versioned record of one entity version.

``{"format": 1, "type": "Action", "entity": {...}, "clocks": {group: [ms, n, node]},
"hlc": [ms, n, node]}``: the entity in wire form (professionals named by wire ids, local-only
fields left out), the clock of each merge group, and the clock of the write itself. It is
encrypted as a whole; the relay sees only the envelope's ``record_type`` (the ``type`` here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from escap_desktop.core.entities import DataCategory
from escap_desktop.core.rules.access import category_of_kind
from escap_desktop.sync.clock import Hlc
from escap_desktop.sync.codec import CodecError, canonical_json
from escap_desktop.sync.merge import ENTITY_TYPES, Clocks

RECORD_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Record:
    entity_type: str
    entity: dict[str, Any]
    clocks: Clocks
    hlc: Hlc

    @property
    def entity_id(self) -> str:
        return str(self.entity["id"])

    @property
    def category(self) -> DataCategory:
        """The data category whose team key seals this record (``core.rules.access``)."""
        return category_of_kind(self.entity_type, self.entity.get("category"))

    def to_bytes(self) -> bytes:
        return canonical_json(
            {
                "format": RECORD_FORMAT,
                "type": self.entity_type,
                "entity": self.entity,
                "clocks": {name: clock.to_json() for name, clock in self.clocks.items()},
                "hlc": self.hlc.to_json(),
            }
        )


def clocks_to_text(clocks: Clocks) -> str:
    return canonical_json({name: clock.to_json() for name, clock in clocks.items()}).decode()


def clocks_from_json(value: Any) -> Clocks:
    if not isinstance(value, dict):
        raise ValueError("horloges invalides")
    return {str(name): Hlc.from_json(clock) for name, clock in value.items()}


def parse_record(plaintext: bytes) -> Record:
    """A received record; CodecError if it is not one this version can apply."""
    try:
        data = json.loads(plaintext)
    except (ValueError, UnicodeDecodeError) as error:
        raise CodecError("Enregistrement reçu illisible.") from error
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        raise CodecError("Enregistrement reçu d'un format inconnu.")
    entity_type = data.get("type")
    entity = data.get("entity")
    if entity_type not in ENTITY_TYPES or not isinstance(entity, dict):
        raise CodecError("Enregistrement reçu d'un type inconnu.")
    if not isinstance(entity.get("id"), str):
        raise CodecError("Enregistrement reçu sans identifiant.")
    try:
        return Record(
            entity_type=str(entity_type),
            entity=entity,
            clocks=clocks_from_json(data.get("clocks", {})),
            hlc=Hlc.from_json(data.get("hlc")),
        )
    except ValueError as error:
        raise CodecError("Horloges de l'enregistrement reçu invalides.") from error


def record_category(plaintext: bytes) -> DataCategory:
    """The category of a record this store wrote (an outbox row's payload): read from its type
    and its ``category`` field, without checking its clocks as :func:`parse_record` does (the
    push reads one per record it seals)."""
    try:
        data = json.loads(plaintext)
    except (ValueError, UnicodeDecodeError) as error:
        raise CodecError("Enregistrement illisible.") from error
    entity = data.get("entity") if isinstance(data, dict) else None
    if not isinstance(entity, dict) or data.get("type") not in ENTITY_TYPES:
        raise CodecError("Enregistrement d'un type inconnu.")
    return category_of_kind(str(data["type"]), entity.get("category"))
