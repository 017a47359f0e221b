"""Turning untrusted values into safe reportlab Paragraph markup, and French formatting.

Names, addresses and action texts come from patients, professionals and the public directory:
a name such as ``Dupont <b>`` or ``Martin & Fils`` must print as typed, never as markup and never
break the paragraph parser.
"""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape as _xml_escape

from escap_desktop.core.entities import Patient, Professional


def escape(value: object) -> str:
    """Markup-safe text for a value; line breaks typed by the user are kept."""
    text = _xml_escape(str(value))
    return text.replace("\r\n", "\n").replace("\n", "<br/>")


def french_date(day: date | None, missing: str = "") -> str:
    """JJ/MM/AAAA, the house format for every date shown."""
    return day.strftime("%d/%m/%Y") if day else missing


def format_ins(ins: str) -> str:
    """The NIR grouped as printed on a carte Vitale: ``2 84 12 2A 056 123 45``."""
    compact = ins.replace(" ", "")
    if len(compact) != 15:
        return ins
    groups = (compact[0], compact[1:3], compact[3:5], compact[5:7], compact[7:10])
    return " ".join((*groups, compact[10:13], compact[13:15]))


def patient_full_name(patient: Patient) -> str:
    """Every name trait, so the signed form leaves no doubt about who consented."""
    name = patient.birth_name.upper()
    if patient.used_name and patient.used_name.upper() != name:
        born = {"F": "née", "M": "né"}.get(patient.sex.value, "né(e)")
        name = f"{patient.used_name.upper()} ({born} {name})"
    first = patient.used_first_name or patient.first_names
    return f"{name} {first}".strip()


def professional_title(professional: Professional) -> str:
    """Profession and, when known, specialty: "Médecin — médecine générale"."""
    label = professional.profession.label
    return f"{label} — {professional.specialty}" if professional.specialty else label


def professional_address(professional: Professional) -> str:
    town = " ".join(part for part in (professional.postcode, professional.town) if part)
    return ", ".join(part for part in (professional.address, town) if part)
