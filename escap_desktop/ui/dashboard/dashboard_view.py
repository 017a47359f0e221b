"""The dashboard: how the practice's ESCAPs evolve, and where the year's allowances stand.

A view only: it draws a :class:`DashboardFigures` computed off the GUI thread by
``DashboardService.figures()`` and handed to :meth:`DashboardView.set_figures`.
"""

from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.services.dashboard import DashboardFigures
from escap_desktop.ui.dashboard import charts


class ProgressCard(QFrame):
    """The local professional's ESCAPs this year against the involvement allowance's target."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.bar = QProgressBar()
        self.bar.setMinimumWidth(260)
        self.involvement = QLabel()
        self.involvement.setWordWrap(True)
        self.tool = QLabel()
        self.tool.setObjectName("hint")
        self.tool.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.bar, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.involvement)
        layout.addWidget(self.tool)

    def set_figures(self, figures: DashboardFigures) -> None:
        target = max(figures.involvement_target, 1)
        count = figures.my_escaps
        self.title.setText(f"Mes ESCAP en {figures.year}")
        self.bar.setRange(0, target)
        self.bar.setValue(min(count, target))
        if count >= target:
            self.bar.setFormat(f"{count} ESCAP — objectif de {target} atteint")
        else:
            self.bar.setFormat(f"{count} ESCAP sur {target}")
        self.involvement.setText(f"{figures.involvement_label} : {figures.involvement_message}")
        self.tool.setText(f"{figures.tool_label} : {figures.tool_message}")


class DashboardView(QWidget):
    """Four charts and the year's progress; empty until :meth:`set_figures` is called."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figures: DashboardFigures | None = None
        title = QLabel("Tableau de bord")
        title.setObjectName("pageTitle")
        self.subtitle = QLabel("Chargement des chiffres du cabinet…")
        self.subtitle.setObjectName("hint")
        self.progress = ProgressCard()
        self.progress.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.states_view = self._chart_view("dashboardStates")
        self.scores_view = self._chart_view("dashboardScores")
        self.situations_view = self._chart_view("dashboardSituations")
        self.exits_view = self._chart_view("dashboardExits")

        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(title)
        heading.addWidget(self.subtitle)
        header = QHBoxLayout()
        header.addLayout(heading)
        header.addStretch(1)
        header.addWidget(self.progress, 2)

        grid = QGridLayout()
        grid.setSpacing(8)
        grid.addWidget(self.states_view, 0, 0)
        grid.addWidget(self.scores_view, 0, 1)
        grid.addWidget(self.situations_view, 1, 0)
        grid.addWidget(self.exits_view, 1, 1)
        for index in range(2):
            grid.setColumnStretch(index, 1)
            grid.setRowStretch(index, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.addLayout(header)
        layout.addLayout(grid, 1)

    @staticmethod
    def _chart_view(name: str) -> QChartView:
        view = QChartView()
        view.setObjectName(name)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumSize(320, 220)
        return view

    # The charts on display, for whoever needs to read what is drawn (tests, an export).
    @property
    def states_chart(self) -> QChart:
        return self.states_view.chart()

    @property
    def scores_chart(self) -> QChart:
        return self.scores_view.chart()

    @property
    def situations_chart(self) -> QChart:
        return self.situations_view.chart()

    @property
    def exits_chart(self) -> QChart:
        return self.exits_view.chart()

    def set_figures(self, figures: DashboardFigures) -> None:
        """Replaces every chart with those of ``figures`` (call it after each refresh)."""
        self.figures = figures
        episodes = figures.episodes
        self.subtitle.setText(
            f"Chiffres du cabinet au {figures.today:%d/%m/%Y} : {episodes} ESCAP "
            f"enregistrée{'s' if episodes > 1 else ''}."
        )
        self.progress.set_figures(figures)
        self._show(self.states_view, charts.states_chart(figures.months))
        self._show(self.scores_view, charts.scores_chart(figures))
        self._show(self.situations_view, charts.situations_chart(figures))
        self._show(self.exits_view, charts.exits_chart(figures))

    @staticmethod
    def _show(view: QChartView, chart: QChart) -> None:
        previous = view.chart()
        view.setChart(chart)  # the view owns the new chart; the old one is ours to delete
        if previous is not None:
            previous.deleteLater()
