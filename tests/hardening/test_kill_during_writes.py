"""kill -9 during a burst of writes: the store still opens, is sound, and lost nothing it had
acknowledged.

A real process (``tests/hardening/writer.py``) posts messages through the services and prints
each id once the call has returned; this test kills it with SIGKILL at seeded random moments
(after 0 to 40 acknowledged writes, plus a few milliseconds), then checks the file.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from escap_desktop.core.entities import Message
from escap_desktop.services.practice import build_practice
from escap_desktop.store import Store, store_path
from escap_desktop.store.keys import new_key
from tests.hardening.conftest import fill_with_demo, integrity, present_ids, team_escap
from tests.hardening.writer import KEY_ENV

ROOT = Path(__file__).resolve().parents[2]
ITERATIONS = 5
SEED = 20_261_125
WATCHDOG_SECONDS = 30
ID = re.compile(r"^[0-9a-f]{32}$")


def _start_writer(data_dir: Path, escap_id: str, label: str, key: bytes) -> subprocess.Popen[str]:
    env = {**os.environ, KEY_ENV: key.hex(), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.hardening.writer", str(data_dir), escap_id, label],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_after(process: subprocess.Popen[str], writes: int, delay: float) -> tuple[list[str], str]:
    """Reads ``writes`` acknowledgements, waits ``delay`` s, kills; returns every id printed."""
    assert process.stdout is not None
    assert process.stderr is not None
    watchdog = threading.Timer(WATCHDOG_SECONDS, process.kill)
    watchdog.start()
    acknowledged: list[str] = []
    try:
        ready = process.stdout.readline().strip()
        assert ready == "PRET", process.stderr.read()
        for _ in range(writes):
            line = process.stdout.readline().strip()
            assert ID.match(line), f"{line!r}: {process.stderr.read()}"
            acknowledged.append(line)
        time.sleep(delay)  # the fault's timing itself, not a wait for a condition
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=WATCHDOG_SECONDS)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    # Ids printed between the last line read and the kill were acknowledged too.
    acknowledged += [line for line in process.stdout.read().split() if ID.match(line)]
    return acknowledged, process.stderr.read()


def test_acknowledged_messages_survive_kill_9_at_random_moments(tmp_path: Path) -> None:
    key = new_key()
    data_dir = tmp_path / "donnees"
    data_dir.mkdir()
    path = store_path(data_dir)
    practice = build_practice(Store.open(path, key), data_dir)
    fill_with_demo(practice)
    escap = team_escap(practice.store)
    practice.close()
    rng = random.Random(SEED)
    acknowledged: list[str] = []

    for iteration in range(ITERATIONS):
        with _start_writer(data_dir, escap.id, str(iteration), key) as writer:
            ids, errors = _kill_after(writer, rng.randint(0, 40), rng.uniform(0, 0.03))
        assert writer.returncode == -signal.SIGKILL, errors
        acknowledged += ids

        assert integrity(path, key) == "ok"
        assert present_ids(path, key, "message", acknowledged) == set(acknowledged)

    assert len(acknowledged) > ITERATIONS  # the bursts really wrote something
    with Store.open(path, key) as store, store.unit_of_work(None) as uow:
        stored = {message.id for message in uow.find(Message, escap_id=escap.id)}
        assert set(acknowledged) <= stored
        assert any(row.escap_id == escap.id for row in uow.patient_summaries())
    assert integrity(path, key) == "ok"
