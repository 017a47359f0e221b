"""Reads and writes of the sync tables, inside the caller's unit of work.

The sync module gets a :class:`SyncRepository` from ``UnitOfWork.session`` so its rows commit
(or roll back) together with the entities of the same transaction: an outbox row with the
change it describes, a replay-guard row and a cursor with the record they applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from escap_desktop.core.clock import Clock
from escap_desktop.core.entities import new_id
from escap_desktop.store import mapping
from escap_desktop.store.driver import driver
from escap_desktop.store.sync_models import (
    SyncAppliedRow,
    SyncClockRow,
    SyncDeviceRequestRow,
    SyncInvitationRow,
    SyncOutboxRow,
    SyncParkedRow,
    SyncSharedRow,
    SyncStateRow,
    SyncTeamDeviceRow,
    SyncTeamKeyRow,
    SyncTeamRow,
)

T = TypeVar("T")

PENDING = "pending"
SENT = "sent"
REFUSED = "refused"

# Keys per ``IN`` query when prefetching (well below SQLite's bound-parameter limit).
_PREFETCH_CHUNK = 500


class SyncRepository:
    """One per transaction. Rows it read or wrote are remembered, so the outbox hook and the
    pull can look them up per record without a query (and the autoflush it would trigger)."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self._clock = clock
        self._clocks: dict[tuple[str, str], SyncClockRow | None] = {}
        self._shared: dict[tuple[str, str, str], bool] = {}
        self._applied: dict[tuple[str, str], bool] = {}
        self._devices: dict[tuple[str, str], SyncTeamDeviceRow | None] = {}
        self._keys: dict[str, dict[int, bytes]] = {}
        self._own: dict[str, bool] = {}
        self._applied_rows: list[tuple[str, str, bytes]] = []

    def _get(self, row_type: type[T], key: object) -> T | None:
        """A primary-key lookup that does not flush first: this repository tracks the rows it
        added itself, and everything else was flushed before the outbox hook or the pull ran."""
        with self.session.no_autoflush:
            return self.session.get(row_type, key)

    # -- state ------------------------------------------------------------------------------

    def state(self) -> SyncStateRow:
        """The single state row, created on first use with a fresh node id."""
        row = self.session.get(SyncStateRow, 1)
        if row is None:
            row = SyncStateRow(
                slot=1,
                node_id=new_id(),
                hlc_ms=0,
                hlc_counter=0,
                device_id=None,
                signing_key=None,
                encryption_key=None,
                key_slot=new_id(),
                key_storage="",
                registered_url="",
                key_cursor=0,
                last_sync_at=None,
                last_error="",
                failures=0,
            )
            self.session.add(row)
            self.session.flush()
        return row

    def hlc(self) -> tuple[str, int, int]:
        """(node id, ms, counter): the clock's last reading, read without loading the state
        row (from the row itself when this session holds it, its changes included); the row
        is created on first use, as by :meth:`state`."""
        held = self._held_state()
        if held is None:
            found = driver(self.session).first(
                "SELECT node_id, hlc_ms, hlc_counter FROM sync_state WHERE slot = 1"
            )
            if found is not None:
                return str(found[0]), int(found[1]), int(found[2])
            held = self.state()
        return held.node_id, held.hlc_ms, held.hlc_counter

    def save_hlc(self, ms: int, counter: int) -> None:
        """The clock's last reading saved by one UPDATE (a held state row is left agreeing
        with it): no ORM flush for the one change every shared write makes."""
        driver(self.session).execute(
            "UPDATE sync_state SET hlc_ms = ?, hlc_counter = ? WHERE slot = 1", (ms, counter)
        )
        held = self._held_state()
        if held is not None:
            set_committed_value(held, "hlc_ms", ms)
            set_committed_value(held, "hlc_counter", counter)

    def _held_state(self) -> SyncStateRow | None:
        held = self.session.identity_map.get(Session.identity_key(SyncStateRow, 1))
        return held if isinstance(held, SyncStateRow) else None

    def peek_state(self) -> SyncStateRow | None:
        return self.session.get(SyncStateRow, 1)

    # -- teams ------------------------------------------------------------------------------

    def team(self, team_id: str) -> SyncTeamRow | None:
        return self.session.get(SyncTeamRow, team_id)

    def team_for_escap(self, escap_id: str) -> SyncTeamRow | None:
        return self.session.scalars(
            select(SyncTeamRow).where(SyncTeamRow.escap_id == escap_id)
        ).first()

    def team_states(self) -> dict[str, str]:
        """Every team's state by team id, in one narrow query: what the outbox checks at each
        commit (nothing is shared when it is empty)."""
        self.session.flush()  # a team added or changed in this transaction counts
        rows = driver(self.session).execute("SELECT team_id, state FROM sync_team")
        return {str(team_id): str(state) for team_id, state in rows}

    def teams(self, *states: str) -> list[SyncTeamRow]:
        query = select(SyncTeamRow).order_by(SyncTeamRow.created_at, SyncTeamRow.team_id)
        if states:
            query = query.where(SyncTeamRow.state.in_(states))
        return list(self.session.scalars(query))

    def add_team(self, team_id: str, escap_id: str, *, is_admin: bool, state: str) -> SyncTeamRow:
        row = SyncTeamRow(
            team_id=team_id,
            escap_id=escap_id,
            is_admin=is_admin,
            state=state,
            cursor=0,
            review=True,
            created_at=self._clock.now(),
        )
        self.session.add(row)
        self.session.flush()
        return row

    def flag_review(self, team_id: str) -> None:
        self.session.execute(
            update(SyncTeamRow).where(SyncTeamRow.team_id == team_id).values(review=True)
        )

    # -- team keys --------------------------------------------------------------------------

    def team_keys(self, team_id: str) -> dict[int, bytes]:
        """The key versions this device may use: received, or renewed here and claimed on the
        relay (a renewal not claimed yet is :meth:`unclaimed_keys`)."""
        if team_id not in self._keys:
            rows = self.session.scalars(
                select(SyncTeamKeyRow).where(
                    SyncTeamKeyRow.team_id == team_id, SyncTeamKeyRow.pending.is_(False)
                )
            )
            self._keys[team_id] = {row.version: row.key for row in rows}
        return dict(self._keys[team_id])

    def add_team_key(
        self, team_id: str, version: int, key: bytes, *, pending: bool = False
    ) -> bool:
        """Stores a key version; False if this version was already held (kept unchanged).
        ``pending``: renewed here, not usable until the relay let this device claim it. A key
        received for a version held only as such a pending renewal replaces it: another
        administrator's renewal won that version."""
        if version in self.team_keys(team_id):
            return False
        unclaimed = self._get(SyncTeamKeyRow, (team_id, version))
        if unclaimed is not None:
            if pending:
                return False
            self.session.delete(unclaimed)
            self.session.flush()
        self.session.add(SyncTeamKeyRow(team_id=team_id, version=version, key=key, pending=pending))
        self.session.flush()
        if not pending:
            self._keys[team_id][version] = key
        return True

    def unclaimed_keys(self, team_id: str) -> dict[int, bytes]:
        """Key versions renewed here whose claim on the relay has not succeeded yet."""
        rows = self.session.scalars(
            select(SyncTeamKeyRow).where(
                SyncTeamKeyRow.team_id == team_id, SyncTeamKeyRow.pending.is_(True)
            )
        )
        return {row.version: row.key for row in rows}

    def settle_claim(self, team_id: str, versions: Iterable[int], *, won: bool) -> None:
        """The relay answered the claim of a renewal: its keys become usable, or go."""
        wanted = list(versions)
        rows = list(
            self.session.scalars(
                select(SyncTeamKeyRow).where(
                    SyncTeamKeyRow.team_id == team_id,
                    SyncTeamKeyRow.pending.is_(True),
                    SyncTeamKeyRow.version.in_(wanted),
                )
            )
        )
        for row in rows:
            if won:
                row.pending = False
            else:
                self.session.delete(row)
        self.session.flush()
        self._keys.pop(team_id, None)

    # -- team devices -----------------------------------------------------------------------

    def device(self, team_id: str, device_id: str) -> SyncTeamDeviceRow | None:
        key = (team_id, device_id)
        if key not in self._devices:
            self._devices[key] = self._get(SyncTeamDeviceRow, key)
        return self._devices[key]

    def devices(self, team_id: str) -> list[SyncTeamDeviceRow]:
        return list(
            self.session.scalars(
                select(SyncTeamDeviceRow)
                .where(SyncTeamDeviceRow.team_id == team_id)
                .order_by(SyncTeamDeviceRow.device_id)
            )
        )

    def remember_device(
        self,
        team_id: str,
        device_id: str,
        signing_key: bytes,
        encryption_key: bytes,
        professional_wire_id: str | None,
        *,
        vouched: bool = False,
    ) -> SyncTeamDeviceRow:
        """``vouched``: a member vouches for these keys (see ``SyncTeamDeviceRow.vouched``);
        once vouched a device stays so, with the professional it was vouched for. A device
        newly vouched for has the team reviewed (it may be one the team rule makes an
        administrator: a médecin traitant's new computer)."""
        row = self.device(team_id, device_id)
        if vouched and (row is None or not row.vouched):
            self.flag_review(team_id)
        if row is None:
            row = SyncTeamDeviceRow(
                team_id=team_id,
                device_id=device_id,
                signing_key=signing_key,
                encryption_key=encryption_key,
                professional_wire_id=professional_wire_id,
                max_key_version=None,
                delivered_version=0,
                vouched=vouched,
            )
            self.session.add(row)
            self._devices[(team_id, device_id)] = row
        elif vouched and not row.vouched:
            row.vouched = True
            row.professional_wire_id = professional_wire_id or row.professional_wire_id
        elif professional_wire_id and not row.professional_wire_id:
            row.professional_wire_id = professional_wire_id
        self.session.flush()
        return row

    def cut_off_professional(self, team_id: str, professional_wire_id: str, version: int) -> None:
        """Records by this professional's devices sealed after ``version`` will be refused."""
        for row in self.session.scalars(
            select(SyncTeamDeviceRow).where(
                SyncTeamDeviceRow.team_id == team_id,
                SyncTeamDeviceRow.professional_wire_id == professional_wire_id,
            )
        ):
            _cut_off(row, version)

    def cut_off_devices(self, team_id: str, device_ids: Iterable[str], version: int) -> None:
        """Records by these devices (lost computers of a member who stays) sealed after
        ``version`` will be refused, as :meth:`cut_off_professional` does for a whole member."""
        for device_id in device_ids:
            row = self.device(team_id, device_id)
            if row is not None:
                _cut_off(row, version)

    # -- outbox -----------------------------------------------------------------------------

    def add_outbox(
        self, team_id: str, entity_type: str, entity_id: str, payload: bytes
    ) -> SyncOutboxRow:
        row = SyncOutboxRow(
            record_id=new_id(),
            team_id=team_id,
            entity_type=entity_type,
            entity_id=entity_id,
            payload=payload,
            envelope=None,
            status=PENDING,
            relay_seq=None,
            created_at=self._clock.now(),
            sent_at=None,
        )
        self.session.add(row)
        return row

    def add_outbox_rows(self, rows: Sequence[tuple[str, str, str, bytes]]) -> None:
        """Many ``add_outbox`` (team, entity type, entity id, payload) in one ``executemany``,
        in order, without ORM objects: the outbox writer's rows for a whole unit of work."""
        if not rows:
            return
        raw = driver(self.session)
        plan = mapping.insert_plan(SyncOutboxRow, raw.dialect)
        # The values every row shares, converted once by their column types.
        (shared,) = plan.convert(
            [
                tuple(
                    {"status": PENDING, "created_at": self._clock.now()}.get(name)
                    for name in plan.names
                )
            ]
        )
        # Each row: the shared values with its own five put in place by position (a unit of
        # work of a thousand messages writes a thousand of these).
        template = list(shared)
        where = plan.names.index
        record, team, kind, entity, data = (
            where(name) for name in ("record_id", "team_id", "entity_type", "entity_id", "payload")
        )
        ordered = []
        for team_id, entity_type, entity_id, payload in rows:
            values = template.copy()
            values[record] = new_id()
            values[team] = team_id
            values[kind] = entity_type
            values[entity] = entity_id
            values[data] = payload
            ordered.append(tuple(values))
        raw.executemany(plan.sql, ordered)

    def pending_outbox(self, limit: int, team_ids: Sequence[str]) -> list[SyncOutboxRow]:
        if not team_ids:
            return []
        return list(
            self.session.scalars(
                select(SyncOutboxRow)
                .where(SyncOutboxRow.status == PENDING, SyncOutboxRow.team_id.in_(team_ids))
                .order_by(SyncOutboxRow.seq)
                .limit(limit)
            )
        )

    def outbox_rows(self, record_ids: Sequence[str]) -> list[SyncOutboxRow]:
        return list(
            self.session.scalars(
                select(SyncOutboxRow)
                .where(SyncOutboxRow.record_id.in_(record_ids))
                .order_by(SyncOutboxRow.seq)
            )
        )

    def last_outbox_seq(self, team_id: str) -> int:
        """The team's newest outbox row (0 when none): where a resend of its file ends."""
        self.session.flush()
        return int(
            self.session.scalar(
                select(func.max(SyncOutboxRow.seq)).where(SyncOutboxRow.team_id == team_id)
            )
            or 0
        )

    def pending_up_to(self, team_id: str, seq: int) -> int:
        """How many of the team's outbox rows up to ``seq`` the relay has not acknowledged."""
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(SyncOutboxRow)
                .where(
                    SyncOutboxRow.team_id == team_id,
                    SyncOutboxRow.status == PENDING,
                    SyncOutboxRow.seq <= seq,
                )
            )
            or 0
        )

    def pending_count(self) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(SyncOutboxRow)
                .where(SyncOutboxRow.status == PENDING)
            )
            or 0
        )

    def prefetch_own(self, record_ids: Sequence[str]) -> None:
        found = set(
            self.session.scalars(
                select(SyncOutboxRow.record_id).where(SyncOutboxRow.record_id.in_(record_ids))
            )
        )
        for record_id in record_ids:
            self._own.setdefault(record_id, record_id in found)

    def is_own_record(self, record_id: str) -> bool:
        """Whether this store wrote the record (it is in the outbox, sent or not)."""
        if record_id not in self._own:
            with self.session.no_autoflush:
                self._own[record_id] = (
                    self.session.scalar(
                        select(SyncOutboxRow.seq).where(SyncOutboxRow.record_id == record_id)
                    )
                    is not None
                )
        return self._own[record_id]

    def mark_sent(self, acknowledged: Sequence[tuple[str, int]], at: datetime) -> None:
        """Sent and acknowledged (record id, relay sequence): the clear payload is dropped, the
        store keeps the entity. One statement for a whole pushed batch."""
        if not acknowledged:
            return
        # Through the connection: an executemany of one prepared statement, not one ORM update
        # per record.
        self.session.connection().execute(
            update(SyncOutboxRow)
            .where(SyncOutboxRow.record_id == bindparam("acknowledged_id"))
            .values(
                status=SENT,
                relay_seq=bindparam("acknowledged_seq"),
                sent_at=at,
                payload=None,
                envelope=None,
            ),
            [
                {"acknowledged_id": record_id, "acknowledged_seq": seq}
                for record_id, seq in acknowledged
            ],
        )

    def mark_refused(self, team_id: str) -> int:
        """The relay refuses this device in the team (removed): its pending records stay here."""
        result = self.session.execute(
            update(SyncOutboxRow)
            .where(SyncOutboxRow.team_id == team_id, SyncOutboxRow.status == PENDING)
            .values(status=REFUSED)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # -- replay guard -----------------------------------------------------------------------

    def prefetch_applied(self, team_id: str, record_ids: Sequence[str]) -> None:
        """One query for a whole page instead of one per envelope."""
        found = set(
            self.session.scalars(
                select(SyncAppliedRow.record_id).where(
                    SyncAppliedRow.team_id == team_id, SyncAppliedRow.record_id.in_(record_ids)
                )
            )
        )
        for record_id in record_ids:
            self._applied.setdefault((team_id, record_id), record_id in found)

    def was_applied(self, team_id: str, record_id: str) -> bool:
        key = (team_id, record_id)
        if key not in self._applied:
            self._applied[key] = self._get(SyncAppliedRow, key) is not None
        return self._applied[key]

    def mark_applied(self, team_id: str, record_id: str, digest: bytes) -> None:
        self.session.add(SyncAppliedRow(team_id=team_id, record_id=record_id, digest=digest))
        self._applied[(team_id, record_id)] = True

    def mark_applied_later(self, team_id: str, record_id: str, digest: bytes) -> None:
        """As :meth:`mark_applied` (``was_applied`` says so at once), the row being written by
        :meth:`write_applied`, which the caller runs before its transaction commits."""
        key = (team_id, record_id)
        if self._applied.get(key):
            raise ValueError(f"enregistrement déjà marqué comme reçu : {record_id}")
        self._applied[key] = True
        self._applied_rows.append((team_id, record_id, digest))

    def write_applied(self) -> None:
        """The rows :meth:`mark_applied_later` queued, in one ``executemany``."""
        if self._applied_rows:
            driver(self.session).executemany(
                "INSERT INTO sync_applied (team_id, record_id, digest) VALUES (?, ?, ?)",
                self._applied_rows,
            )
            self._applied_rows = []

    # -- clocks -----------------------------------------------------------------------------

    def prefetch_clocks(self, keys: Sequence[tuple[str, str]]) -> None:
        """The clocks of many records in one query per type (and per 500), not one each."""
        wanted = list(dict.fromkeys(key for key in keys if key not in self._clocks))
        for entity_type in sorted({entity_type for entity_type, _ in wanted}):
            ids = [entity_id for kind, entity_id in wanted if kind == entity_type]
            for start in range(0, len(ids), _PREFETCH_CHUNK):
                with self.session.no_autoflush:  # same reasoning as _get
                    rows = self.session.scalars(
                        select(SyncClockRow).where(
                            SyncClockRow.entity_type == entity_type,
                            SyncClockRow.entity_id.in_(ids[start : start + _PREFETCH_CHUNK]),
                        )
                    ).all()
                for row in rows:
                    self._clocks[(entity_type, row.entity_id)] = row
        for key in wanted:
            self._clocks.setdefault(key, None)

    def insert_clocks(self, rows: Sequence[tuple[str, str, str, str]]) -> None:
        """New clock rows (entity type, id, clocks, hashes) in one ``executemany``, for records this
        repository found without one (``prefetch_clocks``); later lookups read them back."""
        if not rows:
            return
        for entity_type, entity_id, _clocks, _hashes in rows:
            if self._clocks.get((entity_type, entity_id)) is not None:
                raise ValueError(f"horloges déjà enregistrées : {entity_type} {entity_id}")
        driver(self.session).executemany(
            "INSERT INTO sync_clock (entity_type, entity_id, clocks, hashes) VALUES (?, ?, ?, ?)",
            list(rows),
        )
        for entity_type, entity_id, _clocks, _hashes in rows:
            self._clocks.pop((entity_type, entity_id), None)

    def clock(self, entity_type: str, entity_id: str) -> SyncClockRow | None:
        key = (entity_type, entity_id)
        if key not in self._clocks:
            self._clocks[key] = self._get(SyncClockRow, key)
        return self._clocks[key]

    def save_clock(self, entity_type: str, entity_id: str, clocks: str, hashes: str) -> None:
        row = self.clock(entity_type, entity_id)
        if row is None:
            row = SyncClockRow(
                entity_type=entity_type, entity_id=entity_id, clocks=clocks, hashes=hashes
            )
            self.session.add(row)
            self._clocks[(entity_type, entity_id)] = row
        else:
            row.clocks = clocks
            row.hashes = hashes

    # -- shared patients and professionals --------------------------------------------------

    def is_shared(self, team_id: str, entity_type: str, entity_id: str) -> bool:
        key = (team_id, entity_type, entity_id)
        if key not in self._shared:
            # Like ``_get`` (no flush), without loading a row: whether one exists.
            found = driver(self.session).first(
                "SELECT 1 FROM sync_shared WHERE team_id = ? AND entity_type = ? AND entity_id = ?",
                key,
            )
            self._shared[key] = found is not None
        return self._shared[key]

    def mark_shared(self, team_id: str, entity_type: str, entity_id: str) -> None:
        if not self.is_shared(team_id, entity_type, entity_id):
            self.session.add(
                SyncSharedRow(team_id=team_id, entity_type=entity_type, entity_id=entity_id)
            )
            self._shared[(team_id, entity_type, entity_id)] = True

    def teams_sharing(self, entity_type: str, entity_id: str) -> list[str]:
        return list(
            self.session.scalars(
                select(SyncSharedRow.team_id)
                .where(
                    SyncSharedRow.entity_type == entity_type, SyncSharedRow.entity_id == entity_id
                )
                .order_by(SyncSharedRow.team_id)
            )
        )

    # -- invitations ------------------------------------------------------------------------

    def invitation(self, invitation_id: str) -> SyncInvitationRow | None:
        return self.session.get(SyncInvitationRow, invitation_id)

    def invitations(self, direction: str, *statuses: str) -> list[SyncInvitationRow]:
        query = (
            select(SyncInvitationRow)
            .where(SyncInvitationRow.direction == direction)
            .order_by(SyncInvitationRow.created_at, SyncInvitationRow.invitation_id)
        )
        if statuses:
            query = query.where(SyncInvitationRow.status.in_(statuses))
        return list(self.session.scalars(query))

    def sent_invitation_for(
        self, membership_id: str, device_id: str | None = None
    ) -> SyncInvitationRow | None:
        """The invitation sent for this membership (to that device, when given)."""
        query = select(SyncInvitationRow).where(
            SyncInvitationRow.membership_id == membership_id,
            SyncInvitationRow.direction == "sent",
        )
        if device_id is not None:
            query = query.where(SyncInvitationRow.peer_device_id == device_id)
        return self.session.scalars(query).first()

    def answered_invitation_for(self, membership_id: str) -> bool:
        """One device proved this membership's code: no other device is invited for it."""
        return (
            self.session.scalars(
                select(SyncInvitationRow).where(
                    SyncInvitationRow.membership_id == membership_id,
                    SyncInvitationRow.direction == "sent",
                    SyncInvitationRow.status.in_(("accepted", "declined")),
                )
            ).first()
            is not None
        )

    def add_device_request(self, row: SyncDeviceRequestRow) -> None:
        self.session.add(row)
        self.session.flush()

    def open_device_requests(self) -> list[SyncDeviceRequestRow]:
        return list(
            self.session.scalars(
                select(SyncDeviceRequestRow)
                .where(SyncDeviceRequestRow.done_at.is_(None))
                .order_by(SyncDeviceRequestRow.created_at, SyncDeviceRequestRow.request_id)
            )
        )

    def finish_device_requests(self, membership_id: str, code: str) -> bool:
        """The new computer proved ``code``: its request is done. True when it replaces a lost
        computer (``SyncDeviceRequestRow.replaces``)."""
        replaces = False
        for row in self.session.scalars(
            select(SyncDeviceRequestRow).where(
                SyncDeviceRequestRow.membership_id == membership_id,
                SyncDeviceRequestRow.code == code,
                SyncDeviceRequestRow.done_at.is_(None),
            )
        ):
            row.done_at = self._clock.now()
            replaces = replaces or row.replaces
        return replaces

    def retire_devices(self, team_id: str, professional_wire_id: str, keep: str) -> int:
        """A member's computers in the team but ``keep`` are lost: marked to be removed."""
        count = 0
        for row in self.devices(team_id):
            if row.professional_wire_id == professional_wire_id and row.device_id != keep:
                row.retired = True
                count += 1
        return count

    def add_invitation(self, row: SyncInvitationRow) -> None:
        self.session.add(row)
        self.session.flush()

    # -- parked envelopes -------------------------------------------------------------------

    def park(self, team_id: str, record_id: str, relay_seq: int, envelope: bytes) -> None:
        if self.session.get(SyncParkedRow, (team_id, record_id)) is None:
            self.session.add(
                SyncParkedRow(
                    team_id=team_id, record_id=record_id, relay_seq=relay_seq, envelope=envelope
                )
            )

    def parked(self, team_id: str) -> list[SyncParkedRow]:
        return list(
            self.session.scalars(
                select(SyncParkedRow)
                .where(SyncParkedRow.team_id == team_id)
                .order_by(SyncParkedRow.relay_seq)
            )
        )

    def unpark(self, team_id: str, record_id: str) -> None:
        self.session.execute(
            delete(SyncParkedRow).where(
                SyncParkedRow.team_id == team_id, SyncParkedRow.record_id == record_id
            )
        )


def _cut_off(row: SyncTeamDeviceRow, version: int) -> None:
    """The device's records sealed after ``version`` are refused from now on (the lowest
    cut-off wins)."""
    if row.max_key_version is None or row.max_key_version > version:
        row.max_key_version = version
