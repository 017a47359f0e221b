"""How long it takes to produce a printable consent form (and the other documents).

The professional clicks "Imprimer" in the patient's file or at home on a laptop: the PDF must be
ready at once. Measures ``build_consent_form`` on the realistic sample of the documents' tests
(5 professionals, accented names, QR code, 2 pages), after a warm-up that registers the fonts;
the first build of a session (font parsing included) is reported apart.

Run: ``.venv/bin/python benchmarks/bench_documents.py [--runs N] [--no-record]``.
Results are printed and appended to ``docs/benchmarks.md``. Target: under 150 ms (median).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdf  # noqa: E402
import reportlab  # noqa: E402
from results import record  # noqa: E402

from escap_desktop.documents import (  # noqa: E402
    build_care_plan,
    build_consent_form,
    build_grid_report,
    build_invitation,
)
from tests.documents import samples  # noqa: E402

TARGET_MS = 150.0


def _timings(build: Callable[[], bytes], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        build()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description="Temps de fabrication des documents imprimés.")
    parser.add_argument("--runs", type=int, default=50, help="essais mesurés (50 par défaut)")
    parser.add_argument("--no-record", action="store_true", help="ne pas écrire le résultat")
    args = parser.parse_args()

    consent = samples.consent_form()
    started = time.perf_counter()
    first = build_consent_form(consent)
    cold_ms = (time.perf_counter() - started) * 1000
    for _ in range(5):
        build_consent_form(consent)

    consent_ms = _timings(lambda: build_consent_form(consent), args.runs)
    invitation, plan, grid = samples.invitation(), samples.care_plan(), samples.grid_report()
    others = {
        "lettre d'invitation (1 page)": _timings(lambda: build_invitation(invitation), 20),
        "fiche du plan de soins (1 page)": _timings(lambda: build_care_plan(plan), 20),
        "compte rendu de grille (2 pages, 26 items)": _timings(lambda: build_grid_report(grid), 20),
    }

    pages = len(pypdf.PdfReader(io.BytesIO(first)).pages)
    median = statistics.median(consent_ms)
    verdict = "atteinte" if median < TARGET_MS else "NON atteinte"
    rows = [(f"formulaire de consentement (cible < {TARGET_MS:.0f} ms)", consent_ms)]
    rows += list(others.items())
    machine = (
        f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, "
        f"Python {platform.python_version()}, reportlab {reportlab.Version}, {platform.system()}."
    )
    lines = [
        f"## Documents imprimés — {datetime.now(UTC):%d/%m/%Y %H:%M} UTC",
        "",
        "`benchmarks/bench_documents.py` — formulaire de consentement de l'échantillon des "
        f"tests (5 professionnels, code QR, {pages} pages, {len(first) // 1024} Kio), "
        f"médiane de {args.runs} essais après échauffement.",
        machine,
        "",
        "| mesure | médiane | 90e centile |",
        "| --- | --- | --- |",
        *(f"| {label} | {_ms(statistics.median(v))} | {_ms(_p90(v))} |" for label, v in rows),
        f"| premier document de la session (lecture des polices comprise) | {_ms(cold_ms)} | — |",
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
