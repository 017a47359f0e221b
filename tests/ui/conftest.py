"""GUI test fixtures: a real practice (SQLCipher store in a temporary folder, in-memory keyring)
with the local professional's profile already saved, and the professionals of a small town."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from escap_desktop.core.entities import IdentifierKind, Profession, Professional
from escap_desktop.core.services.practice import Practice, open_practice


def nir(first_13: str) -> str:
    """A NIR with its key (97 minus the 13 digits modulo 97)."""
    return first_13 + f"{97 - int(first_13) % 97:02d}"


def professional(
    last: str, first: str, profession: Profession, rpps: str, town: str = "Saint-Étienne"
) -> Professional:
    return Professional(
        last_name=last,
        first_name=first,
        profession=profession,
        identifier_kind=IdentifierKind.RPPS,
        identifier=rpps,
        town=town,
    )


ME = professional("Lefèvre", "Marie", Profession.MEDECIN, "10001234567")
NURSE = professional("N'Diaye", "Awa", Profession.INFIRMIER, "10007654321")
PHYSIO = professional("Dupont-Moretti", "Jean", Profession.MASSEUR_KINESITHERAPEUTE, "10001112223")
PHARMACIST = professional("Garnier", "Élise", Profession.PHARMACIEN, "10003334445")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "donnees"
    folder.mkdir()
    return folder


@pytest.fixture
def practice(data_dir: Path) -> Iterator[Practice]:
    """An open practice whose profile is Dr Marie Lefèvre, GP."""
    opened = open_practice(data_dir)
    opened.profile.save(ME)
    yield opened
    opened.close()
