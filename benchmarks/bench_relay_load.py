"""Relay under load: many teams pushing and pulling through two relay processes on PostgreSQL.

Issue 18's load test: 500 teams of 4 devices each, every device pushing small batches of its
team's records and pulling what the other three wrote, through **two** relay processes (uvicorn)
sharing one PostgreSQL, a request going to either process in turn as behind a load balancer.
Runs for a bounded time on loopback, then reports the sustained records/s (pushed and
delivered), the p95 latency of a push and of a pull, each relay process's resident memory, and
the database's envelope storage before and after a purge of what every member acknowledged
(``escap relay purge --acked-retention-days 0``, the operator's own command). Target: at least
2,000 records/s sustained with p95 < 250 ms on the 2-core reference machine.

Clients and relays share the machine: the clients' signing and JSON cost the relays processor
time, so the figure is a floor for a relay on its own machine. Envelopes are sealed before the
clock starts; pulled envelopes are counted, not opened (the client's side is ``bench_sync``).
Devices are spread over several loopback source addresses (127.0.0.2...), as practices are on
different addresses: registration is rate-limited per address.

    .venv/bin/python benchmarks/bench_relay_load.py [--teams 500] [--seconds 60] [--no-report]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import httpx
import psycopg
from bench_relay_ingest import RECORD, _n, peak_rss_kib, relay_process, temporary_postgres
from results import record

from escap_desktop.sync.crypto import DeviceKeys, TeamKey, seal_record, sign_request
from escap_desktop.sync.wire import DeviceRegistration, MemberAdd, PushRequest

T = TypeVar("T")
TARGET_RECORDS_PER_SECOND = 2000
TARGET_P95_MS = 250.0
DEVICES_PER_TEAM = 4
SOURCE_ADDRESSES = 48
"""Loopback addresses the devices come from: each relay process lets an address register 60
devices in a burst, so 2,000 devices need a few dozen addresses."""


@dataclass
class Device:
    keys: DeviceKeys
    team_id: str
    address: str
    bodies: list[bytes] = field(default_factory=list)
    cursor: int = 0


@dataclass
class Tally:
    """What one worker thread saw; merged after the run."""

    pushed: int = 0
    delivered: int = 0
    push_latencies: list[float] = field(default_factory=list)
    pull_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    """Latencies in milliseconds, memory in MiB (peak, end), storage in MiB."""

    pushed: int
    delivered: int
    elapsed: float
    requests: int
    push_p50: float
    push_p95: float
    pull_p50: float
    pull_p95: float
    p95: float
    memory: list[tuple[float, float]]
    baseline: list[float]
    rows_before: int
    rows_after: int
    mib_before: float
    mib_after: float
    purge: str

    @property
    def rate(self) -> float:
        return self.pushed / self.elapsed


class Relays:
    """The two processes, a request going to the next one in turn; one httpx client per
    source address and process (connections are kept alive, as a practice's app keeps its own)."""

    def __init__(self, base_urls: list[str]) -> None:
        self._base_urls = base_urls
        self._next = itertools.cycle(range(len(base_urls)))
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, int], httpx.Client] = {}

    def client(self, address: str) -> httpx.Client:
        with self._lock:
            index = next(self._next)
            key = (address, index)
            if key not in self._clients:
                transport = httpx.HTTPTransport(local_address=address)
                self._clients[key] = httpx.Client(
                    base_url=self._base_urls[index], transport=transport, timeout=120
                )
            return self._clients[key]

    def send(self, device: Device, method: str, target: str, body: bytes = b"") -> httpx.Response:
        headers = sign_request(device.keys, method, target, body)
        if body:
            headers["Content-Type"] = "application/json"
        for _attempt in range(20):
            response = self.client(device.address).request(
                method, target, content=body, headers=headers
            )
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
            headers = sign_request(device.keys, method, target, body)  # a fresh nonce
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {target}: {response.status_code} {response.text[:200]}")
        return response

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


