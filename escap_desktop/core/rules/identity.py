"""Identity checks: the patient's INS traits (NIR, names, birth date and place) and the national
identifiers of professionals (RPPS, ADELI).

Every check raises :class:`ValidationError` with ``field`` set to the entity field at fault, so a
form can show each French message next to its input. :func:`patient_problems` returns them all.

Decisions on the NIR (the INS "matricule"), each where the real rules are known to vary:

* First digit: 1 (man) and 2 (woman) are definitive NIRs; 7 and 8 are NIAs (numéros
  d'identification d'attente, given to people born abroad while their registration is pending),
  which the INS accepts as a matricule. 3 and 4 are provisional numbers given by health insurance
  funds, never an INS: they are refused with a message saying so. The sex is read from parity
  (odd = man, even = woman) and must match the sex trait, unless the trait is "indéterminé".
* Year: the two digits must always equal the birth year modulo 100.
* Month: 01-12 must equal the birth month. 20-42 and 50-99 are legitimate codes for civil records
  that do not state the month: accepted whatever the birth month. 00, 13-19 and 43-49 do not exist.
* Birth place: not compared with ``birth_place_code``. The NIR keeps the code in force at the
  time of birth (department 20 for Corsica before 1976, 91-96 for Algeria, Morocco and Tunisia
  before independence, communes since merged), so a mismatch is no sign of error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from stdnum.fr import nir as stdnum_nir

from escap_desktop.core.entities import (
    IdentifierKind,
    IdentityDocument,
    IdentityStatus,
    Patient,
    Professional,
    Sex,
)
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules.wording import format_date, lower_first, plural
from escap_desktop.core.text import fold

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
"""Births before this day are typing errors, not patients."""

NAME_FIELDS: dict[str, str] = {
    "birth_name": "Le nom de naissance",
    "first_names": "Le champ « Prénom(s) de naissance »",
    "used_name": "Le nom utilisé",
    "used_first_name": "Le prénom utilisé",
    "last_name": "Le nom",
    "first_name": "Le prénom",
}
"""French subject of each name field, used at the start of its messages."""

_NAME_SEPARATORS = frozenset(" -'’")
_LATIN = "A-Za-zÀ-ÖØ-öø-ÿŒœŸ"
_PLAIN_NAME = re.compile(rf"[ '’-]*[{_LATIN}]+(?:[ '’-]+[{_LATIN}]+)*[ '’-]*")
"""A name every check of ``validate_name`` accepts (each of these letters is alphabetic), found
in one step: the common case of a practice's thousands of names."""
_NIR_MALE_DIGITS = frozenset("17")
_NIR_FEMALE_DIGITS = frozenset("28")
_NIR_PROVISIONAL_DIGITS = frozenset("34")
_NIR_UNKNOWN_MONTHS = frozenset(range(20, 43)) | frozenset(range(50, 100))
_USUAL_NIR = re.compile(r"[1278][0-9]{2}(?:0[1-9]|1[0-2])(?:[0-9]{2}|2[AB])[0-9]{8}")
"""A definitive NIR or a NIA, month 01-12, department digits or 2A/2B: the common case."""
_BIRTH_PLACE = re.compile(r"(?:\d{2}|2[AB])\d{3}")
_ADELI = re.compile(r"(?:\d{2}|2[AB])\d{7}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LOW_TRUST_DOCUMENTS = {
    "carte_vitale": "La carte Vitale",
    "permis_conduire": "Le permis de conduire",
}


def _compact(value: str) -> str:
    """Drops every kind of space (typed, non-breaking, thin) and upper-cases."""
    return "".join(value.split()).upper()


# --- NIR / INS -------------------------------------------------------------------------------


