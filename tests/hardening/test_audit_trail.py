"""The patient's access journal: who viewed or changed what, when; printable for the patient;
never a word of clinical content."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from escap_desktop.cli.main import main
from escap_desktop.core.entities import (
    AuditEntry,
    AuditKind,
    Escap,
    IdentifierKind,
    Profession,
    Professional,
)
from escap_desktop.core.errors import NotFoundError
from escap_desktop.services.audit import AuditLine
from escap_desktop.services.practice import Practice
from tests.hardening.conftest import demo_practice, team_escap

SECRET_MESSAGE = "Escarre sacrée stade 3, pansement hydrocolloïde XK-4471"
SECRET_ACTION = "Bilan orthophonique urgent QZ-9083"
WHEN = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")


@pytest.fixture
def practice(tmp_path: Path) -> Iterator[Practice]:
    opened = demo_practice(tmp_path / "donnees")
    yield opened
    opened.close()


@pytest.fixture
def escap(practice: Practice) -> Escap:
    return team_escap(practice.store)


def _me(practice: Practice) -> Professional:
    current = practice.profile.current()
    assert current is not None
    return current[1]


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _every_field(lines: list[AuditLine]) -> str:
    return "\n".join(f"{line.when}|{line.who}|{line.action}|{line.record}" for line in lines)


def test_viewing_the_record_and_posting_a_message_are_in_the_journal(
    practice: Practice, escap: Escap
) -> None:
    before = len(practice.audit.patient_trail(escap.patient_id))

    practice.patients.get(escap.patient_id)
    practice.messages.post(escap.id, SECRET_MESSAGE)

    lines = practice.audit.patient_trail(escap.patient_id)
    me = _me(practice)
    viewed, posted = lines[before:]
    assert (viewed.who, viewed.action, viewed.record) == (
        me.display_name,
        "Consultation",
        "Dossier du patient",
    )
    assert (posted.who, posted.action, posted.record) == (me.display_name, "Création", "Message")
    assert viewed.actor_id == posted.actor_id == me.id
    assert all(WHEN.match(line.when) for line in lines)
    assert [line.at for line in lines] == sorted(line.at for line in lines)


def test_on_a_shared_computer_each_professional_appears_under_their_own_name(
    practice: Practice, escap: Escap
) -> None:
    first = _me(practice)
    practice.patients.get(escap.patient_id)
    colleague = Professional(
        last_name="Marchand",
        first_name="Inès",
        profession=Profession.INFIRMIER,
        identifier_kind=IdentifierKind.RPPS,
        identifier="10003456789",
    )
    practice.profile.save(colleague)  # the nurse now works on the same computer

    practice.patients.get(escap.patient_id)

    viewers = [
        line.who
        for line in practice.audit.patient_trail(escap.patient_id)
        if line.action == "Consultation"
    ]
    assert viewers[-2:] == [first.display_name, "Inès MARCHAND"]


def test_neither_the_journal_nor_its_printout_holds_clinical_text(
    practice: Practice, escap: Escap
) -> None:
    practice.messages.post(escap.id, SECRET_MESSAGE)
    practice.plan.add(escap.id, SECRET_ACTION, details=SECRET_MESSAGE)
    with practice.store.unit_of_work(_me(practice).id) as uow:
        # An entry received from elsewhere, with content where only a fixed phrase belongs.
        uow.put(
            AuditEntry(
                at=practice.clock.now(),
                actor_id="f" * 32,
                kind=AuditKind.UPDATED,
                entity_type="NoteLibre",
                entity_id="e" * 32,
                patient_id=escap.patient_id,
                summary=SECRET_MESSAGE,
            )
        )

    lines = practice.audit.patient_trail(escap.patient_id)
    text = _every_field(lines)
    pdf = _pdf_text(practice.audit.print_patient_trail(escap.patient_id))

    for secret in ("XK-4471", "QZ-9083", "Escarre", "orthophonique"):
        assert secret not in text
        assert secret not in pdf
    assert (lines[-1].who, lines[-1].record) == ("Professionnel inconnu", "Enregistrement")
    assert "Action du plan" in text


def test_the_printout_names_the_patient_lists_each_operation_and_is_journaled(
    practice: Practice, escap: Escap
) -> None:
    practice.patients.get(escap.patient_id)
    patient = practice.patients.get(escap.patient_id)
    lines = practice.audit.patient_trail(escap.patient_id)

    pdf = practice.audit.print_patient_trail(escap.patient_id)

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = _pdf_text(pdf)
    compact = re.sub(r"\s+", "", text)
    assert "Journal des accès au dossier" in text
    assert re.sub(r"\s+", "", patient.birth_name.upper()) in compact
    assert f"{patient.birth_date:%d/%m/%Y}" in text
    assert f"Opérations enregistrées ({len(lines)})" in text
    assert text.count("Consultation") == sum(line.action == "Consultation" for line in lines)
    pages = len(reader.pages)
    assert f"page {pages} / {pages}" in text
    assert re.search(r"Édité le \d{2}/\d{2}/\d{4} à \d{2}:\d{2}", text)
    assert pdf.filename == f"journal-des-acces-{pdf.reference}.pdf"
    assert pdf.reference in text
    assert patient.birth_name not in pdf.filename
    printed = practice.audit.patient_trail(escap.patient_id)[-1]
    assert (printed.action, printed.record) == ("Impression", "Dossier du patient")


def test_an_unknown_patient_has_no_journal(practice: Practice) -> None:
    with pytest.raises(NotFoundError, match="introuvable"):
        practice.audit.patient_trail("0" * 32)


def test_the_command_lists_the_journal_and_writes_the_printout(
    practice: Practice,
    escap: Escap,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    practice.messages.post(escap.id, SECRET_MESSAGE)
    data_dir = practice.data_dir
    practice.close()
    monkeypatch.delenv("ESCAP_PASSPHRASE", raising=False)

    assert main(["--data-dir", str(data_dir), "audit", "--patient", escap.patient_id]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split() == [
        "DATE",
        "ET",
        "HEURE",
        "PROFESSIONNEL",
        "ACTION",
        "ÉLÉMENT",
    ]
    assert "Création" in out
    assert "Message" in out
    assert "XK-4471" not in out
    assert re.search(r"\d+ opérations\.$", out.strip())

    target = tmp_path / "journal.pdf"
    args = ["--data-dir", str(data_dir), "audit", "--patient", escap.patient_id, "--out"]
    assert main([*args, str(target)]) == 0
    assert f"Journal des accès enregistré : {target}" in capsys.readouterr().out
    assert "Journal des accès au dossier" in _pdf_text(target.read_bytes())

    assert main(["--data-dir", str(data_dir), "audit", "--patient", "0" * 32]) == 1
    err = capsys.readouterr().err
    assert err.startswith("escap : Patient introuvable")
    assert err.count("\n") == 1
