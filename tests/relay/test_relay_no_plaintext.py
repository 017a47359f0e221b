"""The relay's database holds no patient name or NIR, whatever the records say."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from escap_desktop.sync.crypto import TeamKey
from tests.relay.client import RelayClient
from tests.relay.helpers import DEMO_PATIENTS, new_id, sealed


def _push_demo_patients(alice: RelayClient) -> str:
    alice.register("10101010101")
    team_id = new_id()
    team_key = TeamKey.generate()
    envelopes = []
    for first_name, last_name, nir in DEMO_PATIENTS:
        plaintext = json.dumps(
            {"first_names": first_name, "birth_name": last_name, "nir": nir},
            ensure_ascii=False,
        ).encode("utf-8")
        envelopes.append(sealed(alice.keys, team_key, team_id, plaintext, record_type="Patient"))
    assert alice.push(envelopes).status_code == 200
    return team_id


def _needles() -> list[bytes]:
    needles = []
    for first_name, last_name, nir in DEMO_PATIENTS:
        for text in (first_name, last_name, nir, nir[:13]):
            needles += [text.encode("utf-8"), text.encode("utf-16-le"), text.upper().encode()]
            needles.append(text.encode("utf-8").hex().encode())  # as PostgreSQL shows bytea
    return needles


def test_no_patient_identity_in_the_database(
    relay: Callable[..., RelayClient], database_url: str
) -> None:
    team_id = _push_demo_patients(relay())
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        files = sorted(Path(str(url.database)).parent.glob("relay.db*"))
        assert files
        haystack = b"".join(path.read_bytes() for path in files)
    else:
        with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            ]
            haystack = b"".join(
                str(row[0]).encode("utf-8")
                for table in tables
                for row in conn.execute(f'SELECT t::text FROM "{table}" t')  # type: ignore[arg-type]
            )
    assert team_id.encode() in haystack  # the search does read the stored data
    for needle in _needles():
        assert needle not in haystack, needle
