"""Builds a store as version 0001 of the schema left it, with SQL of that time.

The rows are written with plain SQL rather than the current models, because the models follow
the newest schema; this is what a professional's file looked like before upgrading.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from escap_desktop.store import migrator
from escap_desktop.store.engine import create_keyed_engine

PATIENT_ID = "1" * 32
ESCAP_ID = "2" * 32
MESSAGE_ID = "3" * 32
READER_ID = "4" * 32


def build_store_at_0001(path: Path, key: bytes) -> None:
    engine = create_keyed_engine(path, key)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode = WAL")
            connection.commit()
            migrator.upgrade(connection, "0001")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO patient (id, birth_name, first_names, birth_date, sex,"
                    " birth_place_code, used_name, used_first_name, ins, identity_status,"
                    " medecin_traitant_id, phone, address, search_key, sort_key)"
                    " VALUES (:id, 'ÉTIENNE', 'Aimée Rose', '1948-02-29', 'F', '75056', '',"
                    " '', '248027505612345', 'provisoire', NULL, '', '', 'etienne aimee rose',"
                    " 'etienne aimee')"
                ),
                {"id": PATIENT_ID},
            )
            connection.execute(
                text(
                    "INSERT INTO escap (id, patient_id, created_by, created_at, state, episode,"
                    " activated_at, closed_at, exit_reason, exit_note, team_id)"
                    " VALUES (:id, :patient, :patient, '2025-04-01T08:00:00.000000Z',"
                    " 'active', 1, NULL, NULL, NULL, '', :team)"
                ),
                {"id": ESCAP_ID, "patient": PATIENT_ID, "team": "5" * 32},
            )
            connection.execute(
                text(
                    "INSERT INTO message (id, escap_id, author_id, sent_at, body, category)"
                    " VALUES (:id, :escap, :reader, '2025-04-02T10:00:00.000000Z',"
                    " 'Passage infirmier fait', 'medical')"
                ),
                {"id": MESSAGE_ID, "escap": ESCAP_ID, "reader": READER_ID},
            )
            connection.execute(
                text("INSERT INTO message_read (message_id, professional_id) VALUES (:m, :r)"),
                {"m": MESSAGE_ID, "r": READER_ID},
            )
            connection.execute(
                text(
                    "INSERT INTO audit_entry (id, at, actor_id, kind, entity_type, entity_id,"
                    " patient_id, summary) VALUES (:id, '2025-04-01T08:00:00.000000Z', :actor,"
                    " 'creation', 'Patient', :patient, :patient, 'Patient ajouté')"
                ),
                {"id": "6" * 32, "actor": READER_ID, "patient": PATIENT_ID},
            )
    finally:
        engine.dispose()
