"""The patient list model and its search filter, without any window."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import EscapState
from escap_desktop.ui.models.patient_table_model import (
    BIRTH_DATE,
    HEADERS,
    NAME,
    NEXT_ACTION,
    ROW_ROLE,
    SCORE,
    SORT_ROLE,
    STATE,
    UNREAD,
    PatientFilterProxyModel,
    PatientTableModel,
)
from tests.ui.factories import summary

ROWS = [
    summary("LEFÈVRE Marie", date(1941, 12, 24), "241127512345612", EscapState.ACTIVE, 17, 4),
    summary("MARTIN Léa", date(1948, 3, 5), "248037512345678", EscapState.FORMING, 14, 2),
    summary("DUPONT Jean-Pierre", date(1950, 3, 12), "150037500011122", None),
    summary("N'DIAYE Awa", date(1938, 7, 1), "238079900022233", EscapState.CLOSED, 12, 3),
]


def _names(model: PatientFilterProxyModel) -> list[str]:
    return [model.index(row, NAME).data() for row in range(model.rowCount())]


def _proxy() -> tuple[PatientTableModel, PatientFilterProxyModel]:
    source = PatientTableModel()
    source.set_rows(ROWS)
    proxy = PatientFilterProxyModel()
    proxy.setSourceModel(source)
    return source, proxy


def test_models_pass_qt_model_tester(qtmodeltester: ModelTester) -> None:
    source, proxy = _proxy()
    qtmodeltester.check(source)
    qtmodeltester.check(proxy)


def test_headers_are_french() -> None:
    source = PatientTableModel()
    headers = [source.headerData(c, Qt.Orientation.Horizontal) for c in range(source.columnCount())]
    assert headers == list(HEADERS)
    assert headers[0] == "Patient"
    assert "Messages non lus" in headers


def test_cells_show_french_dates_and_labels() -> None:
    source, _proxy_model = _proxy()
    assert source.index(0, BIRTH_DATE).data() == "24/12/1941"
    assert source.index(0, STATE).data() == "Active"
    assert source.index(2, STATE).data() == "Sans ESCAP"
    assert source.index(0, SCORE).data() == "17"
    assert source.index(0, 0).data(ROW_ROLE) is ROWS[0]


def test_sort_role_gives_real_values() -> None:
    source, _proxy_model = _proxy()
    assert source.index(0, BIRTH_DATE).data(SORT_ROLE) == QDate(1941, 12, 24)
    assert source.index(0, SCORE).data(SORT_ROLE) == 17


def test_search_ignores_accents_and_case() -> None:
    _source, proxy = _proxy()
    proxy.set_search_text("lefevre")
    assert _names(proxy) == ["LEFÈVRE Marie"]
    proxy.set_search_text("LÉA")
    assert _names(proxy) == ["MARTIN Léa"]


def test_search_ignores_hyphens_and_apostrophes() -> None:
    _source, proxy = _proxy()
    proxy.set_search_text("jean pierre")
    assert _names(proxy) == ["DUPONT Jean-Pierre"]
    proxy.set_search_text("ndiaye")
    assert _names(proxy) == ["N'DIAYE Awa"]
    proxy.set_search_text("jeanpierre")
    assert _names(proxy) == ["DUPONT Jean-Pierre"]
    proxy.set_search_text("n diaye")
    assert _names(proxy) == ["N'DIAYE Awa"]


def test_search_by_birth_date_whole_or_part() -> None:
    _source, proxy = _proxy()
    proxy.set_search_text("05/03/1948")
    assert _names(proxy) == ["MARTIN Léa"]
    proxy.set_search_text("/03/")
    assert _names(proxy) == ["MARTIN Léa", "DUPONT Jean-Pierre"]


def test_search_by_nir_digits() -> None:
    _source, proxy = _proxy()
    proxy.set_search_text("1500375")
    assert _names(proxy) == ["DUPONT Jean-Pierre"]


def test_every_word_must_match() -> None:
    _source, proxy = _proxy()
    proxy.set_search_text("martin 1948")
    assert _names(proxy) == ["MARTIN Léa"]
    proxy.set_search_text("martin 1950")
    assert _names(proxy) == []
    proxy.set_search_text("")
    assert len(_names(proxy)) == len(ROWS)


def test_state_filter_combines_with_search() -> None:
    _source, proxy = _proxy()
    proxy.set_state_filter([EscapState.ACTIVE, EscapState.FORMING])
    assert _names(proxy) == ["LEFÈVRE Marie", "MARTIN Léa"]
    proxy.set_search_text("martin")
    assert _names(proxy) == ["MARTIN Léa"]
    proxy.set_search_text("")
    proxy.set_state_filter([None])
    assert _names(proxy) == ["DUPONT Jean-Pierre"]
    proxy.set_state_filter(None)
    assert len(_names(proxy)) == len(ROWS)


def test_sorting_uses_real_dates_and_keeps_the_search_working() -> None:
    source, proxy = _proxy()
    proxy.sort(BIRTH_DATE, Qt.SortOrder.AscendingOrder)
    assert _names(proxy)[0] == "N'DIAYE Awa"
    proxy.sort(BIRTH_DATE, Qt.SortOrder.DescendingOrder)
    assert _names(proxy)[0] == "DUPONT Jean-Pierre"
    proxy.set_search_text("lefevre")
    assert _names(proxy) == ["LEFÈVRE Marie"]
    source.set_rows(ROWS)  # a refresh keeps the chosen order
    proxy.set_search_text("")
    assert _names(proxy)[0] == "DUPONT Jean-Pierre"


def test_next_action_cell_shows_due_date_then_action() -> None:
    source = PatientTableModel()
    source.set_rows([summary(due=date(2025, 6, 2), action="Bilan kiné", unread=2)])
    assert source.index(0, NEXT_ACTION).data() == "02/06/2025 — Bilan kiné"
    assert source.index(0, UNREAD).data() == "2"


def test_update_row_repaints_only_changed_cells(qtbot: QtBot) -> None:
    source, _proxy_model = _proxy()
    changed: list[tuple[int, int]] = []
    source.dataChanged.connect(
        lambda top, _bottom, _roles=(): changed.append((top.row(), top.column()))
    )
    row = source.row_of(ROWS[1].patient_id)
    updated = summary(
        "MARTIN Léa",
        date(1948, 3, 5),
        "248037512345678",
        EscapState.FORMING,
        14,
        2,
        unread=3,
        patient_id=ROWS[1].patient_id,
    )
    source.update_row(updated)
    assert changed == [(row, UNREAD)]
    assert source.index(row, UNREAD).data() == "3"


def test_set_rows_resets_the_model(qtbot: QtBot) -> None:
    source = PatientTableModel()
    with qtbot.waitSignal(source.modelReset):
        source.set_rows(ROWS)
    assert source.rowCount() == len(ROWS)
    assert source.rowCount(source.index(0, 0)) == 0
    assert source.columnCount(QModelIndex()) == len(HEADERS)
