"""Reading a FHIR Patient as a patient draft: what the professional sees in the new patient form
after choosing a FHIR file exported by their practice software, a hospital or ESCAP Desktop."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from stdnum.fr import nir as stdnum_nir

from escap_desktop.core.entities import IdentityDocument, IdentityStatus, Patient, Sex
from escap_desktop.core.rules.identity import qualify_identity
from escap_desktop.exports.fhir import (
    ADDRESS_INSEE_CODE,
    BIRTH_PLACE,
    FR_CORE,
    INS_NIR_SYSTEM,
    build_fhir_bundle,
    patient_resource,
    write_fhir_json,
)
from escap_desktop.imports.errors import ImportReadError
from escap_desktop.imports.fhir_patient import patient_from_fhir, read_fhir_patient
from tests.exports.practice import GRID_ITEMS, build_practice
from tests.fuzz.conftest import FUZZ, JSON_VALUES
from tests.imports.fhir_samples import (
    NIR,
    bundle,
    fr_core_patient,
    identity_reliability,
    ins_identifier,
    make_nir,
)

TRAITS = (
    "birth_name",
    "first_names",
    "birth_date",
    "sex",
    "birth_place_code",
    "used_name",
    "used_first_name",
    "ins",
    "phone",
    "address",
)
NIA = make_nir("7", 1974, 12, place="99134")
"""A NIA (temporary number) of a man born abroad in December 1974."""


def traits(patient: Patient) -> dict[str, Any]:
    return {name: getattr(patient, name) for name in TRAITS}


def refusal(document: Any) -> str:
    with pytest.raises(ImportReadError) as caught:
        patient_from_fhir(document)
    return str(caught.value)


def official(
    family: object = "Durand", given: list[str] | None = None, **more: Any
) -> dict[str, Any]:
    return {"use": "official", "family": family, "given": given or ["Pierre"], **more}


# --- a FR Core Patient --------------------------------------------------------------------------


def test_a_fr_core_ins_patient_fills_every_field_of_the_form() -> None:
    patient = patient_from_fhir(fr_core_patient())

    assert traits(patient) == {
        "birth_name": "Durand",
        "first_names": "Pierre Yves André",  # every birth first name, from birth-list-given-name
        "birth_date": date(1974, 12, 25),
        "sex": Sex.MALE,
        "birth_place_code": "45234",
        "used_name": "Durand-Lefèvre",
        "used_first_name": "Yves",
        "ins": NIR,
        "phone": "06 80 55 34 33",  # the phone ranked first, not the first listed
        "address": "367 rue Troussier, 45100 Orléans",  # the home address, not the old one
    }
    assert patient.identity_status is IdentityStatus.RETRIEVED
    assert patient.medecin_traitant_id is None
    assert patient.identity_document is None
    assert patient.id != "patient-durand"


def test_each_import_is_a_new_local_patient() -> None:
    document = fr_core_patient(generalPractitioner=[{"reference": "Practitioner/dr-house"}])

    first, second = patient_from_fhir(document), patient_from_fhir(document)

    assert first.id != second.id
    assert first.medecin_traitant_id is None


@pytest.mark.parametrize("status", ["QUAL", "VALI"])
def test_an_identity_qualified_elsewhere_is_only_retrieved_here(status: str) -> None:
    document = fr_core_patient(extension=[identity_reliability(status)])

    assert patient_from_fhir(document).identity_status is IdentityStatus.RETRIEVED


def test_without_an_ins_the_identity_is_provisional() -> None:
    document = fr_core_patient(identifier=None, extension=[identity_reliability("QUAL")])

    patient = patient_from_fhir(document)

    assert patient.ins == ""
    assert patient.identity_status is IdentityStatus.PROVISIONAL


def test_a_nia_is_read_as_the_ins() -> None:
    document = fr_core_patient(identifier=[ins_identifier(NIA, nia=True)])

    patient = patient_from_fhir(document)

    assert patient.ins == NIA
    assert patient.identity_status is IdentityStatus.RETRIEVED


@pytest.mark.parametrize("system", ["1.2.250.1.213.1.4.8", " urn:oid:1.2.250.1.213.1.4.8 "])
def test_the_oid_is_read_with_or_without_its_urn_prefix(system: str) -> None:
    spaced = f"{NIR[0]} {NIR[1:3]} {NIR[3:5]} {NIR[5:7]} {NIR[7:10]} {NIR[10:13]} {NIR[13:]}"
    document = fr_core_patient(identifier=[{"system": system, "value": spaced}])

    assert patient_from_fhir(document).ins == NIR


def test_the_billing_number_and_a_deactivated_ins_are_not_the_patients_ins() -> None:
    parent = make_nir("2", 1950, 3)  # the insured mother's NIR, typed NH (FR Core's NSS)
    billing = {
        "use": "official",
        "type": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "NH"}]
        },
        "system": INS_NIR_SYSTEM,
        "value": parent,
    }
    merged = ins_identifier(make_nir("1", 1974, 12, order="999"), use="old")
    document = fr_core_patient(identifier=[billing, merged])

    patient = patient_from_fhir(document)

    assert patient.ins == ""
    assert patient.identity_status is IdentityStatus.PROVISIONAL


def test_the_same_ins_given_twice_is_read_once() -> None:
    document = fr_core_patient(
        identifier=[ins_identifier(), {"system": "1.2.250.1.213.1.4.8", "value": NIR}]
    )

    assert patient_from_fhir(document).ins == NIR


def test_other_identifiers_are_ignored() -> None:
    document = fr_core_patient(
        identifier=[
            {"system": "urn:oid:1.2.250.1.213.1.4.2", "value": "1234567890123456789012"},  # INS-C
            {"system": "urn:oid:1.2.250.1.213.1.4.10", "value": "279035121518989"},  # INS de test
            {"system": "https://logiciel.example/ipp", "value": "42"},
        ]
    )

    assert patient_from_fhir(document).ins == ""


# --- names --------------------------------------------------------------------------------------


def test_without_the_birth_list_every_given_name_is_a_first_name() -> None:
    document = fr_core_patient(name=[official(given=["Pierre", "Yves"])])

    patient = patient_from_fhir(document)

    assert (patient.first_names, patient.used_name, patient.used_first_name) == (
        "Pierre Yves",
        "",
        "",
    )


def test_names_are_trimmed_and_keep_their_accents_hyphens_and_apostrophes() -> None:
    document = fr_core_patient(
        name=[official("  d’Arc-Lefèvre ", ["Marie-Hélène", " Zoé  "])],
        gender="female",
        identifier=None,
    )

    patient = patient_from_fhir(document)

    assert (patient.birth_name, patient.first_names) == ("d’Arc-Lefèvre", "Marie-Hélène Zoé")


def test_without_an_official_name_the_maiden_name_is_the_birth_name() -> None:
    names = [
        {"family": "Martin", "given": ["Paul"]},
        {"use": "maiden", "family": "Durand", "given": ["Pierre"]},
    ]

    assert patient_from_fhir(fr_core_patient(name=names)).birth_name == "Durand"


def test_failing_that_the_name_without_use_is_the_birth_name() -> None:
    names = [
        {"use": "nickname", "family": "Pierrot", "given": ["Pipo"]},
        {"family": "Durand", "given": ["Pierre"]},
    ]

    patient = patient_from_fhir(fr_core_patient(name=names))

    assert (patient.birth_name, patient.first_names) == ("Durand", "Pierre")


def test_a_used_name_that_repeats_the_birth_name_is_not_kept() -> None:
    names = [
        official(given=["Pierre", "Yves"]),
        {"use": "usual", "family": "Durand", "given": ["Pierre"]},
    ]

    patient = patient_from_fhir(fr_core_patient(name=names))

    assert (patient.used_name, patient.used_first_name) == ("", "")
    assert patient.display_name == "DURAND Pierre"


# --- sex, birth place, phone and address --------------------------------------------------------


@pytest.mark.parametrize(
    ("gender", "sex"),
    [
        ("male", Sex.MALE),
        ("female", Sex.FEMALE),
        ("other", Sex.INDETERMINATE),
        ("unknown", Sex.INDETERMINATE),
    ],
)
def test_the_fhir_gender_gives_the_ins_sex(gender: str, sex: Sex) -> None:
    document = fr_core_patient(gender=gender, identifier=None)

    assert patient_from_fhir(document).sex is sex


def test_an_indeterminate_sex_accepts_the_ins_of_either_sex() -> None:
    document = fr_core_patient(gender="unknown")

    assert patient_from_fhir(document).ins == NIR


@pytest.mark.parametrize(
    ("extension", "code"),
    [
        pytest.param(
            {
                "url": BIRTH_PLACE,
                "valueAddress": {
                    "extension": [{"url": ADDRESS_INSEE_CODE, "valueCoding": {"code": "2a004"}}]
                },
            },
            "2A004",
            id="FR Core 2.x, Corse",
        ),
        pytest.param(
            {
                "url": BIRTH_PLACE,
                "valueAddress": {
                    "extension": [{"url": ADDRESS_INSEE_CODE, "valueCoding": {"code": "99134"}}]
                },
            },
            "99134",
            id="FR Core 2.x, born in Spain",
        ),
        pytest.param(
            {
                "url": f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-place",
                "valueAddress": {"district": "45234"},
            },
            "45234",
            id="FR Core 2.0.0-ballot, district",
        ),
        pytest.param(
            {
                "url": "http://interopsante.org/fhir/StructureDefinition/fr-core-patient-birth-place",
                "valueAddress": {
                    "extension": [
                        {
                            "url": "http://interopsante.org/fhir/StructureDefinition/FrAddressInseeCode",
                            "valueCoding": {"code": "69123"},
                        }
                    ],
                    "district": "Rhône",
                },
            },
            "69123",
            id="FR Core 1.x, FrAddressInseeCode",
        ),
        pytest.param(
            {"url": BIRTH_PLACE, "valueAddress": {"city": "Orléans", "district": "Loiret"}},
            "",
            id="international extension without INSEE code",
        ),
    ],
)
def test_the_birth_place_code_is_read_where_fr_core_puts_it(
    extension: dict[str, Any], code: str
) -> None:
    document = fr_core_patient(extension=[extension])

    assert patient_from_fhir(document).birth_place_code == code


def test_an_address_without_text_is_written_from_its_parts() -> None:
    address = {
        "use": "home",
        "line": ["12 rue des Lilas", "Bâtiment B"],
        "postalCode": "76748",
        "city": "Vittefleur",
    }

    patient = patient_from_fhir(fr_core_patient(address=[address], telecom=None))

    assert patient.address == "12 rue des Lilas, Bâtiment B, 76748 Vittefleur"
    assert patient.phone == ""


# --- Bundles ------------------------------------------------------------------------------------


def test_a_bundle_with_one_patient_gives_that_patient() -> None:
    practitioner = {"resourceType": "Practitioner", "name": [{"family": "House"}]}
    broken_observation = {"resourceType": "Observation", "valueString": "sans statut ni code"}
    document = bundle(practitioner, fr_core_patient(), broken_observation, kind="searchset")

    patient = patient_from_fhir(document)

    assert (patient.birth_name, patient.ins) == ("Durand", NIR)


# --- ESCAP Desktop's own export -----------------------------------------------------------------


def qualified_patient(**changes: Any) -> Patient:
    patient = Patient(
        birth_name="Le Gall",
        first_names="Anne-Sophie Jeanne Éléonore",
        birth_date=date(1948, 2, 29),
        sex=Sex.FEMALE,
        birth_place_code="2B033",
        used_name="Kervella",
        used_first_name="Sophie",
        ins=make_nir("2", 1948, 2, place="2B033"),
        phone="02 98 12 34 56",
        address="4 place de l'Église, 29200 Brest",
    )
    patient = replace(patient, **changes)
    return qualify_identity(patient, "pro-1", IdentityDocument.PASSEPORT, date(2025, 6, 1))


@pytest.mark.parametrize(
    "patient",
    [
        pytest.param(qualified_patient(), id="NIR, used name and first name"),
        pytest.param(qualified_patient(ins=make_nir("8", 1948, 2, place="99134")), id="NIA"),
        pytest.param(
            qualified_patient(used_name="", phone="", address=""), id="used first name only"
        ),
        pytest.param(
            qualified_patient(used_first_name="", birth_place_code=""), id="used name only"
        ),
    ],
)
def test_a_patient_exported_by_escap_desktop_reads_back_the_same(patient: Patient) -> None:
    exported = json.loads(json.dumps(patient_resource(patient, gp_known=False)))

    read = patient_from_fhir(exported)

    assert traits(read) == traits(patient)
    assert read.identity_status is IdentityStatus.RETRIEVED
    assert read.id != patient.id


def test_an_unqualified_patient_reads_back_without_ins() -> None:
    patient = replace(qualified_patient(), identity_status=IdentityStatus.RETRIEVED)

    read = patient_from_fhir(patient_resource(patient, gp_known=False))

    assert traits(read) == traits(replace(patient, ins=""))
    assert read.identity_status is IdentityStatus.PROVISIONAL


def test_every_episode_file_of_a_practice_reads_back_its_patient(tmp_path: Path) -> None:
    practice = build_practice()
    for number, episode in enumerate(practice.bundles):
        generated = datetime(2026, 10, 1, tzinfo=UTC) + timedelta(minutes=number)
        path = write_fhir_json(
            build_fhir_bundle(episode, GRID_ITEMS, generated_at=generated),
            tmp_path / f"{number}.json",
        )

        read = read_fhir_patient(path)

        patient = episode.patient
        qualified = patient.identity_status is IdentityStatus.QUALIFIED
        assert traits(read) == traits(patient if qualified else replace(patient, ins=""))
        assert read.identity_status is (
            IdentityStatus.RETRIEVED if qualified and patient.ins else IdentityStatus.PROVISIONAL
        )


# --- files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"])
def test_a_json_file_is_read_with_or_without_bom(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(fr_core_patient(), ensure_ascii=False, indent=2), encoding=encoding)

    patient = read_fhir_patient(path)

    assert (patient.first_names, patient.used_name, patient.ins) == (
        "Pierre Yves André",
        "Durand-Lefèvre",
        NIR,
    )


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "export.json"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "n'est pas un fichier JSON valide (ligne 1, colonne 1)", id="empty"),
        pytest.param(
            b'{"resourceType": "Patient",', "n'est pas un fichier JSON valide (ligne 1", id="cut"
        ),
        pytest.param(
            b'<Patient xmlns="http://hl7.org/fhir"/>',
            "est au format XML : ESCAP Desktop lit les patients FHIR au format JSON",
            id="XML",
        ),
        pytest.param(
            '{"name": "Lefèvre"}'.encode("latin-1"), "n'est pas un texte UTF-8", id="Latin-1"
        ),
        pytest.param(b"[]", "ne contient pas une ressource FHIR", id="JSON array"),
        pytest.param(b"[" * 100_000, "trop profondément imbriqué", id="deep"),
    ],
)
def test_a_file_that_is_not_fhir_json_is_refused_in_french(
    tmp_path: Path, content: bytes, message: str
) -> None:
    with pytest.raises(ImportReadError) as caught:
        read_fhir_patient(write(tmp_path, content))

    assert message in str(caught.value)


def test_a_missing_file_or_a_folder_is_refused_in_french(tmp_path: Path) -> None:
    with pytest.raises(ImportReadError) as missing:
        read_fhir_patient(tmp_path / "absent.json")
    with pytest.raises(ImportReadError) as folder:
        read_fhir_patient(tmp_path)

    assert str(missing.value) == f"Le fichier {tmp_path / 'absent.json'} est introuvable."
    assert str(folder.value) == f"{tmp_path} est un dossier et non un fichier FHIR."


# --- every bad document, with its French message ------------------------------------------------

WOMAN_NIR = make_nir("2", 1974, 12)
BAD_KEY = NIR[:13] + f"{(int(NIR[13:]) % 97) + 1:02d}"

BAD_DOCUMENTS = [
    (
        "another resource",
        {"resourceType": "Observation", "status": "final"},
        "Le fichier contient une ressource FHIR « Observation » et non un patient",
    ),
    (
        "no resourceType",
        {"name": [official()]},
        "Le fichier n'est pas une ressource FHIR : le champ « resourceType » manque.",
    ),
    ("not an object", ["Patient"], "Le contenu lu n'est pas une ressource FHIR"),
    (
        "Bundle without patient",
        bundle({"resourceType": "Practitioner"}),
        "Le lot FHIR du fichier ne contient aucun patient (ressource Patient)",
    ),
    (
        "Bundle of 3 patients",
        bundle(fr_core_patient(), fr_core_patient(), fr_core_patient()),
        "Le fichier contient 3 patients : exportez un seul patient à la fois.",
    ),
    (
        "Bundle without type",
        {"resourceType": "Bundle", "entry": [{"resource": fr_core_patient()}]},
        "Le lot FHIR (Bundle) du fichier n'est pas valide en FHIR R4 : "
        "le champ obligatoire « type » manque.",
    ),
    (
        "entry not a list",
        {"resourceType": "Bundle", "type": "collection", "entry": {"resource": fr_core_patient()}},
        "Le lot FHIR (Bundle) du fichier n'est pas valide en FHIR R4 : "
        "le champ « entry » doit contenir une liste [...].",
    ),
    (
        "name not a list",
        fr_core_patient(name=official()),
        "Le patient du fichier n'est pas valide en FHIR R4 : "
        "le champ « name » doit contenir une liste [...].",
    ),
    (
        "family not text",
        fr_core_patient(name=[official(family=12)]),
        "n'est pas valide en FHIR R4 : le champ « name[0].family » doit contenir du texte.",
    ),
    (
        "unknown field",
        fr_core_patient(animal={"species": {"text": "chien"}}),
        "le champ « animal » n'existe pas dans une ressource FHIR R4.",
    ),
    (
        "French date",
        fr_core_patient(birthDate="25/12/1974"),
        "le champ « birthDate » a une valeur incorrecte (« 25/12/1974 »)",
    ),
    ("several faults", fr_core_patient(active="peut-être", gender=3), "(et 1 autre erreur)."),
    (
        "no birth date",
        fr_core_patient(birthDate=None),
        "Le fichier ne donne pas la date de naissance du patient (« birthDate »)",
    ),
    (
        "birth year only",
        fr_core_patient(birthDate="1974"),
        "La date de naissance du fichier est incomplète (« 1974 »)",
    ),
    (
        "birth month only",
        fr_core_patient(birthDate="1974-12"),
        "La date de naissance du fichier est incomplète (« 1974-12 ») : "
        "l'identité du patient demande le jour, le mois et l'année.",
    ),
    (
        "no gender",
        fr_core_patient(gender=None),
        "Le fichier ne donne pas le sexe du patient (« gender »)",
    ),
    (
        "gender not FHIR",
        fr_core_patient(gender="M"),
        "Le sexe du fichier (« M ») n'est pas un code FHIR : male, female, other ou unknown.",
    ),
    (
        "no name",
        fr_core_patient(name=None),
        "Le fichier ne donne pas le nom de naissance du patient",
    ),
    (
        "usual name only",
        fr_core_patient(name=[{"use": "usual", "family": "Durand-Lefèvre", "given": ["Yves"]}]),
        "Le fichier ne donne que le nom d'usage du patient, pas son nom de naissance",
    ),
    (
        "no first name",
        fr_core_patient(name=[{"use": "official", "family": "Durand"}]),
        "Le fichier ne donne pas les prénoms de naissance du patient Durand",
    ),
    (
        "wrong NIR key",
        fr_core_patient(identifier=[ins_identifier(BAD_KEY)]),
        f"L'INS du fichier (« {BAD_KEY} ») n'est pas valide : la clé du NIR est incorrecte",
    ),
    (
        "NIR too short",
        fr_core_patient(identifier=[ins_identifier(NIR[:13])]),
        "n'est pas valide : le NIR doit comporter 15 caractères",
    ),
    (
        "provisional number",
        fr_core_patient(identifier=[ins_identifier(make_nir("3", 1974, 12))]),
        "numéro provisoire d'immatriculation",
    ),
    (
        "NIA under the NIR OID",
        fr_core_patient(identifier=[ins_identifier(NIA)]),
        "L'INS du fichier commence par 7 : c'est un NIA (numéro d'attente), "
        "mais il est déclaré comme NIR",
    ),
    (
        "NIR under the NIA OID",
        fr_core_patient(identifier=[ins_identifier(NIR, nia=True)]),
        "L'INS du fichier commence par 1 : c'est un NIR, mais il est déclaré comme NIA",
    ),
    (
        "NIR of a woman",
        fr_core_patient(identifier=[ins_identifier(WOMAN_NIR)]),
        "L'INS du fichier ne correspond pas aux traits d'identité du patient : "
        "le NIR commence par 2 (une femme) alors que le sexe saisi est « Masculin ».",
    ),
    (
        "NIR of another year",
        fr_core_patient(birthDate="1975-12-25"),
        "L'INS du fichier ne correspond pas aux traits d'identité du patient : "
        "l'année de naissance du NIR (« 74 »)",
    ),
    (
        "two INS",
        fr_core_patient(
            identifier=[ins_identifier(), ins_identifier(make_nir("1", 1974, 12, order="026"))]
        ),
        "Le fichier donne 2 INS différents pour ce patient",
    ),
    (
        "birth place not INSEE",
        fr_core_patient(
            extension=[
                {
                    "url": BIRTH_PLACE,
                    "valueAddress": {
                        "extension": [{"url": ADDRESS_INSEE_CODE, "valueCoding": {"code": "4523"}}]
                    },
                }
            ]
        ),
        "Le lieu de naissance du fichier n'est pas lisible : "
        "le code du lieu de naissance « 4523 » n'est pas un code INSEE",
    ),
]


@pytest.mark.parametrize(
    ("document", "message"), [pytest.param(d, m, id=i) for i, d, m in BAD_DOCUMENTS]
)
def test_each_bad_document_is_refused_with_its_french_message(document: Any, message: str) -> None:
    assert message in refusal(document)


def test_a_bad_document_in_a_file_gives_the_same_message(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(bundle(fr_core_patient(), fr_core_patient())).encode())

    with pytest.raises(
        ImportReadError,
        match=re.escape("Le fichier contient 2 patients : exportez un seul patient à la fois."),
    ):
        read_fhir_patient(path)


# --- any identity ESCAP Desktop exports, it reads back ------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzéèêëàâäçîïôöûüùÿæœñABCDEFGHIJKLMNOPQRSTUVWXYZÉÈÀÇÔŒ"
_WORDS = st.text(alphabet=_LETTERS, min_size=1, max_size=8)


@st.composite
def names(draw: st.DrawFn, separators: str = " -'’") -> str:
    words = draw(st.lists(_WORDS, min_size=1, max_size=3))
    joined = words[0]
    for word in words[1:]:
        joined += draw(st.sampled_from(separators)) + word
    return joined


@st.composite
def identities(draw: st.DrawFn) -> Patient:
    sex = draw(st.sampled_from(list(Sex)))
    birth = draw(st.dates(date(1900, 1, 1), date(2025, 12, 31)))
    first_names = " ".join(draw(st.lists(names(separators="-"), min_size=1, max_size=3)))
    birth_name = draw(names())
    used_name = draw(st.just("") | names())
    used_first_name = draw(st.just("") | names(separators="-"))
    assume(used_name != birth_name and used_first_name != first_names.split()[0])
    place = draw(st.from_regex(r"(?:0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97|99)[0-9]{3}", fullmatch=True))
    ins = ""
    if draw(st.booleans()):
        digits = {Sex.MALE: "17", Sex.FEMALE: "28", Sex.INDETERMINATE: "1278"}[sex]
        month = draw(st.just(birth.month) | st.integers(20, 42) | st.integers(50, 99))
        order = draw(st.integers(1, 999))
        body = f"{draw(st.sampled_from(digits))}{birth.year % 100:02d}{month:02d}{place}{order:03d}"
        ins = body + stdnum_nir.calc_check_digits(body)
    phone = draw(st.just("") | st.from_regex(r"0[1-9]( [0-9]{2}){4}", fullmatch=True))
    address = draw(
        st.just("")
        | st.builds(
            lambda n, street: f"{n} rue {street}, 45000 Orléans", st.integers(1, 300), names()
        )
    )
    return Patient(
        birth_name=birth_name,
        first_names=first_names,
        birth_date=birth,
        sex=sex,
        birth_place_code=draw(st.just("") | st.just(place)),
        used_name=used_name,
        used_first_name=used_first_name,
        ins=ins,
        identity_status=IdentityStatus.QUALIFIED if ins else IdentityStatus.PROVISIONAL,
        phone=phone,
        address=address,
    )


@settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(identities())
def test_any_exported_identity_reads_back_the_same(patient: Patient) -> None:
    document = json.loads(json.dumps(patient_resource(patient, gp_known=False), ensure_ascii=False))

    read = patient_from_fhir(document)

    assert traits(read) == traits(patient)
    assert read.identity_status is (
        IdentityStatus.RETRIEVED if patient.ins else IdentityStatus.PROVISIONAL
    )


_PATIENT_FIELDS = [*fr_core_patient(), "deceasedBoolean", "contact", "_birthDate"]


@FUZZ
@given(st.sampled_from(_PATIENT_FIELDS), JSON_VALUES, st.booleans())
@example("_birthDate", "true", False)  # fhir.resources then calls .get on a bool (found by CI)
@example("_birthDate", True, True)
def test_any_value_in_any_field_gives_a_patient_or_a_french_refusal(
    field: str, value: Any, wrapped: bool
) -> None:
    """Whatever a software puts in a field, the professional reads a sentence, never a crash."""
    document = fr_core_patient()
    document[field] = value
    refused: ImportReadError | None = None
    try:
        patient_from_fhir(bundle(document) if wrapped else document)
    except ImportReadError as error:
        refused = error
    assert refused is None or str(refused)
