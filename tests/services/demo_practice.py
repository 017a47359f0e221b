"""A demo practice on a real SQLCipher file, and PDFs read back, for the document and export
service tests (each test module builds its own store, since printing writes to it)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from escap_desktop.core.entities import Patient
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.services.demo import generate_demo
from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.store import open_store
from tests.support.clock import frozen_clock

DEMO_PASSPHRASE = "phrase de passe de démonstration"


def open_demo_practice(folder: Path, patients: int) -> Practice:
    # Passphrase mode: a module-wide store must not depend on the per-test keyring.
    # A module-wide practice outlives any one test's clock fixture: a clock from the same start.
    store = open_store(folder, passphrase=DEMO_PASSPHRASE, clock=frozen_clock())
    practice = build_practice(store, folder)
    steps = list(
        generate_demo(
            store,
            practice.escaps.current_grid(),
            practice.billing.config,
            patients=patients,
            today=practice.clock.today(),
        )
    )
    assert steps[-1].done == patients
    return practice


def patients_of(practice: Practice, rows: list[PatientSummary]) -> list[Patient]:
    return [practice.patients.get(row.patient_id) for row in rows]


def squash(text: str) -> str:
    """Without whitespace, so a name wrapped across two lines of a table cell still matches."""
    return re.sub(r"\s+", "", text)


class ReadPdf:
    """A PDF as pypdf reads it back."""

    def __init__(self, content: bytes) -> None:
        self.reader = pypdf.PdfReader(io.BytesIO(content))
        self.text = "\n".join(page.extract_text() for page in self.reader.pages)
        self.compact = squash(self.text)

    def contains(self, value: str) -> bool:
        return squash(value) in self.compact

    def images(self, page: int = 0) -> list[Image.Image]:
        return [image.image for image in self.reader.pages[page].images]


def decode_qr_codes(content: bytes) -> list[str]:
    """Every QR code on the first page, decoded by a real decoder (zxing-cpp)."""
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (extra 'test') manquant")
    found: list[str] = []
    for image in ReadPdf(content).images():
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return found


def family_name(patient: Patient) -> str:
    """The name a document prints in capitals (used name, else birth name)."""
    return (patient.used_name or patient.birth_name).upper()


def first_name(patient: Patient) -> str:
    return patient.used_first_name or patient.first_names.split(" ")[0]
