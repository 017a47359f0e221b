"""One demo practice for the dashboard tests: figures are only read, never written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from escap_desktop.core.entities.summaries import EscapOverview
from escap_desktop.services.dashboard import DashboardFigures
from escap_desktop.services.practice import Practice
from tests.services.demo_practice import open_demo_practice


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Practice]:
    practice = open_demo_practice(tmp_path_factory.mktemp("tableau-de-bord"), patients=120)
    yield practice
    practice.close()


@pytest.fixture(scope="package")
def figures(demo: Practice) -> DashboardFigures:
    return demo.dashboard.figures()


@pytest.fixture(scope="package")
def overviews(demo: Practice) -> list[EscapOverview]:
    """Every demo episode as its ESCAP page reads it: the independent source of the counts."""
    return [
        demo.escaps.overview(row.escap_id)
        for row in demo.patients.summaries()
        if row.escap_id is not None
    ]
