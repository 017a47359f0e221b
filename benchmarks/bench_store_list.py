"""How long the patient list takes to appear with 10,000 patients in the encrypted store.

Builds (once, then reuses) a synthetic practice in ``benchmarks/out/store-list/``, written with
the store's own unit of work, then measures what the professional waits for at start-up: opening
the store and ``patient_summaries()``. The same SQL is then run on a plaintext export
(``sqlcipher_export``) with Python's stdlib ``sqlite3`` to show what SQLCipher itself costs, both
for reading the list and for recomputing every patient's figures from scratch (what each opening
would cost if the figures were not kept up to date by the units of work), and the cost of one
small write (a message, its audit entry and its patient's figures).

Run: ``.venv/bin/python benchmarks/bench_store_list.py [--patients N] [--runs N] [--rebuild]``.
Results are printed and appended to ``docs/benchmarks.md``. Target: under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlcipher3
from results import record
from sqlalchemy.dialects import sqlite as sqlite_dialect

from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    ClinicalSituation,
    Escap,
    EscapState,
    GridAssessment,
    LocalProfile,
    Membership,
    MembershipStatus,
    Message,
    Patient,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.store import Store, patient_list
from escap_desktop.store.engine import PAGE_CACHE_KIB
from escap_desktop.store.keys import derive_key_from_passphrase, new_salt

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "store-list"
TARGET_MS = 300.0
# Synthetic data only: a fixed key lets the built store be reused between runs.
KEY = bytes.fromhex("5eed" * 16)
ME = "0" * 32
BATCH = 250
STATUS_DRAW = [MembershipStatus.ACCEPTED] * 3 + [MembershipStatus.INVITED]
ACTION_DRAW = [ActionStatus.TODO, ActionStatus.TODO, ActionStatus.DONE]

SURNAMES = ["MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS",
            "MOREAU", "LAURENT", "SIMON", "MICHEL", "LEFÈVRE", "LEROY", "ROUX", "DAVID",
            "BERTRAND", "MOREL", "FOURNIER", "GIRARD", "N'DIAYE", "LE GALL", "ÉTIENNE"]  # fmt: skip
FIRST_NAMES = ["Marie", "Jean", "Léa", "Louis", "Anne", "Pierre", "Élodie", "Jacques",
               "Françoise", "Michel", "Hélène", "André", "Zoé", "Noël", "Chloé"]  # fmt: skip


def _instant(rng: random.Random) -> datetime:
    return datetime(2025, 4, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 400_000))


def _practice_of(rng: random.Random, index: int, team: list[str]) -> list[object]:
    """One patient with their episodes, grid, team, plan and thread."""
    patient = Patient(
        birth_name=rng.choice(SURNAMES),
        first_names=f"{rng.choice(FIRST_NAMES)} {rng.choice(FIRST_NAMES)}",
        birth_date=date(1930, 1, 1) + timedelta(days=rng.randrange(0, 20_000)),
        sex=rng.choice([Sex.FEMALE, Sex.MALE]),
        ins=f"{rng.randrange(1, 3)}{index:012d}{rng.randrange(10, 97):02d}",
    )
    records: list[object] = [patient]
    episodes = 2 if index % 5 == 0 else 1
    for episode_number in range(1, episodes + 1):
        latest = episode_number == episodes
        escap = Escap(
            patient_id=patient.id,
            created_by=ME,
            created_at=_instant(rng),
            episode=episode_number,
            state=rng.choice(list(EscapState)) if latest else EscapState.CLOSED,
        )
        records.append(escap)
        records.append(
            GridAssessment(
                escap_id=escap.id,
                patient_id=patient.id,
                assessor_id=ME,
                assessed_on=date(2025, 4, 1) + timedelta(days=rng.randrange(0, 200)),
                grid_id="escap",
                grid_version="2025.1",
                answers={f"item{i}": rng.random() < 0.5 for i in range(26)},
                score=rng.randrange(8, 27),
                threshold=13,
                situation=ClinicalSituation(chronic_conditions=rng.randrange(0, 6)),
            )
        )
        members = [ME, *rng.sample(team, 3)] if rng.random() < 0.7 else rng.sample(team, 4)
        for who in members:
            invited_at = _instant(rng)
            status = rng.choice(STATUS_DRAW)
            records.append(
                Membership(
                    escap_id=escap.id,
                    professional_id=who,
                    invited_by=ME,
                    invited_at=invited_at,
                    status=MembershipStatus.ACCEPTED if who == ME else status,
                )
            )
        for number in range(3):
            records.append(
                Action(
                    escap_id=escap.id,
                    title=f"Action {number + 1}",
                    created_by=ME,
                    created_at=_instant(rng),
                    due_on=date(2025, 5, 1) + timedelta(days=rng.randrange(0, 120))
                    if rng.random() < 0.8
                    else None,
                    status=rng.choice(ACTION_DRAW),
                )
            )
        for _ in range(4):
            author = rng.choice(members)
            readers = {author} | ({ME} if rng.random() < 0.6 else set())
            records.append(
                Message(
                    escap_id=escap.id,
                    author_id=author,
                    sent_at=_instant(rng),
                    body="Passage fait, pansement refait, à revoir jeudi.",
                    read_by=frozenset(readers),
                )
            )
    return records


def build(path: Path, patients: int) -> tuple[int, float]:
    """Write the practice with the unit of work, in batches; returns (records, seconds)."""
    rng = random.Random(20250401)
    team = [f"{n:032x}" for n in range(1, 60)]
    started = time.perf_counter()
    count = 0
    with Store.open(path, KEY) as store:
        with store.unit_of_work(ME) as uow:
            uow.put(
                Professional(
                    last_name="BENCH", first_name="Moi", profession=Profession.INFIRMIER, id=ME
                )
            )
            uow.put(LocalProfile(professional_id=ME))
            for who in team:
                uow.put(
                    Professional(
                        last_name=f"PRO{who[-4:]}",
                        first_name="X",
                        profession=Profession.MEDECIN,
                        id=who,
                    )
                )
        for first in range(0, patients, BATCH):
            with store.unit_of_work(ME) as uow:
                for index in range(first, min(first + BATCH, patients)):
                    for record in _practice_of(rng, index, team):
                        uow.put(record)
                        count += 1
            print(f"\r  {min(first + BATCH, patients)} / {patients} patients", end="", flush=True)
    print()
    return count, time.perf_counter() - started


def _now() -> datetime:
    return datetime.now(UTC)


def _sql(statement: Any) -> str:
    """The statement as SQL text with its values inline, runnable by plain sqlite3 too."""
    compiled = statement.compile(
        dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


def _median_ms(action: Callable[[], object], runs: int) -> tuple[float, object]:
    timings = []
    result: object = None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


def _export_plain(path: Path, plain: Path) -> None:
    plain.unlink(missing_ok=True)
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{KEY.hex()}'\"")
    connection.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    connection.execute("SELECT sqlcipher_export('plain')")
    connection.execute("DETACH DATABASE plain")
    connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Mesure de la liste des patients (coffre chiffré)."
    )
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-record", action="store_true", help="ne pas écrire docs/benchmarks.md")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    folder = OUT / f"{args.patients}"
    path = folder / "coffre.db"
    if args.rebuild and folder.exists():
        shutil.rmtree(folder)
    build_note = "réutilisé"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Construction d'un coffre de {args.patients} patients…")
        records, seconds = build(path, args.patients)
        build_note = f"construit : {records} enregistrements en {seconds:.0f} s"

    def open_and_list() -> int:
        with Store.open(path, KEY) as store, store.unit_of_work(ME) as uow:
            return len(uow.patient_summaries())

    open_and_list()  # warm the OS file cache, as on any second start
    open_list_ms, rows = _median_ms(open_and_list, args.runs)

    with Store.open(path, KEY) as store:

        def list_only() -> int:
            with store.unit_of_work(ME) as uow:
                return len(uow.patient_summaries())

        list_only()
        list_only_ms, _ = _median_ms(list_only, args.runs)

        def search() -> int:
            with store.unit_of_work(ME) as uow:
                return len(uow.patient_summaries(search="mar"))

        search_ms, found = _median_ms(search, args.runs)

        with store.unit_of_work(ME) as uow:
            escap_id = next(r.escap_id for r in uow.patient_summaries() if r.escap_id)
        # Writes go to a copy, so that the reused store stays the same from run to run.
        started = time.perf_counter()
        copy = store.backup_to(folder / "copie-ecriture.db")
        backup_ms = (time.perf_counter() - started) * 1000
    team_member = f"{1:032x}"
    with Store.open(copy, KEY) as writable:

        def add_message() -> None:
            with writable.unit_of_work(ME) as uow:
                uow.put(Message(escap_id=escap_id, author_id=team_member, sent_at=_now(), body="x"))

        write_ms, _ = _median_ms(add_message, args.runs)
    for leftover in folder.glob("copie-ecriture.db*"):
        leftover.unlink()

    list_sql = _sql(patient_list.list_statement())
    figures_sql = _sql(patient_list.figures_statement(ME))

    def raw_cipher(sql: str) -> Callable[[], int]:
        def run() -> int:
            connection = sqlcipher3.connect(str(path))
            connection.execute(f"PRAGMA key = \"x'{KEY.hex()}'\"")
            connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            count = len(connection.execute(sql).fetchall())
            connection.close()
            return count

        return run

    plain = folder / "clair.db"
    _export_plain(path, plain)
    counting = sqlite3.connect(plain)
    counts = {
        table: counting.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("escap", "membership", "action", "message", "message_read")
    }
    counting.close()
    contents = (
        f"{counts['escap']} ESCAP, {counts['membership']} appartenances, {counts['action']} "
        f"actions, {counts['message']} messages et {counts['message_read']} lectures"
    )

    def raw_plain(sql: str) -> Callable[[], int]:
        def run() -> int:
            connection = sqlite3.connect(plain)
            connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            count = len(connection.execute(sql).fetchall())
            connection.close()
            return count

        return run

    measured: dict[str, float] = {}
    for name, action in (
        ("list_cipher", raw_cipher(list_sql)),
        ("list_plain", raw_plain(list_sql)),
        ("figures_cipher", raw_cipher(figures_sql)),
        ("figures_plain", raw_plain(figures_sql)),
    ):
        action()
        measured[name], count = _median_ms(action, args.runs)
        assert count == rows == args.patients, (name, count, rows)
    plain.unlink()

    salt = new_salt()
    kdf_ms, _ = _median_ms(lambda: derive_key_from_passphrase("phrase de passe de test", salt), 3)

    size_mb = path.stat().st_size / 1e6
    verdict = "atteinte" if open_list_ms < TARGET_MS else "NON atteinte"
    sqlcipher_version = (
        sqlcipher3.connect(":memory:").execute("PRAGMA cipher_version").fetchone()[0]
    )
    lines = [
        f"## Liste des patients, coffre chiffré — {datetime.now(UTC):%d/%m/%Y %H:%M} UTC",
        "",
        f"`benchmarks/bench_store_list.py` — {args.patients} patients, "
        f"{contents} ; fichier de {size_mb:.1f} Mo ({build_note}), médiane de {args.runs} essais.",
        f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, "
        f"Python {platform.python_version()}, SQLCipher {sqlcipher_version}, {platform.system()}, "
        f"charge moyenne {load_before:.1f} au départ et {os.getloadavg()[0]:.1f} à la fin.",
        "",
        "| mesure | médiane |",
        "| --- | --- |",
        f"| ouverture du coffre + `patient_summaries()` (cible < {TARGET_MS:.0f} ms) "
        f"| {open_list_ms:.1f} ms |",
        f"| `patient_summaries()` seul, coffre déjà ouvert | {list_only_ms:.1f} ms |",
        f"| recherche « mar » ({found} patients) | {search_ms:.1f} ms |",
        f"| lecture de la liste en SQL, sqlcipher3 (connexion neuve) "
        f"| {measured['list_cipher']:.1f} ms |",
        f"| même lecture, sqlite3 sur une copie en clair | {measured['list_plain']:.1f} ms |",
        f"| surcoût de SQLCipher sur la lecture de la liste "
        f"| × {measured['list_cipher'] / measured['list_plain']:.2f} |",
        f"| recalcul de tous les chiffres de la liste, sqlcipher3 (connexion neuve) "
        f"| {measured['figures_cipher']:.1f} ms |",
        f"| même recalcul, sqlite3 sur une copie en clair | {measured['figures_plain']:.1f} ms |",
        f"| surcoût de SQLCipher sur le recalcul "
        f"| × {measured['figures_cipher'] / measured['figures_plain']:.2f} |",
        f"| unité de travail « un message » (message, audit, chiffres du patient, commit) "
        f"| {write_ms:.1f} ms |",
        f"| sauvegarde chiffrée du coffre ouvert (`backup_to`, un essai) | {backup_ms:.0f} ms |",
        f"| dérivation Argon2id d'une phrase de passe (en plus, en mode phrase de passe) "
        f"| {kdf_ms:.0f} ms |",
        "",
        f"Cible {verdict}.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_record:
        record("\n" + report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
