"""Sync end to end: 10,000 records from one member to another through a loopback relay.

Target: the end-to-end time at most 3 times the same work without the network. Two practices
(a GP and a nurse, real SQLCipher stores) share an ESCAP through a relay started as a uvicorn
process on 127.0.0.1 (SQLite database by default, ``--database-url`` for PostgreSQL). The GP
writes N messages (batched units of work, each writing its outbox rows); the clock then runs
from the GP's ``sync_once`` (seal, store, push) to the end of the nurse's ``sync_once`` (pull,
verify, decrypt, merge, insert). The baseline runs the same code on copies of both stores
(taken before the exchange) without the network: seal and store each envelope on the GP side,
then check and apply them in pages on the nurse side.

    .venv/bin/python benchmarks/bench_sync.py [--records 10000] [--database-url URL] [--no-report]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import keyring
from keyring.backend import KeyringBackend
from results import record
from stdnum.fr import nir

from escap_desktop.core.entities import (
    ClinicalSituation,
    DataCategory,
    Escap,
    IdentifierKind,
    Message,
    Patient,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.services.sync import SyncService
from escap_desktop.store import Store
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.store.trusted_keyring import trust_backend
from escap_desktop.sync.page import Pulled, apply_page

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0
WRITE_BATCH = 1000
PAGE = 1000
KEYS = {"gp": bytes(range(32)), "nurse": bytes(range(32, 64))}


class _MemoryKeyring(KeyringBackend):
    """Device keys for the run only: the benchmark never touches the session's keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


