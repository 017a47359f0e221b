"""Lines of the extract: grouping by professional, and every kind of bad line reported."""

from __future__ import annotations

from pathlib import Path

from escap_desktop.core.entities.directory import BadLineReason
from escap_desktop.core.entities.professional import IdentifierKind
from escap_desktop.services.directory import DirectoryService
from escap_desktop.store.directory.columns import EXTRACT_COLUMNS
from escap_desktop.store.directory.synthetic import SyntheticExtract, build_line
from tests.directory.conftest import person, run_import, write_lines


def test_the_lines_of_one_professional_become_one_entry_with_each_site(
    people: DirectoryService,
) -> None:
    [entry] = people.search("marie-claire lefevre")
    assert entry.display_name == "Dr Marie-Claire Lefèvre"
    assert entry.identifier_kind is IdentifierKind.RPPS
    assert entry.identifier == "10000000001"
    assert [site.place for site in entry.sites] == [
        "12 Rue PASTEUR, 69003 Lyon 3e Arrondissement",
        "75015 Paris 15e Arrondissement",
    ]
    assert entry.specialty == "Médecine générale"
    assert people.entry_count() == 7


def test_two_lines_at_the_same_place_are_one_site_with_both_specialties(
    service: DirectoryService, tmp_path: Path
) -> None:
    rows = [
        person("10000000010", "GIRARD", "LOUIS", **{"Libellé savoir-faire": "Gériatrie"}),
        person("10000000010", "GIRARD", "LOUIS", **{"Libellé savoir-faire": "Médecine générale"}),
    ]
    run_import(service, write_lines(tmp_path / "deux.txt", rows))
    [entry] = service.search("girard")
    assert [site.specialty for site in entry.sites] == ["Gériatrie ; Médecine générale"]


def test_lines_of_one_professional_apart_in_the_file_are_still_grouped(
    service: DirectoryService, tmp_path: Path
) -> None:
    rows = [
        person("10000000020", "ROUX", "EVA"),
        person("10000000021", "BLANC", "LÉO"),
        person("10000000020", "ROUX", "EVA", **{"Code postal (coord. structure)": "38000"}),
    ]
    report = run_import(service, write_lines(tmp_path / "desordre.txt", rows))
    assert report.professionals == 2
    [roux] = service.search("roux")
    assert [site.postcode for site in roux.sites] == ["69003", "38000"]


def test_the_postcode_and_town_come_from_bureau_cedex_when_missing(
    people: DirectoryService,
) -> None:
    [martin] = people.search("martin luc")
    assert (martin.sites[0].postcode, martin.sites[0].town) == ("13008", "Marseille Cedex 08")


def test_a_line_without_its_trailing_bar_is_still_read(
    service: DirectoryService, tmp_path: Path
) -> None:
    line = build_line(person("10000000030", "FAURE", "IDA")).removesuffix("|")
    report = run_import(service, write_lines(tmp_path / "sans_barre.txt", [line]))
    assert report.bad_line_count == 0
    assert [e.display_name for e in service.search("faure")] == ["Dr Ida Faure"]


def test_every_kind_of_bad_line_is_counted_with_its_number_and_never_stops_the_import(
    service: DirectoryService, tmp_path: Path
) -> None:
    good = person("10000000040", "MOREAU", "ZOÉ")
    path = tmp_path / "abime.txt"
    rows = [
        build_line(good),  # line 2
        "|".join(["8", "10000000041", "DUPONT"]) + "|",  # 3: too few fields
        build_line({**good, "Identifiant PP": ""}),  # 4: no identifier
        build_line({**good, "Identifiant PP": "123"}),  # 5: RPPS of 3 digits
        build_line({**good, "Nom d'exercice": ""}),  # 6: no name
        "",  # 7: a blank line is not an error
        build_line({**good, "Identifiant PP": "10000000043", "Nom d'exercice": "GÉRARD"}),
        build_line(person("10000000044", "PETIT", "NOÉ")),  # 9
    ]
    write_lines(path, rows)
    raw = path.read_bytes().replace("GÉRARD".encode(), "GÉRARD".encode("latin-1"))  # line 8
    path.write_bytes(raw)

    report = run_import(service, path)

    assert [(bad.line_number, bad.reason) for bad in report.bad_lines] == [
        (3, BadLineReason.FIELD_COUNT),
        (4, BadLineReason.MISSING_IDENTIFIER),
        (5, BadLineReason.INVALID_IDENTIFIER),
        (6, BadLineReason.MISSING_NAME),
        (8, BadLineReason.ENCODING),
    ]
    assert report.bad_lines[0].text == (
        f"ligne 3 : nombre de champs incorrect (3 champs au lieu de {len(EXTRACT_COLUMNS)})"
    )
    assert report.bad_by_reason[BadLineReason.FIELD_COUNT] == 1
    assert report.professionals == 2
    assert report.lines_read == 8
    assert report.report_path is not None
    written = report.report_path.read_text(encoding="utf-8")
    assert "2 professionnels importés" in written
    assert "ligne 8 : encodage invalide (UTF-8 attendu)" in written
    assert "ligne 5 : identifiant invalide (numéro RPPS « 123 »)" in written


def test_a_generated_extract_reports_exactly_its_broken_lines(
    service: DirectoryService, synthetic: SyntheticExtract
) -> None:
    report = run_import(service, synthetic.path)
    assert {bad.line_number: bad.reason for bad in report.bad_lines} == synthetic.bad_lines
    assert set(synthetic.bad_lines.values()) == {
        BadLineReason.FIELD_COUNT,
        BadLineReason.ENCODING,
        BadLineReason.MISSING_IDENTIFIER,
    }
    assert report.lines_read == synthetic.lines
    assert report.professionals <= synthetic.professionals
    assert report.sites >= report.professionals
