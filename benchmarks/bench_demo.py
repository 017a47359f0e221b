"""``escap demo --patients 10000`` must complete, and the demo store must open fast.

Generates the demo practice with the same code as ``escap demo`` (``generate_demo``) into a store
keyed with a fixed raw key (what keyring mode does; passphrase mode adds one Argon2id derivation,
reported apart), then measures opening the store and listing every patient with their ESCAP
state, in fresh ``Store`` objects. SQLCipher's own overhead against plain SQLite is measured by
``bench_store_list.py`` on a store of the same size.

Run: ``.venv/bin/python benchmarks/bench_demo.py [--patients N] [--runs N]``.
Results are printed and appended to ``docs/benchmarks.md``. Targets: generating 10,000 patients
in under 10 s (issue 19), open + list < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import record  # noqa: E402

from escap_desktop.core.rules.billing import load_billing_config  # noqa: E402
from escap_desktop.core.rules.grid import GridCatalog, bundled_grids_dir  # noqa: E402
from escap_desktop.services.demo import generate_demo  # noqa: E402
from escap_desktop.store import Store, derive_key_from_passphrase  # noqa: E402
from escap_desktop.store.keys import new_salt  # noqa: E402

TARGET_MS = 300.0
GENERATION_TARGET_S = 10.0
"""For 10,000 patients (issue 19): judged at that size only."""
KEY = bytes.fromhex("de70" * 16)  # synthetic data only


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--generations", type=int, default=3, help="demos generated, each in a new store"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="escap-bench-demo-") as folder:
        grid = GridCatalog.load(folders=[bundled_grids_dir()]).latest("escap")
        generations = []
        for generation in range(max(1, args.generations)):
            path = Path(folder) / f"escap-desktop-{generation}.db"
            store = Store.open(path, KEY)
            started = time.perf_counter()
            for _ in generate_demo(store, grid, load_billing_config(), patients=args.patients):
                pass
            generations.append(time.perf_counter() - started)
            store.close()
        generation_s = statistics.median(generations)
        size_mb = path.stat().st_size / 1e6

        timings = []
        rows = 0
        for _ in range(args.runs):
            started = time.perf_counter()
            store = Store.open(path, KEY)
            with store.unit_of_work(None) as uow:
                rows = len(uow.patient_summaries())
            timings.append((time.perf_counter() - started) * 1000)
            store.close()
        started = time.perf_counter()
        derive_key_from_passphrase("phrase de passe de mesure", new_salt())
        kdf_ms = (time.perf_counter() - started) * 1000

    median = statistics.median(timings)
    judged = args.patients == 10_000
    generation_label = f" (cible < {GENERATION_TARGET_S:.0f} s)" if judged else ""
    generation_row = (
        f"génération de la démonstration{generation_label}, médiane de {len(generations)} "
        "(meilleure / pire)"
    )
    list_label = (
        f"ouverture + liste des {rows} patients avec l'état de leur ESCAP "
        f"(cible < 300 ms), médiane de {args.runs}"
    )
    verdicts = ["ouverture + liste " + ("atteinte" if median < TARGET_MS else "NON atteinte")]
    if judged:
        reached = generation_s < GENERATION_TARGET_S
        verdicts.insert(0, "génération " + ("atteinte" if reached else "NON atteinte"))
    verdict = f"Cibles : {', '.join(verdicts)}."
    report = f"""
## Cabinet de démonstration de {args.patients} patients — {datetime.now(UTC):%d/%m/%Y %H:%M} UTC

`benchmarks/bench_demo.py` — même code que `escap demo --patients {args.patients}`.
Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()},
charge moyenne {os.getloadavg()[0]:.1f} au moment de la mesure.

| mesure | résultat |
| --- | --- |
| {generation_row} | {generation_s:.1f} s ({min(generations):.1f} / {max(generations):.1f} s ; {
        size_mb:.0f} Mo) |
| {list_label} | {median:.1f} ms |
| meilleur / pire essai | {min(timings):.1f} / {max(timings):.1f} ms |
| dérivation Argon2id en mode phrase de passe (en plus, une fois par ouverture) | {kdf_ms:.0f} ms |

{verdict}
"""
    print(report)
    record(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
