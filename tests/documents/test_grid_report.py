"""The grid report: prerequisites, every item with its answer and points, score and decision."""

from __future__ import annotations

import dataclasses

import pytest

from escap_desktop.core.errors import DocumentError
from escap_desktop.core.rules.grid import default_grid_path, load_grid, score
from escap_desktop.documents import GridItemRow, GridReportData, build_grid_report
from tests.documents import samples
from tests.documents.conftest import ReadPdf, squash


def test_every_item_is_printed_with_its_answer_and_points(
    grid_report_data: GridReportData,
) -> None:
    pdf = ReadPdf(build_grid_report(grid_report_data))
    answers = grid_report_data.assessment.answers

    for item in grid_report_data.items:
        shown = f"{item.label} Oui 1" if answers[item.item_id] else f"{item.label} Non 0"
        assert pdf.contains(shown), shown
    for group in ("Âge et état de santé", "Autonomie", "Entourage et lieu de vie"):
        assert pdf.contains(group)


def test_the_report_states_prerequisites_score_threshold_version_assessor_and_date(
    grid_report_data: GridReportData,
) -> None:
    pdf = ReadPdf(build_grid_report(grid_report_data))

    assert pdf.contains("Patient polypathologique chronique de plus de 65 ans")
    assert pdf.contains("Patient diabétique (type 1 ou 2) sous insuline")
    assert pdf.contains("Score 14 / 26")
    assert pdf.contains("Seuil d'inclusion 13 points")
    assert pdf.contains("Éligible à une ESCAP")
    assert pdf.contains("version 2025.1 (escap-2025)")
    assert pdf.contains("Évaluation du 12/06/2025 par Zoë ŒILLET, Infirmier")
    assert pdf.contains("CŒURDACIER (née BÉRÉNGER) Françoise Hélène Maëlle")
    assert pdf.contains("84 ans")


def test_no_prerequisite_met_is_said_plainly(grid_report_data: GridReportData) -> None:
    assessment = dataclasses.replace(
        grid_report_data.assessment, prerequisites_met=(), eligible=False
    )

    pdf = ReadPdf(build_grid_report(dataclasses.replace(grid_report_data, assessment=assessment)))

    assert pdf.contains("Aucun des quatre prérequis n'est rempli")
    assert pdf.contains("Non éligible à une ESCAP")


def test_labels_given_by_the_grid_file_replace_the_builtin_prerequisite_labels(
    grid_report_data: GridReportData,
) -> None:
    data = dataclasses.replace(grid_report_data, prerequisites=["Situation « officielle » n°1"])

    pdf = ReadPdf(build_grid_report(data))

    assert pdf.contains("Situation « officielle » n°1")
    assert not pdf.contains("Patient polypathologique chronique")


def test_items_of_another_grid_version_are_refused(grid_report_data: GridReportData) -> None:
    fewer = list(grid_report_data.items)[:-1]

    with pytest.raises(DocumentError, match=r"ne correspondent pas à la version 2025\.1"):
        build_grid_report(dataclasses.replace(grid_report_data, items=fewer))


def test_items_whose_points_do_not_add_up_to_the_score_are_refused(
    grid_report_data: GridReportData,
) -> None:
    items = [dataclasses.replace(item, points=2) for item in grid_report_data.items]

    with pytest.raises(DocumentError, match="ne correspondent pas"):
        build_grid_report(dataclasses.replace(grid_report_data, items=items))


def test_a_long_item_wording_wraps_in_its_cell(grid_report_data: GridReportData) -> None:
    wording = "Besoin d'intervention coordonnée de plusieurs professionnels à domicile " * 12
    items = [
        GridItemRow(item.item_id, item.group, wording if index == 0 else item.label, item.points)
        for index, item in enumerate(grid_report_data.items)
    ]

    pdf = ReadPdf(build_grid_report(dataclasses.replace(grid_report_data, items=items)))

    assert pdf.contains(wording)


def test_the_bundled_grid_file_prints_every_item_and_group() -> None:
    grid = load_grid(default_grid_path())
    answers = {item.id: index % 2 == 0 for index, item in enumerate(grid.items)}
    sample = samples.grid_report()
    assessment = dataclasses.replace(
        sample.assessment,
        grid_id=grid.grid_id,
        grid_version=grid.version,
        answers=answers,
        score=score(grid, answers),
        threshold=grid.threshold,
    )
    items = [GridItemRow(item.id, item.group, item.label, item.points) for item in grid.items]
    data = dataclasses.replace(sample, assessment=assessment, items=items, grid_title=grid.title)

    pdf = ReadPdf(build_grid_report(data))

    for item in grid.items:
        assert pdf.contains(item.label), item.label
    for group in grid.groups:
        assert squash(pdf.text).count(squash(group)) >= 1
    assert pdf.contains(f"{score(grid, answers)} / {grid.max_points}")
    assert pdf.contains(f"version {grid.version}")


def test_items_listed_out_of_group_order_get_one_heading_per_group(
    grid_report_data: GridReportData,
) -> None:
    items = sorted(grid_report_data.items, key=lambda item: item.item_id)

    pdf = ReadPdf(build_grid_report(dataclasses.replace(grid_report_data, items=items)))

    assert pdf.text.count("Entourage et lieu de vie") == 1
    assert pdf.text.count("Autonomie") == 1
