"""What keeps the patient list fast (issue 19) keeps its behaviour: the filter proxy's rows and
signals, the delegate's painting, the keys built off the GUI thread, the launcher showing the
list before the main controller, and jobs running below the GUI thread."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import EscapState
from escap_desktop.services.practice import open_practice
from escap_desktop.ui.app import Launch
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.main_window.patient_list_view import PatientListView
from escap_desktop.ui.models.patient_search import PatientListing, search_key
from escap_desktop.ui.models.patient_table_model import (
    NAME,
    UNREAD,
    PatientFilterProxyModel,
    PatientTableModel,
)
from escap_desktop.ui.runner import JobQueue, call_job
from escap_desktop.ui.startup import Startup
from tests.ui.conftest import ME, assessed_patient
from tests.ui.factories import summary

ROWS = [
    summary("LEFÈVRE Marie", date(1941, 12, 24), "241127512345612", EscapState.ACTIVE, 17, 4),
    summary("MARTIN Léa", date(1948, 3, 5), "248037512345678", EscapState.FORMING, 14, 2),
    summary("DUPONT Jean-Pierre", date(1950, 3, 12), "150037500011122", None, unread=2),
    summary("N'DIAYE Awa", date(1938, 7, 1), "238079900022233", EscapState.CLOSED, 12, 3),
    summary("MARTIN Paul", date(1952, 1, 9), "152017500044455", EscapState.ACTIVE, 15, 3),
]


def _names(proxy: PatientFilterProxyModel) -> list[str]:
    return [proxy.index(row, NAME).data() for row in range(proxy.rowCount())]


def _proxy() -> tuple[PatientTableModel, PatientFilterProxyModel]:
    source = PatientTableModel()
    source.set_rows(ROWS)
    proxy = PatientFilterProxyModel()
    proxy.setSourceModel(source)
    return source, proxy


def test_a_search_resets_the_proxy_once_and_not_at_all_when_the_same_rows_stay() -> None:
    _source, proxy = _proxy()
    resets: list[int] = []
    proxy.modelReset.connect(lambda: resets.append(proxy.rowCount()))
    proxy.set_search_text("mart")
    assert resets == [2]
    proxy.set_search_text("marti")  # the same two patients: nothing to tell the view
    proxy.set_search_text("martin ")
    assert resets == [2]
    proxy.set_search_text("martin le")
    assert resets == [2, 1]
    assert _names(proxy) == ["MARTIN Léa"]


def test_the_proxy_follows_changed_and_added_rows(qtmodeltester: ModelTester) -> None:
    source, proxy = _proxy()
    qtmodeltester.check(proxy)
    proxy.set_search_text("martin")
    assert _names(proxy) == ["MARTIN Léa", "MARTIN Paul"]
    renamed = summary(
        "MARTINEZ Léa", date(1948, 3, 5), "248037512345678", patient_id=ROWS[1].patient_id
    )
    source.update_row(renamed)  # still found: its cells repaint
    assert _names(proxy) == ["MARTINEZ Léa", "MARTIN Paul"]
    source.update_row(summary("ROUX Léa", date(1948, 3, 5), patient_id=ROWS[1].patient_id))
    assert _names(proxy) == ["MARTIN Paul"]  # no longer found
    source.update_row(summary("MARTIN Zoé", date(1960, 5, 5), "260057500066677"))
    assert _names(proxy) == ["MARTIN Paul", "MARTIN Zoé"]  # a new patient who matches
    source.update_row(summary("BERNARD Zoé", date(1961, 5, 5), "261057500088899"))
    assert _names(proxy) == ["MARTIN Paul", "MARTIN Zoé"]
    proxy.set_search_text("")
    assert proxy.rowCount() == source.rowCount() == len(ROWS) + 2
    qtmodeltester.check(proxy)


def test_sorting_keeps_persistent_indexes_on_the_same_patients() -> None:
    _source, proxy = _proxy()
    proxy.set_search_text("martin")
    index = proxy.index(1, NAME)
    assert index.data() == "MARTIN Paul"
    kept = QPersistentModelIndex(index)
    proxy.sort(NAME, Qt.SortOrder.DescendingOrder)
    assert _names(proxy) == ["MARTIN Paul", "MARTIN Léa"]
    assert kept.row() == 0
    assert kept.data() == "MARTIN Paul"


def test_the_selected_patient_stays_selected_while_the_search_shows_them(qtbot: QtBot) -> None:
    view = PatientListView()
    qtbot.addWidget(view)
    view.set_rows(ROWS)
    assert view.select_patient(ROWS[4].patient_id)
    view.search.setText("martin")
    assert view.selected_patient_id() == ROWS[4].patient_id
    view.search.setText("martin p")
    assert view.selected_patient_id() == ROWS[4].patient_id
    view.search.setText("lefevre")
    assert view.selected_patient_id() is None
    assert view.count_label.text() == "1 sur 5 patients"


def test_the_delegate_paints_what_the_default_delegate_paints(qtbot: QtBot) -> None:
    view = PatientListView()
    qtbot.addWidget(view)
    view.resize(1200, 300)
    view.set_rows(ROWS)
    view.show()
    qtbot.waitExposed(view)
    view.select_patient(ROWS[2].patient_id)  # selected, with unread messages (bold, icon)
    assert view.proxy.painted_cell(0, UNREAD) == ("2", True, True)
    QCoreApplication.processEvents()
    ours = view.table.viewport().grab().toImage()
    view.table.setItemDelegate(QStyledItemDelegate(view.table))
    QCoreApplication.processEvents()
    default = view.table.viewport().grab().toImage()
    assert ours == default


def test_the_listing_builds_the_same_keys_as_the_model() -> None:
    listing = PatientListing.of(ROWS)
    assert listing.rows == ROWS
    assert listing.search_keys == [search_key(row) for row in ROWS]
    model = PatientTableModel()
    model.set_rows(listing.rows, listing.search_keys)
    assert sorted(model.search_keys) == sorted(listing.search_keys)
    with pytest.raises(ValueError, match="une clé de recherche par ligne"):
        model.set_rows(ROWS, listing.search_keys[:2])


def test_rows_shown_before_their_keys_are_searched_all_the_same() -> None:
    """The start-up paints the rows first (``keys_later``): keys handed over later follow the
    rows in their current sort order; a search typed before they come builds them."""
    source = PatientTableModel()
    proxy = PatientFilterProxyModel()
    proxy.setSourceModel(source)
    source.sort(NAME, Qt.SortOrder.AscendingOrder)
    source.set_rows(ROWS, keys_later=True)
    assert proxy.rowCount() == len(ROWS)
    assert source._search_keys == []  # nothing built on the GUI thread to show them
    listing = PatientListing.of(ROWS)
    source.set_search_keys(ROWS, listing.search_keys)
    assert source.search_keys == [search_key(row) for row in source.rows]
    proxy.set_search_text("martin")
    assert _names(proxy) == ["MARTIN Léa", "MARTIN Paul"]

    early = PatientTableModel()
    early_proxy = PatientFilterProxyModel()
    early_proxy.setSourceModel(early)
    early.set_rows(ROWS, keys_later=True)
    early_proxy.set_search_text("ndiaye")  # typed before the keys came
    assert _names(early_proxy) == ["N'DIAYE Awa"]
    early.set_search_keys(ROWS, ["x"] * len(ROWS))  # too late: the ones built are kept
    assert early.search_keys == [search_key(row) for row in early.rows]


STARTUP_CHILD = """
import json, sys
from pathlib import Path
from file_keyring import FileKeyring
from escap_desktop.store.trusted_keyring import trust_backend

