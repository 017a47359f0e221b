"""An encrypted backup restores on another computer with its passphrase, and only then.

Every refused restore (wrong passphrase, cut or flipped byte, newer schema...) says why in
French and leaves the current store byte for byte as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from escap_desktop.core.errors import StoreError, ValidationError, WrongPassphraseError
from escap_desktop.services.backup import (
    LocalProtection,
    create_backup,
    describe_backup,
    passphrase_strength,
    restore,
)
from escap_desktop.services.practice import Practice
from escap_desktop.store import Store, open_store, store_path
from escap_desktop.store.keys import keyinfo_path, load_key_from_keyring, read_keyinfo
from tests.backup.conftest import (
    BACKUP_PASSPHRASE,
    LOCAL_PASSPHRASE,
    cheap_kdf,
    fill_with_demo,
    folder_bytes,
)
from tests.support.steps import run

Opener = Callable[..., Practice]


def names(practice: Practice) -> list[str]:
    return sorted(s.display_name for s in practice.patients.summaries())


def make_backup(practice: Practice, target: Path, passphrase: str = BACKUP_PASSPHRASE) -> Path:
    run(create_backup(practice.store, target, passphrase, kdf=cheap_kdf()))
    return target


@pytest.fixture
def source(tmp_path: Path, open_folder: Opener) -> Practice:
    """The professional's computer: keyring mode, a small demo practice."""
    practice = open_folder(tmp_path / "poste-a")
    fill_with_demo(practice, patients=12)
    return practice


@pytest.fixture
def backup(source: Practice, tmp_path: Path) -> Path:
    return make_backup(source, tmp_path / "cabinet.escap-sauvegarde")


def test_a_backup_restores_on_another_computer_in_passphrase_mode(
    source: Practice, backup: Path, tmp_path: Path, open_folder: Opener
) -> None:
    expected = names(source)
    other = tmp_path / "poste-b"

    result = run(restore(backup, BACKUP_PASSPHRASE, other, LocalProtection(LOCAL_PASSPHRASE)))

    assert result.previous is None
    assert not result.protected_by_keyring
    restored = open_folder(other, LOCAL_PASSPHRASE)
    assert names(restored) == expected
    assert restored.profile.current() == source.profile.current()
    with pytest.raises(WrongPassphraseError):
        open_store(other, BACKUP_PASSPHRASE)  # the backup's passphrase is not the store's


def test_a_passphrase_store_restores_into_the_keyring_of_another_computer(
    tmp_path: Path, open_folder: Opener
) -> None:
    source = open_folder(tmp_path / "poste-a", LOCAL_PASSPHRASE)
    fill_with_demo(source, patients=4)
    backup = make_backup(source, tmp_path / "b.escap-sauvegarde")

    result = run(restore(backup, BACKUP_PASSPHRASE, tmp_path / "poste-b", LocalProtection()))

    assert result.protected_by_keyring
    assert names(open_folder(tmp_path / "poste-b")) == names(source)


def test_the_backup_file_holds_no_readable_data(source: Practice, backup: Path) -> None:
    content = backup.read_bytes()
    assert content.startswith(b"ESCAPSAV")
    assert b"SQLite format 3" not in content
    for summary in source.patients.summaries():
        assert summary.ins.encode() not in content
        assert summary.birth_name.encode() not in content
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    assert not list(backup.parent.glob("*.partiel"))


def test_restore_keeps_the_replaced_store_aside_and_usable(
    source: Practice, backup: Path, tmp_path: Path, open_folder: Opener
) -> None:
    data_dir = tmp_path / "poste-a"
    before = names(source)
    source.close()
    later = open_folder(data_dir)
    fill_more = later.patients.summaries()[0]
    later.close()

    result = run(restore(backup, BACKUP_PASSPHRASE, data_dir, LocalProtection()))

    assert result.previous is not None
    assert result.previous.name.startswith("escap-desktop.avant-restauration-")
    assert keyinfo_path(result.previous).exists()
    info = read_keyinfo(result.previous)
    assert info is not None
    old_key = load_key_from_keyring(info.store_id)
    assert old_key is not None
    with Store.open(result.previous, old_key) as previous, previous.unit_of_work(None) as uow:
        assert fill_more.patient_id in {s.patient_id for s in uow.patient_summaries()}
    assert names(open_folder(data_dir)) == before
    assert sorted(p.name for p in data_dir.iterdir() if "restauration-" in p.name) == [
        result.previous.name,
        result.previous.name + ".keyinfo.json",
    ]


def test_describe_backup_reads_the_header_without_the_passphrase(backup: Path) -> None:
    description = describe_backup(backup)
    assert description.app_version == "0.1.0"
    assert description.size_bytes == backup.stat().st_size
    assert description.created_at.tzinfo is not None