def validate_nir(value: str) -> str:
    """The normalised 15-character NIR (spaces removed, 2A/2B upper-case), or ValidationError.

    The format is checked step by step so the message names the exact fault; the key itself is
    computed by python-stdnum (mod 97, with 2A counted as 19 and 2B as 18).
    """
    nir = _compact(value)
    if _USUAL_NIR.fullmatch(nir) and nir[13:] == stdnum_nir.calc_check_digits(nir):
        return nir  # the usual shape with its key: every check below would pass
    if not nir:
        raise ValidationError(
            "Le NIR est vide : saisissez ses 15 caractères (13 chiffres et la clé).", field="ins"
        )
    for char in nir:
        if not (char.isdigit() and char.isascii()) and char not in "AB":
            raise ValidationError(
                f"Le NIR ne peut contenir que des chiffres (et 2A ou 2B pour une naissance en "
                f"Corse) : le caractère « {char} » n'est pas permis.",
                field="ins",
            )
    if len(nir) != 15:
        raise ValidationError(
            f"Le NIR doit comporter 15 caractères (13 chiffres et la clé de 2 chiffres) ; "
            f"{len(nir)} {plural(len(nir), 'saisi', 'saisis')}.",
            field="ins",
        )
    if not (nir[:5] + nir[7:]).isdigit() or not (nir[5:7].isdigit() or nir[5:7] in ("2A", "2B")):
        raise ValidationError(
            "Les lettres ne sont permises dans le NIR qu'en 6e et 7e position, pour les "
            "départements de Corse 2A et 2B.",
            field="ins",
        )
    first = nir[0]
    if first in _NIR_PROVISIONAL_DIGITS:
        raise ValidationError(
            f"Un numéro commençant par {first} est un numéro provisoire d'immatriculation, qui "
            "ne peut pas servir d'INS : saisissez le NIR définitif ou le NIA du patient.",
            field="ins",
        )
    if first not in _NIR_MALE_DIGITS | _NIR_FEMALE_DIGITS:
        raise ValidationError(
            f"Le premier chiffre du NIR indique le sexe (1 ou 2, ou 7 ou 8 pour un NIA) : "
            f"« {first} » n'est pas possible.",
            field="ins",
        )
    month = int(nir[3:5])
    if not (1 <= month <= 12 or month in _NIR_UNKNOWN_MONTHS):
        raise ValidationError(
            f"Le mois de naissance inscrit dans le NIR (« {nir[3:5]} ») n'existe pas : 01 à 12, "
            "ou 20 à 42 et 50 à 99 quand l'acte de naissance ne précise pas le mois.",
            field="ins",
        )
    expected = stdnum_nir.calc_check_digits(nir)
    if nir[13:] != expected:
        raise ValidationError(
            f"La clé du NIR est incorrecte (attendue : {expected}). Une faute de frappe dans "
            "les 13 premiers caractères change la clé : vérifiez-les.",
            field="ins",
        )
    return nir  # every check of stdnum's validate() was made above, each with its message


def nir_consistency_problems(nir: str, sex: Sex, birth_date: date) -> list[ValidationError]:
    """Where a valid NIR contradicts the sex or the birth date (rules in the module docstring).

    All problems are reported on the ``ins`` field: the app cannot know which side is wrong, and
    the NIR is the one that names both.
    """
    problems: list[ValidationError] = []
    first = nir[0]
    if sex is Sex.MALE and first not in _NIR_MALE_DIGITS:
        problems.append(
            ValidationError(
                f"Le NIR commence par {first} (une femme) alors que le sexe saisi est "
                "« Masculin ».",
                field="ins",
            )
        )
    elif sex is Sex.FEMALE and first not in _NIR_FEMALE_DIGITS:
        problems.append(
            ValidationError(
                f"Le NIR commence par {first} (un homme) alors que le sexe saisi est « Féminin ».",
                field="ins",
            )
        )
    if nir[1:3] != f"{birth_date.year % 100:02d}":
        problems.append(
            ValidationError(
                f"L'année de naissance du NIR (« {nir[1:3]} ») ne correspond pas à la date de "
                f"naissance saisie ({format_date(birth_date)}).",
                field="ins",
            )
        )
    month = int(nir[3:5])
    if 1 <= month <= 12 and month != birth_date.month:
        problems.append(
            ValidationError(
                f"Le mois de naissance du NIR (« {nir[3:5]} ») ne correspond pas à la date de "
                f"naissance saisie ({format_date(birth_date)}).",
                field="ins",
            )
        )
    return problems


# --- Names, dates, places --------------------------------------------------------------------


def normalise_name(value: str) -> str:
    """Trims and collapses runs of spaces; NFC so that "é" typed two ways compares equal."""
    if value.isascii():
        return " ".join(value.split())  # nothing to compose
    return " ".join(unicodedata.normalize("NFC", value).split())


