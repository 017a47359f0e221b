"""The codes an IHE XDM archive of ESCAP Desktop carries, and where each one comes from.

Every coded metadata of the DocumentEntry is taken from the French value sets of the CI-SIS
(the ANS "Nomenclatures des Objets de Santé", NOS). Each constant below names its value set
(JDV) and its terminology of reference (TRE) with the OID written in the metadata. What was
checked against the published value sets, and what stays a choice of ours, is said on each
constant and repeated in ``docs/mssante.md``:

- typeCode ``18776-5`` « Plan personnalisé de soins » (LOINC, TRE_A04-Loinc, in
  JDV_J07-XdsTypeCode-CISIS): the ANS describes it as a document "identifiant le(s) problème(s)
  du patient et le plan de prise en charge prévu pour une période déterminée" — the ESCAP
  care-plan sheet. The CI-SIS also has PPS-PAERPA and PPCS structured models; our sheet is not
  one of them (it is a PDF, not a structured CDA), so the generic LOINC type is the honest one.
- classCode ``44`` « Plan de soins, protocole de soins » (TRE_A03-ClasseDocument,
  1.2.250.1.213.1.1.4.1, in JDV_J06 / JDV_J57): the class the ANS correspondence table
  ASS_X04-CorrespondanceType-Classe gives to type 18776-5.
- formatCode ``urn:asipSante:modelesHorsProfils:2011`` « Document non référencé IHE ou CI-SIS »
  (TRE_A06-FormatCodeComplementaire, 1.2.250.1.213.1.1.4.2.282, in JDV_J10): the archive holds a
  bare PDF, not a CDA R2 document, so neither ``urn:ihe:iti:xds-sd:pdf:2008`` (a PDF *inside* a
  CDA header) nor a CI-SIS content model applies. A receiving software that only files CDA
  documents will not file it automatically: wrapping the PDF in a CDA R2 N1 ("structuration
  minimale") document is the next step (docs/mssante.md).
- confidentialityCode ``N`` « Normal » (HL7 Confidentiality, 2.16.840.1.113883.5.25, in
  JDV_J58-ConfidentialityCode-DMP).
- healthcareFacilityTypeCode ``SA07`` « Cabinet individuel » (TRE_R02-SecteurActivite,
  1.2.250.1.71.4.2.4, in JDV_J02): the default for an independent professional; a group
  practice passes ``SA08`` « Cabinet de groupe », a maison de santé ``SA52``, a centre de santé
  ``SA05`` (same terminology). The practice's own sector is a setting of the profile, later.
- practiceSettingCode ``AMBULATOIRE`` « Ambulatoire » (TRE_A01-CadreExercice,
  1.2.250.1.213.1.1.4.9, in JDV_J04-XdsPracticeSettingCode-CISIS).
- SubmissionSet contentTypeCode: the same sector code as the facility (JDV_J03 includes the
  TRE_R02 codes); it is optional for XDM (R2) and present because French receivers read it.
- authorSpecialty (JDV_J01-XdsAuthorSpecialty-CISIS): ``G15_<profession code>`` of
  1.2.250.1.213.1.1.4.5 for the health professions (``G15_10`` Médecin, ``G15_60`` Infirmier...),
  and the social professions from their own terminologies (psychologue ``93`` of
  1.2.250.1.213.1.6.1.109, assistant de service social ``41`` of 1.2.250.1.213.1.6.1.4, aide à
  domicile ``350`` and "autre professionnel" ``312`` of 1.2.250.1.213.1.6.1.107).

Identifiers:

- the patient's INS (matricule INS): ``<NIR>^^^&1.2.250.1.213.1.4.8&ISO^NH``, a NIA with
  1.2.250.1.213.1.4.9 — only for an identity the RNIV lets circulate (status « Identité
  qualifiée »); otherwise the local record id under :data:`LOCAL_PATIENT_ROOT` (``^PI``);
- a professional: the national id (``8`` + RPPS, ``0`` + ADELI) under 1.2.250.1.71.4.2.1
  (IDNPS), as ``8<RPPS>^NOM^Prénom^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS``;
- unique ids (document, submission set, source) are OIDs under ``2.25`` (ISO/IEC 9834-8: an OID
  made of a UUID, unique without registration).

:data:`ESCAP_ROOT` is a placeholder: an OID under 2.25 drawn once for ESCAP Desktop, standing in
until the publisher registers its own OID with the ANS. It identifies the application's local
identifiers; it means nothing to a receiving software, which will match the patient by the
identity traits (``sourcePatientInfo``) when there is no INS.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from escap_desktop.core.entities import IdentifierKind, IdentityStatus, Patient, Profession
from escap_desktop.core.entities.professional import RPPS_CODES, Professional


@dataclass(frozen=True, slots=True)
class XdmCode:
    """A coded value as XDS metadata carries it: the code, its coding scheme (an OID) and the
    French display name."""

    code: str
    scheme: str
    display: str


LOINC = "2.16.840.1.113883.6.1"

CARE_PLAN_TYPE = XdmCode("18776-5", LOINC, "Plan personnalisé de soins")
"""typeCode of the care-plan sheet (TRE_A04-Loinc, JDV_J07)."""

CARE_PLAN_CLASS = XdmCode("44", "1.2.250.1.213.1.1.4.1", "Plan de soins, protocole de soins")
"""classCode of the care-plan sheet (TRE_A03-ClasseDocument; ASS_X04 maps 18776-5 to 44)."""

DIGEST_TYPE = XdmCode("34133-9", LOINC, "Synthèse d'épisode de soins")
"""typeCode of the team's news (TRE_A04-Loinc): a summary of the period's messages and events.
To check against ASS_X04 before a conformance test (no CI-SIS type names a team digest)."""

DIGEST_CLASS = XdmCode("11", "1.2.250.1.213.1.1.4.1", "Synthèse")
"""classCode of the team's news (TRE_A03-ClasseDocument)."""