def _cut(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip(offset: int) -> Callable[[Path], None]:
    def flip(path: Path) -> None:
        data = bytearray(path.read_bytes())
        position = offset if offset >= 0 else len(data) + offset
        data[position] ^= 0x01
        path.write_bytes(bytes(data))

    return flip


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_cut, "La sauvegarde est incomplète (fichier tronqué, copie interrompue ?)"),
        (_flip(40), "La sauvegarde est endommagée"),  # in the JSON header
        (_flip(-5000), "La sauvegarde est endommagée"),  # in the database
        (_flip(-1), "La sauvegarde est endommagée"),  # in the checksum itself
        (_flip(0), "Ce fichier n'est pas une sauvegarde d'ESCAP Desktop."),
    ],
    ids=["tronquee", "entete", "base", "somme", "magie"],
)
def test_a_damaged_backup_is_refused_and_the_current_store_is_untouched(
    source: Practice,
    backup: Path,
    tmp_path: Path,
    damage: Callable[[Path], None],
    message: str,
) -> None:
    source.close()
    data_dir = tmp_path / "poste-a"
    before = folder_bytes(data_dir)
    damage(backup)

    with pytest.raises(StoreError) as raised:
        run(restore(backup, BACKUP_PASSPHRASE, data_dir, LocalProtection()))

    assert str(raised.value).startswith(message)
    assert folder_bytes(data_dir) == before


def test_a_wrong_passphrase_is_refused_and_the_current_store_is_untouched(
    source: Practice, backup: Path, tmp_path: Path
) -> None:
    source.close()
    data_dir = tmp_path / "poste-a"
    before = folder_bytes(data_dir)

    with pytest.raises(WrongPassphraseError) as raised:
        run(restore(backup, "pas la bonne phrase", data_dir, LocalProtection()))

    assert str(raised.value) == (
        "Phrase de passe incorrecte : ce n'est pas celle qui a servi à créer cette sauvegarde."
    )
    assert folder_bytes(data_dir) == before


def test_a_backup_of_a_newer_schema_is_refused_and_the_current_store_is_untouched(
    source: Practice, tmp_path: Path, open_folder: Opener
) -> None:
    newer = open_folder(tmp_path / "poste-futur")
    fill_with_demo(newer, patients=2)
    with newer.store.unit_of_work(None) as uow:
        uow.session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
        uow.session.commit()
    backup = make_backup(newer, tmp_path / "futur.escap-sauvegarde")
    source.close()
    data_dir = tmp_path / "poste-a"
    before = folder_bytes(data_dir)

    with pytest.raises(StoreError) as raised:
        run(restore(backup, BACKUP_PASSPHRASE, data_dir, LocalProtection()))

    assert str(raised.value) == (
        "Le coffre sauvegardé a été créé par une version plus récente d'ESCAP Desktop ; "
        "mettez l'application à jour."
    )
    assert folder_bytes(data_dir) == before


def test_a_restore_stopped_before_the_swap_changes_nothing(
    source: Practice, backup: Path, tmp_path: Path
) -> None:
    source.close()
    data_dir = tmp_path / "poste-a"
    before = folder_bytes(data_dir)
    steps = restore(backup, BACKUP_PASSPHRASE, data_dir, LocalProtection())
    labels = [next(steps).text for _ in range(5)]
    assert labels[-1] == "Mise en place du coffre restauré…"

    steps.close()  # what the GUI does when "Annuler" is pressed

    assert folder_bytes(data_dir) == before


def test_a_backup_needs_a_long_enough_passphrase(source: Practice, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as raised:
        make_backup(source, tmp_path / "x.escap-sauvegarde", passphrase="court")
    assert str(raised.value) == "La phrase de passe doit contenir au moins 12 caractères."
    assert not (tmp_path / "x.escap-sauvegarde").exists()


def test_a_backup_into_a_missing_folder_says_so(source: Practice, tmp_path: Path) -> None:
    with pytest.raises(StoreError) as raised:
        make_backup(source, tmp_path / "absent" / "x.escap-sauvegarde")
    assert "n'existe pas" in str(raised.value)


def test_store_path_is_where_the_restore_puts_the_store(backup: Path, tmp_path: Path) -> None:
    result = run(restore(backup, BACKUP_PASSPHRASE, tmp_path / "neuf", LocalProtection()))
    assert result.store == store_path(tmp_path / "neuf")


@pytest.mark.parametrize(
    ("passphrase", "label", "acceptable"),
    [
        ("court", "Trop courte : encore 7 caractère(s) au moins", False),
        ("abcdefghijkl", "Acceptable", True),
        ("Le chat de Mme Roux dort 3 fois", "Très bonne", True),
    ],
)
def test_passphrase_strength_hint(passphrase: str, label: str, acceptable: bool) -> None:
    strength = passphrase_strength(passphrase)
    assert (strength.label, strength.acceptable) == (label, acceptable)