def make_teams(teams: int, batches: int, batch_size: int) -> list[list[Device]]:
    """Every device with its sealed batches, before any clock starts."""
    made = []
    for team_number in range(teams):
        team_id = uuid.uuid4().hex
        team_key = TeamKey.generate()
        members = []
        for member in range(DEVICES_PER_TEAM):
            number = team_number * DEVICES_PER_TEAM + member
            device = Device(
                DeviceKeys.generate(), team_id, f"127.0.0.{2 + number % SOURCE_ADDRESSES}"
            )
            device.bodies = [
                PushRequest(
                    envelopes=[
                        seal_record(
                            team_key,
                            device.keys,
                            team_id=team_id,
                            record_id=uuid.uuid4().hex,
                            record_type="Message",
                            plaintext=RECORD,
                        )
                        for _ in range(batch_size)
                    ]
                )
                .model_dump_json()
                .encode()
                for _ in range(batches)
            ]
            members.append(device)
        made.append(members)
    return made


def set_up(relays: Relays, team: list[Device]) -> None:
    """Registers the four devices; the first creates the team and adds the other three."""
    for device in team:
        public = device.keys.public
        registration = DeviceRegistration(
            signing_key=public.signing_key, encryption_key=public.encryption_key
        )
        relays.send(device, "POST", "/v1/devices", registration.model_dump_json().encode())
    creator = team[0]
    relays.send(creator, "PUT", f"/v1/teams/{creator.team_id}")
    for member in team[1:]:
        body = MemberAdd(device_id=member.keys.key_id).model_dump_json().encode()
        relays.send(creator, "POST", f"/v1/teams/{creator.team_id}/members", body)


def pull(relays: Relays, device: Device, tally: Tally | None) -> bool:
    """One page from the device's cursor; whether more is waiting."""
    target = f"/v1/teams/{device.team_id}/envelopes?after={device.cursor}&limit=500"
    started = time.perf_counter()
    page = relays.send(device, "GET", target).json()
    if tally is not None:
        tally.pull_latencies.append(time.perf_counter() - started)
        tally.delivered += sum(
            1
            for item in page["envelopes"]
            if item["envelope"]["author_key_id"] != device.keys.key_id
        )
    device.cursor = int(page["next_cursor"])
    return bool(page["has_more"])


def work(relays: Relays, devices: list[Device], until: float, tally: Tally) -> None:
    """Round after round over this worker's devices: push one batch, pull one page."""
    try:
        for round_number in itertools.count():
            for device in devices:
                if time.perf_counter() >= until or round_number >= len(device.bodies):
                    return
                body = device.bodies[round_number]
                started = time.perf_counter()
                pushed = relays.send(device, "POST", "/v1/envelopes", body).json()
                tally.push_latencies.append(time.perf_counter() - started)
                tally.pushed += len(pushed["results"])
                pull(relays, device, tally)
    except Exception as error:  # reported after the run; the other workers go on
        tally.errors.append(repr(error))


def in_parallel(workers: int, jobs: Sequence[T], run: Callable[[T], object]) -> None:
    """Runs ``run(job)`` for every job on ``workers`` threads (set-up and final pulls)."""
    pending = iter(jobs)
    lock = threading.Lock()
    failures: list[str] = []

    def loop() -> None:
        while True:
            with lock:
                job = next(pending, None)
            if job is None:
                return
            try:
                run(job)
            except Exception as error:
                failures.append(repr(error))
                return

    threads = [threading.Thread(target=loop) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"échec de la préparation : {failures[:3]}")


def storage(pg_url: str) -> tuple[int, int]:
    """Envelope rows, and the bytes of their table with its indexes and TOAST."""
    with psycopg.connect(_libpq(pg_url), autocommit=True) as conn:
        rows = conn.execute("SELECT count(*) FROM envelopes").fetchone()
        size = conn.execute("SELECT pg_total_relation_size('envelopes')").fetchone()
    assert rows is not None
    assert size is not None
    return int(rows[0]), int(size[0])


