"""An import replaces the directory only when complete; anything else leaves the old one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from escap_desktop.core.entities.directory import ImportPhase, ImportProgress, ImportReport
from escap_desktop.services.directory import (
    DirectoryImportCancelledError,
    DirectoryImportError,
    DirectoryOutdatedError,
    DirectoryService,
)
from escap_desktop.store.directory.synthetic import SyntheticExtract
from tests.directory.conftest import person, run_import, write_lines


class SimulatedDiskError(Exception):
    pass


def _names(service: DirectoryService, text: str) -> list[str]:
    return [entry.display_name for entry in service.search(text)]


def test_progress_runs_through_the_phases_then_the_report_comes_last(
    service: DirectoryService, synthetic: SyntheticExtract
) -> None:
    steps = list(service.import_file(synthetic.path))
    progress = [step for step in steps if isinstance(step, ImportProgress)]
    assert isinstance(steps[-1], ImportReport)
    assert progress[0].phase is ImportPhase.READING
    assert progress[-1].phase is ImportPhase.FINISHING
    assert progress[-1].percent == 100
    fractions = [step.fraction for step in progress]
    assert fractions == sorted(fractions)
    assert progress[-1].lines_read == synthetic.lines
    assert progress[-1].lines_per_second > 0
    assert "lignes/s" in progress[-1].text
    assert service.is_available()
    assert service.imported_at() is not None
    assert not service.path.with_name("annuaire.db.new").exists()


def test_a_cancelled_import_leaves_the_previous_directory_answering(
    people: DirectoryService, synthetic: SyntheticExtract
) -> None:
    asked = 0

    def cancel() -> bool:
        nonlocal asked
        asked += 1
        return asked > 1

    with pytest.raises(DirectoryImportCancelledError) as cancelled:
        list(people.import_file(synthetic.path, cancel=cancel))
    assert str(cancelled.value) == (
        "Import de l'annuaire annulé : l'annuaire précédent est conservé."
    )
    assert _names(people, "lefevre") == ["Dr Marie-Claire Lefèvre", "Anne Bourteuil-Lefèvre"]
    assert people.entry_count() == 7
    assert not people.path.with_name("annuaire.db.new").exists()


def test_a_failure_in_the_middle_leaves_the_previous_directory_answering(
    people: DirectoryService, synthetic: SyntheticExtract
) -> None:
    batches = 0

    def failing_disk() -> bool:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise SimulatedDiskError("disque plein")
        return False

    with pytest.raises(SimulatedDiskError):
        list(people.import_file(synthetic.path, cancel=failing_disk))
    assert _names(people, "lefevre") == ["Dr Marie-Claire Lefèvre", "Anne Bourteuil-Lefèvre"]
    assert not people.path.with_name("annuaire.db.new").exists()


def test_stopping_to_read_the_progress_abandons_the_import(
    people: DirectoryService, synthetic: SyntheticExtract
) -> None:
    steps = people.import_file(synthetic.path)
    next(steps)
    steps.close()
    assert people.entry_count() == 7
    assert not people.path.with_name("annuaire.db.new").exists()


def test_a_file_without_any_usable_line_keeps_the_previous_directory(
    people: DirectoryService, tmp_path: Path
) -> None:
    broken = write_lines(tmp_path / "vide.txt", ["8|1|2|", "nimporte|quoi|"])
    with pytest.raises(DirectoryImportError, match="Aucune ligne utilisable"):
        run_import(people, broken)
    assert people.entry_count() == 7


def test_a_second_import_while_one_runs_is_refused(
    service: DirectoryService, synthetic: SyntheticExtract
) -> None:
    first = service.import_file(synthetic.path)
    next(first)
    with pytest.raises(DirectoryImportError, match="déjà en cours"):
        next(service.import_file(synthetic.path))
    first.close()


def test_a_new_import_replaces_the_directory_for_searches_already_open(
    people: DirectoryService, tmp_path: Path
) -> None:
    assert _names(people, "martin") == ["Luc Martin"]
    newer = write_lines(tmp_path / "nouveau.txt", [person("10000000099", "MARTIN", "JULES")])
    run_import(people, newer)
    assert _names(people, "martin") == ["Dr Jules Martin"]
    assert people.entry_count() == 1


def test_a_replacement_made_by_another_process_is_seen_at_the_next_search(
    people: DirectoryService, tmp_path: Path
) -> None:
    assert _names(people, "martin") == ["Luc Martin"]
    other = DirectoryService(people.path.parent)
    newer = write_lines(tmp_path / "autre.txt", [person("10000000098", "MARTIN", "ROSE")])
    run_import(other, newer)
    other.close()
    assert _names(people, "martin") == ["Dr Rose Martin"]


def test_without_directory_a_search_explains_what_to_do(service: DirectoryService) -> None:
    assert not service.is_available()
    assert service.imported_at() is None
    assert service.entry_count() == 0
    with pytest.raises(Exception, match="Aucun annuaire n'est installé"):
        service.search("martin")


def test_a_directory_built_by_another_version_asks_for_a_new_import(
    people: DirectoryService,
) -> None:
    people.close()
    with sqlite3.connect(people.path) as connection:
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    connection.close()
    assert not people.is_available()
    with pytest.raises(DirectoryOutdatedError, match="importez à nouveau"):
        people.search("lefevre")
