"""A FHIR R4 / R4B ``Patient`` (alone or in a Bundle) read as a patient draft.

French practice software, hospitals and ESCAP Desktop itself (``exports.fhir``) export a
patient's identity as a FHIR Patient following the FR Core guide (Interop'Santé). This reader
turns one into a core :class:`~escap_desktop.core.entities.Patient` draft, which the patient
service then checks, compares with the recorded patients and records: nothing is saved here.

**Identity status.** The draft is ``RETRIEVED`` ("identité récupérée") when the file carries an
INS, else ``PROVISIONAL``; it is never ``QUALIFIED``, even when the file says the identity was
qualified (FR Core ``identityReliability`` extension, status ``VALI``/``QUAL``). Under the RNIV,
the trust status of an identity is not transferable from one structure to another: a qualified
identity elsewhere is only a retrieved one here, until a professional of this practice sees a
high-trust identity document (``core.rules.identity.qualify_identity``).

**Mapping** (FR Core conventions, the same constants as the export, so the reader reads back
what the export writes):

* INS: an identifier whose system is the INS-NIR OID 1.2.250.1.213.1.4.8 or the INS-NIA OID
  1.2.250.1.213.1.4.9, with or without the ``urn:oid:`` prefix. Skipped: ``use: old`` (an INS
  deactivated by an identity merge) and an identifier typed ``NH`` under the NIR OID (FR Core's
  "NSS" slice: the billing NIR, often the insured parent's, not the patient's INS). The INS is
  checked like a typed one (key, format, agreement with sex and birth date); a NIR under the NIA
  OID, or a NIA (7 or 8) under the NIR OID, is refused as an inconsistent file. Every other
  identifier (local IPP, INS-C, test and demo INS, NDP...) is ignored.
* Birth name: the ``official`` name; failing that the ``maiden`` name (by FHIR's definition the
  name before marriage, i.e. the birth name); failing that the first name without ``use``. A
  file that has only a ``usual`` name is refused: a used (e.g. married) name taken as a birth
  name would give a wrong identity trait. First names: the FR Core ``birth-list-given-name``
  extension (every birth first name, as INSi returns them), else every ``given`` joined by
  spaces. The ``usual`` name gives the used name (``family``) and the used first name (first
  ``given``), each dropped when it only repeats the birth name or the first first name (the
  export writes the birth name in a usual name that has only a used first name).
* ``birthDate`` must be a full date (a year or a year and month is refused); ``gender``
  male/female give M/F, other/unknown give I (indéterminé); both are required. The birth date
  is not compared with today here: the service does it with the practice's clock.
* Birth place (INSEE code of the commune, or 99 + country): as documented by FR Core —

  - 2.x (and the export): the international extension
    ``http://hl7.org/fhir/StructureDefinition/patient-birthPlace``, ``valueAddress`` carrying the
    ``fr-core-address-insee-code`` extension (``valueCoding.code``);
  - 2.0.0-ballot and 1.x: the ``fr-core-patient-birth-place`` extension (canonical
    ``https://hl7.fr/ig/fhir/core/...`` or ``http://interopsante.org/fhir/...``), whose
    ``valueAddress.district`` is the COG code, or which carries the INSEE code extension
    (including 1.x's ``FrAddressInseeCode``). The ``district`` of the international extension
    is a county name there, not a code, and is not read.

  A code that is not an INSEE code is refused; no birth place leaves the code empty.
* Phone: the first ``telecom`` of system ``phone`` (by ``rank``, ``use: old`` skipped);
  address: the first current address (``home`` first), its ``text``, else its lines, postal
  code and city. Both best effort.
* The draft gets a new local id; the source's id, general practitioner and contacts are not
  read (the médecin traitant is chosen in this practice's directory).

Validation uses the R4B models of ``fhir.resources`` (Patient is the same in R4 and R4B). In a
Bundle, only the Bundle itself and its Patient are validated: a fault in another resource (an
Observation...) does not stop the patient being read. Every bad input raises
:class:`ImportReadError` with a French sentence, never another exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle as FhirBundle
from fhir.resources.R4B.patient import Patient as FhirPatient

from escap_desktop.core.entities import IdentityStatus, Patient, Sex
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules.identity import (
    nir_consistency_problems,
    normalise_name,
    validate_birth_place_code,
    validate_nir,
)
from escap_desktop.core.rules.wording import lower_first
from escap_desktop.exports.fhir import (
    ADDRESS_INSEE_CODE,
    BIRTH_LIST_GIVEN_NAME,
    BIRTH_PLACE,
    FR_CORE,
    INS_NIA_SYSTEM,
    INS_NIR_SYSTEM,
)
from escap_desktop.imports.errors import ImportReadError
from escap_desktop.imports.fhir_faults import shown, validate_resource

__all__ = ["patient_from_fhir", "read_fhir_patient"]

_OID_PREFIX = "urn:oid:"
_NIR_OID = INS_NIR_SYSTEM.removeprefix(_OID_PREFIX)
_NIA_OID = INS_NIA_SYSTEM.removeprefix(_OID_PREFIX)
_BILLING_TYPE = "NH"
"""FR Core's NSS slice: the billing NIR (v2-0203 ``NH``), under the same OID as the INS-NIR."""

