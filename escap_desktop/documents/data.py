"""What each printed document needs, gathered by a service from the store.

The documents are pure functions of these records: they never read the store, the grid file or
the clock, so the same inputs always print the same document and tests need no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from escap_desktop.core.entities import (
    Action,
    Consent,
    Event,
    GridAssessment,
    Membership,
    Message,
    Patient,
    Professional,
)
from escap_desktop.documents.reference import DocumentKind, document_reference


def _tuple(instance: object, name: str) -> None:
    # Frozen dataclasses accept lists from callers but keep tuples, so they stay hashable/immutable.
    object.__setattr__(instance, name, tuple(getattr(instance, name)))


@dataclass(frozen=True, slots=True)
class ConsentFormData:
    """The consent form handed to the patient for signature.

    The reference is ``consent.form_reference``: the service creates it with
    :func:`document_reference` and stores it with the consent *before* printing, so the signed
    scan can be matched back to this consent through the QR code.
    ``designated`` are the professionals the patient designated (``consent.recipient_ids``).
    """

    patient: Patient
    consent: Consent
    designated: Sequence[Professional]
    collector: Professional
    issued_on: date
    place: str = ""

    def __post_init__(self) -> None:
        _tuple(self, "designated")

    @property
    def kind(self) -> DocumentKind:
        return DocumentKind.CONSENT_FORM

    @property
    def reference(self) -> str:
        return self.consent.form_reference


@dataclass(frozen=True, slots=True)
class InvitationData:
    """The letter inviting a professional into a patient's team.

    The invited professional has not accepted yet, so the patient appears by initials and age
    only (``patient.initials``, ``patient.age_on(issued_on)``): there is no Patient here at all.
    ``inviter_fingerprint`` is read aloud on the phone to check the inviter's key.
    """

    inviter: Professional
    invitee: Professional
    patient_initials: str
    patient_age: int
    role: str
    join_code: str
    inviter_fingerprint: str
    issued_on: date
    expires_on: date | None = None
    reference: str = field(default_factory=lambda: document_reference(DocumentKind.INVITATION))

    @property
    def kind(self) -> DocumentKind:
        return DocumentKind.INVITATION


@dataclass(frozen=True, slots=True)
class CarePlanData:
    """The sheet left at the patient's home: who is in the team, who does what and when.

    ``members`` pairs each membership with its professional; members who declined or left are
    not printed. ``actions`` are printed except the cancelled ones, by due date.
    """

    patient: Patient
    members: Sequence[tuple[Membership, Professional]]
    actions: Sequence[Action]
    issued_on: date
    next_reevaluation: date | None = None
    author: Professional | None = None
    reference: str = field(default_factory=lambda: document_reference(DocumentKind.CARE_PLAN))

    def __post_init__(self) -> None:
        _tuple(self, "members")
        _tuple(self, "actions")

    @property
    def kind(self) -> DocumentKind:
        return DocumentKind.CARE_PLAN


@dataclass(frozen=True, slots=True)
class GridItemRow:
    """One item of the exact grid version the assessment used, as the grid file words it.

    ``points`` is what the item is worth when ticked; the answer comes from the assessment.
    """

    item_id: str
    group: str
    label: str
    points: int = 1


@dataclass(frozen=True, slots=True)
class GridReportData:
    """The printed inclusion grid.

    The caller loads the grid version named by ``assessment.grid_version`` and passes its items:
    the report never loads a grid itself, so it can never print an assessment with the wording of
    a newer grid. ``prerequisites`` are the labels of the situations met; empty means the labels
    of ``assessment.prerequisites_met``.
    """

    patient: Patient
    assessment: GridAssessment
    items: Sequence[GridItemRow]
    assessor: Professional
    prerequisites: Sequence[str] = ()
    grid_title: str = ""
    reference: str = field(default_factory=lambda: document_reference(DocumentKind.GRID_REPORT))

    def __post_init__(self) -> None:
        _tuple(self, "items")
        _tuple(self, "prerequisites")

    @property
    def kind(self) -> DocumentKind:
        return DocumentKind.GRID_REPORT


@dataclass(frozen=True, slots=True)
class DigestData:
    """The team's news for one professional who has no ESCAP Desktop: the messages and the
    events since ``since`` (None: since the start), only those their profession and the consent
    let them read (the caller filters). ``names`` gives each author's display name."""

    patient: Patient
    recipient: Professional
    messages: Sequence[Message]
    events: Sequence[Event]
    names: Mapping[str, str]
    issued_on: date
    since: date | None = None
    author: Professional | None = None
    reference: str = field(default_factory=lambda: document_reference(DocumentKind.DIGEST))

    def __post_init__(self) -> None:
        _tuple(self, "messages")
        _tuple(self, "events")

    @property
    def kind(self) -> DocumentKind:
        return DocumentKind.DIGEST


DocumentData = ConsentFormData | InvitationData | CarePlanData | GridReportData | DigestData
