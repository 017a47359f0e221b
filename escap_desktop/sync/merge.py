"""How concurrent versions of one entity become one, the same on every store.

Two kinds of records:

- **Append-only** (messages, events, billing records, grid assessments): written once, never
  edited; a copy is inserted if absent. A message's ``read_by`` is a grow-only set merged by
  union, so each member's read state reaches everyone.
- **Registers** (professionals, patients, episodes, memberships, consents, actions): each is
  split into *merge groups* of fields that change together. Every group carries the hybrid
  logical clock of its last write; merging keeps, group by group, the version with the greater
  (rank, clock). Two members editing different fields of one action both keep their edit; two
  editing the same field converge on the later clock (ties broken by the store's node id).

The rank makes lifecycles monotonic where they are: an episode's state only moves forward
(a closed ESCAP stays closed even if an older "activate" arrives with a later clock; active and
incomplete share a rank, the team decides between them), a
membership's answer beats the invitation and a departure beats the answer, a signed consent
beats a printed one and a withdrawal beats both.

Merging is a per-group maximum, hence commutative, associative and idempotent: any order of
syncs ends in the same state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from escap_desktop.core.entities import (
    Action,
    BillingRecord,
    Consent,
    Escap,
    EscapState,
    Event,
    GridAssessment,
    Membership,
    Message,
    Patient,
    Professional,
)
from escap_desktop.sync.clock import ZERO, Hlc
from escap_desktop.sync.codec import canonical_json

ENTITY_TYPES: dict[str, type] = {
    t.__name__: t
    for t in (
        Professional,
        Patient,
        Escap,
        Membership,
        Consent,
        GridAssessment,
        Action,
        Message,
        Event,
        BillingRecord,
    )
}
"""The entity types a team shares (never the local profile or the audit trail)."""

APPEND_ONLY = frozenset({"Message", "Event", "BillingRecord", "GridAssessment"})

GROW_ONLY_SETS: dict[str, tuple[str, ...]] = {"Message": ("read_by",)}

LOCAL_FIELDS: dict[str, frozenset[str]] = {
    # Where the record came from on this computer; a path to a scan on this computer.
    "Professional": frozenset({"source"}),
    "Consent": frozenset({"scan_path"}),
}
"""Fields that describe this computer only: never sent, kept as they are on receipt."""

WHOLE = "_"
"""The single pseudo-group of an append-only record (it has no clock: it never changes)."""

Rank = Callable[[Mapping[str, Any]], int]


@dataclass(frozen=True, slots=True)
class Group:
    """Fields merged as one; a composite group's name starts with "@" (never a field name)."""

    name: str
    fields: tuple[str, ...]
    rank: Rank | None = None


_STATE_ORDER = {
    state.value: index
    for index, state in enumerate(s for s in EscapState if s is not EscapState.INCOMPLETE)
}
# Active and incomplete go back and forth with the team: one rank, so the later write wins, and
# the state each member then derives from the merged memberships (lifecycle.follow_team) is the
# same everywhere.
_STATE_ORDER[EscapState.INCOMPLETE.value] = _STATE_ORDER[EscapState.ACTIVE.value]
_MEMBERSHIP_ORDER = {"invite": 0, "accepte": 1, "refuse": 1, "parti": 2, "retire": 2}
_CONSENT_ORDER = {"imprime": 0, "signe": 1, "refuse": 1, "retire": 2}

_COMPOSITE_GROUPS: dict[str, tuple[Group, ...]] = {
    "Escap": (
        Group(
            "@lifecycle",
            (
                "state",
                "activated_at",
                "closed_at",
                "exit_reason",
                "exit_note",
            ),
            lambda values: _STATE_ORDER.get(values["state"], 0),
        ),
    ),
    "Membership": (
        Group(
            "@status",
            ("status", "responded_at", "left_at"),
            lambda values: _MEMBERSHIP_ORDER.get(values["status"], 0),
        ),
    ),
    "Consent": (
        Group(
            "@status",
            (
                "status",
                "mode",
                "signed_on",
                "signatory",
                "legal_representative",
                "scan_sha256",
                "withdrawn_on",
            ),
            lambda values: _CONSENT_ORDER.get(values["status"], 0),
        ),
        # An amendment replaces the scope and the recipients together; a later amendment wins
        # over an earlier one whatever the clocks (the amendment number only grows).
        Group(
            "@scope",
            ("scopes", "recipient_ids", "recipient_professions", "amendment", "amended_on"),
            lambda values: int(values.get("amendment") or 0),
        ),
    ),
    "Action": (Group("@status", ("status", "completed_on")),),
    "Patient": (
        Group(
            "@identity",
            (
                "identity_status",
                "identity_document",
                "identity_verified_by",
                "identity_verified_on",
            ),
        ),
    ),
}


def groups_of(entity_type: str, field_names: list[str]) -> tuple[Group, ...]:
    """The merge groups of a register: its composite groups, then one group per other field."""
    composite = _COMPOSITE_GROUPS.get(entity_type, ())
    grouped = {name for group in composite for name in group.fields}
    skipped = grouped | {"id"} | LOCAL_FIELDS.get(entity_type, frozenset())
    return composite + tuple(Group(name, (name,)) for name in field_names if name not in skipped)


def group_hash(data: Mapping[str, Any], group: Group) -> str:
    values = {name: data.get(name) for name in group.fields}
    return hashlib.blake2b(canonical_json(values), digest_size=12).hexdigest()


def hashes_of(entity_type: str, wire: Mapping[str, Any]) -> dict[str, str]:
    """A hash per merge group (one for a whole append-only record), to tell what a write changed."""
    if entity_type in APPEND_ONLY:
        return {WHOLE: group_hash(wire, Group(WHOLE, tuple(sorted(wire))))}
    return {group.name: group_hash(wire, group) for group in groups_of(entity_type, list(wire))}


def shared_fields(entity_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The entity without its local-only fields: what travels and what stores must agree on."""
    local = LOCAL_FIELDS.get(entity_type, frozenset())
    return {name: value for name, value in data.items() if name not in local}


Clocks = dict[str, Hlc]


def merge(
    entity_type: str,
    local: dict[str, Any] | None,
    local_clocks: Clocks,
    incoming: dict[str, Any],
    incoming_clocks: Clocks,
) -> tuple[dict[str, Any], Clocks]:
    """The merged entity (wire form) and its clocks; ``local`` None when the store has none.

    Local-only fields keep the local value (or are absent for a new record, so defaults apply).
    """
    if local is None:
        return dict(incoming), dict(incoming_clocks)
    merged = dict(local)
    if entity_type in APPEND_ONLY:
        for name in GROW_ONLY_SETS.get(entity_type, ()):
            merged[name] = sorted(set(local.get(name) or ()) | set(incoming.get(name) or ()))
        return merged, dict(local_clocks)
    clocks = dict(local_clocks)
    for group in groups_of(entity_type, list(incoming)):
        mine = _key(group, local, local_clocks.get(group.name, ZERO))
        theirs = _key(group, incoming, incoming_clocks.get(group.name, ZERO))
        if theirs > mine:
            for name in group.fields:
                if name in incoming:
                    merged[name] = incoming[name]
            clocks[group.name] = incoming_clocks.get(group.name, ZERO)
    return merged, clocks


def _key(group: Group, data: Mapping[str, Any], clock: Hlc) -> tuple[int, Hlc]:
    return (group.rank(data) if group.rank is not None else 0, clock)
