"""Runs every benchmark of ``benchmarks/`` one after the other; each appends to docs/benchmarks.md.

Run: ``.venv/bin/python benchmarks/run_all.py [NAME ...]`` (names without ``bench_`` and ``.py``,
e.g. ``documents store_list``). Benchmarks are never part of the test suite: they measure, they
do not assert, and some take minutes (the 2.2-million-line directory import, 10,000 patients).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        wanted = {f"bench_{name}.py" for name in names}
        unknown = wanted - {script.name for script in scripts}
        if unknown:
            print(f"Benchmarks inconnus : {', '.join(sorted(unknown))}", file=sys.stderr)
            return 1
        scripts = [script for script in scripts if script.name in wanted]
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"Échec : {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