FORMAT_NOT_IN_A_PROFILE = XdmCode(
    "urn:asipSante:modelesHorsProfils:2011",
    "1.2.250.1.213.1.1.4.2.282",
    "Document non référencé IHE ou CI-SIS",
)
"""formatCode of a bare PDF (TRE_A06-FormatCodeComplementaire, JDV_J10)."""

CONFIDENTIALITY_NORMAL = XdmCode("N", "2.16.840.1.113883.5.25", "Normal")
"""confidentialityCode (HL7 Confidentiality, JDV_J58)."""

SECTOR_SCHEME = "1.2.250.1.71.4.2.4"
"""TRE_R02-SecteurActivite."""

CABINET_INDIVIDUEL = XdmCode("SA07", SECTOR_SCHEME, "Cabinet individuel")
CABINET_DE_GROUPE = XdmCode("SA08", SECTOR_SCHEME, "Cabinet de groupe")
MAISON_DE_SANTE = XdmCode("SA52", SECTOR_SCHEME, "Maison de santé ou Pôle de santé")
CENTRE_DE_SANTE = XdmCode("SA05", SECTOR_SCHEME, "Centre de santé")

AMBULATOIRE = XdmCode("AMBULATOIRE", "1.2.250.1.213.1.1.4.9", "Ambulatoire")
"""practiceSettingCode (TRE_A01-CadreExercice, JDV_J04)."""

INS_NIR_OID = "1.2.250.1.213.1.4.8"
INS_NIA_OID = "1.2.250.1.213.1.4.9"
IDNPS_OID = "1.2.250.1.71.4.2.1"
"""The national identifier of health professionals (8 + RPPS, 0 + ADELI)."""

ESCAP_ROOT = "2.25.44753303642255163715974294907278955459"
"""Placeholder root OID of ESCAP Desktop (UUID 21ab2c39-f73c-4555-b18e-c1ac920193c3 as an OID
under 2.25), until an OID is registered for the application."""

