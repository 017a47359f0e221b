"""Relay ingest on PostgreSQL: records per second from several concurrent clients, relay memory.

Target: at least 2,000 records/s on the 2-core reference machine. Starts its own temporary
PostgreSQL (default durability settings: fsync on, unlike the test server) unless --pg-url is
given, then the relay as a real uvicorn process on 127.0.0.1, then N client threads, each a
registered device pushing signed batches to its own team. Every loop is bounded; loopback only.
The relay's peak resident memory is read from /proc/<pid>/status (VmHWM).

    .venv/bin/python benchmarks/bench_relay_ingest.py [--clients 4] [--batches 60] [--no-report]
"""

from __future__ import annotations

import argparse
import os
import platform
import pwd
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from results import record

from escap_desktop.sync.crypto import DeviceKeys, TeamKey, seal_record, sign_request
from escap_desktop.sync.wire import DeviceRegistration, PushRequest

ROOT = Path(__file__).resolve().parent.parent
TARGET_RECORDS_PER_SECOND = 2000
RECORD = (
    '{"kind":"message","author":"IDE","body":"Passage du matin : constantes stables, '
    'pansement refait, pas de douleur signalée. Prochain passage demain 8 h.","tags":["visite"],'
    '"at":"2025-11-25T08:30:00+00:00","padding":"' + "x" * 300 + '"}'
).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pg_bindir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    raise SystemExit("PostgreSQL introuvable (installez le paquet postgresql, ou --pg-url)")


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """A PostgreSQL with its default settings in a temporary folder (as postgres when root)."""
    bindir = _pg_bindir()
    folder = Path(tempfile.mkdtemp(prefix="escap-bench-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = "postgres" if shutil.which("runuser") and _user_exists("postgres") else "nobody"
        shutil.chown(folder, user)
        prefix = ["runuser", "-u", user, "--"]
    folder.chmod(0o700)
    port = free_port()
    data = folder / "data"
    _quiet([*prefix, bindir / "initdb", "-D", data, "-U", "escap", "-A", "trust", "-E", "UTF8",
            "--no-locale"])  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c max_connections=100"
    _quiet([*prefix, bindir / "pg_ctl", "-D", data, "-l", folder / "server.log", "-w", "-t", "60",
            "-o", options, "start"])  # fmt: skip
    try:
        _quiet([*prefix, bindir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "escap",
                "relay_bench"])  # fmt: skip
        yield f"postgresql+psycopg://escap@127.0.0.1:{port}/relay_bench"
    finally:
        _quiet([*prefix, bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _quiet(command: list[str | Path], check: bool = True) -> None:
    subprocess.run(command, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@contextmanager
def relay_process(database_url: str, *options: str) -> Iterator[tuple[str, int]]:
    """A relay as a uvicorn process (``options``: more ``escap-relay`` arguments)."""
    port = free_port()
    command = [sys.executable, "-m", "escap_relay.cli", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--database-url", database_url, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    output = b""
    deadline = time.monotonic() + 60
    while b"Application startup complete" not in output:
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"le relais n'a pas démarré :\n{output.decode(errors='replace')}")
        if not selector.select(timeout=5):
            continue
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            raise SystemExit(f"le relais s'est arrêté :\n{output.decode(errors='replace')}")
        output += chunk
    selector.close()
    drain = threading.Thread(target=process.stdout.read, daemon=True)
    drain.start()
    try:
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        drain.join(timeout=30)
        process.stdout.close()


class Client:
    """One device pushing to its own team; bodies are prepared before the clock starts."""

    def __init__(self, base_url: str, batches: int, batch_size: int) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.keys = DeviceKeys.generate()
        self.team_id = uuid.uuid4().hex
        team_key = TeamKey.generate()
        public = self.keys.public
        registration = DeviceRegistration(
            signing_key=public.signing_key, encryption_key=public.encryption_key
        )
        self._send("POST", "/v1/devices", registration.model_dump_json().encode())
        self._send("PUT", f"/v1/teams/{self.team_id}", b"")
        self.bodies = [
            PushRequest(
                envelopes=[
                    seal_record(
                        team_key,
                        self.keys,
                        team_id=self.team_id,
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
        self.latencies: list[float] = []
        self.error: str | None = None

    def _send(self, method: str, path: str, body: bytes) -> httpx.Response:
        headers = sign_request(self.keys, method, path, body)
        if body:
            headers["Content-Type"] = "application/json"
        response = self.http.request(method, path, content=body, headers=headers)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    def push_all(self, bodies: list[bytes]) -> None:
        try:
            for body in bodies:
                started = time.perf_counter()
                self._send("POST", "/v1/envelopes", body)
                self.latencies.append(time.perf_counter() - started)
        except Exception as error:  # reported after the run, the other threads go on
            self.error = repr(error)

    def head(self) -> int:
        teams = self._send("GET", "/v1/teams", b"").json()["teams"]
        return int(teams[0]["head_seq"])


def peak_rss_kib(pid: int) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmHWM"].split()[0]), int(fields["VmRSS"].split()[0])


def run(pg_url: str, clients_count: int, batches: int, batch_size: int, warmup: int) -> dict:
    with relay_process(pg_url) as (base_url, pid):
        baseline_hwm, _ = peak_rss_kib(pid)
        clients = [Client(base_url, batches + warmup, batch_size) for _ in range(clients_count)]
        for client in clients:  # warm-up: connections, caches, query plans
            client.push_all(client.bodies[:warmup])
        threads = [
            threading.Thread(target=client.push_all, args=(client.bodies[warmup:],))
            for client in clients
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        elapsed = time.perf_counter() - started
        errors = [client.error for client in clients if client.error]
        stored = sum(client.head() for client in clients)
        hwm, rss = peak_rss_kib(pid)
        latencies = sorted(lat for client in clients for lat in client.latencies[warmup:])
        for client in clients:
            client.http.close()
    records = clients_count * batches * batch_size
    if errors:
        raise SystemExit(f"échecs pendant la mesure : {errors}")
    if stored != clients_count * (batches + warmup) * batch_size:
        raise SystemExit(f"le relais a enregistré {stored} enveloppes, attendu davantage")
    return {
        "records": records,
        "elapsed": elapsed,
        "rate": records / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p95": latencies[int(len(latencies) * 0.95)] * 1000,
        "hwm_mib": hwm / 1024,
        "rss_mib": rss / 1024,
        "baseline_mib": baseline_hwm / 1024,
    }


def _n(value: float) -> str:
    """French thousands separator (narrow no-break space)."""
    return f"{value:,.0f}".replace(",", "\u202f")


def append_report(result: dict, args: argparse.Namespace, pg_source: str) -> None:
    now = datetime.now(UTC).strftime("%d/%m/%Y %H:%M UTC")
    reached = (
        "Cible atteinte." if result["rate"] >= TARGET_RECORDS_PER_SECOND else "Cible NON atteinte."
    )
    envelope_bytes = len(RECORD) + 16
    section = f"""
## Relais : ingestion sur PostgreSQL — {now}

`benchmarks/bench_relay_ingest.py` — relais lancé comme processus uvicorn sur 127.0.0.1
({pg_source}), {args.clients} clients simultanés (un appareil et une équipe chacun, threads
httpx), {args.batches} lots de {args.batch_size} enveloppes par client après {args.warmup} lots
d'échauffement ; enregistrement de {envelope_bytes} octets chiffrés par enveloppe ; requêtes
signées, signatures des enveloppes vérifiées par le relais. Clients et relais partagent la
machine. Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}, Linux.

| mesure | valeur |
| --- | --- |
| enveloppes reçues (cible ≥ {_n(TARGET_RECORDS_PER_SECOND)} /s) | {_n(result["rate"])} /s ({_n(result["records"])} en {result["elapsed"]:.1f} s) |
| latence d'un lot, médiane / 95e centile | {result["p50"]:.0f} ms / {result["p95"]:.0f} ms |
| mémoire du relais, pic (VmHWM) | {result["hwm_mib"]:.0f} Mio (au démarrage : {result["baseline_mib"]:.0f} Mio) |
| mémoire du relais en fin de mesure (VmRSS) | {result["rss_mib"]:.0f} Mio |

{reached}
"""  # noqa: E501
    record(section)


def main() -> int:
    parser = argparse.ArgumentParser(description="Débit d'ingestion du relais sur PostgreSQL.")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--pg-url", help="PostgreSQL existant (sinon un serveur temporaire)")
    parser.add_argument("--no-report", action="store_true", help="n'écrit pas docs/benchmarks.md")
    args = parser.parse_args()
    if args.pg_url:
        result = run(args.pg_url, args.clients, args.batches, args.batch_size, args.warmup)
        source = "PostgreSQL fourni"
    else:
        with temporary_postgres() as url:
            result = run(url, args.clients, args.batches, args.batch_size, args.warmup)
        source = "PostgreSQL 15 temporaire, réglages par défaut : fsync actif"
    print(
        f"{result['rate']:.0f} enveloppes/s ({result['records']} en {result['elapsed']:.1f} s), "
        f"lot p50 {result['p50']:.0f} ms p95 {result['p95']:.0f} ms, "
        f"mémoire du relais : pic {result['hwm_mib']:.0f} Mio"
    )
    if not args.no_report:
        append_report(result, args, source)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
