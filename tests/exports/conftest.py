"""The generated practice shared by the export tests (built once: it is read-only)."""

from __future__ import annotations

import pytest

from tests.exports.practice import Practice, build_practice


@pytest.fixture(scope="session")
def practice() -> Practice:
    return build_practice()
