"""A short PDF summary of the indicators (totals and charts), for the 18-month report.

Built from an :class:`IndicatorSummary` only, so it holds aggregated figures and nothing that
identifies a patient or a professional. Uses reportlab's standard fonts, which cover French.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from escap_desktop.core.rules.indicators import IndicatorSummary
from escap_desktop.exports.errors import ExportError

_BAR_COLOUR = colors.HexColor("#2E6DA4")
_CHART_WIDTH = 16 * cm


def _share(count: int, total: int) -> str:
    if total == 0:
        return f"{count}"
    return f"{count} ({round(100 * count / total)} %)"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def totals(summary: IndicatorSummary) -> list[tuple[str, str]]:
    """The table of totals, as (label, value) lines; also what the tests read back."""
    n = summary.episodes
    return [
        ("Épisodes ESCAP suivis sur la période", str(n)),
        ("Patients distincts", str(summary.patients)),
        ("Patients actifs (équipe active sur la période)", str(summary.active_patients)),
        ("Équipes constituées (inclusions)", str(summary.inclusions)),
        ("Sorties", str(summary.exits)),
        ("Durée moyenne de suivi (jours)", _days(summary.mean_follow_up_days)),
        ("Durée médiane de suivi (jours)", _days(summary.median_follow_up_days)),
        ("Évaluations pluriprofessionnelles", _share(summary.multiprofessional_evaluations, n)),
        ("Évaluations à domicile", _share(summary.home_evaluations, n)),
        ("Plans d'actions produits", _share(summary.plans_produced, n)),
        ("Plans validés par le médecin traitant", _share(summary.plans_validated_by_gp, n)),
        ("Plans reçus par le médecin traitant", _share(summary.plans_received_by_gp, n)),
        ("Médecin traitant membre de l'équipe", _share(summary.gp_members, n)),
        ("Réévaluations", str(summary.reevaluations)),
        ("Hospitalisations", str(summary.hospitalisations)),
        ("Passages aux urgences", str(summary.emergency_visits)),
    ]


def _bar_chart(title: str, bars: Sequence[tuple[str, int]]) -> Drawing:
    height = 40 + 16 * max(len(bars), 1)
    drawing = Drawing(_CHART_WIDTH, height)
    drawing.add(String(0, height - 12, title, fontName="Helvetica-Bold", fontSize=10))
    if not bars:
        drawing.add(String(0, height - 34, "Aucune donnée sur la période.", fontSize=9))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 7 * cm, 10
    chart.width, chart.height = _CHART_WIDTH - 8 * cm, height - 40
    chart.data = [[count for _, count in reversed(bars)]]
    chart.categoryAxis.categoryNames = [label for label, _ in reversed(bars)]
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(count for _, count in bars) + 1
    chart.valueAxis.valueStep = max(1, (max(count for _, count in bars) + 1) // 5)
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = _BAR_COLOUR
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _short(label: str, limit: int = 42) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def build_evaluation_summary_pdf(summary: IndicatorSummary, *, generated_on: date) -> bytes:
    """The PDF as bytes: title, period, the totals table and three bar charts."""
    styles = getSampleStyleSheet()
    story: list[Flowable] = [
        Paragraph("ESCAP — Synthèse d'évaluation", styles["Title"]),
        Paragraph(
            f"Période du {summary.date_from:%d/%m/%Y} au {summary.date_to:%d/%m/%Y}. "
            f"Document produit le {generated_on:%d/%m/%Y}.",
            styles["Normal"],
        ),
        Paragraph(
            "Données agrégées et pseudonymisées : aucun patient ni professionnel n'est "
            "identifiable dans ce document.",
            styles["Italic"],
        ),
        Spacer(1, 0.5 * cm),
    ]
    table = Table(totals(summary), colWidths=[11 * cm, 5 * cm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, colors.HexColor("#EEF3F8")]),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0BEC5")),
            ]
        )
    )
    story += [table, Spacer(1, 0.6 * cm)]
    story.append(
        _bar_chart(
            "Situations cliniques à l'inclusion",
            [(_short(p.label), count) for p, count in summary.by_situation],
        )
    )
    story.append(Spacer(1, 0.4 * cm))
    story.append(
        _bar_chart(
            "Motifs de sortie", [(_short(r.label), count) for r, count in summary.exits_by_reason]
        )
    )
    story.append(Spacer(1, 0.4 * cm))
    story.append(
        _bar_chart(
            "Plan d'actions et médecin traitant",
            [
                ("Plans produits", summary.plans_produced),
                ("Validés par le médecin traitant", summary.plans_validated_by_gp),
                ("Reçus par le médecin traitant", summary.plans_received_by_gp),
            ],
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title="ESCAP — Synthèse d'évaluation",
        author="ESCAP Desktop",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    document.build(story)
    return buffer.getvalue()


def write_evaluation_summary_pdf(
    summary: IndicatorSummary, path: str | os.PathLike[str], *, generated_on: date
) -> Path:
    """Writes :func:`build_evaluation_summary_pdf` to ``path``."""
    target = Path(path)
    try:
        target.write_bytes(build_evaluation_summary_pdf(summary, generated_on=generated_on))
    except OSError as error:
        raise ExportError(
            f"Le fichier {target} n'a pas pu être écrit ({error.strerror or error})."
        ) from None
    return target
