"""The grid loader fed broken files: a GridError (or ValidationError) in French, never a crash.

A site drops grid files in its ``grilles`` folder by hand, so anything may be there.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escap_desktop.core.errors import GridError, ValidationError
from escap_desktop.core.rules.grid import default_grid_path, load_grid, parse_grid
from tests.fuzz.conftest import FUZZ, JSON_VALUES, mutate

BUNDLED_TEXT = default_grid_path().read_bytes()
BUNDLED: dict[str, Any] = tomllib.loads(BUNDLED_TEXT.decode("utf-8"))

TOML_VALUES = st.recursive(
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def _parses_or_refuses(data: Any) -> None:
    refusal: Exception | None = None
    try:
        grid = parse_grid(data, source="fuzz.toml")
    except (GridError, ValidationError) as error:
        refusal = error
    if refusal is not None:
        assert str(refusal)  # a French sentence, never empty
    else:
        assert grid.threshold <= grid.total == sum(item.points for item in grid.items)


def _load_or_refuse(path: Path) -> None:
    refusal: Exception | None = None
    try:
        load_grid(path)
    except (GridError, ValidationError) as error:
        refusal = error
    assert refusal is None or str(refusal)


def test_the_bundled_grid_parses() -> None:
    assert parse_grid(BUNDLED).total == 26


@FUZZ
@given(st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=6))
def test_any_mapping_is_a_grid_or_a_grid_error(data: dict[str, Any]) -> None:
    _parses_or_refuses(data)


@FUZZ
@given(st.data())
def test_the_bundled_grid_with_one_value_changed_is_a_grid_or_a_grid_error(
    data: st.DataObject,
) -> None:
    grid = copy.deepcopy(BUNDLED)
    section = data.draw(st.sampled_from(["grid", "items", "exclusions"]))
    table = grid["grid"] if section == "grid" else data.draw(st.sampled_from(grid[section]))
    key = data.draw(st.sampled_from([*sorted(table), "inconnue"]))
    action = data.draw(st.sampled_from(["replace", "delete"]))
    if action == "delete":
        table.pop(key, None)
    else:
        table[key] = data.draw(TOML_VALUES)
    _parses_or_refuses(grid)


@FUZZ
@given(st.sampled_from(["grid", "items", "exclusions"]), TOML_VALUES)
def test_a_section_of_the_wrong_shape_is_a_grid_error(section: str, value: Any) -> None:
    _parses_or_refuses({**BUNDLED, section: value})


@pytest.fixture(scope="module")
def grid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("grilles") / "site.toml"


@FUZZ
@given(content=st.binary(max_size=4096))
def test_random_bytes_in_a_grid_file_are_a_grid_error(grid_file: Path, content: bytes) -> None:
    grid_file.write_bytes(content)
    _load_or_refuse(grid_file)


@FUZZ
@given(data=st.data())
def test_a_damaged_grid_file_is_a_grid_or_a_grid_error(
    grid_file: Path, data: st.DataObject
) -> None:
    grid_file.write_bytes(mutate(BUNDLED_TEXT, data.draw))
    _load_or_refuse(grid_file)
