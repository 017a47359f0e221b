"""Test data for the domain rules: valid NIRs computed with python-stdnum, typical records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from stdnum.fr import nir as stdnum_nir

from escap_desktop.core.entities import (
    Escap,
    IdentifierKind,
    Membership,
    MembershipStatus,
    Patient,
    Profession,
    Professional,
    Sex,
)

TODAY = date(2025, 6, 15)
NOW = datetime(2025, 6, 15, 9, 30, tzinfo=UTC)


def nir_key(body: str) -> str:
    """The 2-digit key of a 13-character NIR body, as python-stdnum computes it."""
    return str(stdnum_nir.calc_check_digits(body))


def make_nir(
    sex_digit: str = "2",
    year: int = 50,
    month: int = 5,
    place: str = "75056",
    order: str = "123",
) -> str:
    body = f"{sex_digit}{year:02d}{month:02d}{place}{order}"
    return body + nir_key(body)


def wrong_key(nir: str) -> str:
    """The same NIR with a key that is certainly wrong."""
    return nir[:13] + f"{(int(nir[13:]) % 97) + 1:02d}"


def make_patient(**changes: Any) -> Patient:
    patient = Patient(
        birth_name="Martin",
        first_names="Léa Marie",
        birth_date=date(1950, 5, 12),
        sex=Sex.FEMALE,
        birth_place_code="75056",
        ins=make_nir("2", 50, 5),
    )
    return replace(patient, **changes)


def make_professional(
    profession: Profession = Profession.INFIRMIER, **changes: Any
) -> Professional:
    professional = Professional(
        last_name="Durand",
        first_name="Paul",
        profession=profession,
        identifier_kind=IdentifierKind.RPPS,
        identifier="10001234567",
    )
    return replace(professional, **changes)


def make_escap(patient: Patient, **changes: Any) -> Escap:
    return replace(Escap(patient_id=patient.id, created_by="pro-1", created_at=NOW), **changes)


def make_membership(
    escap: Escap,
    professional: Professional,
    status: MembershipStatus = MembershipStatus.ACCEPTED,
) -> Membership:
    return Membership(
        escap_id=escap.id,
        professional_id=professional.id,
        invited_by="pro-1",
        invited_at=NOW,
        status=status,
    )
