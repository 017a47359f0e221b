"""Where every benchmark writes: one section appended to ``docs/benchmarks.md`` per run.

Benchmarks are run as scripts (``python benchmarks/bench_x.py``), so this folder is on
``sys.path`` and they import it as ``results``.
"""

from __future__ import annotations

import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
RESULTS_ENV = "ESCAP_BENCH_RESULTS"
"""Another file to write to: the test that runs every benchmark at a tiny size (so none breaks
unnoticed between two real runs) sends its sections there, never into docs/benchmarks.md."""


def record(section: str) -> Path:
    """Appends ``section`` as written, creating the file with its heading the first time."""
    results_file = Path(os.environ.get(RESULTS_ENV) or RESULTS)
    results_file.parent.mkdir(parents=True, exist_ok=True)
    if not results_file.exists():
        results_file.write_text("# Benchmarks\n", encoding="utf-8")
    with results_file.open("a", encoding="utf-8") as results:
        results.write(section)
    return results_file
