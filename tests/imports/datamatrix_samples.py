"""INS datamatrix samples made for the tests: the content for given traits, the symbol drawn by
zxing-cpp's writer, a document page around it, and what scanning does to a page (rotation, blur,
JPEG, damage, a scanned PDF).

The content follows the ANS « INS — Format datamatrix » as docs/ins-datamatrix.md describes it;
building it here, field by field, is what lets a test break exactly one thing.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image, ImageDraw, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tests.support.nir import nir_of

GS = "\x1d"
RS = "\x1e"
US = "\x1f"
INS_HEADER = "IS01" + "0" * 22
OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"

PAGE_SIZE = (1240, 1754)
"""An A4 page at 150 dpi: small enough for fast tests, the symbol still has 5-pixel modules."""


def nir(sex_digit: str, year: int, month: int, place: str = "75056", order: str = "123") -> str:
    """A NIR (or NIA, first digit 7/8) with its right key; ``place`` may be Corsican (2A004)."""
    return nir_of(sex_digit, year, month, place, order)


@dataclass(frozen=True)
class Traits:
    """What an INS datamatrix carries, as the issuing software would print it."""

    matricule: str
    birth_date: date
    sex: str = "F"
    birth_name: str = "MARTIN"
    first_names: str = "LEA MARIE"
    birth_place: str | None = "75056"
    oid: str = OID_NIR


def traits(**changes: Any) -> Traits:
    """A woman born 12/05/1950 in Paris, NIR consistent with it; ``changes`` override."""
    return replace(Traits(matricule=nir("2", 1950, 5), birth_date=date(1950, 5, 12)), **changes)


def _variable(value: str, maximum: int) -> str:
    """A variable-length value and its GS, left out when the value is at its maximum length."""
    return value if len(value) >= maximum else value + GS


def ins_fields(sample: Traits) -> dict[str, str]:
    """Each data block (identifier, value, separator) by identifier, in the ANS order."""
    fields = {
        "S1": "S1" + sample.matricule,
        "S2": "S2" + _variable(sample.oid, 20),
        "S3": "S3" + _variable(sample.first_names, 100),
        "S4": "S4" + _variable(sample.birth_name, 100),
        "S5": "S5" + sample.sex,
        "S6": "S6" + sample.birth_date.strftime("%d-%m-%Y"),
    }
    if sample.birth_place is not None:
        fields["S7"] = "S7" + sample.birth_place
    return fields


def fake_signature(data: str) -> str:
    """Base32 text as long as a 2D-Doc P-256 signature; not a signature (nothing checks it)."""
    return base64.b32encode(hashlib.sha512(data.encode()).digest()).decode().rstrip("=")


def ins_content(
    sample: Traits,
    *,
    order: Sequence[str] | None = None,
    signed: bool = False,
    header: str = INS_HEADER,
) -> str:
    """The decoded text of an INS datamatrix: header then the fields (in ``order`` if given).

    The last field loses its GS (nothing follows it). ``signed`` appends a 2D-Doc-style
    ``US`` + signature, which the reader must ignore.
    """
    fields = ins_fields(sample)
    blocks = [fields[field_id] for field_id in (order or list(fields))]
    blocks[-1] = blocks[-1].removesuffix(GS)
    content = header + "".join(blocks)
    return content + US + fake_signature(content) if signed else content


def two_d_doc_content(document_type: str = "01") -> str:
    """An ANTS 2D-Doc version 04 (a "justificatif de domicile" by default), with a signature."""
    header = "DC04" + "FR00" + "0001" + "1E58" + "1E58" + document_type + "01" + "FR"
    message = "10MME/SPECIMEN/NATACHA" + GS + "22145 AVENUE DES SPECIMENS" + GS + "2475000"
    return header + message + US + fake_signature(header + message)


def datamatrix_image(content: str, *, module: int = 5) -> Image.Image:
    """The square DataMatrix of ``content`` as zxing-cpp's writer draws it, ``module`` px a dot."""
    barcode = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.DataMatrix, force_square=True)
    return Image.fromarray(barcode.to_image(scale=module, add_quiet_zones=True))


def qr_image(content: str, *, module: int = 5) -> Image.Image:
    """A QR code, to prove the reader refuses what is not a datamatrix."""
    barcode = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.QRCode)
    return Image.fromarray(barcode.to_image(scale=module))


def document_page(*symbols: Image.Image) -> Image.Image:
    """A white A4 "compte rendu" with lines of text, the symbols at the top right, one below
    the other (as the ANS puts the datamatrix beside the patient's identity)."""
    page = Image.new("L", PAGE_SIZE, 255)
    draw = ImageDraw.Draw(page)
    draw.text((90, 80), "CABINET INFIRMIER DES TILLEULS", fill=0)
    draw.text((90, 120), "Patiente : MARTIN Lea Marie, nee le 12/05/1950", fill=0)
    draw.text((90, 150), "INS : 2 50 05 75 056 123 -- INS a scanner", fill=0)
    for line in range(32):
        draw.text((90, 420 + line * 36), f"Compte rendu de passage, ligne {line + 1}.", fill=0)
    top = 80
    for symbol in symbols:
        page.paste(symbol, (PAGE_SIZE[0] - 90 - symbol.width, top))
        top += symbol.height + 40
    return page


def rotated(page: Image.Image, degrees: float) -> Image.Image:
    """The page turned as a sheet put askew on the scanner, white where the glass shows."""
    return page.rotate(degrees, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)


def photo_jpeg(page: Image.Image, path: Path, *, scale: float = 0.5, blur: float = 0.8) -> Path:
    """``path`` with the page as a phone photo would give it: smaller, soft, JPEG at 75 %."""
    size = (int(page.width * scale), int(page.height * scale))
    soft = page.resize(size, Image.Resampling.LANCZOS).filter(ImageFilter.GaussianBlur(blur))
    soft.convert("RGB").save(path, "JPEG", quality=75)
    return path


def damaged(page: Image.Image, symbol_box: tuple[int, int, int, int]) -> Image.Image:
    """The page with a white blot over the middle of the symbol (a coffee stain, a tear): 45 %
    of each side, beyond what the symbol's error correction can restore."""
    left, top, right, bottom = symbol_box
    width, height = right - left, bottom - top
    blot = (
        left + int(width * 0.3),
        top + int(height * 0.3),
        left + int(width * 0.75),
        top + int(height * 0.75),
    )
    stained = page.copy()
    ImageDraw.Draw(stained).rectangle(blot, fill=255)
    return stained


def symbol_box(symbol: Image.Image) -> tuple[int, int, int, int]:
    """Where ``document_page`` put its first symbol."""
    left = PAGE_SIZE[0] - 90 - symbol.width
    return (left, 80, left + symbol.width, 80 + symbol.height)


def scanned_pdf(pages: Sequence[Image.Image], path: Path) -> Path:
    """``path``: a PDF whose every page is one of ``pages`` as an embedded image, as a
    scanner's "scan to PDF" makes it (no text, no vector drawing)."""
    document = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for page in pages:
        buffer = io.BytesIO()
        page.save(buffer, "PNG")
        buffer.seek(0)
        document.drawImage(ImageReader(buffer), 0, 0, width=width, height=height)
        document.showPage()
    document.save()
    return path


def vector_pdf(path: Path, text: str = "Compte rendu sans image") -> Path:
    """A PDF with text only, as software prints it directly (its datamatrix would be vectors)."""
    document = canvas.Canvas(str(path), pagesize=A4)
    document.drawString(72, 760, text)
    document.rect(400, 700, 80, 80, fill=1)
    document.showPage()
    document.save()
    return path
