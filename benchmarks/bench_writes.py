"""The local write path against its floor: bulk messages through the unit of work, one message
posted as the GUI does, each beside plain ``sqlcipher3`` inserts measured in the same run.

Both measures run in a practice whose ESCAP has a relay team (the GP invited a nurse; the team
row is what the first sync cycle writes, ``state`` active), so the outbox hook writes a record
for every message, as it does for a professional who works with colleagues. Stores are keyed
with a fixed raw key (keyring mode), each run on a fresh store, runs interleaved with their
floors so that all share each moment's conditions.

(a) Bulk: N messages written through ``uow.put`` in one unit of work, as an import writes and
as the floors' one transaction (audit entry, reader row, outbox record and clocks each).
Floors, on fresh files, one transaction, ``executemany``, the app's pragmas
(``store/engine.py``) and WAL:

- floor A, the message rows and only them, into a table of the ``message`` table's shape
  (its columns, primary key and index) in a plain ``sqlcipher3`` file;
- floor B, every row the app wrote (``message``, ``message_read``, ``audit_entry``,
  ``sync_clock``, ``sync_outbox``), read back from the app's store after its run, inserted into
  a store created by ``Store.open`` (the app's schema and indexes). The target is judged
  against it: the issue asks for the write "audit + outbox included" against "inserts of the
  same rows", and the rows that write makes are these five tables' — floor A alone, which
  leaves out four of every five rows, is shown beside it.

(b) One message: into a thread that already holds 2,000 messages, ``practice.messages.post``
a few hundred times (median and p90). Floors:

- floor A, one row of the same shape inserted and committed by a plain ``sqlcipher3``
  connection in WAL mode with the app's ``synchronous`` setting, into a table that already
  holds 2,000 rows, as many times: the issue's floor;
- floor B, the very statements the app sends the driver for as many posts (captured with
  SQLAlchemy's cursor events, ``BEGIN IMMEDIATE`` to ``COMMIT``, with their parameters) after a
  copy of its store is taken, replayed by the raw driver on that copy: the SQL and the pages
  it writes, without any Python.

Run: ``.venv/bin/python benchmarks/bench_writes.py [--messages N] [--posts N] [--thread N]
[--runs N]``. Results are printed and appended to ``docs/benchmarks.md``. Targets (issue 19):
bulk at most 3x floor B (every row it writes), one message at most 5x its floor A (one row
committed).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, event
from sqlalchemy.dialects import sqlite as sqlite_dialect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import record  # noqa: E402

from escap_desktop.core.entities import (  # noqa: E402
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
from escap_desktop.services.practice import Practice, build_practice  # noqa: E402
from escap_desktop.store import Store  # noqa: E402
from escap_desktop.store.engine import (  # noqa: E402
    BUSY_TIMEOUT_MS,
    PAGE_CACHE_KIB,
    sqlcipher_version,
)
from escap_desktop.store.models import MessageRow  # noqa: E402
from escap_desktop.store.sync_repository import SyncRepository  # noqa: E402
from escap_desktop.sync.outbox import OutboxWriter  # noqa: E402
from escap_desktop.sync.teams import ACTIVE  # noqa: E402

BULK_RATIO_TARGET = 3.0
POST_RATIO_TARGET = 5.0
WRITE_BATCH = 1000  # bench_sync._write_messages: a thread's messages before the posts
KEY = bytes.fromhex("b1e5" * 16)  # synthetic data only
WARMUP_POSTS = 5
POST_BLOCK = 25  # posts per block; the three measures take turns block by block
START = datetime(2026, 1, 1, 8, tzinfo=UTC)

# The rows floor B replays, read back from the app's store: table, columns, which rows.
APP_TABLES: tuple[tuple[str, str], ...] = (
    ("message", "1"),
    ("message_read", "1"),
    ("audit_entry", "entity_type = 'Message'"),
    ("sync_clock", "entity_type = 'Message'"),
    ("sync_outbox", "entity_type = 'Message'"),
)


def _professional(last: str, first: str, profession: Profession, rpps: str) -> Professional:
    return Professional(
        last_name=last,
        first_name=first,
        profession=profession,
        identifier_kind=IdentifierKind.RPPS,
        identifier=rpps,
    )


GP = _professional("Lefèvre", "Claire", Profession.MEDECIN, "10000000001")
NURSE = _professional("Bréhat", "Anaïs", Profession.INFIRMIER, "10000000002")


def _raw(path: Path) -> sqlcipher3.Connection:
    """A ``sqlcipher3`` connection keyed and set as the app's (``connect_keyed``), in WAL."""
    connection = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = \"x'{KEY.hex()}'\"")
    connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA temp_store = MEMORY")
    connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    connection.execute("PRAGMA journal_mode = WAL").fetchone()
    return connection