def validate_name(value: str, field: str, *, required: bool = True) -> str:
    """A French name: letters (accents included), spaces, hyphens and apostrophes (' and ’).

    Digits and any other sign are refused; so is a name with no letter at all. Returns the
    normalised name; an optional empty name returns "".
    """
    name = normalise_name(value)
    if _PLAIN_NAME.fullmatch(name):
        return name  # Latin letters only between separators: valid, without the checks below
    subject = NAME_FIELDS.get(field, "Le nom")
    if not name:
        if required:
            raise ValidationError(f"{subject} est obligatoire.", field=field)
        return ""
    digits = [char for char in name if char.isdigit()]
    if digits:
        raise ValidationError(
            f"{subject} ne peut pas contenir de chiffres (« {name} »).", field=field
        )
    for char in name:
        if not (char.isalpha() or char in _NAME_SEPARATORS):
            raise ValidationError(
                f"{subject} contient un caractère non permis : « {char} » (seuls les lettres, "
                "les espaces, les traits d'union et les apostrophes le sont).",
                field=field,
            )
    if not any(char.isalpha() for char in name):
        raise ValidationError(f"{subject} doit contenir au moins une lettre.", field=field)
    return name


def validate_birth_date(value: date, today: date) -> date:
    """Not in the future, not before 01/01/1900."""
    if value > today:
        raise ValidationError(
            f"La date de naissance ({format_date(value)}) est dans le futur.", field="birth_date"
        )
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            f"La date de naissance ({format_date(value)}) est antérieure au "
            f"{format_date(EARLIEST_BIRTH_DATE)} : vérifiez l'année.",
            field="birth_date",
        )
    return value


def validate_birth_place_code(value: str) -> str:
    """An INSEE (COG) code of 5 characters: commune (2A/2B for Corsica) or 99xxx for abroad.

    Returns the normalised code; an empty code is allowed (not known yet) and returned as "".
    """
    code = _compact(value)
    if not code:
        return ""
    if not _BIRTH_PLACE.fullmatch(code) or code.startswith("00"):
        raise ValidationError(
            f"Le code du lieu de naissance « {code} » n'est pas un code INSEE : 5 caractères, "
            "code de la commune (2A ou 2B en Corse) ou 99 suivi du code du pays pour une "
            "naissance à l'étranger.",
            field="birth_place_code",
        )
    return code


# --- Professionals ---------------------------------------------------------------------------


def validate_rpps(value: str) -> str:
    """11 digits. No Luhn key check: numbers published in the directory do not all pass it."""
    number = _compact(value)
    if not (len(number) == 11 and number.isdigit() and number.isascii()):
        raise ValidationError(
            f"Le numéro RPPS doit comporter 11 chiffres (« {number} » saisi).",
            field="identifier",
        )
    return number


def validate_adeli(value: str) -> str:
    """9 characters: the department (2A/2B in Corsica) then 7 digits."""
    number = _compact(value)
    if not _ADELI.fullmatch(number):
        raise ValidationError(
            f"Le numéro ADELI doit comporter 9 caractères : le département (2A ou 2B en Corse) "
            f"puis 7 chiffres (« {number} » saisi).",
            field="identifier",
        )
    return number


def professional_problems(professional: Professional) -> list[ValidationError]:
    """Every problem of a professional's record (name, identifier, MSSanté address)."""
    problems: list[ValidationError] = []
    for field, required in (("last_name", True), ("first_name", False)):
        try:
            validate_name(getattr(professional, field), field, required=required)
        except ValidationError as problem:
            problems.append(problem)
    kind = professional.identifier_kind
    try:
        if kind is IdentifierKind.RPPS:
            validate_rpps(professional.identifier)
        elif kind is IdentifierKind.ADELI:
            validate_adeli(professional.identifier)
        elif professional.identifier.strip():
            raise ValidationError(
                "Un identifiant est saisi mais son type n'est pas précisé : choisissez RPPS "
                "ou ADELI.",
                field="identifier",
            )
    except ValidationError as problem:
        problems.append(problem)
    mssante = professional.mssante.strip()
    if mssante and not _EMAIL.fullmatch(mssante):
        problems.append(
            ValidationError(
                f"L'adresse MSSanté « {mssante} » n'est pas une adresse de messagerie valide.",
                field="mssante",
            )
        )
    return problems


