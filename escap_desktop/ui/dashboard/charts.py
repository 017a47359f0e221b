"""The four charts of the dashboard, each built from the figures the dashboard service computed.

Builders only: they draw the numbers they are given and count nothing themselves, so the charts
show exactly what the service (and its tests) counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QAreaSeries,
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QHorizontalBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen

from escap_desktop.core.entities import EscapState, Prerequisite
from escap_desktop.services.dashboard import DashboardFigures, MonthStates

MAX_MONTH_LABELS = 8

STATE_COLOURS: dict[EscapState, str] = {
    EscapState.DRAFT: "#c9d1d8",
    EscapState.ASSESSED: "#9ecae1",
    EscapState.CONSENTED: "#4f9bd0",
    EscapState.FORMING: "#f0a04b",
    EscapState.ACTIVE: "#3a9d5d",
    EscapState.INCOMPLETE: "#d9534f",
    EscapState.CLOSED: "#8a96a3",
}

SITUATION_LABELS: dict[Prerequisite, str] = {
    Prerequisite.POLYPATHOLOGY_OVER_65: "Polypathologie, plus de 65 ans",
    Prerequisite.STROKE_RECENT: "AVC de moins d'un an",
    Prerequisite.PALLIATIVE: "Soins palliatifs",
    Prerequisite.DIABETES_INSULIN: "Diabète sous insuline",
}

BELOW_THRESHOLD = "#e0a458"
ELIGIBLE = "#1f5f8b"
THRESHOLD_LINE = "#b3261e"
BAR = "#1f5f8b"


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    title_font = QFont()
    title_font.setPointSizeF(10.5)
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setTitleBrush(QBrush(QColor("#1f3b4d")))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _small(axis: QValueAxis | QBarCategoryAxis | QCategoryAxis) -> None:
    font = QFont()
    font.setPointSizeF(8.5)
    axis.setLabelsFont(font)


def _count_axis(maximum: int) -> QValueAxis:
    """A 0-based axis of whole numbers, with a little head room above the tallest value."""
    axis = QValueAxis()
    top = max(maximum, 1)
    step = _nice_step(top / 5)
    steps = math.ceil(top / step) + (1 if top % step == 0 else 0)
    axis.setRange(0, step * steps)
    axis.setTickCount(steps + 1)
    axis.setLabelFormat("%d")
    _small(axis)
    return axis


def _nice_step(rough: float) -> int:
    """1, 2, 5, 10, 20, 25, 50, 100... : steps whose multiples read easily."""
    magnitude = 10 ** max(0, math.floor(math.log10(max(rough, 1))))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= rough and float(step).is_integer():
            return int(step)
    return 10 * magnitude


# --- ESCAPs by state, month by month ---------------------------------------------------------


def states_chart(months: Sequence[MonthStates]) -> QChart:
    """A stacked area: each layer is one state, its height the number of ESCAPs in that state."""
    chart = _chart("ESCAP par état, mois par mois")
    x_axis = QCategoryAxis()
    x_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    every = max(1, math.ceil(len(months) / MAX_MONTH_LABELS))
    last = len(months) - 1
    for index, point in enumerate(months):
        if (last - index) % every == 0:  # counted from today, so the current month is named
            x_axis.append(point.day.strftime("%m/%Y"), index)
    x_axis.setRange(0, max(len(months) - 1, 1))
    x_axis.setTruncateLabels(False)
    _small(x_axis)
    chart.setMargins(QMargins(4, 4, 24, 4))  # room for the last month's label, under the edge
    totals = [sum(count for _, count in point.counts) for point in months]
    y_axis = _count_axis(max(totals, default=0))
    y_axis.setTitleText("ESCAP")
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    below = [0] * len(months)
    lower: QLineSeries | None = None
    for state in EscapState:
        above = [base + point.count(state) for base, point in zip(below, months, strict=True)]
        upper = QLineSeries()
        upper.append([QPointF(i, value) for i, value in enumerate(above)])
        area = QAreaSeries(upper, lower) if lower is not None else QAreaSeries(upper)
        area.setName(state.label)
        area.setColor(QColor(STATE_COLOURS[state]))
        area.setBorderColor(QColor(STATE_COLOURS[state]).darker(125))
        upper.setParent(area)  # the area keeps its boundary alive
        chart.addSeries(area)
        area.attachAxis(x_axis)
        area.attachAxis(y_axis)
        below, lower = above, upper
    return chart


def state_counts(chart: QChart, state: EscapState) -> list[int]:
    """The number of ESCAPs in ``state`` at each point: the layer's height, as drawn."""
    area = next(s for s in chart.series() if s.name() == state.label)
    assert isinstance(area, QAreaSeries)
    upper = [round(p.y()) for p in area.upperSeries().points()]
    lower_series = area.lowerSeries()
    lower = [round(p.y()) for p in lower_series.points()] if lower_series else [0] * len(upper)
    return [u - b for u, b in zip(upper, lower, strict=True)]


