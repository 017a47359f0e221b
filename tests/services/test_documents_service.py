"""Printing from the store: every demo patient's documents build, read back and are traced."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    AuditKind,
    ConsentStatus,
    EscapState,
    MembershipStatus,
    Patient,
)
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.core.errors import (
    DocumentError,
    GridError,
    NotFoundError,
    TransitionError,
)
from escap_desktop.core.rules.grid import GridCatalog
from escap_desktop.documents import DocumentKind, QrPayload
from escap_desktop.services.documents import DocumentService, PrintedDocument
from escap_desktop.services.practice import Practice
from tests.services.demo_practice import (
    ReadPdf,
    decode_qr_codes,
    family_name,
    first_name,
    open_demo_practice,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Practice:
    return open_demo_practice(tmp_path_factory.mktemp("documents"), patients=40)


def rows_in(demo: Practice, *states: EscapState) -> list[PatientSummary]:
    rows = [row for row in demo.patients.summaries() if row.escap_state in states]
    assert rows, f"la démonstration n'a aucun patient dans l'état {states}"
    return rows


def printed_entries(demo: Practice, patient_id: str, entity_type: str) -> int:
    with demo.store.unit_of_work(None) as uow:
        return sum(
            1
            for entry in uow.audit_entries(patient_id)
            if entry.kind is AuditKind.PRINTED and entry.entity_type == entity_type
        )


def assert_names_printed(pdf: ReadPdf, patients: list[Patient]) -> None:
    for patient in patients:
        assert pdf.contains(family_name(patient)), family_name(patient)
        assert pdf.contains(first_name(patient)), first_name(patient)


def assert_some_accented(names: list[str]) -> None:
    """The demo must exercise accents, or the checks above prove little."""
    assert any(not name.isascii() for name in names)


# --- consent form -----------------------------------------------------------------------------


def test_consent_form_of_every_assessed_patient_is_stored_then_matched_by_its_qr_code(
    demo: Practice,
) -> None:
    rows = rows_in(demo, EscapState.ASSESSED)
    for row in rows:
        patient = demo.patients.get(row.patient_id)
        pdf = demo.documents.consent_form(row.patient_id)

        read = ReadPdf(pdf)
        assert_names_printed(read, [patient])
        assert read.contains(pdf.reference)
        assert pdf.kind is DocumentKind.CONSENT_FORM
        assert pdf.filename == f"consentement-{pdf.reference}.pdf"
        assert row.escap_id is not None
        consent = demo.escaps.overview(row.escap_id).consent
        assert consent is not None
        assert consent.form_reference == pdf.reference
        assert consent.status is ConsentStatus.PRINTED

        scanned = decode_qr_codes(pdf)
        assert scanned == [QrPayload(DocumentKind.CONSENT_FORM, pdf.reference).text()]
        assert demo.documents.match_scanned_reference(scanned[0]).id == consent.id
        assert printed_entries(demo, row.patient_id, "Consent") >= 1
    assert_some_accented([row.display_name for row in rows])


def test_a_reprinted_consent_form_keeps_its_reference_and_designations(demo: Practice) -> None:
    row = rows_in(demo, EscapState.ASSESSED)[0]
    me = demo.profile.current()
    assert me is not None
    first = demo.documents.consent_form(row.patient_id, recipient_ids=(me[1].id,))
    again = demo.documents.consent_form(row.patient_id)
    assert again.reference == first.reference
    assert ReadPdf(again).contains(me[1].display_name)


def test_a_reference_typed_from_paper_finds_the_consent(demo: Practice) -> None:
    row = rows_in(demo, EscapState.ASSESSED)[-1]
    pdf = demo.documents.consent_form(row.patient_id)
    typed = pdf.reference.lower().replace("-", " ").replace("0", "o")
    assert demo.documents.match_scanned_reference(typed).patient_id == row.patient_id


def test_unknown_or_foreign_references_are_explained(demo: Practice) -> None:
    with pytest.raises(NotFoundError, match="Aucun consentement de ce poste"):
        demo.documents.match_scanned_reference("ESCAP:CF:ZZZZ-ZZZZ")
    with pytest.raises(DocumentError, match="n'est pas celle d'un formulaire de consentement"):
        demo.documents.match_scanned_reference("ESCAP-CP-7K4Q-2M9X")
    with pytest.raises(DocumentError, match="n'est pas une référence de document ESCAP"):
        demo.documents.match_scanned_reference("bonjour")


def test_consent_form_is_printed_only_while_the_escap_awaits_consent(demo: Practice) -> None:
    answered = [
        row
        for row in demo.patients.summaries()
        if row.escap_state not in (None, EscapState.ASSESSED)
    ]
    assert {EscapState.DRAFT, EscapState.ACTIVE, EscapState.CLOSED} <= {
        row.escap_state for row in answered
    }
    for row in answered:
        with pytest.raises(TransitionError, match="État actuel"):
            demo.documents.consent_form(row.patient_id)
    without = rows_in(demo, None)[0]
    with pytest.raises(NotFoundError, match="n'a pas d'ESCAP"):
        demo.documents.consent_form(without.patient_id)


# --- invitation -------------------------------------------------------------------------------


def test_invitation_of_every_pending_member_shows_initials_and_age_only(
    demo: Practice, clock: FrozenClock
) -> None:
    printed = 0
    for row in rows_in(demo, EscapState.FORMING):
        patient = demo.patients.get(row.patient_id)
        for view in demo.documents.pending_invitations(row.patient_id):
            pdf = demo.documents.invitation(view.membership.id)
            read = ReadPdf(pdf)
            assert read.contains(patient.initials)
            assert read.contains(f"{patient.age_on(clock.today())} ans")
            assert read.contains(view.professional.display_name)
            assert read.contains(view.membership.join_code)
            assert read.contains(pdf.reference)
            assert read.contains("non disponible")  # no key fingerprint before the sync module
            for identifying in (
                patient.display_name,
                f"{first_name(patient)} {family_name(patient)}",
                patient.birth_date.strftime("%d/%m/%Y"),
                patient.ins,
            ):
                assert not read.contains(identifying), identifying
            assert row.escap_id is not None
            membership = next(
                m.membership
                for m in demo.escaps.overview(row.escap_id).members
                if m.membership.id == view.membership.id
            )
            assert membership.invitation_printed_on == clock.today()
            assert printed_entries(demo, row.patient_id, "Membership") >= 1
            printed += 1
    assert printed > 0


def test_invitation_prints_the_key_fingerprint_the_sync_module_provides(
    demo: Practice, clock: FrozenClock
) -> None:
    views = [
        view
        for row in rows_in(demo, EscapState.FORMING)
        for view in demo.documents.pending_invitations(row.patient_id)
    ]
    me = demo.profile.current()
    assert me is not None
    service = DocumentService(
        demo.store,
        lambda: me[1].id,
        demo.escaps.grids,
        fingerprint_provider=lambda: "7KQ2 M9XD 3HQ8 ZD5T",
    )
    read = ReadPdf(service.invitation(views[0].membership.id))
    assert read.contains("7KQ2 M9XD 3HQ8 ZD5T")
    assert not read.contains("non disponible")


def test_invitation_is_refused_once_answered(demo: Practice) -> None:
    row = rows_in(demo, EscapState.ACTIVE)[0]
    assert row.escap_id is not None
    accepted = next(
        m
        for m in demo.escaps.overview(row.escap_id).members
        if m.membership.status is MembershipStatus.ACCEPTED
    )
    with pytest.raises(TransitionError, match="a déjà reçu une réponse"):
        demo.documents.invitation(accepted.membership.id)
    with pytest.raises(NotFoundError, match="introuvable"):
        demo.documents.invitation("0" * 32)


# --- care plan --------------------------------------------------------------------------------


def test_care_plan_of_every_team_names_the_patient_and_every_member(demo: Practice) -> None:
    rows = rows_in(demo, EscapState.FORMING, EscapState.ACTIVE)
    for row in rows:
        patient = demo.patients.get(row.patient_id)
        pdf = demo.documents.care_plan(row.patient_id)
        read = ReadPdf(pdf)
        assert_names_printed(read, [patient])
        assert read.contains(pdf.reference)
        assert row.escap_id is not None
        overview = demo.escaps.overview(row.escap_id)
        for member in overview.accepted_members:
            assert read.contains(member.professional.display_name)
        assert printed_entries(demo, row.patient_id, "Escap") >= 1
        by_escap = demo.documents.care_plan(escap_id=row.escap_id)
        assert by_escap.kind is DocumentKind.CARE_PLAN
    assert_some_accented([row.display_name for row in rows])


def test_care_plan_waits_for_a_team_and_stops_at_closure(demo: Practice) -> None:
    with pytest.raises(TransitionError, match="en constitution"):
        demo.documents.care_plan(rows_in(demo, EscapState.ASSESSED)[0].patient_id)
    with pytest.raises(TransitionError, match="clôturée"):
        demo.documents.care_plan(rows_in(demo, EscapState.CLOSED)[0].patient_id)


# --- grid report ------------------------------------------------------------------------------


def test_grid_report_of_every_assessed_patient_uses_its_grid_version(demo: Practice) -> None:
    rows = [
        row for row in demo.patients.summaries() if row.escap_state not in (None, EscapState.DRAFT)
    ]
    for row in rows:
        patient = demo.patients.get(row.patient_id)
        pdf = demo.documents.grid_report(row.patient_id)
        read = ReadPdf(pdf)
        assert_names_printed(read, [patient])
        assert read.contains(pdf.reference)
        assert row.escap_id is not None
        assessment = demo.escaps.overview(row.escap_id).assessments[-1]
        assert read.contains(f"version {assessment.grid_version}")
        assert read.contains(f"{assessment.score} / ")
        assert printed_entries(demo, row.patient_id, "GridAssessment") >= 1
    assert_some_accented([row.display_name for row in rows])


def test_grid_report_keeps_the_wording_of_the_version_used(
    demo: Practice, tmp_path: Path, clock: FrozenClock
) -> None:
    row = rows_in(demo, EscapState.ACTIVE)[0]
    assert row.escap_id is not None
    assessment = demo.escaps.overview(row.escap_id).assessments[-1]
    used = demo.escaps.grids.get(assessment.grid_id, assessment.grid_version)
    newer = replace(
        used,
        version="2099.1",
        items=tuple(replace(item, label=f"{item.label} (reformulé)") for item in used.items),
    )
    both = GridCatalog([used, newer])
    actor = demo.profile.current()
    assert actor is not None
    service = DocumentService(demo.store, lambda: actor[1].id, both)

    read = ReadPdf(service.grid_report(assessment_id=assessment.id))
    assert read.contains(used.items[0].label)
    assert not read.contains("reformulé")

    only_newer = DocumentService(demo.store, lambda: actor[1].id, GridCatalog([newer]))
    with pytest.raises(GridError, match=f"version {assessment.grid_version} n'est pas disponible"):
        only_newer.grid_report(assessment_id=assessment.id)


def test_grid_report_needs_a_filled_grid(demo: Practice) -> None:
    with pytest.raises(NotFoundError, match="Aucune grille d'inclusion"):
        demo.documents.grid_report(rows_in(demo, EscapState.DRAFT)[0].patient_id)


def test_a_printed_document_is_bytes_that_saves_itself(demo: Practice, tmp_path: Path) -> None:
    pdf = demo.documents.grid_report(rows_in(demo, EscapState.ACTIVE)[0].patient_id)
    assert isinstance(pdf, bytes)
    assert isinstance(pdf, PrintedDocument)
    target = pdf.write_to(tmp_path / pdf.filename)
    assert target.read_bytes() == bytes(pdf)
    with pytest.raises(DocumentError, match="Impossible d'enregistrer le document"):
        pdf.write_to(tmp_path / "absent" / "x.pdf")