def vacuum_full(pg_url: str) -> None:
    """Gives the purged pages back to the system, so the size shows what the relay holds."""
    with psycopg.connect(_libpq(pg_url), autocommit=True) as conn:
        conn.execute("VACUUM FULL envelopes")


def _libpq(pg_url: str) -> str:
    return pg_url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A database of its own on a given server: the purge must not touch anyone else's teams."""
    name = f"relay_load_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    prefix, _, _ = server_url.rpartition("/")
    try:
        yield f"{prefix}/{name}"
    finally:
        with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def purge(pg_url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "escap_relay.cli", "purge", "--database-url", pg_url,
         "--acked-retention-days", "0"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"la purge a échoué : {done.stdout}{done.stderr}")
    return done.stdout.strip()


def run(pg_url: str, args: argparse.Namespace) -> LoadResult:
    teams = make_teams(args.teams, args.batches, args.batch_size)
    devices = [device for team in teams for device in team]
    with ExitStack() as stack:
        started_relays = [
            stack.enter_context(relay_process(pg_url, "--purge-interval-minutes", "0"))
            for _ in range(2)
        ]
        relays = Relays([url for url, _pid in started_relays])
        stack.callback(relays.close)
        baseline = [peak_rss_kib(pid)[0] for _url, pid in started_relays]
        in_parallel(args.workers, list(teams), lambda team: set_up(relays, team))
        tallies = [Tally() for _ in range(args.workers)]
        slices = [devices[index :: args.workers] for index in range(args.workers)]
        started = time.perf_counter()
        until = started + args.seconds
        threads = [
            threading.Thread(target=work, args=(relays, chunk, until, tally))
            for chunk, tally in zip(slices, tallies, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        memory = [peak_rss_kib(pid) for _url, pid in started_relays]

        def drain(device: Device) -> None:
            while pull(relays, device, None):
                pass
            pull(relays, device, None)  # a pull from the head acknowledges the last page

        in_parallel(args.workers, devices, drain)  # every member acknowledges everything
    errors = [error for tally in tallies for error in tally.errors]
    if errors:
        raise SystemExit(f"échecs pendant la mesure : {errors[:3]}")
    rows_before, bytes_before = storage(pg_url)
    summary = purge(pg_url)
    vacuum_full(pg_url)
    rows_after, bytes_after = storage(pg_url)
    pushed = sum(tally.pushed for tally in tallies)
    if rows_before != sum(device.cursor for team in teams for device in team[:1]):
        raise SystemExit(f"le relais tient {rows_before} enveloppes, différent des curseurs")
    pushes = sorted(lat for tally in tallies for lat in tally.push_latencies)
    pulls = sorted(lat for tally in tallies for lat in tally.pull_latencies)
    both = sorted(pushes + pulls)
    return LoadResult(
        pushed=pushed,
        delivered=sum(tally.delivered for tally in tallies),
        elapsed=elapsed,
        requests=len(both),
        push_p50=_quantile(pushes, 0.5),
        push_p95=_quantile(pushes, 0.95),
        pull_p50=_quantile(pulls, 0.5),
        pull_p95=_quantile(pulls, 0.95),
        p95=_quantile(both, 0.95),
        memory=[(hwm / 1024, rss / 1024) for hwm, rss in memory],
        baseline=[hwm / 1024 for hwm in baseline],
        rows_before=rows_before,
        rows_after=rows_after,
        mib_before=bytes_before / 2**20,
        mib_after=bytes_after / 2**20,
        purge=summary,
    )


def _quantile(sorted_seconds: list[float], share: float) -> float:
    if not sorted_seconds:
        return 0.0
    return sorted_seconds[min(len(sorted_seconds) - 1, int(len(sorted_seconds) * share))] * 1000


def append_report(result: LoadResult, args: argparse.Namespace, pg_source: str) -> None:
    now = datetime.now(UTC).strftime("%d/%m/%Y %H:%M UTC")
    rate, p95 = result.rate, result.p95
    reached = rate >= TARGET_RECORDS_PER_SECOND and p95 < TARGET_P95_MS
    memory = " ; ".join(
        f"processus {index + 1} : pic {hwm:.0f} Mio, fin {rss:.0f} Mio (départ {start:.0f} Mio)"
        for index, ((hwm, rss), start) in enumerate(
            zip(result.memory, result.baseline, strict=True)
        )
    )
    section = f"""
## Relais en charge : {args.teams} équipes x {DEVICES_PER_TEAM} appareils, deux processus — {now}

`benchmarks/bench_relay_load.py` — deux processus relais uvicorn sur 127.0.0.1, une même base
({pg_source}), chaque requête envoyée à l'un puis à l'autre à tour de rôle ; {args.workers}
fils clients se partagent les {args.teams * DEVICES_PER_TEAM} appareils (adresses sources
127.0.0.2 à 127.0.0.{1 + SOURCE_ADDRESSES}). Chaque appareil, à son tour : dépose un lot de
{args.batch_size} enveloppes de son équipe puis tire une page de ce que les autres ont écrit ;
{args.seconds:.0f} s de mesure, enveloppes scellées avant. Clients et relais partagent la
machine : {platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()},
charge moyenne {os.getloadavg()[0]:.1f}. Purge ensuite avec la commande de l'exploitant
(`escap relay purge --acked-retention-days 0`, après que chaque appareil a tout tiré), puis
`VACUUM FULL envelopes` pour que la taille montre ce que le relais garde.

| mesure | valeur |
| --- | --- |
| enveloppes déposées (cible ≥ {_n(TARGET_RECORDS_PER_SECOND)} /s) | {_n(rate)} /s ({_n(result.pushed)} en {result.elapsed:.1f} s) |
| enveloppes remises aux autres membres pendant la mesure | {_n(result.delivered)} |
| requêtes, 95e centile toutes requêtes (cible < {TARGET_P95_MS:.0f} ms) | {_n(result.requests)}, {p95:.0f} ms |
| dépôt d'un lot, médiane / 95e centile | {result.push_p50:.0f} / {result.push_p95:.0f} ms |
| tirage d'une page, médiane / 95e centile | {result.pull_p50:.0f} / {result.pull_p95:.0f} ms |
| mémoire des relais (VmHWM / VmRSS) | {memory} |
| enveloppes gardées avant / après la purge | {_n(result.rows_before)} / {_n(result.rows_after)} |
| table des enveloppes avant / après la purge | {result.mib_before:.0f} Mio / {result.mib_after:.1f} Mio |

Purge : « {result.purge} »

{"Cible atteinte." if reached else "Cible NON atteinte."}
"""  # noqa: E501
    record(section)


def main() -> int:
    parser = argparse.ArgumentParser(description="Le relais en charge, deux processus.")
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--batches", type=int, default=10, help="lots scellés par appareil")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--workers", type=int, default=24, help="fils clients")
    parser.add_argument("--pg-url", help="serveur PostgreSQL existant (une base neuve y est créée)")
    parser.add_argument("--no-report", action="store_true", help="n'écrit pas docs/benchmarks.md")
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.pg_url:
            url = stack.enter_context(fresh_database(args.pg_url))
            source = "PostgreSQL fourni, base neuve"
        else:
            url = stack.enter_context(fresh_database(stack.enter_context(temporary_postgres())))
            source = "PostgreSQL temporaire, réglages par défaut : fsync actif"
        result = run(url, args)
    print(
        f"{result.rate:.0f} enveloppes/s déposées ({result.pushed} en "
        f"{result.elapsed:.1f} s), p95 {result.p95:.0f} ms ; "
        f"enveloppes {result.rows_before} -> {result.rows_after} après la purge"
    )
    if not args.no_report:
        append_report(result, args, source)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
