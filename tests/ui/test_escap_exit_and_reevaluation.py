"""Closing an ESCAP on the day the exit happened, and a re-evaluation recorded once, driven
through the ESCAP page's buttons on a real encrypted store."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from escap_desktop.core.clock import paris_instant
from escap_desktop.core.entities import (
    ClinicalSituation,
    Escap,
    EscapState,
    EventKind,
    ExitReason,
)
from escap_desktop.services.practice import Practice
from escap_desktop.ui.escap_page.escap_page_controller import EscapPageController
from escap_desktop.ui.escap_page.exit_dialog import ExitDialog
from escap_desktop.ui.escap_page.reevaluation_dialog import ReevaluationDialog
from tests.ui.conftest import answers, forming_team
from tests.ui.escap_page_driver import me, open_page, save
from tests.ui.typing import type_text

LEFT = Qt.MouseButton.LeftButton


def _started_days_ago(practice: Practice, escap_id: str, days: int) -> None:
    """As if the ESCAP had been started ``days`` ago (an exit cannot precede its start)."""
    at = paris_instant(practice.clock.today() - timedelta(days=days), 9)
    with practice.store.unit_of_work(me(practice).id) as uow:
        escap = uow.get(Escap, escap_id)
        uow.put(replace(escap, created_at=at), patient_id=escap.patient_id)


def _exit_dialog(qtbot: QtBot, page: EscapPageController, reason: ExitReason) -> ExitDialog:
    qtbot.mouseClick(page.view.exit_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, ExitDialog)
    dialog.reason.setCurrentIndex(dialog.reason.findData(reason))
    return dialog


def test_an_exit_three_days_ago_shows_that_date_on_the_page(
    qtbot: QtBot, practice: Practice
) -> None:
    _patient_id, escap_id = forming_team(practice)
    _started_days_ago(practice, escap_id, 10)
    page = open_page(qtbot, practice, escap_id)
    dialog = _exit_dialog(qtbot, page, ExitReason.DEATH)
    assert (
        dialog.closed_on.text() == f"{practice.clock.today():%d/%m/%Y}"
    )  # today unless told otherwise
    three_days_ago = f"{practice.clock.today() - timedelta(days=3):%d/%m/%Y}"
    dialog.closed_on.clear()
    type_text(dialog.closed_on, three_days_ago.replace("/", ""))
    assert dialog.closed_on.text() == three_days_ago
    save(qtbot, dialog.findChild(QDialogButtonBox))
    assert not dialog.isVisible()
    assert page.view.dates_label.text() == f"Clôturée le {three_days_ago} (décès)"
    assert practice.escaps.get(escap_id).state is EscapState.CLOSED


def test_a_future_exit_date_is_explained_next_to_the_field_and_nothing_is_saved(
    qtbot: QtBot, practice: Practice
) -> None:
    _patient_id, escap_id = forming_team(practice)
    page = open_page(qtbot, practice, escap_id)
    dialog = _exit_dialog(qtbot, page, ExitReason.MOVE)
    dialog.closed_on.clear()
    type_text(dialog.closed_on, f"{practice.clock.today() + timedelta(days=2):%d%m%Y}")
    save(qtbot, dialog.findChild(QDialogButtonBox))
    assert dialog.isVisible()
    assert dialog.errors.message("closed_on") == (
        "La date de sortie ne peut pas être dans le futur."
    )
    assert dialog.errors.message() == ""
    assert practice.escaps.get(escap_id).state is EscapState.FORMING
    assert page.view.exit_button.isVisible()

    dialog.closed_on.clear()
    type_text(dialog.closed_on, "31022026")
    save(qtbot, dialog.findChild(QDialogButtonBox))
    assert dialog.errors.message("closed_on") == "La date de sortie n'existe pas : 31/02/2026."
    assert practice.escaps.get(escap_id).state is EscapState.FORMING


def test_a_reevaluation_leaves_one_event_in_the_timeline(qtbot: QtBot, practice: Practice) -> None:
    _patient_id, escap_id = forming_team(practice)
    page = open_page(qtbot, practice, escap_id)
    assert page.view.events.model.rowCount() == 0
    qtbot.mouseClick(page.view.events.reevaluate_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, ReevaluationDialog)
    dialog.situation.set_situation(ClinicalSituation(chronic_conditions=3))
    dialog.grid.set_answers(answers(practice, 15))
    assert dialog.grid.score == 15
    save(qtbot, dialog.findChild(QDialogButtonBox))
    assert not dialog.isVisible()

    model = page.view.events.model
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == f"{practice.clock.today():%d/%m/%Y}"
    assert model.index(0, 1).data() == "Réévaluation"
    assert model.index(0, 2).data().startswith("Score 15 ; ")
    assert [e.kind for e in practice.events.timeline(escap_id)] == [EventKind.REEVALUATION]
    assert len(practice.escaps.overview(escap_id).assessments) == 2


def test_after_exit_the_plan_shows_its_open_actions_as_stopped_history(
    qtbot: QtBot, practice: Practice
) -> None:
    patient_id, escap_id = forming_team(practice)
    _started_days_ago(practice, escap_id, 10)
    practice.plan.add(escap_id, "Passage infirmier pour le pilulier", due_on=practice.clock.today())
    page = open_page(qtbot, practice, escap_id)
    assert "dont 1 à faire" in page.view.plan.summary_label.text()

    save(qtbot, _exit_dialog(qtbot, page, ExitReason.IMPROVED).findChild(QDialogButtonBox))

    text = page.view.plan.summary_label.text()
    assert "dont 1 non faite(s) : le plan s'est arrêté avec l'ESCAP" in text
    assert "à faire" not in text
    assert page.view.plan.model.index(0, 3).data() == "Non faite (plan arrêté)"
    [summary] = [s for s in practice.patients.summaries() if s.patient_id == patient_id]
    assert summary.next_action == ""  # the patient list shows no next action any more
