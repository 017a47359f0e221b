"""Registered devices: public keys, and the RPPS number each gives (a hint, several per number)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from escap_desktop.sync.wire import (
    DeviceInfo,
    DeviceList,
    DeviceRegistration,
    fingerprint_for,
    key_id_for,
)
from escap_relay.database import as_utc
from escap_relay.identity import BindingDecision, IdentityVerifier
from escap_relay.problems import ProblemError
from escap_relay.schema import devices


def device_info(row: Row) -> DeviceInfo:
    return DeviceInfo(
        device_id=row.device_id,
        signing_key=row.signing_key,
        encryption_key=row.encryption_key,
        fingerprint=fingerprint_for(row.signing_key, row.encryption_key),
        rpps=row.rpps,
        registered_at=as_utc(row.registered_at),
    )


def signing_key(conn: Connection, device_id: str) -> bytes | None:
    return conn.scalar(select(devices.c.signing_key).where(devices.c.device_id == device_id))


def get(conn: Connection, device_id: str) -> DeviceInfo:
    row = conn.execute(select(devices).where(devices.c.device_id == device_id)).first()
    if row is None:
        raise ProblemError(
            404, "appareil-inconnu", "Aucun appareil enregistré sous cet identifiant."
        )
    return device_info(row)


def by_rpps(conn: Connection, rpps: str) -> DeviceList:
    """Every device that gave this number, oldest first (the inviter invites each of them; only
    the one whose professional holds the invitation's code can answer it)."""
    rows = conn.execute(
        select(devices)
        .where(devices.c.rpps == rpps)
        .order_by(devices.c.registered_at, devices.c.device_id)
    ).all()
    if not rows:
        raise ProblemError(
            404,
            "rpps-inconnu",
            "Aucun appareil n'est enregistré pour ce numéro RPPS : le professionnel doit "
            "d'abord installer ESCAP Desktop et se connecter au relais.",
        )
    return DeviceList(devices=[device_info(row) for row in rows])


def register(
    conn: Connection,
    registration: DeviceRegistration,
    verifier: IdentityVerifier,
    evidence: Mapping[str, str],
    now: datetime,
) -> tuple[DeviceInfo, bool]:
    """Registers (or confirms) a device; returns it and whether it is new.

    Registering the same keys again is harmless (a device that lost the answer retries).
    """
    device_id = key_id_for(registration.signing_key)
    existing = conn.execute(select(devices).where(devices.c.device_id == device_id)).first()
    if existing is not None and existing.encryption_key != registration.encryption_key:
        raise ProblemError(
            409,
            "appareil-deja-enregistre",
            "Cet appareil est déjà enregistré avec une autre clé de chiffrement.",
        )
    if registration.rpps is not None and (existing is None or existing.rpps != registration.rpps):
        bound = conn.scalar(
            select(devices.c.device_id)
            .where(devices.c.rpps == registration.rpps)
            .order_by(devices.c.registered_at)
        )
        decision = verifier.decide(registration.rpps, device_id, bound, evidence)
        if decision is BindingDecision.REFUSE:
            raise ProblemError(
                403,
                "rpps-non-prouve",
                "Ce relais exige une preuve d'identité (Pro Santé Connect) pour ce numéro RPPS.",
            )
        if decision is BindingDecision.REPLACE:
            conn.execute(
                update(devices)
                .where(devices.c.rpps == registration.rpps, devices.c.device_id != device_id)
                .values(rpps=None)
            )
    if existing is not None:
        if registration.rpps is not None and existing.rpps != registration.rpps:
            conn.execute(
                update(devices)
                .where(devices.c.device_id == device_id)
                .values(rpps=registration.rpps)
            )
        return get(conn, device_id), False
    try:
        with conn.begin_nested():
            conn.execute(
                insert(devices).values(
                    device_id=device_id,
                    signing_key=registration.signing_key,
                    encryption_key=registration.encryption_key,
                    rpps=registration.rpps,
                    registered_at=now,
                )
            )
    except IntegrityError as error:
        raise ProblemError(
            409,
            "enregistrement-concurrent",
            "Un autre enregistrement de cet appareil vient d'avoir lieu.",
        ) from error
    return get(conn, device_id), True
