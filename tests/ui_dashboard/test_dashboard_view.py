"""The dashboard view draws the demo practice's figures, and its picture goes in the docs."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from PySide6.QtCharts import QAreaSeries
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import EscapState, ExitReason, Prerequisite
from escap_desktop.core.entities.summaries import EscapOverview
from escap_desktop.services.dashboard import DashboardFigures
from escap_desktop.services.practice import Practice
from escap_desktop.ui.dashboard import DashboardView
from escap_desktop.ui.dashboard.charts import (
    SITUATION_LABELS,
    bar_values,
    score_counts,
    state_counts,
)
from escap_desktop.ui.resources import style_sheet

README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dashboard.png"
"""The README's picture of the dashboard; the test below draws it again in a temporary folder
(a test run must not rewrite the source tree) and checks it matches the README's size."""


def build(qtbot: QtBot, figures: DashboardFigures) -> DashboardView:
    view = DashboardView()
    qtbot.addWidget(view)
    view.setStyleSheet(style_sheet())
    view.set_figures(figures)
    view.resize(1366, 768)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_state_layers_hold_todays_patient_list_counts(
    qtbot: QtBot, demo: Practice, figures: DashboardFigures
) -> None:
    view = build(qtbot, figures)
    listed = Counter(row.escap_state for row in demo.patients.summaries() if row.escap_state)
    areas = [s for s in view.states_chart.series() if isinstance(s, QAreaSeries)]
    assert [a.name() for a in areas] == [state.label for state in EscapState]
    for state in EscapState:
        counts = state_counts(view.states_chart, state)
        assert len(counts) == len(figures.months)
        assert counts[-1] == listed[state], state
    active = state_counts(view.states_chart, EscapState.ACTIVE)
    assert active == [month.count(EscapState.ACTIVE) for month in figures.months]


def test_score_bars_count_each_inclusion_grid_and_mark_the_threshold(
    qtbot: QtBot, figures: DashboardFigures, overviews: list[EscapOverview]
) -> None:
    view = build(qtbot, figures)
    scores = Counter(
        min(o.assessments, key=lambda a: (a.is_reevaluation, a.assessed_on)).score
        for o in overviews
        if o.assessments
    )
    assert score_counts(view.scores_chart) == [scores[score] for score in range(27)]
    chart = view.scores_chart
    assert "seuil : 13 points" in chart.title()
    below, eligible = next(s for s in chart.series() if hasattr(s, "barSets")).barSets()
    assert all(below.at(score) == 0 for score in range(13, 27))
    assert all(eligible.at(score) == 0 for score in range(13))
    assert any(s.name() == "Seuil d'inclusion : 13" for s in chart.series())


def test_situation_and_exit_bars_hold_the_demo_counts(
    qtbot: QtBot, figures: DashboardFigures, overviews: list[EscapOverview]
) -> None:
    view = build(qtbot, figures)
    grids = [
        min(o.assessments, key=lambda a: (a.is_reevaluation, a.assessed_on))
        for o in overviews
        if o.assessments
    ]
    situations = Counter(p for g in grids for p in g.prerequisites_met)
    assert bar_values(view.situations_chart) == {
        SITUATION_LABELS[p]: situations[p] for p in Prerequisite
    }
    exits = Counter(
        o.escap.exit_reason or ExitReason.OTHER
        for o in overviews
        if o.escap.state is EscapState.CLOSED
    )
    assert bar_values(view.exits_chart) == {reason.label: n for reason, n in exits.items()}


def test_progress_shows_my_escaps_against_the_target(
    qtbot: QtBot, demo: Practice, figures: DashboardFigures, clock: FrozenClock
) -> None:
    view = build(qtbot, figures)
    year = demo.billing.my_year(clock.today().year)
    bar = view.progress.bar
    assert view.progress.title.text() == f"Mes ESCAP en {clock.today().year}"
    assert (bar.minimum(), bar.maximum(), bar.value()) == (0, 5, 5)
    assert bar.text() == f"{year.involvement.escap_count} ESCAP — objectif de 5 atteint"
    assert year.involvement.message in view.progress.involvement.text()
    assert "Chiffres du cabinet au 25/11/2026" in view.subtitle.text()


def test_empty_figures_are_said_in_words(qtbot: QtBot, figures: DashboardFigures) -> None:
    empty = replace(
        figures,
        months=(replace(figures.months[-1], counts=tuple((s, 0) for s in EscapState)),),
        scores=tuple((score, 0) for score, _ in figures.scores),
        situations=tuple((p, 0) for p, _ in figures.situations),
        exits=(),
        my_escaps=2,
        involvement_earned=False,
        involvement_message="Encore 3 ESCAP pour atteindre 5.",
    )
    view = build(qtbot, empty)
    assert view.exits_chart.title() == "Sorties par motif — aucune sortie"
    assert view.progress.bar.text() == "2 ESCAP sur 5"
    assert "0 ESCAP enregistrée." in view.subtitle.text()


def test_screenshot_at_1366_by_768(qtbot: QtBot, figures: DashboardFigures, tmp_path: Path) -> None:
    view = build(qtbot, figures)
    picture = view.grab()
    assert (picture.width(), picture.height()) == (1366, 768)
    shot = tmp_path / "dashboard.png"
    assert picture.save(str(shot))
    assert QImage(str(shot)).size() == QImage(str(README_SCREENSHOT)).size()
