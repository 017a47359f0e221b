"""Every benchmark still runs: each script at a tiny size, its section written to a scratch file.

Benchmarks measure and never assert (docs/benchmarks.md holds their results); they are run by
hand, so a change to the code they drive could break one unnoticed until the next real run.
This runs them end to end — not their speed — and checks that each wrote its section.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("ESCAP_TEST_PG_URL")

RUNS = [
    pytest.param("bench_demo.py", ["--patients", "12", "--runs", "1"], "démonstration", id="demo"),
    pytest.param("bench_documents.py", ["--runs", "2"], "", id="documents"),
    pytest.param(
        "bench_sync.py",
        ["--records", "60", "--late-records", "30", "--runs", "1"],
        "contre son plancher",
        id="sync",
    ),
    pytest.param(
        "bench_writes.py",
        ["--messages", "60", "--posts", "6", "--thread", "20", "--runs", "1"],
        "Écriture locale",
        id="writes",
    ),
    pytest.param(
        "bench_gui.py",
        ["--patients", "40", "--runs", "1", "--sync-backlog", "300"],
        "Interface : liste de 40 patients",
        id="gui",
    ),
    pytest.param(
        "bench_patient_import.py",
        ["--rows", "60", "--patients", "80", "--runs", "1", "--lookups", "10"],
        "Import d'une liste de patients",
        id="patient-import",
    ),
    pytest.param(
        "bench_relay_ingest.py",
        [
            *("--clients", "1", "--batches", "2", "--batch-size", "20", "--warmup", "0"),
            *("--pg-url", PG_URL or ""),
        ],
        "",
        id="relay-ingest",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="ESCAP_TEST_PG_URL absent"),
        ],
    ),
    pytest.param(
        "bench_relay_load.py",
        [
            *("--teams", "3", "--seconds", "1", "--batches", "3", "--workers", "2"),
            *("--pg-url", PG_URL or ""),
        ],
        "Relais en charge : 3 équipes",
        id="relay-load",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="ESCAP_TEST_PG_URL absent"),
        ],
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("script", "arguments", "expected"), RUNS)
def test_the_benchmark_runs_and_writes_its_section(
    script: str, arguments: list[str], expected: str, tmp_path: Path
) -> None:
    scratch = tmp_path / "benchmarks.md"
    environment = {
        **os.environ,
        "ESCAP_BENCH_RESULTS": str(scratch),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = scratch.read_text(encoding="utf-8")
    assert written.startswith("# Benchmarks\n")
    assert "\n## " in written
    assert expected in written