def validate_professional(professional: Professional) -> None:
    """Raises the first problem of :func:`professional_problems`."""
    problems = professional_problems(professional)
    if problems:
        raise problems[0]


# --- Patient ---------------------------------------------------------------------------------


def normalise_patient(patient: Patient) -> Patient:
    """The same patient with names trimmed, NIR and birth place compacted and upper-cased.

    Never raises: validation comes after, on the normalised values the user will see.
    """
    return replace(
        patient,
        birth_name=normalise_name(patient.birth_name),
        first_names=normalise_name(patient.first_names),
        used_name=normalise_name(patient.used_name),
        used_first_name=normalise_name(patient.used_first_name),
        ins=_compact(patient.ins),
        birth_place_code=_compact(patient.birth_place_code),
    )


def _patient_problems(patient: Patient, today: date | None) -> list[ValidationError]:
    """Problems in form order; the birth date range is only checked when ``today`` is known."""
    checks: list[tuple[Callable[..., object], tuple[object, ...]]] = [
        (validate_name, (patient.birth_name, "birth_name")),
        (validate_name, (patient.first_names, "first_names")),
    ]
    if today is not None:
        checks.append((validate_birth_date, (patient.birth_date, today)))
    checks += [
        (_validate_optional_name, (patient.used_name, "used_name")),
        (_validate_optional_name, (patient.used_first_name, "used_first_name")),
        (validate_birth_place_code, (patient.birth_place_code,)),
    ]
    problems: list[ValidationError] = []
    for check, arguments in checks:
        try:
            check(*arguments)
        except ValidationError as problem:
            problems.append(problem)
    if patient.ins.strip():
        try:
            nir = validate_nir(patient.ins)
        except ValidationError as problem:
            problems.append(problem)
        else:
            problems.extend(nir_consistency_problems(nir, patient.sex, patient.birth_date))
    return problems


def _validate_optional_name(value: str, field: str) -> str:
    return validate_name(value, field, required=False)


def patient_problems(patient: Patient, today: date) -> list[ValidationError]:
    """Every problem of the patient's identity, in form order, each with its ``field``.

    An empty INS is accepted (identity still provisional); a qualified identity needs one, and
    the verification record that :func:`qualify_identity` writes.
    """
    problems = _patient_problems(patient, today)
    if patient.identity_status is IdentityStatus.QUALIFIED:
        if not patient.ins.strip():
            problems.append(
                ValidationError(
                    "Une identité qualifiée doit comporter l'INS du patient.", field="ins"
                )
            )
        if patient.identity_document is None or not patient.identity_verified_by:
            problems.append(
                ValidationError(
                    "Une identité qualifiée doit reposer sur la vérification enregistrée d'une "
                    "pièce d'identité (document vu, professionnel).",
                    field="identity_status",
                )
            )
    return problems


def validate_patient(patient: Patient, today: date) -> None:
    """Raises the first problem of :func:`patient_problems`."""
    problems = patient_problems(patient, today)
    if problems:
        raise problems[0]


# --- Identity status (RNIV) ------------------------------------------------------------------


def _document(document_kind: IdentityDocument | str) -> IdentityDocument:
    if isinstance(document_kind, IdentityDocument):
        return document_kind
    code = document_kind.strip().lower()
    try:
        return IdentityDocument(code)
    except ValueError:
        accepted = ", ".join(document.label.lower() for document in IdentityDocument)
        subject = _LOW_TRUST_DOCUMENTS.get(code)
        if subject is not None:
            message = (
                f"{subject} ne permet pas de qualifier une identité : seuls le permettent "
                f"les pièces à haut niveau de confiance ({accepted})."
            )
        else:
            message = (
                f"Pièce d'identité inconnue (« {document_kind} ») : choisissez parmi {accepted}."
            )
        raise ValidationError(message, field="identity_document") from None