_INTEROPSANTE = "http://interopsante.org/fhir/StructureDefinition"
_FR_CORE_BIRTH_PLACES = frozenset(
    {
        f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-place",  # FR Core 2.0.0-ballot
        f"{_INTEROPSANTE}/fr-core-patient-birth-place",  # FR Core 1.x
    }
)
_BIRTH_PLACES = frozenset({BIRTH_PLACE}) | _FR_CORE_BIRTH_PLACES
_INSEE_CODES = frozenset({ADDRESS_INSEE_CODE, f"{_INTEROPSANTE}/FrAddressInseeCode"})

_SEXES = {
    "male": Sex.MALE,
    "female": Sex.FEMALE,
    "other": Sex.INDETERMINATE,
    "unknown": Sex.INDETERMINATE,
}
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIAL_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2})?")


# --- the file -----------------------------------------------------------------------------------


def read_fhir_patient(path: Path) -> Patient:
    """The patient draft of a FHIR JSON file (UTF-8, with or without a byte order mark).

    Raises :class:`ImportReadError` for a missing or unreadable file, a file that is not JSON
    (XML included: FHIR XML is not read) and every fault :func:`patient_from_fhir` refuses.
    """
    path = Path(path)
    if path.is_dir():  # before reading: Windows reports a folder as a permission error
        raise ImportReadError(f"{path} est un dossier et non un fichier FHIR.")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportReadError(f"Le fichier {path} est introuvable.") from None
    except OSError as error:
        raise ImportReadError(
            f"Le fichier {path} n'a pas pu être lu ({error.strerror or error})."
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportReadError(
            f"Le fichier {path.name} n'est pas un texte UTF-8 : ce n'est pas un export FHIR "
            "au format JSON."
        ) from None
    if text.lstrip().startswith("<"):
        raise ImportReadError(
            f"Le fichier {path.name} est au format XML : ESCAP Desktop lit les patients FHIR "
            "au format JSON ; exportez le patient en JSON depuis votre logiciel."
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportReadError(
            f"Le fichier {path.name} n'est pas un fichier JSON valide (ligne {error.lineno}, "
            f"colonne {error.colno}) : est-ce bien un export FHIR au format JSON ?"
        ) from None
    except RecursionError:
        raise ImportReadError(
            f"Le fichier {path.name} est trop profondément imbriqué pour être un export FHIR."
        ) from None
    if not isinstance(document, Mapping):
        raise ImportReadError(
            f"Le fichier {path.name} ne contient pas une ressource FHIR (un objet JSON "
            "{...} avec un « resourceType ») : exportez la fiche du patient depuis votre "
            "logiciel."
        )
    return patient_from_fhir(document)


# --- the document -------------------------------------------------------------------------------


def patient_from_fhir(document: Mapping[str, Any]) -> Patient:
    """The patient draft of a FHIR ``Patient``, or of a ``Bundle`` holding exactly one.

    Raises :class:`ImportReadError` for another resource type, a Bundle with no Patient or
    several, a resource that is not valid FHIR, a missing name, birth date or sex, and an INS
    that is invalid or contradicts the traits (module docstring).
    """
    if not isinstance(document, Mapping):
        raise ImportReadError(
            "Le contenu lu n'est pas une ressource FHIR (un objet JSON avec un « resourceType »)."
        )
    kind = document.get("resourceType")
    if kind == "Bundle":
        resource = _the_patient_of(document)
    elif kind == "Patient":
        resource = document
    elif isinstance(kind, str) and kind.strip():
        raise ImportReadError(
            f"Le fichier contient une ressource FHIR « {shown(kind)} » et non un patient : "
            "exportez la fiche du patient (ressource Patient) depuis votre logiciel."
        )
    else:
        raise ImportReadError(
            "Le fichier n'est pas une ressource FHIR : le champ « resourceType » manque. "
            "Exportez la fiche du patient au format FHIR depuis votre logiciel."
        )
    validate_resource(FhirPatient, resource, "Le patient du fichier")
    return _patient(resource)


def _the_patient_of(bundle: Mapping[str, Any]) -> Mapping[str, Any]:
    """The one Patient of the Bundle; the Bundle's own fields are validated, not the others'."""
    entries = bundle.get("entry")
    shell = dict(bundle)
    if isinstance(entries, list):
        shell["entry"] = [
            {key: value for key, value in entry.items() if key != "resource"}
            if isinstance(entry, Mapping)
            else entry
            for entry in entries
        ]
    validate_resource(FhirBundle, shell, "Le lot FHIR (Bundle) du fichier")
    patients = [
        entry["resource"]
        for entry in _objects(entries)
        if isinstance(entry.get("resource"), Mapping)
        and entry["resource"].get("resourceType") == "Patient"
    ]
    if not patients:
        raise ImportReadError(
            "Le lot FHIR du fichier ne contient aucun patient (ressource Patient) : exportez "
            "la fiche du patient depuis votre logiciel."
        )
    if len(patients) > 1:
        raise ImportReadError(
            f"Le fichier contient {len(patients)} patients : exportez un seul patient à la fois."
        )
    resource: Mapping[str, Any] = patients[0]
    return resource


# --- the mapping --------------------------------------------------------------------------------


def _patient(resource: Mapping[str, Any]) -> Patient:
    birth_name, first_names, used_name, used_first_name = _names(resource)
    birth_date = _birth_date(resource)
    sex = _sex(resource)
    ins = _ins(resource, sex, birth_date)
    return Patient(
        birth_name=birth_name,
        first_names=first_names,
        birth_date=birth_date,
        sex=sex,
        birth_place_code=_birth_place_code(resource),
        used_name=used_name,
        used_first_name=used_first_name,
        ins=ins,
        identity_status=IdentityStatus.RETRIEVED if ins else IdentityStatus.PROVISIONAL,
        phone=_phone(resource),
        address=_address(resource),
    )


def _names(resource: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(birth name, birth first names, used name, used first name); rules in the docstring."""
    names = _objects(resource.get("name"))
    birth = next(
        (
            name
            for use in ("official", "maiden", None)
            for name in names
            if name.get("use") == use and _text(name.get("family"))
        ),
        None,
    )
    usual = next((name for name in names if name.get("use") == "usual"), None)
    if birth is None:
        if usual is not None:
            raise ImportReadError(
                "Le fichier ne donne que le nom d'usage du patient, pas son nom de naissance "
                "(nom « official » avec « family ») : complétez la fiche dans le logiciel "
                "d'origine puis exportez-la de nouveau."
            )
        raise ImportReadError(
            "Le fichier ne donne pas le nom de naissance du patient (nom « official » avec "
            "« family ») : complétez la fiche dans le logiciel d'origine puis exportez-la de "
            "nouveau."
        )
    birth_name = normalise_name(_text(birth.get("family")))
    listed = next(
        (
            _text(extension.get("valueString"))
            for extension in _extensions(birth, BIRTH_LIST_GIVEN_NAME)
            if _text(extension.get("valueString"))
        ),
        "",
    )
    first_names = normalise_name(listed or " ".join(_texts(birth.get("given"))))
    if not first_names:
        raise ImportReadError(
            f"Le fichier ne donne pas les prénoms de naissance du patient {birth_name} (« given » "
            "du nom de naissance) : complétez la fiche dans le logiciel d'origine puis "
            "exportez-la de nouveau."
        )
    used_name = used_first_name = ""
    if usual is not None:
        used_name = normalise_name(_text(usual.get("family")))
        given = _texts(usual.get("given"))
        used_first_name = normalise_name(given[0]) if given else ""
    if used_name == birth_name:
        used_name = ""
    if used_first_name == first_names.split()[0]:
        used_first_name = ""
    return birth_name, first_names, used_name, used_first_name


def _birth_date(resource: Mapping[str, Any]) -> date:
    value = resource.get("birthDate")
    if value is None:
        raise ImportReadError(
            "Le fichier ne donne pas la date de naissance du patient (« birthDate ») : elle est "
            "indispensable à son identité."
        )
    if isinstance(value, str) and _PARTIAL_DATE.fullmatch(value):
        raise ImportReadError(
            f"La date de naissance du fichier est incomplète (« {value} ») : l'identité du "
            "patient demande le jour, le mois et l'année. Complétez-la dans le logiciel "
            "d'origine puis exportez la fiche de nouveau."
        )
    try:
        if not (isinstance(value, str) and _FULL_DATE.fullmatch(value)):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ImportReadError(
            f"La date de naissance du fichier (« {shown(str(value))} ») n'est pas une date "
            "AAAA-MM-JJ."
        ) from None


def _sex(resource: Mapping[str, Any]) -> Sex:
    value = resource.get("gender")
    if value is None:
        raise ImportReadError(
            "Le fichier ne donne pas le sexe du patient (« gender ») : il est indispensable à "
            "son identité."
        )
    sex = _SEXES.get(value) if isinstance(value, str) else None
    if sex is None:
        raise ImportReadError(
            f"Le sexe du fichier (« {shown(str(value))} ») n'est pas un code FHIR : male, "
            "female, other ou unknown."
        )
    return sex


def _ins(resource: Mapping[str, Any], sex: Sex, birth_date: date) -> str:
    """The checked INS, or "" when the file carries none (rules in the module docstring)."""
    found: list[tuple[str, str]] = []
    for identifier in _objects(resource.get("identifier")):
        oid = _text(identifier.get("system")).removeprefix(_OID_PREFIX)
        value = _text(identifier.get("value"))
        if oid not in (_NIR_OID, _NIA_OID) or not value or identifier.get("use") == "old":
            continue
        if oid == _NIR_OID and _BILLING_TYPE in _codes(identifier.get("type")):
            continue
        found.append((oid, value))
    numbers = {_checked_ins(oid, value, sex, birth_date) for oid, value in found}
    if len(numbers) > 1:
        raise ImportReadError(
            f"Le fichier donne {len(numbers)} INS différents pour ce patient "
            f"({', '.join(sorted(numbers))}) : impossible de savoir lequel est le sien. "
            "Corrigez la fiche dans le logiciel d'origine."
        )
    return numbers.pop() if numbers else ""


def _checked_ins(oid: str, value: str, sex: Sex, birth_date: date) -> str:
    try:
        nir = validate_nir(value)
    except ValidationError as error:
        raise ImportReadError(
            f"L'INS du fichier (« {shown(value)} ») n'est pas valide : {lower_first(error.message)}"
        ) from None
    temporary = nir[0] in "78"
    if oid == _NIR_OID and temporary:
        raise ImportReadError(
            f"L'INS du fichier commence par {nir[0]} : c'est un NIA (numéro d'attente), mais "
            f"il est déclaré comme NIR (OID {_NIR_OID} au lieu de {_NIA_OID}). Le fichier "
            "est incohérent : faites corriger l'export par le logiciel qui l'a produit."
        )
    if oid == _NIA_OID and not temporary:
        raise ImportReadError(
            f"L'INS du fichier commence par {nir[0]} : c'est un NIR, mais il est déclaré comme "
            f"NIA (OID {_NIA_OID} au lieu de {_NIR_OID}). Le fichier est incohérent : faites "
            "corriger l'export par le logiciel qui l'a produit."
        )
    problems = nir_consistency_problems(nir, sex, birth_date)
    if problems:
        raise ImportReadError(
            "L'INS du fichier ne correspond pas aux traits d'identité du patient : "
            f"{lower_first(problems[0].message)}"
        )
    return nir


def _birth_place_code(resource: Mapping[str, Any]) -> str:
    """The INSEE code of the birth place (variants in the module docstring), or ""."""
    code = ""
    for extension in _extensions(resource, *_BIRTH_PLACES):
        address = extension.get("valueAddress")
        if not isinstance(address, Mapping):
            continue
        for insee in _extensions(address, *_INSEE_CODES):
            coding = insee.get("valueCoding")
            code = _text(coding.get("code")) if isinstance(coding, Mapping) else ""
            if code:
                break
        if not code and extension.get("url") in _FR_CORE_BIRTH_PLACES:
            code = _text(address.get("district"))
        if code:
            break
    try:
        return validate_birth_place_code(code)
    except ValidationError as error:
        raise ImportReadError(
            f"Le lieu de naissance du fichier n'est pas lisible : {lower_first(error.message)}"
        ) from None


def _phone(resource: Mapping[str, Any]) -> str:
    phones = [
        point
        for point in _objects(resource.get("telecom"))
        if point.get("system") == "phone"
        and point.get("use") != "old"
        and _text(point.get("value"))
    ]
    phones.sort(key=lambda point: _rank(point.get("rank")))
    return " ".join(_text(phones[0].get("value")).split()) if phones else ""


def _rank(value: object) -> int:
    """FHIR ranks start at 1 (preferred); an unranked contact point comes after ranked ones."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 1 << 31


def _address(resource: Mapping[str, Any]) -> str:
    addresses = [a for a in _objects(resource.get("address")) if a.get("use") != "old"]
    addresses.sort(key=lambda address: address.get("use") != "home")
    for address in addresses:
        text = " ".join(_text(address.get("text")).split())
        if text:
            return text
        town = " ".join(_texts([address.get("postalCode"), address.get("city")]))
        parts = [" ".join(line.split()) for line in _texts(address.get("line"))]
        composed = ", ".join([*parts, *([town] if town else [])])
        if composed:
            return composed
    return ""


# --- reading JSON values that may have any shape ------------------------------------------------


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _texts(values: object) -> list[str]:
    return [text for text in map(_text, values) if text] if isinstance(values, list) else []


def _objects(values: object) -> list[Mapping[str, Any]]:
    return (
        [value for value in values if isinstance(value, Mapping)]
        if isinstance(values, list)
        else []
    )


def _extensions(element: Mapping[str, Any], *urls: str) -> list[Mapping[str, Any]]:
    return [e for e in _objects(element.get("extension")) if e.get("url") in urls]


def _codes(concept: object) -> set[str]:
    """The codes of a CodeableConcept's codings."""
    if not isinstance(concept, Mapping):
        return set()
    return {_text(coding.get("code")) for coding in _objects(concept.get("coding"))}