def _synchronous(store: Store) -> int:
    """The ``synchronous`` level of the app's connections (its commits' durability)."""
    with store.unit_of_work(None) as uow:
        return int(uow.session.connection().exec_driver_sql("PRAGMA synchronous").scalar() or 0)


# -- the practice -----------------------------------------------------------------------------


def _practice(folder: Path) -> tuple[Practice, Escap]:
    """A fresh store: the GP's profile, a patient, an ESCAP whose team has a relay team."""
    folder.mkdir(parents=True)
    store = Store.open(folder / "escap-desktop.db", KEY)
    practice = build_practice(store, folder)  # installs the outbox hook (SyncService)
    practice.profile.save(GP)
    me = practice.profile.current()[1].id  # type: ignore[index]
    patient = practice.patients.create(
        Patient(
            birth_name="Almeida",
            first_names="Zoë",
            birth_date=date(1940, 3, 12),
            sex=Sex.FEMALE,
            medecin_traitant_id=me,
        )
    )
    escap = practice.escaps.start(patient.id)
    ids = practice.escaps.current_grid().item_ids
    practice.escaps.assess(
        escap.id, {i: n < 14 for n, i in enumerate(ids)}, ClinicalSituation(chronic_conditions=3)
    )
    practice.escaps.record_consent_signed(escap.id, signed_on=practice.clock.today())
    practice.escaps.invite(escap.id, me, "Médecin traitant")
    nurse = practice.professionals.add(NURSE)
    practice.escaps.invite(escap.id, nurse.id, "Soins infirmiers")
    escap = practice.escaps.get(escap.id)
    # What the first sync cycle does (sync/teams.share_new_escaps, then the team created on
    # the relay): the team row and the episode's history in the outbox.
    with store.unit_of_work(me) as uow:
        repo = SyncRepository(uow.session, uow.clock)
        repo.add_team(escap.team_id, escap.id, is_admin=True, state=ACTIVE)
        OutboxWriter(uow, repo, store.clock.timestamp).share_escap(escap)
    return practice, escap


def _messages(escap: Escap, me: str, first: int, count: int) -> list[Message]:
    return [
        Message(
            escap_id=escap.id,
            author_id=me,
            sent_at=START + timedelta(seconds=index),
            body=f"Passage n°{index} : constantes stables, pansement refait, "
            "pas de douleur signalée. Prochain passage demain 8 h.",
            category=DataCategory.MEDICAL,
            read_by=frozenset({me}),
        )
        for index in range(first, first + count)
    ]


def write_messages(practice: Practice, escap: Escap, count: int, batch: int = WRITE_BATCH) -> float:
    """``count`` messages by ``uow.put``, ``batch`` per unit of work (as
    ``bench_sync._write_messages`` by default); seconds."""
    me = practice.profile.current()[1].id  # type: ignore[index]
    batches = [
        _messages(escap, me, first, min(batch, count - first)) for first in range(0, count, batch)
    ]
    started = time.perf_counter()
    for batch in batches:
        with practice.store.unit_of_work(me) as uow:
            for message in batch:
                uow.put(message)
    return time.perf_counter() - started


