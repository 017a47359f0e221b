"""Applies a verified, decrypted record to the local store (see :mod:`sync.merge`).

Runs inside a unit of work opened under :func:`sync.outbox.applying_remote`, so nothing it
writes goes back to the outbox; every write is audited as received (``AuditKind.RECEIVED``).
The record's professionals are translated from wire ids to this store's ids; a professional
never seen before is created (source "synchronisation"). The local professional's own record is
never overwritten by someone else's copy of it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import Counter
from typing import Any

from escap_desktop.core.entities import (
    AuditKind,
    MembershipStatus,
    Patient,
    Professional,
    ProfessionalSource,
)
from escap_desktop.core.errors import NotFoundError
from escap_desktop.store import UnitOfWork
from escap_desktop.store.bulk_rows import ReceivedRows, stored_ids
from escap_desktop.store.patient_merge import link_received_patient
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.category_keys import generation_end
from escap_desktop.sync.clock import HlcState
from escap_desktop.sync.codec import entity_from_dict, entity_to_dict
from escap_desktop.sync.identity_map import IdentityMap
from escap_desktop.sync.merge import (
    ENTITY_TYPES,
    LOCAL_FIELDS,
    hashes_of,
    merge,
    shared_fields,
)
from escap_desktop.sync.records import Record, clocks_from_json, clocks_to_text
from escap_desktop.sync.wire import b64u_decode, key_id_for

_DEPARTED = {MembershipStatus.LEFT.value, MembershipStatus.REMOVED.value}


_BULK_TYPES = frozenset(
    name for name, entity_type in ENTITY_TYPES.items() if entity_type in ReceivedRows.SUPPORTED
)
"""Append-only records a page may insert in bulk when they are new (``store.bulk_rows``)."""


class RecordApplier:
    """Applies the records of one pulled page (one transaction).

    A new append-only record that appears once in the page (most of a team's history) merges
    into nothing: it is the incoming record itself. Its row, audit entry and clock row are
    queued and written together (:meth:`write_new`) rather than mapped one by one; the page
    writes them before any other record is merged, so everything lands in the same order and
    the same transaction as through ``UnitOfWork.put``.
    """

    def __init__(self, uow: UnitOfWork, repo: SyncRepository, clock: HlcState) -> None:
        self._uow = uow
        self._repo = repo
        self._clock = clock
        self._identities = IdentityMap(uow.find(Professional))
        self._new_rows = ReceivedRows(uow)
        self._new_clocks: list[tuple[str, str, str, str]] = []
        self._once: set[tuple[str, str]] = set()

    def prefetch(self, records: list[Record]) -> None:
        """The stored versions and clocks of a page's records, one query per type; which of
        its append-only records are new (not stored, no clocks, once in the page)."""
        by_type: dict[str, list[str]] = {}
        for record in records:
            if record.entity_type != "Professional":  # its id is translated first
                by_type.setdefault(record.entity_type, []).append(record.entity["id"])
        self._repo.prefetch_clocks(
            [(entity_type, entity_id) for entity_type, ids in by_type.items() for entity_id in ids]
        )
        self._once = set()
        for entity_type, ids in by_type.items():
            entity_class = ENTITY_TYPES[entity_type]
            if entity_type in _BULK_TYPES:
                stored = stored_ids(self._uow, entity_class, ids)
                counts = Counter(ids)
                self._once.update(
                    (entity_type, entity_id)
                    for entity_id in ids
                    if counts[entity_id] == 1
                    and entity_id not in stored
                    and self._repo.clock(entity_type, entity_id) is None
                )
                ids = [entity_id for entity_id in ids if (entity_type, entity_id) not in self._once]
            self._uow.prefetch(entity_class, ids)

    def write_new(self) -> None:
        """Writes the new records queued so far (rows, readers, audit entries, clocks)."""
        self._new_rows.write()
        self._repo.insert_clocks(self._new_clocks)
        self._new_clocks = []

    def apply(self, team_id: str, record: Record, key_version: int) -> bool:
        """Merges the record in; True when the local entity changed."""
        self._clock.observe(record.hlc)
        for clock in record.clocks.values():
            self._clock.observe(clock)
        entity_type = record.entity_type
        entity_class = ENTITY_TYPES[entity_type]
        incoming = shared_fields(entity_type, record.entity)
        local_id = (
            self._identities.to_local(incoming["id"])
            if entity_type == "Professional"
            else incoming["id"]
        )
        if entity_type == "Professional":
            self._remember_device(team_id, incoming)
            if local_id == self._uow.actor_id:
                return False  # my own record: I am its only author
        if (entity_type, local_id) in self._once:
            self._queue_new(entity_class, entity_type, local_id, incoming, record)
            return True
        self.write_new()  # what precedes this record in the page is in the store first
        local_entity = _get_or_none(self._uow, entity_class, local_id)
        local_wire = (
            self._identities.entity_to_wire(
                entity_type, shared_fields(entity_type, entity_to_dict(local_entity))
            )
            if local_entity is not None
            else None
        )
        row = self._repo.clock(entity_type, local_id)
        local_clocks = clocks_from_json(json.loads(row.clocks)) if row else {}
        merged, clocks = merge(entity_type, local_wire, local_clocks, incoming, record.clocks)
        changed = merged != local_wire
        if changed:
            entity = self._to_entity(entity_class, entity_type, merged, local_entity)
            self._uow.put(entity, kind=AuditKind.RECEIVED)
            if isinstance(entity, Professional):
                self._identities.add(entity)
            elif isinstance(entity, Patient) and local_entity is None:
                # A colleague's own record of this patient becomes the team's: one patient.
                link_received_patient(self._uow, entity)
        self._save_clock(entity_type, local_id, merged, clocks)
        if entity_type in ("Patient", "Professional"):
            self._repo.mark_shared(team_id, entity_type, local_id)
        if entity_type == "Consent" and changed and merged.get("amendment"):
            self._repo.flag_review(team_id)  # the admin renews the keys for the amendment
        if entity_type == "Membership":
            self._repo.flag_review(team_id)
            if merged.get("status") in _DEPARTED:
                # The whole key generation of the record: its other categories' keys too.
                self._repo.cut_off_professional(
                    team_id, merged["professional_id"], generation_end(key_version)
                )
        return changed

    def _queue_new(
        self,
        entity_class: type,
        entity_type: str,
        entity_id: str,
        incoming: dict[str, Any],
        record: Record,
    ) -> None:
        """What :meth:`apply` does with a record the store does not hold, queued."""
        merged, clocks = merge(entity_type, None, {}, incoming, record.clocks)
        self._new_rows.add(self._to_entity(entity_class, entity_type, merged, None))
        hashes = hashes_of(entity_type, merged)
        self._new_clocks.append(
            (entity_type, entity_id, clocks_to_text(clocks), json.dumps(hashes))
        )

    def _to_entity(
        self, entity_class: type, entity_type: str, merged: dict[str, Any], local: Any
    ) -> Any:
        data = self._identities.entity_to_local(entity_type, merged)
        known = _field_names(entity_class)
        data = {name: value for name, value in data.items() if name in known}
        entity: Any = entity_from_dict(entity_class, data)
        local_fields = LOCAL_FIELDS.get(entity_type, frozenset())
        if local is not None and local_fields:
            entity = dataclasses.replace(
                entity, **{name: getattr(local, name) for name in local_fields}
            )
        elif local is None and isinstance(entity, Professional):
            entity = dataclasses.replace(entity, source=ProfessionalSource.SYNC)
        return entity

    def _save_clock(
        self, entity_type: str, entity_id: str, merged: dict[str, Any], clocks: dict[str, Any]
    ) -> None:
        hashes = hashes_of(entity_type, merged)
        self._repo.save_clock(entity_type, entity_id, clocks_to_text(clocks), json.dumps(hashes))

    def _remember_device(self, team_id: str, professional: dict[str, Any]) -> None:
        """A member vouched for these keys by sharing them: their records may be verified."""
        signing = professional.get("signing_public_key") or ""
        encryption = professional.get("encryption_public_key") or ""
        if not signing or not encryption:
            return
        try:
            signing_key, encryption_key = b64u_decode(signing), b64u_decode(encryption)
        except ValueError:
            return
        if len(signing_key) != 32 or len(encryption_key) != 32:
            return
        self._repo.remember_device(
            team_id,
            key_id_for(signing_key),
            signing_key,
            encryption_key,
            professional["id"],
            vouched=True,  # a member's signed record carries these keys
        )


@functools.cache
def _field_names(entity_class: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(entity_class))


def _get_or_none(uow: UnitOfWork, entity_class: type, entity_id: str) -> Any:
    try:
        return uow.get(entity_class, entity_id)
    except NotFoundError:
        return None
