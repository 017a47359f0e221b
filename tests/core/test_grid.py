from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escap_desktop.core.errors import GridError, ValidationError
from escap_desktop.core.rules.grid import (
    Grid,
    GridCatalog,
    default_grid_path,
    load_grid,
    score,
    scored_items,
)
from tests.core.grid_files import bundled_grid_data, item, render, write_grid

BUNDLED = load_grid(default_grid_path())


# --- The bundled grid ------------------------------------------------------------------------


def test_the_bundled_grid_is_the_escap_2025_1_grid() -> None:
    assert default_grid_path().is_file()
    assert (BUNDLED.grid_id, BUNDLED.version) == ("escap", "2025.1")
    assert BUNDLED.title == "Grille d'inclusion ESCAP"
    assert (BUNDLED.total, BUNDLED.threshold, BUNDLED.max_points) == (26, 13, 26)
    assert len(BUNDLED.items) == 26
    assert "grille officielle" in BUNDLED.note


def test_the_bundled_grid_excludes_pregnancy() -> None:
    assert [exclusion.id for exclusion in BUNDLED.exclusions] == ["grossesse"]
    assert "hors grossesse" in BUNDLED.exclusions[0].help


def test_every_bundled_item_is_worded_and_grouped() -> None:
    assert BUNDLED.groups == ("Santé", "Autonomie", "Environnement social", "Coordination")
    for group in BUNDLED.groups:
        assert BUNDLED.items_in(group)
    for grid_item in BUNDLED.items:
        assert grid_item.label.strip()
        assert grid_item.help.strip()
        assert grid_item.points == 1


def test_the_bundled_items_cover_the_published_factors() -> None:
    ids = set(BUNDLED.item_ids)
    for factor in (
        "age_75",
        "maladies_chroniques",
        "medicaments",
        "hospitalisations",
        "chirurgie",
        "mobilite",
        "chutes",
        "continence",
        "cognition",
        "sens",
        "nutrition",
        "vit_seul",
        "isolement",
        "sans_aidant",
        "aidant_epuise",
        "logement",
        "vulnerabilite",
        "plusieurs_professionnels",
    ):
        assert factor in ids


def test_points_are_read_from_the_file(tmp_path: Path) -> None:
    data = bundled_grid_data()
    item(data, "chutes")["points"] = 3
    data["grid"]["total"] = 28
    grid = load_grid(write_grid(tmp_path, data))
    assert grid.item("chutes").points == 3
    assert grid.max_points == 28
    answers = {item_id: item_id == "chutes" for item_id in grid.item_ids}
    assert score(grid, answers) == 3


def test_a_rendered_copy_of_the_bundled_grid_loads_equal(tmp_path: Path) -> None:
    assert load_grid(write_grid(tmp_path, bundled_grid_data())) == BUNDLED


# --- Broken grid files: every problem, in French, with the item id ---------------------------