# --- inclusion scores ------------------------------------------------------------------------


def scores_chart(figures: DashboardFigures) -> QChart:
    """One bar per score; bars under the threshold in another colour, and a line at the
    threshold, so the eligible part of the distribution reads at a glance."""
    threshold = figures.threshold
    chart = _chart(f"Scores de la grille d'inclusion (seuil : {threshold} points)")
    below = QBarSet(f"Sous le seuil (moins de {threshold})")
    eligible = QBarSet(f"Éligible ({threshold} ou plus)")
    below.setColor(QColor(BELOW_THRESHOLD))
    eligible.setColor(QColor(ELIGIBLE))
    for score, count in figures.scores:
        below.append(count if score < threshold else 0)
        eligible.append(count if score >= threshold else 0)
    series = QStackedBarSeries()
    series.append(below)
    series.append(eligible)
    series.setBarWidth(0.8)
    chart.addSeries(series)
    x_axis = QBarCategoryAxis()
    x_axis.append([str(score) for score, _ in figures.scores])
    x_axis.setTitleText("Score")
    x_axis.setTruncateLabels(False)
    _small(x_axis)
    y_axis = _count_axis(max((count for _, count in figures.scores), default=0))
    y_axis.setTitleText("ESCAP")
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x_axis)
    series.attachAxis(y_axis)
    line = QLineSeries()
    line.setName(f"Seuil d'inclusion : {threshold}")
    line.append([QPointF(threshold - 0.5, 0), QPointF(threshold - 0.5, y_axis.max())])
    pen = QPen(QColor(THRESHOLD_LINE))
    pen.setWidthF(2)
    pen.setStyle(Qt.PenStyle.DashLine)
    line.setPen(pen)
    chart.addSeries(line)
    line.attachAxis(x_axis)
    line.attachAxis(y_axis)
    return chart


def score_counts(chart: QChart) -> list[int]:
    """The number of ESCAPs at each score, as the bars show it (both sets added)."""
    series = next(s for s in chart.series() if isinstance(s, QAbstractBarSeries))
    sets = series.barSets()
    return [round(sum(s.at(i) for s in sets)) for i in range(sets[0].count())]


# --- clinical situations and exits ------------------------------------------------------------


def bars_chart(title: str, bars: Sequence[tuple[str, int]], empty: str) -> QChart:
    """Horizontal bars with their value written at the end, for labelled counts."""
    chart = _chart(title if bars else f"{title} — {empty}")
    chart.legend().hide()
    if not bars:
        return chart
    values = QBarSet(title)
    values.setColor(QColor(BAR))
    values.append([count for _, count in reversed(bars)])
    series = QHorizontalBarSeries()
    series.append(values)
    series.setBarWidth(0.6)
    series.setLabelsVisible(True)
    series.setLabelsFormat("@value")
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    values.setLabelColor(QColor("#1f3b4d"))
    chart.addSeries(series)
    y_axis = QBarCategoryAxis()
    y_axis.append([label for label, _ in reversed(bars)])
    _small(y_axis)
    x_axis = _count_axis(max(count for _, count in bars))
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(y_axis)
    series.attachAxis(x_axis)
    return chart


def situations_chart(figures: DashboardFigures) -> QChart:
    return bars_chart(
        "Situations cliniques à l'inclusion",
        [(SITUATION_LABELS[p], count) for p, count in figures.situations],
        "aucune grille remplie",
    )


def exits_chart(figures: DashboardFigures) -> QChart:
    return bars_chart(
        "Sorties par motif",
        [(reason.label, count) for reason, count in figures.exits],
        "aucune sortie",
    )


def bar_values(chart: QChart) -> dict[str, int]:
    """Label -> value of a horizontal bar chart, as drawn."""
    series = [s for s in chart.series() if isinstance(s, QHorizontalBarSeries)]
    if not series:
        return {}
    axis = next(a for a in chart.axes(Qt.Orientation.Vertical) if isinstance(a, QBarCategoryAxis))
    values = series[0].barSets()[0]
    return {axis.at(i): round(values.at(i)) for i in range(values.count())}
