"""Where every benchmark writes: one section appended to ``docs/benchmarks.md`` per run.

Benchmarks are run as scripts (``python benchmarks/bench_x.py``), so this folder is on
``sys.path`` and they import it as ``results``.
"""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def record(section: str) -> Path:
    """Appends ``section`` as written, creating the file with its heading the first time."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmarks\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(section)
    return RESULTS