def problems_of(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> list[str]:
    data = bundled_grid_data()
    change(data)
    with pytest.raises(GridError) as error:
        load_grid(write_grid(tmp_path, data))
    assert "n'est pas utilisable" in error.value.message
    return error.value.problems


def test_missing_points(tmp_path: Path) -> None:
    assert problems_of(tmp_path, lambda d: item(d, "chutes").pop("points")) == [
        "Item « chutes » : points manquants."
    ]


@pytest.mark.parametrize("points", [0, -1, 1.5, "1", True])
def test_points_that_are_not_a_positive_integer(tmp_path: Path, points: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        item(data, "chutes")["points"] = points

    assert problems_of(tmp_path, change) == [
        f"Item « chutes » : les points doivent être un entier positif (reçu : {points!r})."
    ]


def test_duplicate_ids(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        item(data, "nutrition")["id"] = "chutes"

    assert problems_of(tmp_path, change) == [
        "Item « chutes » : identifiant en double (déjà utilisé par l'item n° 12)."
    ]


@pytest.mark.parametrize("label", ["", "   "])
def test_empty_label(tmp_path: Path, label: str) -> None:
    def change(data: dict[str, Any]) -> None:
        item(data, "chutes")["label"] = label

    assert problems_of(tmp_path, change) == ["Item « chutes » : libellé (label) est vide."]


def test_missing_label_and_group(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del item(data, "chutes")["label"]
        del item(data, "chutes")["group"]

    assert problems_of(tmp_path, change) == [
        "Item « chutes » : libellé (label) manquant.",
        "Item « chutes » : groupe (group) manquant.",
    ]


def test_item_without_id_is_named_by_its_position(tmp_path: Path) -> None:
    assert problems_of(tmp_path, lambda d: d["items"][1].pop("id")) == [
        "Item n° 2 : identifiant (id) manquant."
    ]


def test_invalid_item_id(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        item(data, "chutes")["id"] = "Chutes !"

    assert problems_of(tmp_path, change) == [
        "Item « Chutes ! » : identifiant « Chutes ! » invalide (lettres minuscules sans "
        "accent, chiffres, « _ » ou « - »)."
    ]


def test_unknown_group(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        item(data, "chutes")["group"] = "Sante"

    assert problems_of(tmp_path, change) == [
        "Item « chutes » : groupe « Sante » inconnu (groupes déclarés : Santé, Autonomie, "
        "Environnement social, Coordination)."
    ]


def test_unknown_item_key_catches_typos(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        item(data, "chutes")["pointz"] = item(data, "chutes").pop("points")

    assert problems_of(tmp_path, change) == [
        "Item « chutes » : points manquants.",
        "Item « chutes » : clé inconnue « pointz ».",
    ]


def test_total_must_equal_the_sum_of_points(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["grid"]["total"] = 27

    assert problems_of(tmp_path, change) == [
        "Total : la somme des points des items (26) ne correspond pas au total déclaré (27)."
    ]


def test_a_missing_item_breaks_the_total(tmp_path: Path) -> None:
    assert problems_of(tmp_path, lambda d: d["items"].pop()) == [
        "Total : la somme des points des items (25) ne correspond pas au total déclaré (26)."
    ]


@pytest.mark.parametrize("threshold", [0, 27, -3])
def test_threshold_must_be_within_1_and_the_total(tmp_path: Path, threshold: int) -> None:
    def change(data: dict[str, Any]) -> None:
        data["grid"]["threshold"] = threshold

    assert problems_of(tmp_path, change) == [
        f"En-tête [grid] : le seuil ({threshold}) doit être compris entre 1 et le total (26)."
    ]


@pytest.mark.parametrize("threshold", [1, 26])
def test_threshold_at_the_bounds_is_accepted(tmp_path: Path, threshold: int) -> None:
    data = bundled_grid_data()
    data["grid"]["threshold"] = threshold
    assert load_grid(write_grid(tmp_path, data)).threshold == threshold


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("id", "En-tête [grid] : identifiant (id) manquant."),
        ("version", "En-tête [grid] : version manquante."),
        ("title", "En-tête [grid] : titre (title) manquant."),
        ("total", "En-tête [grid] : total manquant."),
        ("threshold", "En-tête [grid] : seuil (threshold) manquant."),
        ("groups", "En-tête [grid] : liste des groupes (groups) manquante."),
    ],
)
def test_required_header_keys(tmp_path: Path, key: str, problem: str) -> None:
    problems = problems_of(tmp_path, lambda d: d["grid"].pop(key))
    assert problem in problems
    if key != "groups":
        assert problems == [problem]


def test_the_note_is_optional(tmp_path: Path) -> None:
    data = bundled_grid_data()
    del data["grid"]["note"]
    assert load_grid(write_grid(tmp_path, data)).note == ""


def test_a_version_written_as_a_number_is_refused(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["grid"]["version"] = 2025.1

    assert problems_of(tmp_path, change) == [
        "En-tête [grid] : la version doit être un texte entre guillemets (« 2025.1 »)."
    ]


def test_unknown_section_and_header_key(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["grid"]["seuil"] = 13
        data["itemz"] = [{"id": "x"}]

    assert problems_of(tmp_path, change) == [
        "Fichier : section inconnue « itemz ».",
        "En-tête [grid] : clé inconnue « seuil ».",
    ]


def test_missing_header_section(tmp_path: Path) -> None:
    assert problems_of(tmp_path, lambda d: d.pop("grid")) == ["En-tête [grid] : section manquante."]


def test_no_items(tmp_path: Path) -> None:
    assert problems_of(tmp_path, lambda d: d.pop("items")) == [
        "Items : aucun item : la grille doit contenir des sections [[items]]."
    ]


def test_unknown_exclusion(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["exclusions"][0]["id"] = "mineur"

    assert problems_of(tmp_path, change) == [
        "Exclusion « mineur » : exclusion inconnue : l'application ne sait évaluer que "
        "« grossesse »."
    ]


def test_every_problem_is_collected_at_once(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        item(data, "chutes").pop("points")
        item(data, "nutrition")["label"] = ""
        item(data, "mobilite")["group"] = "Social"
        item(data, "logement")["id"] = "vit_seul"
        data["grid"]["threshold"] = 40

    problems = problems_of(tmp_path, change)
    assert problems == [
        "En-tête [grid] : le seuil (40) doit être compris entre 1 et le total (26).",
        "Item « nutrition » : libellé (label) est vide.",
        "Item « mobilite » : groupe « Social » inconnu (groupes déclarés : Santé, Autonomie, "
        "Environnement social, Coordination).",
        "Item « chutes » : points manquants.",
        "Item « vit_seul » : identifiant en double (déjà utilisé par l'item n° 19).",
    ]


def test_the_grid_error_message_counts_the_problems(tmp_path: Path) -> None:
    data = bundled_grid_data()
    item(data, "chutes").pop("points")
    path = write_grid(tmp_path, data)
    with pytest.raises(GridError) as error:
        load_grid(path)
    assert error.value.message == f"La grille {path} n'est pas utilisable : 1 problème."


# --- Files that cannot be read ---------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absente.toml"
    with pytest.raises(GridError) as error:
        load_grid(path)
    assert error.value.message == f"Fichier de grille introuvable : {path}."
    assert error.value.problems == []


def test_a_folder_is_not_a_grid_file(tmp_path: Path) -> None:
    with pytest.raises(GridError, match="est un dossier, pas un fichier de grille"):
        load_grid(tmp_path)


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(render(bundled_grid_data()).encode("latin-1", errors="replace"))
    with pytest.raises(GridError, match="n'est pas un texte UTF-8"):
        load_grid(path)


def test_invalid_toml_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "cassee.toml"
    path.write_text('[grid]\nid = "escap"\ntitle "sans égal"\n', encoding="utf-8")
    with pytest.raises(GridError) as error:
        load_grid(path)
    assert error.value.message == (
        f"Le fichier de grille {path} n'est pas un fichier TOML valide (ligne 3, colonne 7)."
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file(tmp_path: Path) -> None:
    path = write_grid(tmp_path, bundled_grid_data())
    path.chmod(0)
    with pytest.raises(GridError, match="ne peut pas être lu : accès refusé"):
        load_grid(path)


# --- Scoring ---------------------------------------------------------------------------------


def all_answers(grid: Grid, value: bool) -> dict[str, bool]:
    return dict.fromkeys(grid.item_ids, value)


def test_score_counts_the_ticked_items() -> None:
    assert score(BUNDLED, all_answers(BUNDLED, False)) == 0
    assert score(BUNDLED, all_answers(BUNDLED, True)) == 26
    answers = all_answers(BUNDLED, False) | {"chutes": True, "vit_seul": True}
    assert score(BUNDLED, answers) == 2
    assert [grid_item.id for grid_item in scored_items(BUNDLED, answers)] == ["chutes", "vit_seul"]


def test_an_answer_to_an_unknown_item_is_refused() -> None:
    answers = all_answers(BUNDLED, False) | {"tabac": True}
    with pytest.raises(ValidationError) as error:
        score(BUNDLED, answers)
    assert error.value.message == (
        "Réponse à un item inconnu de la grille escap version 2025.1 : « tabac »."
    )
    assert error.value.field == "answers"


def test_missing_answers_are_refused_and_named() -> None:
    answers = all_answers(BUNDLED, False)
    del answers["chutes"]
    del answers["vit_seul"]
    with pytest.raises(ValidationError) as error:
        score(BUNDLED, answers)
    assert error.value.message == (
        "Répondez à chaque item de la grille : 2 items sont sans réponse "
        f"(« {BUNDLED.item('chutes').label} » et « {BUNDLED.item('vit_seul').label} »)."
    )


def test_an_answer_must_be_yes_or_no() -> None:
    answers: dict[str, Any] = all_answers(BUNDLED, False) | {"chutes": 1}
    with pytest.raises(ValidationError, match="doit être oui ou non"):
        score(BUNDLED, answers)


@settings(database=None)
@given(st.lists(st.booleans(), min_size=26, max_size=26))
def test_score_is_the_number_of_ticked_one_point_items(ticks: list[bool]) -> None:
    answers = dict(zip(BUNDLED.item_ids, ticks, strict=True))
    assert score(BUNDLED, answers) == sum(ticks)


# --- Catalog of grid versions ----------------------------------------------------------------


def versioned(version: str, **header: Any) -> dict[str, Any]:
    data = bundled_grid_data()
    data["grid"]["version"] = version
    data["grid"].update(header)
    return data


def test_each_assessment_gets_its_own_version_back(tmp_path: Path) -> None:
    write_grid(tmp_path, versioned("2025.1"), "escap-2025.toml")
    write_grid(tmp_path, versioned("2026.1", threshold=14), "escap-2026.toml")
    catalog = GridCatalog.load([tmp_path])
    assert catalog.get("escap", "2025.1").threshold == 13
    assert catalog.get("escap", "2026.1").threshold == 14
    assert catalog.versions("escap") == ("2025.1", "2026.1")
    assert catalog.latest("escap").version == "2026.1"
    assert len(catalog) == 2
    assert ("escap", "2025.1") in catalog


def test_an_unavailable_version_is_refused_never_replaced(tmp_path: Path) -> None:
    write_grid(tmp_path, versioned("2026.1"), "escap-2026.toml")
    catalog = GridCatalog.load([tmp_path])
    with pytest.raises(GridError) as error:
        catalog.get("escap", "2025.1")
    assert error.value.message == (
        "La grille escap version 2025.1 n'est pas disponible sur ce poste (versions "
        "disponibles : 2026.1) : installez le fichier de cette version pour relire "
        "l'évaluation."
    )
    with pytest.raises(GridError, match="aucune version de cette grille"):
        catalog.get("autre", "1")
    with pytest.raises(GridError, match="Aucune version de la grille autre"):
        catalog.latest("autre")


def test_versions_sort_by_number() -> None:
    grids = [
        Grid(
            grid_id="escap",
            version=version,
            title="t",
            total=1,
            threshold=1,
            groups=("g",),
            items=(),
        )
        for version in ("2025.10", "2025.9", "2025.1")
    ]
    assert GridCatalog(grids).versions("escap") == ("2025.1", "2025.9", "2025.10")


def test_bundled_folder_plus_a_site_file(tmp_path: Path) -> None:
    site = write_grid(tmp_path, versioned("2026.1-site"), "site.toml")
    catalog = GridCatalog.load([default_grid_path().parent], [site])
    assert catalog.get("escap", "2025.1") == BUNDLED
    assert catalog.get("escap", "2026.1-site").source == str(site)


def test_a_missing_folder_is_skipped(tmp_path: Path) -> None:
    assert len(GridCatalog.load([tmp_path / "absent"])) == 0


def test_the_same_version_twice_with_the_same_content_is_one_grid(tmp_path: Path) -> None:
    site = write_grid(tmp_path, bundled_grid_data(), "copie.toml")
    catalog = GridCatalog.load([default_grid_path().parent], [site])
    assert len(catalog) == 1


def test_the_same_version_with_another_content_is_refused(tmp_path: Path) -> None:
    data = bundled_grid_data()
    item(data, "chutes")["label"] = "Chute récente"
    site = write_grid(tmp_path, data, "modifiee.toml")
    with pytest.raises(GridError) as error:
        GridCatalog.load([default_grid_path().parent], [site])
    assert error.value.problems == [
        "La grille escap version 2025.1 existe deux fois avec des contenus différents "
        f"({default_grid_path()} et {site}) : une version déjà diffusée ne se modifie pas, "
        "donnez un nouveau numéro de version."
    ]


def test_a_broken_file_in_the_folder_lists_its_problems_with_its_name(tmp_path: Path) -> None:
    data = versioned("2026.1")
    item(data, "chutes").pop("points")
    write_grid(tmp_path, data, "escap-2026.toml")
    (tmp_path / "vide.toml").write_text("[grid\n", encoding="utf-8")
    with pytest.raises(GridError) as error:
        GridCatalog.load([tmp_path])
    assert error.value.message == (
        "Les grilles d'inclusion ne peuvent pas être chargées : 2 problèmes."
    )
    assert error.value.problems[0] == "escap-2026.toml : Item « chutes » : points manquants."
    assert "vide.toml n'est pas un fichier TOML valide" in error.value.problems[1]
