"""The PDF summary for the 18-month report: totals and charts, read back from a real PDF."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

import pytest
from pypdf import PdfReader

from escap_desktop.core.rules.indicators import summarise_indicators
from escap_desktop.exports.errors import ExportError
from escap_desktop.exports.evaluation_summary import totals, write_evaluation_summary_pdf
from tests.exports.practice import PERIOD, Practice


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_summary_shows_the_period_and_every_total(practice: Practice, tmp_path: Path) -> None:
    summary = summarise_indicators(practice.bundles, *PERIOD, tz=UTC)
    path = write_evaluation_summary_pdf(
        summary, tmp_path / "synthese.pdf", generated_on=date(2026, 10, 1)
    )

    text = pdf_text(path)
    assert "ESCAP — Synthèse d'évaluation" in text
    assert "Période du 01/03/2025 au 30/09/2026. Document produit le 01/10/2026." in text
    for label, value in totals(summary):
        assert label in text
        assert value in text
    assert "Motifs de sortie" in text
    assert "Situations cliniques à l'inclusion" in text


def test_empty_period_still_gives_a_readable_summary(tmp_path: Path) -> None:
    summary = summarise_indicators([], date(2025, 4, 1), date(2025, 6, 30))
    path = write_evaluation_summary_pdf(
        summary, tmp_path / "vide.pdf", generated_on=date(2025, 7, 1)
    )

    text = pdf_text(path)
    assert "Aucune donnée sur la période." in text
    assert "Durée moyenne de suivi (jours)" in text


def test_unwritable_summary_is_explained(tmp_path: Path) -> None:
    summary = summarise_indicators([], date(2025, 4, 1), date(2025, 6, 30))
    with pytest.raises(ExportError, match="n'a pas pu être écrit"):
        write_evaluation_summary_pdf(summary, tmp_path, generated_on=date(2025, 7, 1))
