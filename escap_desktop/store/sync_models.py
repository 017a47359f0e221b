"""Rows of the sync module's own tables, in the same encrypted store as the entities.

They share ``models.Base`` so one Alembic history (step 0003) owns them and the schema test
compares them too; they live in their own module so the entity tables stay readable. Nothing
here is shown to the user directly: :mod:`escap_desktop.store.sync_repository` reads and writes
them for :mod:`escap_desktop.sync`.

Secrets kept here (team keys, outbox payloads in clear) are protected like the health data
itself: by the store's SQLCipher key. Device private keys are not here (keyring or key file).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from escap_desktop.store.column_types import UtcDateTime
from escap_desktop.store.models import ID, Base

TEAM_ID = String(64)
DEVICE_ID = String(32)


class SyncStateRow(Base):
    """One row: this store's sync identity, clock and cursors.

    ``node_id`` breaks ties between equal clock readings of two stores; it exists from the first
    shared change, before any device keys (a professional may invite colleagues offline).
    """

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("slot = 1", name="ck_sync_state_single_row"),)

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    node_id: Mapped[str] = mapped_column(ID)
    hlc_ms: Mapped[int] = mapped_column(Integer)
    hlc_counter: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[str | None] = mapped_column(DEVICE_ID)
    signing_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    encryption_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_slot: Mapped[str] = mapped_column(ID)
    key_storage: Mapped[str] = mapped_column(String(20))
    registered_url: Mapped[str] = mapped_column(Text)
    key_cursor: Mapped[int] = mapped_column(Integer)
    last_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer)


class SyncTeamRow(Base):
    """A team on the relay for one ESCAP episode (``team_id`` is ``Escap.team_id``).

    ``state``: ``new`` (to create on the relay), ``active``, ``joining`` (invitation accepted,
    own membership to confirm once the history is in), ``removed`` (this device was removed).
    ``review`` asks the next cycle to compare memberships with the relay (removals, keys).
    ``consent_amendment`` is the consent amendment the admin last rotated the keys for: a newer
    one rotates them again, sealed only to the members the amended consent allows.
    """

    __tablename__ = "sync_team"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    escap_id: Mapped[str] = mapped_column(ID, index=True)
    is_admin: Mapped[bool]
    state: Mapped[str] = mapped_column(String(20))
    cursor: Mapped[int] = mapped_column(Integer)
    review: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    consent_amendment: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The team's file this device is sending again (``sync/history.py``): the relay cursor it
    # covers and its last outbox row; NULL when no resend is under way.
    resend_base: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resend_upto: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SyncTeamKeyRow(Base):
    """One version of a team key held by this device."""

    __tablename__ = "sync_team_key"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[bytes] = mapped_column(LargeBinary)
    # Renewed by this device, not claimed on the relay yet: not used to seal nor delivered
    # until the claim succeeds (another administrator may have renewed the keys first).
    pending: Mapped[bool] = mapped_column(default=False, server_default=false())


class SyncTeamDeviceRow(Base):
    """A device known to have been a member of a team, and what it may still author.

    ``max_key_version`` is set once its professional left or was removed: records it sealed
    with a later key version are refused. ``delivered_version`` is the newest key version this
    device delivered to it (so each key is sealed to each member once).
    """

    __tablename__ = "sync_team_device"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    device_id: Mapped[str] = mapped_column(DEVICE_ID, primary_key=True)
    signing_key: Mapped[bytes] = mapped_column(LargeBinary)
    encryption_key: Mapped[bytes] = mapped_column(LargeBinary)
    professional_wire_id: Mapped[str | None] = mapped_column(ID)
    max_key_version: Mapped[int | None] = mapped_column(Integer)
    delivered_version: Mapped[int] = mapped_column(Integer)
    # A member vouched for these keys: this device checked the device's proof of an invitation
    # code, accepted an invitation it signed, or received a member's signed professional record
    # carrying them. Only such devices get team keys or are trusted to send them; a device only
    # listed by the relay (which a compromised relay could add) gets nothing.
    vouched: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A lost or stolen computer of a member who stays, replaced by a new one: this
    # (administrator's) device removes it from the team and renews the keys without it.
    retired: Mapped[bool] = mapped_column(default=False, server_default=false())


class SyncOutboxRow(Base):
    """One record version to push, written in the transaction that changed the entity.

    ``payload`` is the record in clear (inside the encrypted store); ``envelope`` its sealed
    form, written once before the first push attempt so that a resend after a lost answer sends
    the very same bytes (the relay is idempotent by record id only for identical bytes).
    """

    __tablename__ = "sync_outbox"
    __table_args__ = (Index("ix_sync_outbox_status_seq", "status", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Unique and set by the writer: lets SQLAlchemy insert a commit's rows in batches and still
    # match each returned ``seq`` to its row (DDL unchanged).
    record_id: Mapped[str] = mapped_column(ID, unique=True, insert_sentinel=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(ID)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    envelope: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10))
    relay_seq: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SyncAppliedRow(Base):
    """Records applied from the relay: the replay guard, written with the record it applied."""

    __tablename__ = "sync_applied"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary)


class SyncClockRow(Base):
    """Per entity, the hybrid logical clock of each merge group and a hash of its value.

    The hashes tell a local write which groups it really changed (only those get a new clock).
    """

    __tablename__ = "sync_clock"

    entity_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ID, primary_key=True)
    clocks: Mapped[str] = mapped_column(Text)
    hashes: Mapped[str] = mapped_column(Text)


class SyncSharedRow(Base):
    """A patient or professional record already sent to (or received from) a team."""

    __tablename__ = "sync_shared"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ID, primary_key=True)


class SyncInvitationRow(Base):
    """An invitation sent by this device, or received and shown until answered.

    ``decision`` is the professional's answer, recorded at once and carried to the relay by the
    next cycle (the app never waits for the network). ``summary`` is the opened invitation text
    (JSON) of a received invitation.
    """

    __tablename__ = "sync_invitation"

    invitation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    direction: Mapped[str] = mapped_column(String(10))
    team_id: Mapped[str] = mapped_column(TEAM_ID)
    escap_id: Mapped[str] = mapped_column(ID)
    membership_id: Mapped[str] = mapped_column(ID, index=True)
    peer_device_id: Mapped[str] = mapped_column(DEVICE_ID)
    status: Mapped[str] = mapped_column(String(10))
    decision: Mapped[str] = mapped_column(String(10))
    # The invitation's one-time code as the invitee typed it (received side, until answered).
    join_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SyncDeviceRequestRow(Base):
    """A member's new computer to bring into a team (its old one lost, replaced, or a second
    one): a colleague of the team asked for it here and gave the member ``code``, read out or
    handed over, never sent. Invitations then go to that member's devices not in the team yet;
    the one that proves the code joins (``sync/invitations.py``). ``done_at`` once it has."""

    __tablename__ = "sync_device_request"

    request_id: Mapped[str] = mapped_column(ID, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID)
    membership_id: Mapped[str] = mapped_column(ID, index=True)
    code: Mapped[str] = mapped_column(String(40))
    # The old computer is lost or stolen: once the new one joined, it leaves the team.
    replaces: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SyncParkedRow(Base):
    """A pulled envelope kept aside until this device holds the key version it needs."""

    __tablename__ = "sync_parked"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    relay_seq: Mapped[int] = mapped_column(Integer)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
