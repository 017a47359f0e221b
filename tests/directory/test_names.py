from __future__ import annotations

import pytest

from escap_desktop.store.directory.names import french_name


@pytest.mark.parametrize(
    ("published", "shown"),
    [
        ("LEFÈVRE", "Lefèvre"),
        ("DE LA FONTAINE", "de La Fontaine"),
        ("D'ALMEIDA", "d'Almeida"),
        ("N'DIAYE", "N'Diaye"),
        ("O'NEILL", "O'Neill"),
        ("LE GALL", "Le Gall"),
        ("MARTIN-DUPONT", "Martin-Dupont"),
        ("DU PONT", "du Pont"),
        ("DES ROCHES", "des Roches"),
        ("ÉTIENNE", "Étienne"),
        ("L'HÔTE", "L'Hôte"),
        ("DE", "De"),
        ("  DUPONT   DURAND ", "Dupont Durand"),
    ],
)
def test_last_names_take_their_usual_french_form(published: str, shown: str) -> None:
    assert french_name(published, last_name=True) == shown


@pytest.mark.parametrize(
    ("published", "shown"),
    [
        ("MARIE-CLAIRE", "Marie-Claire"),
        ("JEAN-FRANÇOIS", "Jean-François"),
        ("ÉLODIE", "Élodie"),
        ("MAËLLE", "Maëlle"),
        ("DE", "De"),
    ],
)
def test_first_names_are_capitalised_part_by_part(published: str, shown: str) -> None:
    assert french_name(published) == shown


def test_a_name_already_written_by_a_person_is_kept() -> None:
    assert french_name("McDonald", last_name=True) == "McDonald"
