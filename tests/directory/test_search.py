"""Search forgives: no accents, word starts, any order; it ranks exact names first."""

from __future__ import annotations

from pathlib import Path

import pytest

from escap_desktop.core.entities.professional import Profession, ProfessionalSource
from escap_desktop.core.errors import ValidationError
from escap_desktop.services.directory import DirectoryService
from tests.directory.conftest import person, run_import, write_lines


def _names(service: DirectoryService, text: str, **filters: str) -> list[str]:
    return [entry.display_name for entry in service.search(text, **filters)]


@pytest.mark.parametrize("typed", ["lefevre", "LEFEVRE", "Lefèvre", "lef", "LéF", "lefe"])
def test_accents_and_case_do_not_matter_and_a_start_is_enough(
    people: DirectoryService, typed: str
) -> None:
    assert "Dr Marie-Claire Lefèvre" in _names(people, typed)


def test_an_exact_name_comes_before_names_that_only_start_or_contain_it(
    people: DirectoryService,
) -> None:
    assert _names(people, "lefevre") == ["Dr Marie-Claire Lefèvre", "Anne Bourteuil-Lefèvre"]
    # no exact name: the names that begin with the word, then those that contain it
    assert _names(people, "lef") == [
        "Dr Marie-Claire Lefèvre",
        "Dr Paul Lefevrier",
        "Anne Bourteuil-Lefèvre",
    ]


def test_words_may_come_in_any_order_and_mix_name_first_name_and_town(
    people: DirectoryService,
) -> None:
    assert _names(people, "marie lefevre") == ["Dr Marie-Claire Lefèvre"]
    assert _names(people, "paris lefev") == ["Dr Marie-Claire Lefèvre"]
    assert _names(people, "claire marie lyon") == ["Dr Marie-Claire Lefèvre"]
    assert _names(people, "infirmier marseille") == ["Luc Martin"]


@pytest.mark.parametrize(
    "typed", ["o'brien", '"', "*", "-", "AND", "lef AND", 'NEAR("a" "b")', "(", "^", "a:b", "{x}"]
)
def test_query_syntax_characters_never_raise(people: DirectoryService, typed: str) -> None:
    people.search(typed)


def test_apostrophes_and_particles_are_found_either_way(people: DirectoryService) -> None:
    assert _names(people, "d'almeida") == ["José d'Almeida"]
    assert _names(people, "almeida") == ["José d'Almeida"]
    assert _names(people, "o'neill") == ["Sean O'Neill"]
    assert _names(people, "de la fontaine") == ["Jean de La Fontaine"]


def test_titles_typed_before_a_name_are_ignored(people: DirectoryService) -> None:
    assert _names(people, "Dr Lefèvre") == ["Dr Marie-Claire Lefèvre", "Anne Bourteuil-Lefèvre"]


def test_a_word_that_starts_nothing_finds_nothing(people: DirectoryService) -> None:
    assert _names(people, "lefevre zzz") == []
    assert _names(people, "") == []


def test_the_profession_filter_takes_a_code_a_profession_or_a_label_start(
    people: DirectoryService,
) -> None:
    assert _names(people, "lef", profession="60") == ["Anne Bourteuil-Lefèvre"]
    assert _names(people, "lef", profession=Profession.MEDECIN) == [
        "Dr Marie-Claire Lefèvre",
        "Dr Paul Lefevrier",
    ]
    assert _names(people, "", profession="kiné") == ["José d'Almeida"]
    with pytest.raises(ValidationError, match="Aucune profession de l'annuaire ne correspond"):
        people.search("lef", profession="plombier")


def test_the_postcode_filter_is_a_start_and_puts_the_matching_site_first(
    people: DirectoryService,
) -> None:
    assert _names(people, "", postcode="75") == ["Dr Marie-Claire Lefèvre"]
    assert _names(people, "lef", postcode="690") == [
        "Dr Marie-Claire Lefèvre",
        "Dr Paul Lefevrier",
        "Anne Bourteuil-Lefèvre",
    ]
    [entry] = people.search("lefevre", postcode="75015")
    assert entry.sites[0].postcode == "75015"
    professional = entry.to_professional()
    assert (professional.postcode, professional.town) == ("75015", "Paris 15e Arrondissement")
    with pytest.raises(ValidationError, match="premiers chiffres"):
        people.search("lef", postcode="Lyon")


def test_a_typed_rpps_number_finds_its_holder(people: DirectoryService) -> None:
    assert _names(people, "10000000004") == ["José d'Almeida"]
    assert _names(people, " 10000000004 ") == ["José d'Almeida"]


def test_a_result_becomes_a_professional_from_the_directory(people: DirectoryService) -> None:
    [entry] = people.search("lefevre marie")
    professional = entry.to_professional()
    assert professional.source is ProfessionalSource.DIRECTORY
    assert professional.profession is Profession.MEDECIN
    assert (professional.last_name, professional.first_name) == ("Lefèvre", "Marie-Claire")
    assert professional.identifier == "10000000001"
    assert professional.specialty == "Médecine générale"
    assert professional.address == "12 Rue PASTEUR"
    assert professional.phone == "0478123456"
    assert entry.sites[0].phone_display == "04 78 12 34 56"
    second_site = entry.to_professional(site_index=1)
    assert second_site.postcode == "75015"


def test_professions_are_listed_with_their_labels_from_the_file(
    people: DirectoryService,
) -> None:
    professions = {p.code: (p.label, p.professionals) for p in people.professions()}
    assert professions["10"] == ("Médecin", 2)
    assert professions["60"] == ("Infirmier", 2)
    assert professions["70"] == ("Masseur-kinésithérapeute", 1)


def test_the_limit_bounds_the_results(people: DirectoryService) -> None:
    assert len(people.search("lef", limit=2)) == 2


def test_a_word_that_is_mostly_a_town_does_not_rank_as_a_name(
    service: DirectoryService, tmp_path: Path
) -> None:
    kine = ("70", "Masseur-kinésithérapeute")
    paris = {
        "Code postal (coord. structure)": "75015",
        "Libellé commune (coord. structure)": "Paris 15e Arrondissement",
    }
    rows = [
        person("10000000101", "PARIS", "JEAN", kine),  # in Lyon
        person("10000000102", "ABADIE", "LÉA", kine, **paris),
        *(person(f"1000000011{n}", "ROUX", "EVA", ("60", "Infirmier"), **paris) for n in range(5)),
    ]
    run_import(service, write_lines(tmp_path / "paris.txt", rows))
    assert _names(service, "kine paris") == ["Léa Abadie", "Jean Paris"]
    assert _names(service, "paris") == ["Léa Abadie", "Jean Paris", *["Eva Roux"] * 5]


def test_ligatures_are_found_spelled_out_or_not(service: DirectoryService, tmp_path: Path) -> None:
    extract = write_lines(
        tmp_path / "ligatures.txt",
        [person("10000000021", "ŒUVRARD", "MARC"), person("10000000022", "STRAUß", "ÆLIS")],
    )
    run_import(service, extract)
    for typed in ("oeuvrard", "OEUVRARD", "œuvrard", "Œuvr"):
        assert _names(service, typed) == ["Dr Marc Œuvrard"], typed
    for typed in ("strauss", "strauß", "aelis", "ælis"):
        assert [e.identifier for e in service.search(typed)] == ["10000000022"], typed
