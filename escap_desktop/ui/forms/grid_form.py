"""The inclusion grid as tick boxes grouped by theme, with the running score always in view.

The grid is data (a versioned file) handed over by the services; this view only lays it out.
Scoring is injected too, so the number shown is the one the rules compute.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)


class GridItemLike(Protocol):
    id: str
    label: str
    points: int
    group: str
    help: str


class GridLike(Protocol):
    grid_id: str
    version: str
    title: str
    total: int
    threshold: int
    groups: tuple[str, ...]
    note: str

    def items_in(self, group: str) -> tuple[GridItemLike, ...]: ...


Scorer = Callable[[Mapping[str, bool]], int]


def points_text(points: int) -> str:
    return f"{points} point" if points == 1 else f"{points} points"


class GridForm(QWidget):
    """Tick boxes of one grid version; ``answers()`` has every item, ticked or not."""

    answers_changed = Signal()

    def __init__(self, grid: GridLike, scorer: Scorer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = grid
        self._scorer = scorer
        self.boxes: dict[str, QCheckBox] = {}

        banner = QFrame()
        banner.setObjectName("scoreBanner")
        self.score_label = QLabel()
        self.score_label.setObjectName("scoreLabel")
        self.score_bar = QProgressBar()
        self.score_bar.setRange(0, grid.total)
        self.score_bar.setTextVisible(False)
        self.score_bar.setMaximumHeight(10)
        self.threshold_label = QLabel(
            f"Seuil d'éligibilité : {points_text(grid.threshold)} sur {grid.total}"
        )
        banner_layout = QVBoxLayout(banner)
        top = QHBoxLayout()
        top.addWidget(self.score_label)
        top.addStretch(1)
        top.addWidget(self.threshold_label)
        banner_layout.addLayout(top)
        banner_layout.addWidget(self.score_bar)

        content = QWidget()
        column = QVBoxLayout(content)
        if grid.note:
            note = QLabel(grid.note)
            note.setObjectName("hint")
            note.setWordWrap(True)
            column.addWidget(note)
        for group in grid.groups:
            box = QGroupBox(group)
            box_layout = QVBoxLayout(box)
            for item in grid.items_in(group):
                box_layout.addWidget(self._item_row(item))
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        version = QLabel(f"{grid.title} — version {grid.version}")
        version.setObjectName("hint")
        layout.addWidget(version)
        layout.addWidget(banner)
        layout.addWidget(scroll, 1)
        self._refresh_score()

    def _item_row(self, item: GridItemLike) -> QWidget:
        row = QWidget()
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(0)
        box = QCheckBox(f"{item.label} ({points_text(item.points)})")
        box.setObjectName(f"item_{item.id}")
        box.setToolTip(item.help)
        box.setWhatsThis(item.help)
        box.toggled.connect(self._on_box_toggled)
        layout.addWidget(box)
        if item.help:
            help_label = QLabel(item.help)
            help_label.setObjectName("hint")
            help_label.setWordWrap(True)
            help_label.setContentsMargins(24, 0, 0, 0)
            help_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            layout.addWidget(help_label)
        self.boxes[item.id] = box
        return row

    @property
    def grid(self) -> GridLike:
        return self._grid

    def answers(self) -> dict[str, bool]:
        return {item_id: box.isChecked() for item_id, box in self.boxes.items()}

    def set_answers(self, answers: Mapping[str, bool]) -> None:
        for item_id, box in self.boxes.items():
            box.setChecked(bool(answers.get(item_id, False)))

    @property
    def score(self) -> int:
        return self._scorer(self.answers())

    @Slot(bool)
    def _on_box_toggled(self, _checked: bool) -> None:
        self._refresh_score()
        self.answers_changed.emit()

    def _refresh_score(self) -> None:
        score = self.score
        threshold = self._grid.threshold
        if score >= threshold:
            reached = "seuil atteint"
        else:
            reached = f"encore {points_text(threshold - score)} pour atteindre le seuil"
        self.score_label.setText(f"Score : {score} / {self._grid.total} ({reached})")
        self.score_bar.setValue(score)