LOCAL_PATIENT_ROOT = f"{ESCAP_ROOT}.1"
"""Assigning authority of the local patient record ids (a patient without a qualified INS)."""

_SPECIALTY_SCHEME = "1.2.250.1.213.1.1.4.5"
_SOCIAL: dict[Profession, XdmCode] = {
    Profession.PSYCHOLOGUE: XdmCode("93", "1.2.250.1.213.1.6.1.109", "Psychologue"),
    Profession.ASSISTANT_SERVICE_SOCIAL: XdmCode(
        "41", "1.2.250.1.213.1.6.1.4", "Assistant de service social"
    ),
    Profession.AIDE_A_DOMICILE: XdmCode("350", "1.2.250.1.213.1.6.1.107", "Aide à domicile"),
    Profession.AUTRE: XdmCode("312", "1.2.250.1.213.1.6.1.107", "Autre professionnel"),
}


def author_specialty(profession: Profession) -> XdmCode:
    """The JDV_J01 authorSpecialty of a profession (see the module's note)."""
    if profession in _SOCIAL:
        return _SOCIAL[profession]
    code = RPPS_CODES.get(profession)
    if code is None:  # pragma: no cover - every health profession has its RPPS code
        return _SOCIAL[Profession.AUTRE]
    return XdmCode(f"G15_{code}", _SPECIALTY_SCHEME, profession.label)


def uuid_oid(value: uuid.UUID | None = None) -> str:
    """An OID made of a UUID (ISO/IEC 9834-8), a fresh one when none is given."""
    return f"2.25.{(value or uuid.uuid4()).int}"


def id_oid(record_id: str) -> str:
    """The OID of a record id of ours (``uuid4().hex``)."""
    return uuid_oid(uuid.UUID(hex=record_id))


# --- HL7 v2 data types, as XDS metadata writes them -------------------------------------------

_HL7_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))


def hl7_escape(text: str) -> str:
    """A free text (a name) inside an HL7 field: the delimiters escaped, whitespace folded."""
    text = " ".join(text.split())
    for plain, escaped in _HL7_ESCAPES:
        text = text.replace(plain, escaped)
    return text


def hl7_unescape(text: str) -> str:
    for plain, escaped in reversed(_HL7_ESCAPES):
        text = text.replace(escaped, plain)
    return text


def ins_oid(ins: str) -> str:
    """The INS assigning authority: a NIA (first digit 7 or 8) or a definitive NIR."""
    return INS_NIA_OID if ins[:1] in ("7", "8") else INS_NIR_OID


def patient_ids(patient: Patient) -> tuple[str, str, bool]:
    """(patientId, sourcePatientId, uses INS) of a patient, in the CX form XDS writes.

    The INS travels only for a qualified identity (RNIV: an INS whose identity was not checked
    against a high-trust document may not be used to share data); otherwise the local record id
    under :data:`LOCAL_PATIENT_ROOT`.
    """
    if patient.ins and patient.identity_status is IdentityStatus.QUALIFIED:
        ins = patient.ins.upper()
        value = f"{ins}^^^&{ins_oid(ins)}&ISO^NH"
        return value, value, True
    local = f"{patient.id}^^^&{LOCAL_PATIENT_ROOT}&ISO^PI"
    return local, local, False


def xcn(professional: Professional) -> str:
    """A professional as an HL7 XCN: national id, names, assigning authority, name type D and
    identifier type IDNPS; a professional without national identifier by names only."""
    last = hl7_escape(professional.last_name.upper())
    first = hl7_escape(professional.first_name)
    if professional.identifier_kind is IdentifierKind.NONE or not professional.identifier:
        return f"^{last}^{first}"
    return f"{professional.national_id}^{last}^{first}^^^^^^&{IDNPS_OID}&ISO^D^^^IDNPS"


def coded(code: XdmCode) -> str:
    """A code as CI-SIS writes it in a slot (authorSpecialty): ``code^display^scheme``."""
    return f"{code.code}^{hl7_escape(code.display)}^{code.scheme}"
