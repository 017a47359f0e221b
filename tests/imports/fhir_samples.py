"""FHIR Patient documents as French practice software exports them (FR Core), for the reader's
tests: a full INS Patient, its identifiers and names, and the Bundle that wraps resources."""

from __future__ import annotations

import copy
from typing import Any

from escap_desktop.exports.fhir import (
    ADDRESS_INSEE_CODE,
    BIRTH_LIST_GIVEN_NAME,
    BIRTH_PLACE,
    FR_CORE,
    FR_IDENTIFIER_TYPES,
    INS_NIA_SYSTEM,
    INS_NIR_SYSTEM,
)
from tests.support.nir import nir_of

IDENTITY_RELIABILITY = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
IDENTITY_STATUS = f"{FR_CORE}/CodeSystem/fr-core-cs-identity-status"
COMMUNES = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"


def make_nir(
    sex_digit: str, year: int, month: int, place: str = "45234", order: str = "025"
) -> str:
    """A valid 15-character NIR (key computed by python-stdnum)."""
    return nir_of(sex_digit, year, month, place, order)


NIR = make_nir("1", 1974, 12)
"""The INS of :func:`fr_core_patient`: a man born in December 1974."""


def ins_identifier(value: str = NIR, *, nia: bool = False, **changes: Any) -> dict[str, Any]:
    """An FR Core INS-NIR (or INS-NIA) identifier."""
    code = "INS-NIA" if nia else "INS-NIR"
    identifier: dict[str, Any] = {
        "use": "temp" if nia else "official",
        "type": {"coding": [{"system": FR_IDENTIFIER_TYPES, "code": code}]},
        "system": INS_NIA_SYSTEM if nia else INS_NIR_SYSTEM,
        "value": value,
    }
    identifier.update(changes)
    return identifier


def birth_place(code: str) -> dict[str, Any]:
    """The birth place as FR Core 2.x writes it: the INSEE code inside patient-birthPlace."""
    return {
        "url": BIRTH_PLACE,
        "valueAddress": {
            "extension": [
                {"url": ADDRESS_INSEE_CODE, "valueCoding": {"system": COMMUNES, "code": code}}
            ],
            "city": "Orléans",
        },
    }


def identity_reliability(status: str = "QUAL") -> dict[str, Any]:
    """The FR Core identityReliability extension saying the source's status (QUAL, VALI...)."""
    return {
        "url": IDENTITY_RELIABILITY,
        "extension": [
            {"url": "identityStatus", "valueCoding": {"system": IDENTITY_STATUS, "code": status}}
        ],
    }


_FR_CORE_PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "patient-durand",
    "meta": {"profile": [f"{FR_CORE}/StructureDefinition/fr-core-patient-ins"]},
    "extension": [identity_reliability("QUAL"), birth_place("45234")],
    "identifier": [
        {
            "use": "usual",
            "type": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PI"}
                ]
            },
            "system": "urn:oid:1.2.250.1.71.4.2.7",
            "value": "IPP-000123",
        },
        ins_identifier(),
    ],
    "active": True,
    "name": [
        {
            "extension": [{"url": BIRTH_LIST_GIVEN_NAME, "valueString": "Pierre Yves André"}],
            "use": "official",
            "family": "Durand",
            "given": ["Pierre"],
        },
        {"use": "usual", "family": "Durand-Lefèvre", "given": ["Yves"]},
    ],
    "telecom": [
        {"system": "phone", "value": "01 99 88 77 66", "use": "work", "rank": 2},
        {"system": "email", "value": "pierre.durand@example.fr"},
        {"system": "phone", "value": "06 80 55 34 33", "use": "mobile", "rank": 1},
    ],
    "gender": "male",
    "birthDate": "1974-12-25",
    "address": [
        {"use": "old", "text": "1 rue Ancienne, 75001 Paris"},
        {
            "use": "home",
            "type": "both",
            "text": "367 rue Troussier, 45100 Orléans",
            "line": ["367 rue Troussier"],
            "city": "Orléans",
            "postalCode": "45100",
        },
    ],
}


def fr_core_patient(**changes: Any) -> dict[str, Any]:
    """A FR Core INS Patient with every trait (a fresh copy; ``changes`` replace top fields,
    a value of None removes the field)."""
    patient = copy.deepcopy(_FR_CORE_PATIENT)
    for key, value in changes.items():
        if value is None:
            patient.pop(key, None)
        else:
            patient[key] = value
    return patient


def bundle(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    """A Bundle of ``resources``, each entry with a fullUrl."""
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{index:012d}", "resource": resource}
            for index, resource in enumerate(resources)
        ],
    }