# -- (a) bulk ---------------------------------------------------------------------------------


def _message_values(messages: list[Message]) -> list[tuple[Any, ...]]:
    """The ``message`` rows as the driver receives them (each column's own conversion)."""
    table = MessageRow.__table__
    dialect = sqlite_dialect.dialect()
    names = [column.name for column in table.columns]
    converters: list[Callable[[Any], Any] | None] = [
        table.c[name].type.bind_processor(dialect) for name in names
    ]
    return [
        tuple(
            value if convert is None else convert(value)
            for convert, value in zip(
                converters, (getattr(message, name) for name in names), strict=True
            )
        )
        for message in messages
    ]


MESSAGE_DDL = (
    "CREATE TABLE message (id VARCHAR(32) NOT NULL PRIMARY KEY, escap_id VARCHAR(32) NOT NULL, "
    "author_id VARCHAR(32) NOT NULL, sent_at VARCHAR(27) NOT NULL, body TEXT NOT NULL, "
    "category VARCHAR(40) NOT NULL)",
    "CREATE INDEX ix_message_escap_sent ON message (escap_id, sent_at, author_id, id)",
)
MESSAGE_INSERT = (
    "INSERT INTO message (id, escap_id, author_id, sent_at, body, category) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def time_floor_a(values: list[Any], folder: Path) -> float:
    """The message rows alone, one ``executemany`` in one transaction, plain ``sqlcipher3``."""
    folder.mkdir(parents=True)
    connection = _raw(folder / "floor-a.db")
    try:
        for ddl in MESSAGE_DDL:
            connection.execute(ddl)
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(MESSAGE_INSERT, values)
        connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.close()


def app_rows(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every row the bulk write added, read back from the app's store: (insert, rows)."""
    connection = _raw(path)
    try:
        statements = []
        for table, where in APP_TABLES:
            cursor = connection.execute(f'SELECT * FROM "{table}" WHERE {where}')
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
            quoted = ", ".join(f'"{name}"' for name in names)
            marks = ", ".join("?" for _ in names)
            statements.append((f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows))
        return statements
    finally:
        connection.close()


def time_floor_b(statements: list[tuple[str, list[tuple[Any, ...]]]], folder: Path) -> float:
    """The app's rows into a store created by ``Store.open``, one transaction, raw driver."""
    folder.mkdir(parents=True)
    path = folder / "escap-desktop.db"
    Store.open(path, KEY).close()
    connection = _raw(path)
    try:
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        for sql, rows in statements:
            connection.executemany(sql, rows)
        connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.close()


def _settle() -> None:
    """Everything written so far on its way to the disk before the next measure starts, so
    that no measure pays for the write-back of the one before (``os.sync``, Unix)."""
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()


def bulk_run(count: int, folder: Path) -> dict[str, Any]:
    practice, escap = _practice(folder / "app")
    try:
        _settle()
        # One unit of work, as the floor's one transaction (an import of a list writes so).
        app = write_messages(practice, escap, count, batch=count)
        path = practice.store.path
    finally:
        practice.close()
    statements = app_rows(path)
    rows = {sql.split('"')[1]: values for sql, values in statements}
    if len(rows["message"]) != count or len(rows["sync_outbox"]) != count:
        raise SystemExit(f"écriture incomplète : {[(t, len(v)) for t, v in rows.items()]}")
    _settle()
    floor_a = time_floor_a(rows["message"], folder / "a")  # the very rows the app wrote
    _settle()
    floor_b = time_floor_b(statements, folder / "b")
    counts = {table: len(values) for table, values in rows.items()}
    return {"app": app, "floor_a": floor_a, "floor_b": floor_b, "rows": counts}


# -- (b) one message --------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _body(n: int) -> str:
    return f"Passage du {n} : tension 13/8, pansement refait, rien à signaler."


def post_run(posts: int, thread: int, folder: Path) -> dict[str, Any]:
    """``posts`` messages posted, and as many floor A commits and floor B replays, in blocks
    of ``POST_BLOCK`` taking turns (the three share each moment's conditions), each block
    started on a settled disk: a commit waits for the disk, and the writes still being
    written back from the block before would otherwise slow the next block's commits."""
    practice, escap = _practice(folder / "app")
    floor: _FloorA | None = None
    replay: _FloorB | None = None
    try:
        write_messages(practice, escap, thread)
        synchronous = _synchronous(practice.store)
        post = practice.messages.post
        me = practice.profile.current()[1].id  # type: ignore[index]
        # Floor B's statements: as many posts, captured (untimed) after a copy of the store.
        copy = practice.store.backup_to(folder / "copie.db")
        with _Capture() as captured:
            for n in range(WARMUP_POSTS + posts):
                post(escap.id, _body(n))
        floor = _FloorA(escap, me, thread, synchronous, folder / "floor")
        replay = _FloorB(captured.posts, copy, synchronous)
        measures: dict[str, list[float]] = {"app_ms": [], "floor_ms": [], "replay_ms": []}
        posted = WARMUP_POSTS + posts

        def app() -> None:
            nonlocal posted
            post(escap.id, _body(posted))
            posted += 1

        steps: list[tuple[str, Callable[[], None]]] = [
            ("app_ms", app),
            ("floor_ms", floor.commit_one),
            ("replay_ms", replay.commit_one),
        ]
        for _ in range(WARMUP_POSTS):
            for _key, step in steps:
                step()
        for first in range(0, posts, POST_BLOCK):
            rotation = (first // POST_BLOCK) % len(steps)
            for key, step in steps[rotation:] + steps[:rotation]:
                _settle()
                for _ in range(min(POST_BLOCK, posts - first)):
                    started = time.perf_counter()
                    step()
                    measures[key].append((time.perf_counter() - started) * 1000)
    finally:
        practice.close()
        for opened in (floor, replay):
            if opened is not None:
                opened.close()
    return {
        **measures,
        "statements": statistics.median(len(statements) for statements in captured.posts),
        "synchronous": synchronous,
    }


Statement = tuple[str, Any, bool]


class _Capture:
    """The statements the driver receives, per transaction (SQLAlchemy's cursor events, on
    every engine), each with its parameters as the driver got them, and each commit."""

    def __init__(self) -> None:
        self.posts: list[list[Statement]] = []

    def _statement(self, _c: Any, _k: Any, sql: str, parameters: Any, _x: Any, many: bool) -> None:
        if sql.startswith("BEGIN") or not self.posts:
            self.posts.append([])
        self.posts[-1].append((sql, parameters, many))

    def _commit(self, _connection: Any) -> None:
        self.posts[-1].append(("COMMIT", (), False))

    def __enter__(self) -> _Capture:
        event.listen(Engine, "before_cursor_execute", self._statement)
        event.listen(Engine, "commit", self._commit)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(Engine, "before_cursor_execute", self._statement)
        event.remove(Engine, "commit", self._commit)


class _FloorB:
    """Floor B: each captured post's statements (BEGIN to COMMIT) run again, one post per
    call, on the copy of the store taken before them, by the raw driver."""

    def __init__(self, posts: list[list[Statement]], path: Path, synchronous: int) -> None:
        self._posts = iter(posts)
        self._connection = _raw(path)
        self._connection.execute(f"PRAGMA synchronous = {synchronous:d}")

    def commit_one(self) -> None:
        for sql, parameters, many in next(self._posts):
            if many:
                self._connection.executemany(sql, parameters)
            else:
                self._connection.execute(sql, parameters)

    def close(self) -> None:
        self._connection.close()


class _FloorA:
    """Floor A: one message row inserted and committed per call, plain ``sqlcipher3``, WAL,
    into a table of the ``message`` table's shape that already holds ``thread`` rows."""

    def __init__(self, escap: Escap, me: str, thread: int, synchronous: int, folder: Path):
        folder.mkdir(parents=True)
        self._connection = _raw(folder / "floor.db")
        self._connection.execute(f"PRAGMA synchronous = {synchronous:d}")
        for ddl in MESSAGE_DDL:
            self._connection.execute(ddl)
        rows = _message_values(_messages(escap, me, 0, thread))
        self._connection.execute("BEGIN IMMEDIATE")
        self._connection.executemany(MESSAGE_INSERT, rows)
        self._connection.execute("COMMIT")
        self._escap, self._me, self._next = escap, me, thread

    def commit_one(self) -> None:
        (row,) = _message_values(_messages(self._escap, self._me, self._next, 1))
        self._next += 1
        self._connection.execute("BEGIN IMMEDIATE")
        self._connection.execute(MESSAGE_INSERT, row)
        self._connection.execute("COMMIT")

    def close(self) -> None:
        self._connection.close()


# -- profiles ---------------------------------------------------------------------------------


def _where(file: str, line: int, name: str) -> str:
    if file == "~":
        return name
    path = Path(file)
    paths = sysconfig.get_paths()
    for base in (ROOT, Path(paths["purelib"]), Path(paths["platlib"]), Path(paths["stdlib"])):
        try:
            path = path.relative_to(base)
            break
        except ValueError:
            continue
    return f"{path}:{line} {name}"


def _top(profiler: cProfile.Profile, count: int = 8) -> tuple[float, list[tuple[Any, ...]]]:
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    top = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:count]
    rows = [
        (_where(file, line, name), calls, own, cumulative)
        for (file, line, name), (_, calls, own, cumulative, _) in top
    ]
    return stats.total_tt, rows  # type: ignore[attr-defined]


def profile_bulk(count: int, folder: Path) -> tuple[float, list[tuple[Any, ...]]]:
    practice, escap = _practice(folder)
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        write_messages(practice, escap, count, batch=count)
        profiler.disable()
    finally:
        practice.close()
    return _top(profiler)


def profile_posts(posts: int, thread: int, folder: Path) -> tuple[float, list[tuple[Any, ...]]]:
    practice, escap = _practice(folder)
    profiler = cProfile.Profile()
    try:
        write_messages(practice, escap, thread)
        profiler.enable()
        for n in range(posts):
            practice.messages.post(escap.id, f"Message profilé {n}")
        profiler.disable()
    finally:
        practice.close()
    return _top(profiler)


# -- the report -------------------------------------------------------------------------------


def _table(rows: list[tuple[Any, ...]], scale: float, unit: str) -> str:
    return "\n".join(
        f"| `{where}` | {calls} | {own * scale:.0f} {unit} | {cumulative * scale:.0f} {unit} |"
        for where, calls, own, cumulative in rows
    )


def _spaced(value: float, digits: int = 0) -> str:
    """French thousands: a narrow no-break space (1 234)."""
    return f"{value:,.{digits}f}".replace(",", "\u202f")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="messages écrits en masse")
    parser.add_argument("--posts", type=int, default=300, help="messages postés un à un")
    parser.add_argument("--thread", type=int, default=2_000, help="messages déjà dans le fil")
    parser.add_argument("--runs", type=int, default=5, help="essais (médiane)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="escap-bench-writes-") as scratch:
        folder = Path(scratch)
        bulk: list[dict[str, Any]] = []
        post: list[dict[str, Any]] = []
        for run in range(args.runs):  # interleaved: each floor shares its run's conditions
            bulk.append(bulk_run(args.messages, folder / f"bulk-{run}"))
            shutil.rmtree(folder / f"bulk-{run}")
            post.append(post_run(args.posts, args.thread, folder / f"post-{run}"))
            shutil.rmtree(folder / f"post-{run}")
        bulk_profiled, bulk_top = profile_bulk(args.messages, folder / "profile-bulk")
        post_profiled, post_top = profile_posts(args.posts, args.thread, folder / "profile-post")
    load_after = os.getloadavg()[0]

    app = statistics.median(run["app"] for run in bulk)
    floor_a = statistics.median(run["floor_a"] for run in bulk)
    floor_b = statistics.median(run["floor_b"] for run in bulk)
    ratio_a, ratio_b = app / floor_a, app / floor_b
    rows = bulk[0]["rows"]
    row_list = ", ".join(f"`{table}` {_spaced(count)}" for table, count in rows.items())

    def p50(key: str) -> float:
        return statistics.median(statistics.median(run[key]) for run in post)

    def p90(key: str) -> float:
        return statistics.median(_percentile(run[key], 0.9) for run in post)

    app_p50, floor_p50, replay_p50 = p50("app_ms"), p50("floor_ms"), p50("replay_ms")
    ratio_post, ratio_replay = app_p50 / floor_p50, app_p50 / replay_p50
    statements = statistics.median(run["statements"] for run in post)
    synchronous = post[0]["synchronous"]
    level = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(synchronous, str(synchronous))

    def met(ratio: float, target: float) -> str:
        return "atteinte" if ratio <= target else "**NON atteinte**"

    n = _spaced(args.messages)
    thread = _spaced(args.thread)
    verdict_bulk = (
        f"Écriture en masse : {ratio_b:.1f}x le plancher B, toutes les lignes écrites "
        f"(cible ≤ {BULK_RATIO_TARGET:.0f}x), "
        + ("cible atteinte." if ratio_b <= BULK_RATIO_TARGET else "cible NON atteinte.")
        + f" ({ratio_a:.1f}x le plancher A, les seules lignes `message` : le plancher B seul "
        f"vaut {floor_b / floor_a:.1f}x le plancher A.)"
    )
    verdict_post = (
        f"Un message : {ratio_post:.1f}x son plancher (cible ≤ {POST_RATIO_TARGET:.0f}x), "
        + ("cible atteinte." if ratio_post <= POST_RATIO_TARGET else "cible NON atteinte.")
        + f" Le plancher B seul vaut {replay_p50 / floor_p50:.1f}x le plancher A."
    )
    now = datetime.now(UTC)
    section = f"""
## Écriture locale, en masse et message par message, contre le plancher — \
{now:%d/%m/%Y %H:%M} UTC

`benchmarks/bench_writes.py --messages {args.messages} --posts {args.posts} --thread \
{args.thread} --runs {args.runs}` — un cabinet dont l'ESCAP a une équipe sur le relais (le
médecin a invité une infirmière ; la ligne d'équipe est celle qu'écrit le premier cycle), si
bien que chaque message écrit aussi son enregistrement dans la file d'envoi. Coffres neufs à
chaque essai, clé brute fixe ; médiane de {args.runs} essais, chacun entrelacé avec ses
planchers. Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python
{platform.python_version()}, SQLCipher {sqlcipher_version() or "?"}, charge moyenne {load:.1f}
au début, {load_after:.1f} à la fin.

Écriture en masse : {n} messages par `uow.put` dans une unité de travail (une transaction, comme
le plancher ; ainsi écrit l'import d'une liste), chacun avec son entrée d'audit, sa ligne de
lecture, ses horloges et son enregistrement dans la file d'envoi. Plancher B, contre lequel la
cible est jugée (le ticket demande l'écriture « audit et file d'envoi compris » contre « les mêmes
lignes » insérées en une transaction) : toutes les lignes que l'application a écrites
({row_list}), relues dans son coffre, insérées par `executemany`, `sqlcipher3` direct, dans un
coffre créé par `Store.open` (le schéma et les index de l'application), mêmes pragmas, WAL, une
transaction. Plancher A, pour mémoire : les lignes `message` seules, dans une table de même
forme (colonnes, clé, index), de même.

| mesure | durée | messages/s | rapport | cible ≤ {BULK_RATIO_TARGET:.0f}x |
| --- | --- | --- | --- | --- |
| application | {app:.2f} s | {_spaced(args.messages / app)} | — | — |
| plancher B : toutes les lignes écrites, même schéma | {floor_b:.3f} s | \
{_spaced(args.messages / floor_b)} | {ratio_b:.1f}x | {met(ratio_b, BULK_RATIO_TARGET)} |
| plancher A : les lignes `message` seules | {floor_a:.3f} s | \
{_spaced(args.messages / floor_a)} | {ratio_a:.1f}x | — |
| meilleur / pire essai de l'application | {min(r["app"] for r in bulk):.2f} / \
{max(r["app"] for r in bulk):.2f} s | | | |

Au-delà du plancher B (application moins plancher B) : {app - floor_b:.2f} s pour {n} messages
({(app - floor_b) / args.messages * 1e6:.0f} µs par message), du Python pour l'essentiel ;
le plancher B vaut à lui seul {floor_b / floor_a:.1f}x le plancher A.

Profil (cProfile, une écriture de {n} messages, {bulk_profiled:.2f} s sous profilage), premières
fonctions par temps propre :

| fonction | appels | temps propre | cumulé |
| --- | --- | --- | --- |
{_table(bulk_top, 1000, "ms")}

Un message : `practice.messages.post` comme l'interface (lecture de l'ESCAP et des droits,
instant du fil, message, lecture, audit, file d'envoi, liste des patients, validation), dans un
fil qui compte déjà {thread} messages, {args.posts} fois après {WARMUP_POSTS} d'échauffement.
Plancher A (celui du ticket) : une ligne de même forme insérée et validée (`BEGIN IMMEDIATE`,
`INSERT`, `COMMIT`) par `sqlcipher3` direct, WAL, `synchronous = {level}` comme l'application,
dans une table qui compte déjà {thread} lignes, autant de fois. Plancher B : les instructions
SQL que l'application envoie au pilote pour autant de messages (médiane {statements:.0f} par
message, de `BEGIN IMMEDIATE` à `COMMIT`, avec leurs paramètres), relevées sur un autre lot et
rejouées par `sqlcipher3` direct sur une copie du coffre prise avant ce lot : le coût du SQL et
des pages écrites, sans aucun Python. Les trois mesures alternent par blocs de {POST_BLOCK}
(à tour de rôle la première) et chaque bloc part d'un disque au repos (`os.sync`) : une
validation attend l'écriture sur le disque, et celle des pages du bloc précédent, encore en
cours, ralentirait les validations du suivant (le plancher A en paierait l'application).

| mesure | médiane | p90 | rapport des médianes | cible ≤ {POST_RATIO_TARGET:.0f}x |
| --- | --- | --- | --- | --- |
| `messages.post` | {app_p50:.2f} ms | {p90("app_ms"):.2f} ms | — | — |
| plancher A : une ligne validée | {floor_p50:.3f} ms | {p90("floor_ms"):.3f} ms | \
{ratio_post:.1f}x | {met(ratio_post, POST_RATIO_TARGET)} |
| plancher B : les mêmes instructions, rejouées | {replay_p50:.3f} ms | \
{p90("replay_ms"):.3f} ms | {ratio_replay:.1f}x | — |

Au-delà du plancher B (application moins plancher B, médianes), un message coûte
{app_p50 - replay_p50:.2f} ms de Python ; le plancher B vaut {replay_p50 / floor_p50:.1f}x le
plancher A.
Les deux planchers sont surtout l'attente de l'écriture sur le disque à la validation : le
rapport au plancher A dépend de ce que le disque fait à ce moment-là (voir la charge).

Profil (cProfile, {args.posts} messages postés, {post_profiled:.2f} s sous profilage), premières
fonctions par temps propre (total sur les {args.posts} appels) :

| fonction | appels | temps propre | cumulé |
| --- | --- | --- | --- |
{_table(post_top, 1000, "ms")}

{verdict_bulk} {verdict_post}
"""
    print(section)
    record(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