trust_backend(FileKeyring)
if sys.argv[1] == "create":
    from escap_desktop.services.practice import open_practice
    from tests.ui.conftest import ME, assessed_patient

    practice = open_practice(Path(sys.argv[2]))
    practice.profile.save(ME)
    assessed_patient(practice, "Martin")
    assessed_patient(practice, "Rousseau")
    practice.close()
    raise SystemExit(0)

from PySide6.QtCore import QTimer
from escap_desktop.ui.app import Launch
from escap_desktop.ui.app_shell import create_application, create_shell

FORBIDDEN = (
    "sqlalchemy", "alembic", "pypdf", "fhir.resources", "httpx", "reportlab",
    "escap_desktop.services.practice", "escap_desktop.store.models", "escap_desktop.sync",
)
application = create_application(["escap"])
shell = create_shell(application)
seen = []
launch = Launch(shell, sys.argv[2], open_files=False)


def on_reset():
    rows = launch.window.patient_list.model.rowCount()
    if rows and not seen:
        seen.append([rows, [name for name in FORBIDDEN if name in sys.modules]])
        QTimer.singleShot(0, application.quit)


launch.window.patient_list.model.modelReset.connect(on_reset)
QTimer.singleShot(30_000, application.quit)
application.exec()
shell.jobs.wait_for_done(30_000)
print(json.dumps(seen))
"""


def test_the_list_is_shown_before_the_store_layer_is_imported(tmp_path: Path) -> None:
    """Issue 19: from launch to the patient list, neither SQLAlchemy nor the services nor the
    heavy libraries they bring are imported (a fresh process, as the professional starts)."""
    root = Path(__file__).resolve().parents[2]
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
        "ESCAP_BENCH_KEYRING": str(tmp_path / "keyring.json"),
        "PYTHONPATH": os.pathsep.join((str(root / "benchmarks"), str(root))),
    }
    folder = tmp_path / "cabinet"
    folder.mkdir()
    for step in ("create", "launch"):
        result = subprocess.run(
            [sys.executable, "-c", STARTUP_CHILD, step, str(folder)],
            capture_output=True,
            text=True,
            env=environment,
            cwd=root,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1]) == [[2, []]]


def test_the_launcher_shows_the_list_before_the_main_controller_exists(
    qtbot: QtBot, shell: Shell, tmp_path: Path
) -> None:
    practice = open_practice(tmp_path)
    practice.profile.save(ME)
    assessed_patient(practice, "Martin")
    assessed_patient(practice, "Rousseau")
    practice.close()
    seen: list[tuple[int, bool]] = []
    started: list[Startup] = []

    def on_startup(startup: Startup) -> None:
        seen.append((launch.window.patient_list.model.rowCount(), startup.main is None))
        started.append(startup)

    launch = Launch(shell, str(tmp_path), on_startup=on_startup)
    qtbot.waitUntil(lambda: bool(started) and started[0].main is not None, timeout=20_000)
    assert seen == [(2, True)]
    main = started[0].main
    assert main is not None
    qtbot.waitUntil(lambda: len(main.summaries) == 2, timeout=10_000)
    assert main.window.patient_list.model.rowCount() == 2
    assert [s.patient_id for s in main.summaries] == [
        s.patient_id for s in main.window.patient_list.model.rows
    ]
    launch.window.close()
    launch.close()
    main.window.close()
    started[0].close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice: Linux")
def test_background_jobs_run_below_the_gui_thread_and_others_do_not(qtbot: QtBot) -> None:
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    for queue, lower in ((JobQueue(background=True), True), (JobQueue(), False)):
        niceness: list[int] = []

        def job(seen: list[int] = niceness) -> None:
            seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

        with qtbot.waitSignal(queue.idle, timeout=5_000):
            queue.start(call_job(job), lambda _r: None, lambda _e: None)
        assert niceness
        assert (niceness[0] > mine) is lower
