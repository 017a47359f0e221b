"""The MSSanté extract: addresses imported into the directory, then carried by search results."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from escap_desktop.core.entities.directory import (
    BadLineReason,
    ExtractKind,
    ImportPhase,
    ImportProgress,
    MssanteImportReport,
)
from escap_desktop.services.directory import (
    DirectoryFormatError,
    DirectoryImportCancelledError,
    DirectoryImportError,
    DirectoryService,
    DirectoryUnavailableError,
)
from escap_desktop.store.directory.columns import MSSANTE_EXTRACT_COLUMNS
from escap_desktop.store.directory.synthetic import (
    SyntheticExtract,
    SyntheticMssante,
    build_line,
)
from tests.directory.conftest import (
    MAILBOXES,
    mailbox,
    run_import,
    write_lines,
    write_mailboxes,
)


class SimulatedDiskError(Exception):
    pass


def _import(service: DirectoryService, path: Path) -> MssanteImportReport:
    steps = list(service.import_file(path))
    report = steps[-1]
    assert isinstance(report, MssanteImportReport)
    assert all(isinstance(step, ImportProgress) for step in steps[:-1])
    return report


def _addresses(service: DirectoryService, text: str) -> dict[str, tuple[str, ...]]:
    return {entry.identifier: entry.mssante_addresses for entry in service.search(text)}


def test_search_results_carry_the_personal_addresses_in_file_order(
    people_with_mailboxes: DirectoryService,
) -> None:
    [lefevre] = people_with_mailboxes.search("lefevre marie")
    assert lefevre.mssante == "marie-claire.lefevre@medecin.mssante.fr"
    # the ORG mailbox is the structure's, the repeated address (case aside) is left out
    assert lefevre.mssante_addresses == (
        "marie-claire.lefevre@medecin.mssante.fr",
        "marie-claire.lefevre@chu-lyon.mssante.fr",
    )
    professional = lefevre.to_professional(site_index=1)
    assert professional.mssante == "marie-claire.lefevre@medecin.mssante.fr"
    assert _addresses(people_with_mailboxes, "lefevre")["10000000003"] == (
        "anne.bourteuil-lefevre@infirmier.mssante.fr",
    )
    [paul] = people_with_mailboxes.search("lefevrier")
    assert paul.mssante == ""
    assert paul.to_professional().mssante == ""
    [by_number] = people_with_mailboxes.search("10000000001")
    assert by_number.mssante == lefevre.mssante


def test_the_report_counts_addresses_organisations_duplicates_and_bad_lines(
    people: DirectoryService, tmp_path: Path
) -> None:
    rows: list[dict[str, str] | str] = [
        *MAILBOXES,
        mailbox("10000000002", "paul.lefevrier.medecin.mssante.fr"),  # no @: line 7
        mailbox("", "x@medecin.mssante.fr"),  # line 8
        mailbox("1000000000X", "y@medecin.mssante.fr"),  # line 9
        mailbox("10000000002", "z@medecin.mssante.fr", "BAL"),  # line 10
        "PER|a@b.fr|8|10000000002|",  # line 11: too few fields
        mailbox("10000000004", ""),  # line 12
    ]
    path = write_mailboxes(tmp_path / "Extraction_Correspondance_MSSante_1.txt", rows)
    report = _import(people, path)
    assert report.lines_read == 11  # data lines, after the header
    assert (report.addresses, report.professionals) == (3, 2)
    assert (report.organisation_lines, report.duplicates) == (1, 1)
    assert report.bad_line_count == 6
    assert report.bad_by_reason == {
        BadLineReason.INVALID_ADDRESS: 2,
        BadLineReason.MISSING_IDENTIFIER: 1,
        BadLineReason.INVALID_IDENTIFIER: 1,
        BadLineReason.UNKNOWN_MAILBOX_TYPE: 1,
        BadLineReason.FIELD_COUNT: 1,
    }
    texts = [bad.text for bad in report.bad_lines]
    assert texts[0] == (
        "ligne 7 : adresse BAL manquante ou qui n'est pas une adresse e-mail "
        "(« paul.lefevrier.medecin.mssante.fr »)"
    )
    assert "ligne 10 : type de BAL inconnu (PER ou ORG attendu) (« BAL »)" in texts
    assert "ligne 11 : nombre de champs incorrect (4 champs au lieu de 31)" in texts
    assert report.summary.startswith(
        "3 adresses MSSanté personnelles importées pour 2 professionnels depuis 11 lignes en "
    )
    assert report.summary.endswith(
        "(1 BAL d'organisation et 1 doublons non retenus) ; 6 lignes ignorées."
    )
    written = people.mssante_report_path.read_text(encoding="utf-8")
    assert written.startswith("Import des adresses MSSanté de l'annuaire\n")
    assert written.count("\nligne ") == 6
    assert people.mssante_address_count() == 3
    assert people.mssante_imported_at() == report.finished_at
    assert people.report_path.exists()  # the directory's own report stays


def test_columns_are_found_by_name_and_the_trailing_bar_may_be_missing(
    people: DirectoryService, tmp_path: Path
) -> None:
    columns = list(reversed(MSSANTE_EXTRACT_COLUMNS))
    values = mailbox("10000000006", "sean.o-neill@pharmacien.mssante.fr")
    lines = [
        "|".join(columns),  # header without the trailing "|"
        build_line(values, columns)[:-1],
        # the national identifier alone tells an ADELI-less line's identifier
        build_line(
            {**values, "Identifiant PP": "", "Adresse BAL": "sean@officine.mssante.fr"}, columns
        ),
    ]
    path = tmp_path / "inverse.txt"
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert people.check_file(path) is ExtractKind.MSSANTE
    report = _import(people, path)
    assert report.bad_line_count == 0
    assert _addresses(people, "o'neill")["10000000006"] == (
        "sean.o-neill@pharmacien.mssante.fr",
        "sean@officine.mssante.fr",
    )


def test_this_professions_mailbox_comes_first(people: DirectoryService, tmp_path: Path) -> None:
    path = write_mailboxes(
        tmp_path / "m.txt",
        [
            mailbox("10000000005", "luc.martin@pro.mssante.fr", profession=("10", "Médecin")),
            mailbox("10000000005", "luc.martin@infirmier.mssante.fr", profession=("60", "")),
        ],
    )
    _import(people, path)
    [martin] = people.search("martin luc")
    assert martin.profession_code == "60"
    assert martin.mssante_addresses == (
        "luc.martin@infirmier.mssante.fr",
        "luc.martin@pro.mssante.fr",
    )


def test_the_header_tells_the_two_extracts_apart_and_refuses_others(
    people: DirectoryService, people_extract: Path, mailboxes_extract: Path, tmp_path: Path
) -> None:
    assert people.check_file(people_extract) is ExtractKind.DIRECTORY
    assert people.check_file(mailboxes_extract) is ExtractKind.MSSANTE

    other = tmp_path / "agenda.txt"
    other.write_text("Date|Heure|Patient|\n01/12/2026|10:00|X|\n", encoding="utf-8")
    with pytest.raises(DirectoryFormatError) as refused:
        people.check_file(other)
    message = str(refused.value)
    assert message.startswith(
        "Ce fichier n'est pas un extrait « PS_LibreAcces_Personne_activite » ni un extrait "
        "« Extraction_Correspondance_MSSante » de l'Annuaire Santé : colonnes manquantes"
    )
    assert "« Type de BAL », « Adresse BAL », « Identifiant PP » pour les adresses MSSanté" in (
        message
    )
    with pytest.raises(DirectoryFormatError):
        list(people.import_file(other))

    columns = [name for name in MSSANTE_EXTRACT_COLUMNS if name != "Adresse BAL"]
    incomplete = write_lines(tmp_path / "incomplet.txt", [], columns)
    with pytest.raises(DirectoryFormatError) as refused:
        people.check_file(incomplete)
    assert str(refused.value) == (
        "Ce fichier n'est pas un extrait « Extraction_Correspondance_MSSante » de l'Annuaire "
        "Santé : colonnes manquantes dans l'en-tête : « Adresse BAL »."
    )
    assert refused.value.missing == ["Adresse BAL"]
    assert people.mssante_imported_at() is None


def test_addresses_need_an_installed_directory(
    service: DirectoryService, mailboxes_extract: Path
) -> None:
    with pytest.raises(DirectoryUnavailableError, match="Importez d'abord l'annuaire"):
        service.check_file(mailboxes_extract)
    with pytest.raises(DirectoryUnavailableError):
        list(service.import_file(mailboxes_extract))
    assert not service.path.exists()


def test_the_published_zip_is_read_without_unpacking(
    people: DirectoryService, mailboxes_extract: Path, people_extract: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "Extraction_Correspondance_MSSante_202612010000.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as output:
        output.write(mailboxes_extract, "Extraction_Correspondance_MSSante_202612010000.txt")
    assert people.check_file(archive) is ExtractKind.MSSANTE
    assert _import(people, archive).addresses == 3
    assert people.search("lefevre marie")[0].mssante.startswith("marie-claire.lefevre@")

    directory_zip = tmp_path / "PS_LibreAcces.zip"
    with zipfile.ZipFile(directory_zip, "w", zipfile.ZIP_DEFLATED) as output:
        output.writestr("LISEZMOI.pdf", b"%PDF")
        output.write(people_extract, "PS_LibreAcces_Personne_activite_202612010000.txt")
    assert run_import(people, directory_zip).professionals == 7

    empty = tmp_path / "vide.zip"
    with zipfile.ZipFile(empty, "w") as output:
        output.writestr("notes.pdf", b"%PDF")
    with pytest.raises(DirectoryFormatError, match="Cette archive ZIP ne contient pas"):
        people.check_file(empty)


def test_a_new_import_of_the_directory_keeps_the_addresses(
    people_with_mailboxes: DirectoryService, people_extract: Path
) -> None:
    imported_at = people_with_mailboxes.mssante_imported_at()
    run_import(people_with_mailboxes, people_extract)
    assert people_with_mailboxes.mssante_address_count() == 3
    assert people_with_mailboxes.mssante_imported_at() == imported_at
    [lefevre] = people_with_mailboxes.search("lefevre marie")
    assert lefevre.mssante == "marie-claire.lefevre@medecin.mssante.fr"


def test_a_cancelled_import_keeps_the_previous_addresses(
    people_with_mailboxes: DirectoryService, tmp_path: Path
) -> None:
    rows = [mailbox("10000000001", f"autre.{n}@medecin.mssante.fr") for n in range(40_000)]
    bigger = write_mailboxes(tmp_path / "plus.txt", rows)
    asked = 0

    def cancel() -> bool:
        nonlocal asked
        asked += 1
        return asked > 1

    with pytest.raises(DirectoryImportCancelledError):
        list(people_with_mailboxes.import_file(bigger, cancel=cancel))
    assert asked == 2  # stopped in the middle of the file
    [lefevre] = people_with_mailboxes.search("lefevre marie")
    assert lefevre.mssante == "marie-claire.lefevre@medecin.mssante.fr"
    assert people_with_mailboxes.mssante_address_count() == 3

    # the last step too: cancelled after every line was written, before the commit
    phases: list[ImportPhase] = []

    def drive() -> None:
        finishing = lambda: ImportPhase.FINISHING in phases  # noqa: E731
        for step in people_with_mailboxes.import_file(bigger, cancel=finishing):
            if isinstance(step, ImportProgress):
                phases.append(step.phase)

    with pytest.raises(DirectoryImportCancelledError):
        drive()
    assert phases[-1] is ImportPhase.FINISHING
    assert len(people_with_mailboxes.search("lefevre marie")[0].mssante_addresses) == 2

    # a consumer that stops iterating is a cancellation as well
    steps = people_with_mailboxes.import_file(bigger)
    next(steps)
    steps.close()
    assert people_with_mailboxes.mssante_address_count() == 3
    assert _import(people_with_mailboxes, bigger).addresses == 40_000


def test_a_failure_or_an_empty_file_keeps_the_previous_addresses(
    people_with_mailboxes: DirectoryService, tmp_path: Path
) -> None:
    rows = [mailbox("10000000001", f"autre.{n}@medecin.mssante.fr") for n in range(40_000)]
    bigger = write_mailboxes(tmp_path / "plus.txt", rows)

    def failing_disk() -> bool:
        raise SimulatedDiskError("disque plein")

    with pytest.raises(SimulatedDiskError):
        list(people_with_mailboxes.import_file(bigger, cancel=failing_disk))
    only_org = write_mailboxes(
        tmp_path / "org.txt", [mailbox("10000000001", "accueil@chu.mssante.fr", "ORG")]
    )
    with pytest.raises(DirectoryImportError, match="Aucune adresse MSSanté personnelle"):
        list(people_with_mailboxes.import_file(only_org))
    assert _addresses(people_with_mailboxes, "lefevre")["10000000003"] == (
        "anne.bourteuil-lefevre@infirmier.mssante.fr",
    )
    assert people_with_mailboxes.mssante_address_count() == 3


def test_a_directory_built_before_the_addresses_existed_still_searches_then_takes_them(
    people: DirectoryService, mailboxes_extract: Path
) -> None:
    people.close()
    with sqlite3.connect(people.path) as connection:
        connection.execute("DROP TABLE mssante")
    assert people.search("lefevre marie")[0].mssante_addresses == ()
    _import(people, mailboxes_extract)
    assert people.search("lefevre marie")[0].mssante.endswith("@medecin.mssante.fr")


def test_a_synthetic_extract_imports_what_the_generator_wrote(
    service: DirectoryService,
    synthetic: SyntheticExtract,
    synthetic_mssante: SyntheticMssante,
) -> None:
    run_import(service, synthetic.path)
    report = _import(service, synthetic_mssante.path)
    assert report.lines_read == synthetic_mssante.lines
    assert report.professionals == len(synthetic_mssante.addresses)
    assert report.addresses == sum(map(len, synthetic_mssante.addresses.values()))
    assert report.organisation_lines == synthetic_mssante.organisation_lines
    assert report.duplicates == synthetic_mssante.duplicates
    assert {bad.line_number: bad.reason for bad in report.bad_lines} == (
        synthetic_mssante.bad_lines
    )
    assert set(synthetic_mssante.bad_lines.values()) >= {
        BadLineReason.FIELD_COUNT,
        BadLineReason.ENCODING,
        BadLineReason.MISSING_IDENTIFIER,
        BadLineReason.INVALID_ADDRESS,
    }
    checked = 0
    for national_id in list(synthetic_mssante.addresses)[:200:7]:
        for entry in service.search(national_id[1:]):
            expected = synthetic_mssante.expected(national_id, entry.profession_code)
            assert entry.mssante_addresses == expected
            assert entry.to_professional().mssante == expected[0]
            checked += 1
    assert checked > 20