# In memory and gone with the run: allowed as a stand-in for the OS keyring, which the app
# otherwise requires (store/trusted_keyring.py).
trust_backend(_MemoryKeyring)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def relay_process(database_url: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "escap_relay.cli",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--database-url",
            database_url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("le relais n'a pas démarré")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _professional(last: str, first: str, profession: Profession, rpps: str) -> Professional:
    return Professional(
        last_name=last,
        first_name=first,
        profession=profession,
        identifier_kind=IdentifierKind.RPPS,
        identifier=rpps,
    )


PEOPLE = {
    "gp": ("Lefèvre", "Claire", Profession.MEDECIN, "10000000001"),
    "nurse": ("Bréhat", "Anaïs", Profession.INFIRMIER, "10000000002"),
}


def _practice(folder: Path, name: str, relay_url: str | None) -> tuple[Practice, SyncService]:
    folder.mkdir(parents=True, exist_ok=True)
    store = Store.open(folder / "escap-desktop.db", KEYS[name])
    practice = build_practice(store, folder)
    if practice.profile.current() is None:
        practice.profile.save(_professional(*PEOPLE[name]))
    current = practice.profile.current()
    assert current is not None
    me = current[1].id
    sync = SyncService(store, lambda: me, escaps=practice.escaps, push_batch=500, pull_limit=1000)
    if relay_url is not None:
        sync.set_up(relay_url)
    return practice, sync


def _run(generator: Iterator[object]) -> object:
    while True:
        try:
            next(generator)
        except StopIteration as stop:
            return stop.value


def _team(gp: Practice, gp_sync: SyncService, nurse: Practice, nurse_sync: SyncService) -> Escap:
    _run(nurse_sync.sync_once())
    birth = date(1940, 3, 12)
    body = f"2{birth.year % 100:02d}{birth.month:02d}69123042"
    patient = gp.patients.create(
        Patient(
            birth_name="Almeida",
            first_names="Zoë",
            birth_date=birth,
            sex=Sex.FEMALE,
            ins=body + nir.calc_check_digits(body),
            medecin_traitant_id=gp.profile.current()[1].id,  # type: ignore[index]
        )
    )
    escap = gp.escaps.start(patient.id)
    ids = gp.escaps.current_grid().item_ids
    gp.escaps.assess(
        escap.id, {i: n < 14 for n, i in enumerate(ids)}, ClinicalSituation(chronic_conditions=3)
    )
    gp.escaps.record_consent_signed(escap.id, signed_on=gp.clock.today())
    gp.escaps.invite(escap.id, gp.profile.current()[1].id)  # type: ignore[index]
    nurse_record = gp.professionals.add(_professional(*PEOPLE["nurse"]))
    invited = gp.escaps.invite(escap.id, nurse_record.id, "Soins infirmiers")
    _run(gp_sync.sync_once())
    _run(nurse_sync.sync_once())
    for invitation in nurse_sync.pending_invitations():
        nurse_sync.accept_invitation(invitation.invitation_id, invited.join_code)  # the letter
    _run(nurse_sync.sync_once())  # the answer, with the proof of the code
    _run(gp_sync.sync_once())  # the GP checks it and seals the keys
    _run(nurse_sync.sync_once())
    _run(gp_sync.sync_once())
    return gp.escaps.get(escap.id)


def _write_messages(gp: Practice, escap: Escap, count: int) -> float:
    me = gp.profile.current()[1].id  # type: ignore[index]
    started = time.perf_counter()
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    written = 0
    while written < count:
        with gp.store.unit_of_work(me) as uow:
            for index in range(written, min(written + WRITE_BATCH, count)):
                uow.put(
                    Message(
                        escap_id=escap.id,
                        author_id=me,
                        sent_at=start + timedelta(seconds=index),
                        body=f"Passage n°{index} : constantes stables, pansement refait, "
                        "pas de douleur signalée. Prochain passage demain 8 h.",
                        category=DataCategory.MEDICAL,
                        read_by=frozenset({me}),
                    )
                )
        written = min(written + WRITE_BATCH, count)
    return time.perf_counter() - started


def _copy(practice: Practice, target: Path) -> Path:
    target.mkdir()
    practice.store.backup_to(target / "escap-desktop.db")
    return target


def _baseline(gp_copy: Path, nurse_copy: Path, team_id: str) -> float:
    """The same sealing, storing, checking and applying, with no relay in between."""
    gp, gp_sync = _practice(gp_copy, "gp", None)
    nurse, nurse_sync = _practice(nurse_copy, "nurse", None)
    try:
        started = time.perf_counter()
        envelopes = []
        with gp_sync.session() as gp_engine:
            while batch := gp_engine._seal_batch(team_id):
                now = datetime.now(UTC)
                with gp.store.unit_of_work(gp_engine.ctx.actor_id) as uow:
                    SyncRepository(uow.session, uow.clock).mark_sent(
                        [
                            (envelope.record_id, len(envelopes) + offset + 1)
                            for offset, envelope in enumerate(batch)
                        ],
                        now,
                    )
                envelopes.extend(batch)
        with nurse_sync.session() as nurse_engine:
            for first in range(0, len(envelopes), PAGE):
                page = [
                    Pulled(first + n + 1, envelope)
                    for n, envelope in enumerate(envelopes[first : first + PAGE])
                ]
                apply_page(nurse_engine.ctx, team_id, page, None)
        elapsed = time.perf_counter() - started
        return elapsed
    finally:
        gp.close()
        nurse.close()


def run(records: int, database_url: str | None) -> dict[str, float]:
    keyring.set_keyring(_MemoryKeyring())
    work = Path(tempfile.mkdtemp(prefix="escap-bench-sync-"))
    try:
        url = database_url or f"sqlite:///{work / 'relay.db'}"
        with relay_process(url) as relay_url:
            gp, gp_sync = _practice(work / "gp", "gp", relay_url)
            nurse, nurse_sync = _practice(work / "nurse", "nurse", relay_url)
            escap = _team(gp, gp_sync, nurse, nurse_sync)
            before = len(nurse.messages.thread(escap.id))
            write = _write_messages(gp, escap, records)
            gp_copy, nurse_copy = _copy(gp, work / "gp-copy"), _copy(nurse, work / "nurse-copy")

            started = time.perf_counter()
            _run(gp_sync.sync_once())
            pushed = time.perf_counter()
            _run(nurse_sync.sync_once())
            network = time.perf_counter() - started
            received = len(nurse.messages.thread(escap.id)) - before
            gp.close()
            nurse.close()
        assert received == records, (received, records)
        baseline = _baseline(gp_copy, nurse_copy, escap.team_id)
        return {
            "records": records,
            "write": write,
            "push": pushed - started,
            "pull": network - (pushed - started),
            "network": network,
            "baseline": baseline,
            "ratio": network / baseline,
            "load": os.getloadavg()[0],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def append_report(result: dict[str, float], relay_db: str) -> None:
    now = datetime.now(UTC).strftime("%d/%m/%Y %H:%M UTC")
    reached = "Cible atteinte." if result["ratio"] <= TARGET_RATIO else "Cible NON atteinte."
    n = f"{result['records']:,.0f}".replace(",", "\u202f")
    rate = f"{result['records'] / result['network']:,.0f}".replace(",", "\u202f")
    section = f"""
## Synchronisation de bout en bout — {now}

`benchmarks/bench_sync.py` — {n} messages d'un médecin vers une infirmière de la même ESCAP,
par un relais lancé comme processus uvicorn sur 127.0.0.1 ({relay_db}) ; deux coffres SQLCipher
réels. Chronomètre : du `sync_once` du médecin (scellement, enregistrement des enveloppes, envoi
par lots de 500) à la fin du `sync_once` de l'infirmière (réception par pages de 1 000,
vérification des signatures, déchiffrement, fusion, insertion). Référence : le même code sur des
copies des deux coffres, sans réseau ni relais. Machine : {platform.machine()},
{os.cpu_count()} cœurs, Python {platform.python_version()}, Linux ; charge moyenne pendant la
mesure : {result["load"]:.1f} (les deux mesures du rapport partagent les mêmes conditions).

| mesure | valeur |
| --- | --- |
| écriture locale des {n} messages (avec la file d'envoi) | {result["write"]:.1f} s |
| envoi (médecin) | {result["push"]:.1f} s |
| réception et application (infirmière) | {result["pull"]:.1f} s |
| bout en bout par le relais | {result["network"]:.1f} s ({rate} enregistrements/s) |
| même travail sans réseau | {result["baseline"]:.1f} s |
| rapport (cible ≤ {TARGET_RATIO:.0f}) | {result["ratio"]:.2f} |

{reached}
"""
    record(section)


def main() -> int:
    parser = argparse.ArgumentParser(description="Synchronisation de bout en bout par le relais.")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--database-url", help="base du relais (SQLite temporaire par défaut)")
    parser.add_argument("--no-report", action="store_true", help="n'écrit pas docs/benchmarks.md")
    args = parser.parse_args()
    result = run(args.records, args.database_url)
    print(
        f"{result['records']:.0f} enregistrements : bout en bout {result['network']:.1f} s "
        f"(envoi {result['push']:.1f} s, réception {result['pull']:.1f} s), "
        f"sans réseau {result['baseline']:.1f} s, rapport {result['ratio']:.2f} "
        f"(écriture locale {result['write']:.1f} s)"
    )
    if not args.no_report:
        append_report(result, "PostgreSQL" if args.database_url else "SQLite")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
