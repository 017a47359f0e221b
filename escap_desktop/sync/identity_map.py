"""One id per professional across stores, so that "who" means the same on every computer.

Each store gives its own random id to each professional it records: the GP's record of the nurse
and the nurse's own profile are two ids for one person. On the wire a professional is named by
a *wire id* instead: a hash of their national identifier (RPPS or ADELI) when they have one, else
the id the first store gave them (social actors without a number). Every field that names a
professional is translated local -> wire when a record leaves and wire -> local when it arrives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from escap_desktop.core.entities import IdentifierKind, Professional

_PERSON = b"escap-pro-wire"

PROFESSIONAL_REFS: dict[str, tuple[str, ...]] = {
    "Patient": ("medecin_traitant_id", "identity_verified_by"),
    "Escap": ("created_by",),
    "Membership": ("professional_id", "invited_by"),
    "Consent": ("collected_by", "recipient_ids"),
    "GridAssessment": ("assessor_id",),
    "Action": ("created_by", "responsible_id"),
    "Message": ("author_id", "read_by"),
    "Event": ("recorded_by",),
    "BillingRecord": ("professional_id",),
}
"""Fields naming professionals, per entity type (a list field names several)."""


def wire_id_for_identifier(kind: IdentifierKind | str, identifier: str) -> str:
    digest = hashlib.blake2b(
        f"{IdentifierKind(kind).value}:{identifier}".encode("ascii"), digest_size=16, person=_PERSON
    )
    return digest.hexdigest()


def wire_id_for_rpps(rpps: str) -> str:
    return wire_id_for_identifier(IdentifierKind.RPPS, rpps)


def wire_id(professional: Professional) -> str:
    if professional.identifier_kind is not IdentifierKind.NONE and professional.identifier:
        return wire_id_for_identifier(professional.identifier_kind, professional.identifier)
    return professional.id


class IdentityMap:
    """Both directions of the translation for one store, built from its professionals."""

    def __init__(self, professionals: Iterable[Professional]) -> None:
        self._to_wire: dict[str, str] = {}
        self._to_local: dict[str, str] = {}
        for professional in professionals:
            self.add(professional)

    def add(self, professional: Professional) -> None:
        wire = wire_id(professional)
        self._to_wire[professional.id] = wire
        self._to_local.setdefault(wire, professional.id)

    def local_id_of(self, wire: str) -> str | None:
        return self._to_local.get(wire)

    def to_wire(self, local: str) -> str:
        return self._to_wire.get(local, local)

    def to_local(self, wire: str) -> str:
        """An unknown wire id stays as is: the professional's record, once received, gets it."""
        return self._to_local.get(wire, wire)

    def entity_to_wire(self, entity_type: str, data: dict[str, Any]) -> dict[str, Any]:
        if entity_type == "Professional":
            return {**data, "id": self.to_wire(data["id"])}
        return _translate(data, PROFESSIONAL_REFS.get(entity_type, ()), self.to_wire)

    def entity_to_local(self, entity_type: str, data: dict[str, Any]) -> dict[str, Any]:
        if entity_type == "Professional":
            return {**data, "id": self.to_local(data["id"])}
        return _translate(data, PROFESSIONAL_REFS.get(entity_type, ()), self.to_local)


def _translate(data: dict[str, Any], fields: tuple[str, ...], convert: Any) -> dict[str, Any]:
    if not fields:
        return data
    result = dict(data)
    for name in fields:
        value = result.get(name)
        if isinstance(value, str):
            result[name] = convert(value)
        elif isinstance(value, list):
            converted = [convert(item) for item in value]
            # Sets travel sorted (canonical); tuples keep their order.
            result[name] = sorted(converted) if name == "read_by" else converted
    return result
