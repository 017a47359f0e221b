"""Records and teams for the relay tests: envelopes sealed exactly as a client would."""

from __future__ import annotations

import uuid

import httpx

from escap_desktop.sync.crypto import DeviceKeys, TeamKey, seal_record
from escap_desktop.sync.wire import PROBLEM_MEDIA_TYPE, Envelope
from tests.support.nir import with_key

# Demo patients (invented): names with accents, hyphens and apostrophes, and keyed NIRs.
DEMO_PATIENTS = [
    ("Marie-Thérèse", "DUPONT-LEFÈVRE", with_key("2840575123456")),
    ("Jean-Baptiste", "N'DIAYE", with_key("1510299123456")),
    ("Élodie", "GRÉGOIRE", with_key("2971231123456")),
]


def new_id() -> str:
    return uuid.uuid4().hex


def sealed(
    author: DeviceKeys,
    team_key: TeamKey,
    team_id: str,
    plaintext: bytes = b'{"note": "visite du mardi"}',
    record_id: str | None = None,
    record_type: str = "Message",
) -> Envelope:
    return seal_record(
        team_key,
        author,
        team_id=team_id,
        record_id=record_id or new_id(),
        record_type=record_type,
        plaintext=plaintext,
    )


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    """The relay answered a problem document with this status, in French."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    problem: dict[str, object] = response.json()
    assert problem["status"] == status
    assert str(problem["type"]).startswith("urn:escap:probleme:")
    assert problem["title"]
    assert problem["detail"]
    return problem
