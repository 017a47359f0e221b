"""Plain, frozen records of the ESCAP domain.

Every entity has a global ``id`` (a random UUID hex string) so that records created offline on
different computers never collide when the sync module exchanges them. Changing an entity means
building a new one with :func:`dataclasses.replace` and handing it to a service.
"""

from escap_desktop.core.entities.assessment import ClinicalSituation, GridAssessment, Prerequisite
from escap_desktop.core.entities.audit import AuditEntry, AuditKind
from escap_desktop.core.entities.billing import BillingKind, BillingRecord
from escap_desktop.core.entities.consent import (
    Consent,
    ConsentMode,
    ConsentStatus,
    DataCategory,
)
from escap_desktop.core.entities.escap import (
    Escap,
    EscapState,
    ExitReason,
    Membership,
    MembershipStatus,
)
from escap_desktop.core.entities.events import Event, EventKind
from escap_desktop.core.entities.ids import new_id
from escap_desktop.core.entities.messaging import Message
from escap_desktop.core.entities.patient import (
    Caregiver,
    IdentityDocument,
    IdentityStatus,
    OtherScheme,
    OtherSchemeKind,
    Patient,
    Sex,
)
from escap_desktop.core.entities.patient_merge import (
    MergeReason,
    MergeState,
    PatientMerge,
)
from escap_desktop.core.entities.plan import Action, ActionStatus
from escap_desktop.core.entities.professional import (
    IdentifierKind,
    LocalProfile,
    Profession,
    Professional,
    ProfessionalSource,
)

__all__ = [
    "Action",
    "ActionStatus",
    "AuditEntry",
    "AuditKind",
    "BillingKind",
    "BillingRecord",
    "Caregiver",
    "ClinicalSituation",
    "Consent",
    "ConsentMode",
    "ConsentStatus",
    "DataCategory",
    "Escap",
    "EscapState",
    "Event",
    "EventKind",
    "ExitReason",
    "GridAssessment",
    "IdentifierKind",
    "IdentityDocument",
    "IdentityStatus",
    "LocalProfile",
    "Membership",
    "MembershipStatus",
    "MergeReason",
    "MergeState",
    "Message",
    "OtherScheme",
    "OtherSchemeKind",
    "Patient",
    "PatientMerge",
    "Prerequisite",
    "Profession",
    "Professional",
    "ProfessionalSource",
    "Sex",
    "new_id",
]