def qualify_identity(
    patient: Patient,
    verified_by: str,
    document_kind: IdentityDocument | str,
    verified_on: date | None = None,
) -> Patient:
    """The only way to a QUALIFIED identity: an INS plus a high-trust document that was seen.

    Returns the patient with the status and the verification record (document, professional,
    date) set. Refuses, in French, a missing or invalid INS, an INS that contradicts the traits,
    an unknown or low-trust document (carte Vitale, permis de conduire...) and a missing
    verifier. ``verified_on`` is optional only because the caller may not know the day; the
    service should pass it.
    """
    document = _document(document_kind)
    if not verified_by.strip():
        raise ValidationError(
            "Indiquez le professionnel qui a vérifié la pièce d'identité.",
            field="identity_verified_by",
        )
    if not patient.ins.strip():
        raise ValidationError(
            "Impossible de qualifier l'identité sans l'INS du patient : saisissez d'abord son NIR.",
            field="ins",
        )
    problems = _patient_problems(patient, verified_on)
    if problems:
        raise ValidationError(
            f"Impossible de qualifier l'identité : {lower_first(problems[0].message)}",
            field=problems[0].field,
        )
    return replace(
        patient,
        ins=validate_nir(patient.ins),
        identity_status=IdentityStatus.QUALIFIED,
        identity_document=document,
        identity_verified_by=verified_by,
        identity_verified_on=verified_on,
    )


_IDENTITY_TRAITS = ("birth_name", "first_names", "birth_date", "sex", "birth_place_code", "ins")


def keep_status_consistent(before: Patient, after: Patient) -> Patient:
    """The edited patient with an identity status that the edit allows.

    * Raising the status to QUALIFIED by an edit is refused: only :func:`qualify_identity` may.
    * Changing any INS trait of a qualified identity makes it provisional again and clears the
      verification record: the document that was seen no longer vouches for the new traits.
    """
    if (
        after.identity_status is IdentityStatus.QUALIFIED
        and before.identity_status is not IdentityStatus.QUALIFIED
    ):
        raise ValidationError(
            "L'identité ne peut être qualifiée que par la vérification d'une pièce d'identité "
            "(carte d'identité, passeport ou titre de séjour).",
            field="identity_status",
        )
    changed = any(getattr(before, name) != getattr(after, name) for name in _IDENTITY_TRAITS)
    if before.identity_status is IdentityStatus.QUALIFIED and changed:
        return replace(
            after,
            identity_status=IdentityStatus.PROVISIONAL,
            identity_document=None,
            identity_verified_by=None,
            identity_verified_on=None,
        )
    return after


# --- One patient, one record ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    """A recorded patient who may be the one being created: ``same_ins`` when the INS matches
    (the same person: never a second record), else the identity traits match (ask)."""

    patient: Patient
    same_ins: bool

    @property
    def sentence(self) -> str:
        return duplicate_sentence(self)


def trait_key(patient: Patient) -> tuple[str, str, date, Sex]:
    """What two records of one person share when no INS tells: birth name, first first name,
    birth date, sex — accents, case, ligatures, hyphens and apostrophes ignored."""
    first = patient.first_names.split()[0] if patient.first_names.split() else ""
    return (
        " ".join(fold(patient.birth_name).replace("-", " ").replace("'", " ").split()),
        fold(first),
        patient.birth_date,
        patient.sex,
    )


def possible_duplicates(candidate: Patient, recorded: Iterable[Patient]) -> list[PossibleDuplicate]:
    """The recorded patients who may be ``candidate``: same INS first, then same traits (birth
    name, first first name, birth date, sex — accents, case and ligatures ignored)."""
    found: list[PossibleDuplicate] = []
    traits = trait_key(candidate)
    for patient in recorded:
        if patient.id == candidate.id:
            continue
        if candidate.ins and patient.ins == candidate.ins:
            found.append(PossibleDuplicate(patient, same_ins=True))
        elif trait_key(patient) == traits:
            found.append(PossibleDuplicate(patient, same_ins=False))
    found.sort(key=lambda d: not d.same_ins)
    return found


def duplicate_sentence(duplicate: PossibleDuplicate) -> str:
    """What the professional reads about a possible duplicate, in French."""
    patient = duplicate.patient
    who = f"{patient.display_name}, né(e) le {patient.birth_date:%d/%m/%Y}"
    if duplicate.same_ins:
        return (
            f"Ce patient est déjà enregistré ({who}, même matricule INS) : ouvrez sa fiche "
            "plutôt que d'en créer une seconde."
        )
    return (
        f"Un patient aux mêmes traits d'identité est déjà enregistré ({who}) : vérifiez qu'il "
        "ne s'agit pas de la même personne avant de créer un second dossier."
    )
