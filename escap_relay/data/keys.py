"""Sealed team keys waiting for their recipients (one row per team, key version and member).

The relay cannot open them (sealed to each member's X25519 key) and checks the sender's
signature only to turn garbage away early: recipients check it again themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from sqlalchemy import Connection, insert, select

from escap_desktop.sync.wire import DeliveredKey, DeliveredKeyList, KeyDelivery
from escap_relay.data import teams as team_data
from escap_relay.problems import ProblemError
from escap_relay.schema import key_deliveries, key_versions


def check_signatures(deliveries: Iterable[KeyDelivery], sender_key: VerifyKey) -> None:
    for delivery in deliveries:
        try:
            sender_key.verify(delivery.signing_bytes(), delivery.signature)
        except BadSignatureError as error:
            raise ProblemError(
                422,
                "signature-cle-invalide",
                "La signature d'une clé d'équipe transmise ne correspond pas à son contenu.",
            ) from error


def deliver(
    conn: Connection, team_id: str, sender_id: str, deliveries: list[KeyDelivery], now: datetime
) -> int:
    """Stores keys sent by a member to current members; identical re-sends are harmless."""
    team_data.lock_for_write(conn, team_id, sender_id, now)
    for delivery in deliveries:
        if delivery.team_id != team_id or delivery.sender_id != sender_id:
            raise ProblemError(
                422,
                "livraison-incoherente",
                "Une clé transmise ne correspond pas à cette équipe ou à cet expéditeur.",
            )
        if not team_data.is_member(conn, team_id, delivery.recipient_id):
            raise ProblemError(
                409,
                "destinataire-non-membre",
                "Une clé d'équipe ne peut être remise qu'à un membre actuel de l'équipe.",
                recipient_id=delivery.recipient_id,
            )
    return store(conn, deliveries, now)


def claim_versions(
    conn: Connection, team_id: str, device_id: str, versions: list[int], now: datetime
) -> None:
    """An administrator's device claims the key versions it is about to create; 409 if another
    device claimed one of them first (two administrators renewing at the same moment). A
    device's own claim again is harmless (a retry after a lost answer)."""
    team_data.require_member(conn, team_id, device_id)
    team_data.lock_for_write(conn, team_id, device_id, now)
    team_data.require_admin(conn, team_id, device_id, "renouveler les clés de l'équipe")
    rows = conn.execute(
        select(key_versions.c.version, key_versions.c.creator_id).where(
            key_versions.c.team_id == team_id, key_versions.c.version.in_(versions)
        )
    )
    claimed = {row.version: row.creator_id for row in rows}
    taken = sorted(version for version, creator in claimed.items() if creator != device_id)
    if taken:
        raise ProblemError(
            409,
            "version-attribuee",
            "Un autre administrateur de l'équipe vient d'en renouveler les clés : ce sont les "
            "siennes qui serviront.",
            versions=taken,
        )
    fresh = sorted(set(versions) - set(claimed))
    if fresh:
        conn.execute(
            insert(key_versions),
            [
                {"team_id": team_id, "version": version, "creator_id": device_id, "created_at": now}
                for version in fresh
            ],
        )


def store(conn: Connection, deliveries: Iterable[KeyDelivery], now: datetime) -> int:
    stored = 0
    for delivery in deliveries:
        existing = conn.execute(
            select(key_deliveries.c.sealed_key, key_deliveries.c.signature).where(
                key_deliveries.c.team_id == delivery.team_id,
                key_deliveries.c.key_version == delivery.key_version,
                key_deliveries.c.recipient_id == delivery.recipient_id,
            )
        ).first()
        if existing is not None:
            if (existing.sealed_key, existing.signature) != (
                delivery.sealed_key,
                delivery.signature,
            ):
                raise ProblemError(
                    409,
                    "version-de-cle-existante",
                    "Ce membre a déjà reçu une autre clé pour cette version : "
                    "une nouvelle clé doit porter une nouvelle version.",
                    key_version=delivery.key_version,
                )
            continue
        conn.execute(
            insert(key_deliveries).values(
                team_id=delivery.team_id,
                key_version=delivery.key_version,
                recipient_id=delivery.recipient_id,
                sender_id=delivery.sender_id,
                sealed_key=delivery.sealed_key,
                signature=delivery.signature,
                created_at=now,
            )
        )
        stored += 1
    return stored


def fetch(conn: Connection, recipient_id: str, after: int, limit: int) -> DeliveredKeyList:
    rows = conn.execute(
        select(key_deliveries)
        .where(key_deliveries.c.recipient_id == recipient_id, key_deliveries.c.id > after)
        .order_by(key_deliveries.c.id)
        .limit(limit)
    ).all()
    keys = [
        DeliveredKey(
            id=row.id,
            delivery=KeyDelivery(
                team_id=row.team_id,
                key_version=row.key_version,
                recipient_id=row.recipient_id,
                sender_id=row.sender_id,
                sealed_key=row.sealed_key,
                signature=row.signature,
            ),
        )
        for row in rows
    ]
    return DeliveredKeyList(keys=keys, next_cursor=keys[-1].id if keys else after)
