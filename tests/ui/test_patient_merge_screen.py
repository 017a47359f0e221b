"""The merge screen, from the Patients menu: two records side by side, the traits chosen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QRadioButton
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import Patient, Sex
from escap_desktop.services.practice import Practice
from escap_desktop.store import patient_merge
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.main_window.main_controller import MainController
from tests.ui.main_window_driver import open_main_window


def _two_records(practice: Practice) -> tuple[Patient, Patient]:
    """The same traits twice, no INS: what a sync proposes to merge (set up in the store as
    the sync page does)."""
    traits = {
        "birth_name": "ŒUVRARD",
        "first_names": "Hélène",
        "birth_date": date(1947, 5, 2),
        "sex": Sex.FEMALE,
    }
    team = practice.patients.create(Patient(**traits, phone="04 77 00 00 00"))  # type: ignore[arg-type]
    mine = practice.patients.create(
        Patient(**traits, phone="06 11 22 33 44", address="3 rue Désirée"),  # type: ignore[arg-type]
        not_a_duplicate=True,
    )
    me = practice.profile.current()
    assert me is not None
    with practice.store.unit_of_work(me[1].id) as uow:
        patient_merge.propose(uow, team.id, mine)
    return team, mine


@pytest.fixture
def records(practice: Practice) -> tuple[Patient, Patient]:
    return _two_records(practice)


@pytest.fixture
def main(
    qtbot: QtBot, shell: Shell, practice: Practice, records: tuple[Patient, Patient]
) -> Iterator[MainController]:
    controller = open_main_window(qtbot, practice, shell, size=(1366, 768))
    yield controller
    controller.shutdown()


def test_merging_keeps_the_traits_chosen_and_one_record(
    qtbot: QtBot, practice: Practice, main: MainController, records: tuple[Patient, Patient]
) -> None:
    team, _mine = records
    assert main.window.patient_list.proxy.rowCount() == 2
    assert main.window.merges_action.text() == "Dossiers en &double à vérifier (1)…"
    main.window.merges_action.trigger()
    dialog = main.merges.dialog
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.findChild(QRadioButton, "phone_other"), Qt.MouseButton.LeftButton)
    assert dialog.findChild(QRadioButton, "address_other").text() == "3 rue Désirée"
    with qtbot.waitSignal(main.list_loaded, timeout=10_000):
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)

    assert main.window.patient_list.proxy.rowCount() == 1
    kept = practice.patients.get(team.id)
    assert kept.phone == "06 11 22 33 44"
    assert kept.address == ""  # not chosen: the team's (empty) address stays
    assert main.window.merges_action.text() == "Dossiers en &double à vérifier…"
    trail = practice.audit.patient_trail(team.id)
    assert "Dossiers du même patient fusionnés (mêmes traits d'identité)" in {
        line.record for line in trail
    }


def test_two_people_stay_two_records(
    qtbot: QtBot, practice: Practice, main: MainController
) -> None:
    main.window.merges_action.trigger()
    dialog = main.merges.dialog
    assert dialog is not None
    with qtbot.waitSignal(main.list_loaded, timeout=10_000):
        qtbot.mouseClick(dialog.two_people_button, Qt.MouseButton.LeftButton)
    assert main.window.patient_list.proxy.rowCount() == 2
    assert practice.patient_merges.pending() == []
