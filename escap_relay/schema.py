"""The relay's tables (SQLAlchemy Core), as the latest Alembic migration leaves them.

Nothing here can hold plaintext: envelopes are stored as the JSON the author signed (base64url
ciphertext), keys are public keys or sealed boxes, and teams are random opaque ids.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    false,
)

metadata = MetaData()

# BIGINT autoincrement keys are plain INTEGER on SQLite, the only type it auto-increments.
BigId = BigInteger().with_variant(Integer(), "sqlite")

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(32), primary_key=True),
    Column("signing_key", LargeBinary(32), nullable=False),
    Column("encryption_key", LargeBinary(32), nullable=False),
    # A hint for discovery, never a binding: several devices may give the same RPPS number
    # (an office PC and a laptop, or someone posing as that professional); only the invitation's
    # one-time code proves who is who (escap_desktop/sync/join_proof.py).
    Column("rpps", String(11), nullable=True),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Index("ix_devices_rpps", "rpps"),
)

teams = Table(
    "teams",
    metadata,
    Column("team_id", String(64), primary_key=True),
    Column("admin_device_id", String(32), ForeignKey("devices.device_id"), nullable=False),
    Column("head_seq", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Every envelope up to this number is purged: a cursor below it has lost records.
    Column("purged_seq", BigInteger, nullable=False, server_default="0"),
    # A member's device sends the team's file again (``escap_relay.data.history``): asked for
    # by a device below the purged part, claimed by one sender at a time, and once complete the
    # cursor its state covered, after which such a device resumes.
    Column("history_wanted_at", DateTime(timezone=True), nullable=True),
    Column("history_claimed_by", String(32), nullable=True),
    Column("history_claimed_at", DateTime(timezone=True), nullable=True),
    Column("history_base_seq", BigInteger, nullable=True),
    Column("resume_seq", BigInteger, nullable=True),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", String(64), ForeignKey("teams.team_id"), primary_key=True),
    Column("device_id", String(32), ForeignKey("devices.device_id"), primary_key=True),
    Column("added_by", String(32), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    # The highest cursor this device pulled from: it had stored everything up to it.
    Column("acked_seq", BigInteger, nullable=False, server_default="0"),
    # May remove members, make other members administrators and renew the keys.
    Column("is_admin", Boolean, nullable=False, server_default=false()),
    Index("ix_team_members_device", "device_id"),
)

key_versions = Table(
    "key_versions",
    metadata,
    # A renewed key version belongs to the administrator's device that claimed it first: two
    # administrators renewing at once cannot make two keys under one version.
    Column("team_id", String(64), ForeignKey("teams.team_id"), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("creator_id", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

admin_votes = Table(
    "admin_votes",
    metadata,
    # A member device that is no administrator asks for another member device to be named one
    # (the clients' rule names it: the médecin traitant's, the creator's). Two such requests
    # from two other member devices name it: a team whose only administrator's computer is
    # lost is not left without one (``escap_relay.data.teams.make_admin``).
    Column("team_id", String(64), ForeignKey("teams.team_id"), primary_key=True),
    Column("device_id", String(32), primary_key=True),
    Column("voter_id", String(32), primary_key=True),
    Column("voted_at", DateTime(timezone=True), nullable=False),
)

envelopes = Table(
    "envelopes",
    metadata,
    Column("team_id", String(64), ForeignKey("teams.team_id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("record_id", String(64), nullable=False),
    Column("author_id", String(32), nullable=False),
    Column("digest", LargeBinary(32), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("team_id", "record_id", name="uq_envelopes_team_record"),
    Index("ix_envelopes_received_at", "received_at"),
)

key_deliveries = Table(
    "key_deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("team_id", String(64), ForeignKey("teams.team_id"), nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("recipient_id", String(32), ForeignKey("devices.device_id"), nullable=False),
    Column("sender_id", String(32), nullable=False),
    Column("sealed_key", LargeBinary, nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "team_id", "key_version", "recipient_id", name="uq_key_deliveries_version_recipient"
    ),
    Index("ix_key_deliveries_recipient", "recipient_id", "id"),
)

invitations = Table(
    "invitations",
    metadata,
    Column("invitation_id", String(64), primary_key=True),
    Column("team_id", String(64), ForeignKey("teams.team_id"), nullable=False),
    Column("inviter_id", String(32), nullable=False),
    Column("invitee_id", String(32), ForeignKey("devices.device_id"), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
    Column("withheld_keys", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    Column("proof", LargeBinary(32), nullable=True),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Index("ix_invitations_invitee", "invitee_id"),
    Index("ix_invitations_inviter", "inviter_id"),
)

request_nonces = Table(
    "request_nonces",
    metadata,
    # The primary key is the replay guard: a second insert of the same nonce fails everywhere.
    Column("device_id", String(32), primary_key=True),
    Column("nonce", String(32), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_request_nonces_expires_at", "expires_at"),
)
