"""One clock: nothing in the application reads the computer's clock or zone but core/clock.py.

A business date taken anywhere else (``date.today()`` in a dialog, ``datetime.now()`` in a
service, ``time.time()`` in the sync engine, ``.astimezone()`` with the computer's zone) is how
main once gave different answers on different days. This test reads every module of
``escap_desktop/`` and ``escap_relay/`` and names each such read, with the fix.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("escap_desktop", "escap_relay")
THE_CLOCK = Path("escap_desktop/core/clock.py")

FORBIDDEN_CALLS = {
    ("date", "today"): "date.today()",
    ("datetime", "today"): "datetime.today()",
    ("datetime", "now"): "datetime.now()",
    ("datetime", "utcnow"): "datetime.utcnow()",
    ("time", "time"): "time.time()",
    ("time", "time_ns"): "time.time_ns()",
    ("time", "localtime"): "time.localtime()",
    ("time", "gmtime"): "time.gmtime()",
    ("time", "strftime"): "time.strftime()",
}
FIX = (
    "prenez l'heure de l'horloge du cabinet (Clock.now() / Clock.today(), via store.clock, "
    "practice.clock ou le service) et les dates françaises par core.clock.paris_date / paris_time"
)


def _modules() -> list[Path]:
    return sorted(
        path.relative_to(ROOT)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path.relative_to(ROOT) != THE_CLOCK
    )


def clock_reads(source: str) -> list[tuple[int, str]]:
    """Each read of the computer's clock or time zone in ``source``: (line, what)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            what = FORBIDDEN_CALLS.get((node.value.id, node.attr))
            if what is not None:  # called, or passed as a default ("today=date.today")
                found.append((node.lineno, what))
        elif isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime"):
            for alias in node.names:
                if (node.module, alias.name) in (("time", "time"), ("time", "time_ns")):
                    found.append((node.lineno, f"from time import {alias.name}"))
        elif isinstance(node, ast.Name) and node.id == "utcnow":
            found.append((node.lineno, "utcnow"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "astimezone"
            and not node.args
            and not node.keywords
        ):
            found.append((node.lineno, ".astimezone() (fuseau de l'ordinateur)"))
    return sorted(found)


def test_the_detector_finds_every_way_of_reading_the_wall_clock() -> None:
    source = (
        "import time\nfrom datetime import date, datetime\nfrom time import time as now\n"
        "def f(today=date.today):\n"
        "    return datetime.now(), time.time(), utcnow(), stamp.astimezone(), datetime.utcnow()\n"
    )
    assert clock_reads(source) == sorted(
        [
            (3, "from time import time"),
            (4, "date.today()"),
            (5, "datetime.now()"),
            (5, "time.time()"),
            (5, "utcnow"),
            (5, ".astimezone() (fuseau de l'ordinateur)"),
            (5, "datetime.utcnow()"),
        ]
    )
    # What is not a wall-clock date: a monotonic stopwatch, a zone given explicitly.
    fine = "t = time.monotonic()\nday = stamp.astimezone(PARIS).date()\n"
    assert clock_reads(fine) == []


def test_no_module_reads_the_computer_clock_but_the_clock() -> None:
    modules = _modules()
    assert len(modules) > 200  # the whole tree was read, not an empty folder
    reads = [
        f"{module}:{line}: {what}"
        for module in modules
        for line, what in clock_reads((ROOT / module).read_text(encoding="utf-8"))
    ]
    assert not reads, "\n".join(reads) + f"\n→ {FIX}"
