"""The INS datamatrix (ANS) of a health document → a patient draft with a "récupérée" identity.

Software that has qualified a patient's INS prints, next to the identity, a datamatrix with the
matricule INS, its OID and the five identity traits (ANS, « INS — Format datamatrix », v2.2; the
layout, field table and our assumptions are in docs/ins-datamatrix.md). Reading it saves typing
15 digits and five traits, the riskiest part of creating a patient.

The draft's status is RETRIEVED ("Identité récupérée"), never QUALIFIED: a datamatrix tells what
another professional's software knew, it does not show that *this* professional checked the
patient's identity document. The RNIV keeps qualification for that check (a high-trust document
seen, plus an INSi call that ESCAP Desktop does not make), so it stays an explicit step of the
app (``core.rules.identity.qualify_identity``). The symbol's content is not signed either: see
the documentation for why nothing here can prove it authentic.

Every failure raises :class:`ImportReadError` with a French sentence that says what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import zxingcpp
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from pypdf import PdfReader

from escap_desktop.core.entities import IdentityStatus, Patient, Sex
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules import identity
from escap_desktop.imports.errors import ImportReadError
from escap_desktop.imports.two_d_doc import (
    DOC_MARKER,
    INS_MARKER,
    FieldSpec,
    parse_fields,
    parse_header,
    restore_separators,
    split_zones,
)

OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"
_TEST_OIDS = {
    "1.2.250.1.213.1.4.10": "un INS de test",
    "1.2.250.1.213.1.4.11": "un INS de démonstration",
}
_OID_FIRST_DIGITS = {OID_NIR: "12", OID_NIA: "78"}

FIELDS: dict[str, FieldSpec] = {
    spec.id: spec
    for spec in (
        FieldSpec("S1", "le matricule INS", 15, 15),
        FieldSpec("S2", "l'OID du matricule", 1, 20),
        FieldSpec("S3", "la liste des prénoms de naissance", 1, 100),
        FieldSpec("S4", "le nom de naissance", 1, 100),
        FieldSpec("S5", "le sexe", 1, 1),
        FieldSpec("S6", "la date de naissance", 10, 10),
        FieldSpec("S7", "le code du lieu de naissance", 5, 5),
    )
}
"""The ANS data fields; S7 is read when present (older writers leave it out when unknown)."""
_REQUIRED = ("S1", "S2", "S3", "S4", "S5", "S6")

_SEXES = {"M": Sex.MALE, "F": Sex.FEMALE, "I": Sex.INDETERMINATE}
_DATE = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
_AIM_PREFIX = re.compile(r"\]d[0-9]")
"""The symbology identifier some scanners type before the content (``]d1`` for a DataMatrix)."""

IMAGE_FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "GIF")
_MAX_UPSCALED_SIDE = 5000
"""A scan this small is upscaled once to help the decoder; bigger ones already have the pixels."""

_RESCAN = "numérisez le document en 300 dpi au moins, datamatrix bien à plat"
NO_DATAMATRIX = f"Aucun datamatrix n'a été trouvé sur l'image : {_RESCAN}."
UNREADABLE_DATAMATRIX = (
    "Un datamatrix a été repéré mais il est illisible (abîmé, taché, flou ou trop petit) : "
    f"{_RESCAN} et net, ou saisissez l'identité à la main."
)
_MANUAL = "Saisissez l'identité à la main depuis une pièce d'identité."


def _invalid(reason: str) -> ImportReadError:
    return ImportReadError(f"Le datamatrix INS n'est pas valable : {reason} {_MANUAL}")


# --- The decoded text ----------------------------------------------------------------------


def parse_ins_datamatrix(content: str) -> Patient:
    """The patient draft that an INS datamatrix's decoded text describes (see module docstring).

    Names are kept as printed (the ANS writes them in capitals without accents), spaces
    normalised; every other field of the draft has its default, and ``id`` is new.
    """
    text = restore_separators(content).strip(" \t\r\n")
    if _AIM_PREFIX.match(text):
        text = text[3:]
    if not text:
        raise ImportReadError("Le datamatrix est vide : ce n'est pas un datamatrix INS.")
    header = parse_header(text)
    if header is None:
        raise ImportReadError(
            "Ce datamatrix n'est pas un datamatrix INS (il ne commence pas par l'en-tête « IS01 » "
            "de l'ANS) : scannez le datamatrix imprimé à côté de l'identité du patient."
        )
    if header.marker == DOC_MARKER:
        raise ImportReadError(
            f"Ce datamatrix est un 2D-Doc {header.document_label}, pas un datamatrix INS : "
            "scannez le datamatrix imprimé à côté de l'identité du patient."
        )
    assert header.marker == INS_MARKER
    fields = parse_fields(split_zones(text, header).message, FIELDS)
    missing = [FIELDS[field_id].label for field_id in _REQUIRED if field_id not in fields]
    if missing:
        raise _invalid(f"il y manque {', '.join(missing)} (datamatrix incomplet ou coupé).")
    cut = [FIELDS[read.id].label for read in fields.values() if read.truncated]
    if cut:
        raise _invalid(f"le logiciel qui l'a imprimé y a tronqué {cut[0]}.")
    values = {field_id: read.value for field_id, read in fields.items()}
    ins = _ins(values["S1"], values["S2"])
    sex = _sex(values["S5"])
    birth_date = _birth_date(values["S6"])
    problems = identity.nir_consistency_problems(ins, sex, birth_date)
    if problems:
        raise _invalid(f"il se contredit. {problems[0].message}")
    return Patient(
        birth_name=_name(values["S4"], "birth_name"),
        first_names=_name(values["S3"], "first_names"),
        birth_date=birth_date,
        sex=sex,
        birth_place_code=_birth_place(values.get("S7", "")),
        ins=ins,
        identity_status=IdentityStatus.RETRIEVED,
    )


def _ins(matricule: str, oid: str) -> str:
    """The checked 15-character matricule, refused when its OID is not the NIR's or the NIA's."""
    if oid in _TEST_OIDS:
        raise _invalid(f"il porte {_TEST_OIDS[oid]} (OID {oid}), jamais celui d'un vrai patient.")
    if oid not in _OID_FIRST_DIGITS:
        raise _invalid(
            f"l'OID du matricule (« {oid} ») n'est ni celui du NIR ({OID_NIR}) ni celui du NIA "
            f"({OID_NIA})."
        )
    try:
        nir = identity.validate_nir(matricule)
    except ValidationError as error:
        raise _invalid(f"son matricule INS est faux. {error.message}") from None
    if nir[0] not in _OID_FIRST_DIGITS[oid]:
        kind, digits = ("NIR", "1 ou 2") if oid == OID_NIR else ("NIA", "7 ou 8")
        raise _invalid(f"il annonce un {kind}, qui commence par {digits}, mais porte {nir}.")
    return nir


def _sex(code: str) -> Sex:
    if code not in _SEXES:
        raise _invalid(f"le sexe (« {code} ») n'est ni M ni F.")
    return _SEXES[code]


def _birth_date(value: str) -> date:
    """JJ-MM-AAAA; a date with 00 for an unknown day or month cannot make a patient record."""
    match = _DATE.fullmatch(value)
    if match is None:
        raise _invalid(f"la date de naissance (« {value} ») n'est pas au format JJ-MM-AAAA.")
    day, month, year = (int(part) for part in match.groups())
    if day == 0 or month == 0:
        raise ImportReadError(
            f"La date de naissance du datamatrix INS est incomplète (« {value} » : jour ou mois "
            f"inconnu à l'état civil) et ESCAP Desktop ne peut pas l'enregistrer. {_MANUAL}"
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise _invalid(f"la date de naissance (« {value} ») n'existe pas.") from None


def _name(value: str, field_name: str) -> str:
    try:
        return identity.validate_name(value, field_name)
    except ValidationError as error:
        raise _invalid(error.message) from None


def _birth_place(value: str) -> str:
    try:
        return identity.validate_birth_place_code(value)
    except ValidationError as error:
        raise _invalid(error.message) from None


# --- Images --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Scan:
    """What the decoder saw on one or more images, kept to choose the most useful message."""

    texts: list[str] = field(default_factory=list)
    unreadable: int = 0
    others: list[str] = field(default_factory=list)

    def add(self, other: _Scan) -> None:
        self.texts.extend(text for text in other.texts if text not in self.texts)
        self.unreadable += other.unreadable
        self.others.extend(other.others)


def read_ins_datamatrix_image(image: Image.Image) -> Patient:
    """The patient draft from the INS datamatrix on ``image`` (a photo or a scanned page).

    The decoder looks in every direction (rotated pages, a symbol at an angle) and, when the
    image gives nothing, tries again on an enlarged and a contrast-stretched copy: cheap, and
    what rescues a 150 dpi scan or a faded print. When the image holds several datamatrix (a
    2D-Doc and the INS one, say), the INS one is used.
    """
    return _patient_from(_scan(image))


def _scan(image: Image.Image) -> _Scan:
    gray = _grayscale(image)
    scan = _decode(gray)
    for variant in _variants(gray):
        if any(_is_ins(text) for text in scan.texts):
            break
        scan.add(_decode(variant))
    if not scan.texts and not scan.unreadable:
        found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormats(_OTHER_FORMATS))
        scan.others.extend(_format_name(barcode.format) for barcode in found)
    return scan


def _grayscale(image: Image.Image) -> Image.Image:
    """8-bit gray, transparent parts on white (a transparent PNG would otherwise be black)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        background = Image.new("RGBA", image.size, "white")
        return Image.alpha_composite(background, image.convert("RGBA")).convert("L")
    return image.convert("L")


def _variants(gray: Image.Image) -> Iterator[Image.Image]:
    if max(gray.size) * 2 <= _MAX_UPSCALED_SIDE:
        yield gray.resize((gray.width * 2, gray.height * 2), Image.Resampling.BICUBIC)
    yield ImageOps.autocontrast(gray, cutoff=2)


def _decode(gray: Image.Image) -> _Scan:
    scan = _Scan()
    for barcode in zxingcpp.read_barcodes(
        gray,
        formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix),
        try_rotate=True,
        try_downscale=True,
        try_invert=True,
        text_mode=zxingcpp.TextMode.Plain,
        return_errors=True,
    ):
        if barcode.valid:
            scan.texts.append(barcode.text)
        else:
            scan.unreadable += 1
    return scan


_OTHER_FORMATS: Sequence[zxingcpp.BarcodeFormat] = [
    zxingcpp.BarcodeFormat.QRCode,
    zxingcpp.BarcodeFormat.MicroQRCode,
    zxingcpp.BarcodeFormat.Aztec,
    zxingcpp.BarcodeFormat.PDF417,
    zxingcpp.BarcodeFormat.Code128,
    zxingcpp.BarcodeFormat.EAN13,
]


def _format_name(barcode_format: zxingcpp.BarcodeFormat) -> str:
    names = {
        zxingcpp.BarcodeFormat.QRCode: "un QR code",
        zxingcpp.BarcodeFormat.MicroQRCode: "un QR code",
        zxingcpp.BarcodeFormat.Aztec: "un code Aztec",
        zxingcpp.BarcodeFormat.PDF417: "un code PDF417",
    }
    return names.get(barcode_format, "un code-barres")


def _is_ins(text: str) -> bool:
    return restore_separators(text).strip(" \t\r\n").startswith(INS_MARKER)


def _patient_from(scan: _Scan) -> Patient:
    """The one patient the decoded symbols give, or the error that tells the most.

    An INS symbol's own fault comes first; then a symbol seen but not decoded (likely the INS
    one, when the page also has a 2D-Doc or another datamatrix); then why the others are not
    INS datamatrix; then what else the page has.
    """
    patients: list[Patient] = []
    errors: list[tuple[bool, ImportReadError]] = []
    for text in scan.texts:
        try:
            patients.append(parse_ins_datamatrix(text))
        except ImportReadError as error:
            errors.append((_is_ins(text), error))
    if patients:
        if len({replace(patient, id="") for patient in patients}) > 1:
            raise ImportReadError(
                "Le document porte les datamatrix INS de plusieurs patients différents : "
                "numérisez seulement la page du patient à créer."
            )
        return patients[0]
    errors.sort(key=lambda pair: not pair[0])
    if errors and (errors[0][0] or not scan.unreadable):
        raise errors[0][1]
    if scan.unreadable:
        raise ImportReadError(UNREADABLE_DATAMATRIX)
    if scan.others:
        raise ImportReadError(
            f"L'image porte {scan.others[0]}, pas un datamatrix : le datamatrix INS est un petit "
            "carré de points imprimé à côté de l'identité du patient. Numérisez cette partie du "
            "document."
        )
    raise ImportReadError(NO_DATAMATRIX)


# --- Files ---------------------------------------------------------------------------------


def read_ins_datamatrix(path: Path) -> Patient:
    """The patient draft from a PNG, JPEG, TIFF, BMP or GIF image, or from a PDF.

    Every frame of a multi-page TIFF or GIF is tried. A PDF is read as a *scanned* document:
    the images embedded in its pages are taken out (pypdf) and each is decoded. A datamatrix
    that a PDF draws as vectors (the PDF produced directly by the issuing software) is not read
    this way: the message then asks for a scan, or an image of the page.
    """
    try:
        with path.open("rb") as file:
            start = file.read(8)
    except FileNotFoundError:
        raise ImportReadError(f"Le fichier « {path.name} » est introuvable.") from None
    except OSError:
        raise ImportReadError(
            f"Le fichier « {path.name} » ne peut pas être ouvert (dossier, droits insuffisants "
            "ou disque indisponible) : copiez-le dans vos documents puis réessayez."
        ) from None
    if start.startswith(b"%PDF-"):
        return _read_pdf(path)
    return _read_image_file(path, looks_like_image=start.startswith(_IMAGE_MAGICS))


_IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


def _read_image_file(path: Path, *, looks_like_image: bool) -> Patient:
    try:
        with Image.open(path, formats=IMAGE_FORMATS) as image:
            frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except UnidentifiedImageError:
        if looks_like_image:
            raise _damaged_image(path) from None
        raise ImportReadError(
            f"Le fichier « {path.name} » n'est ni une image (PNG, JPEG, TIFF, BMP, GIF) ni un "
            "PDF : numérisez le document dans l'un de ces formats."
        ) from None
    except Image.DecompressionBombError:
        raise ImportReadError(
            f"L'image « {path.name} » est trop grande pour être lue sans risque : numérisez le "
            "document en 300 dpi."
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # How Pillow reports a damaged or cut file, often only once the pixels are decoded.
        raise _damaged_image(path) from None
    scan = _Scan()
    for frame in frames:
        scan.add(_scan(frame))
    return _patient_from(scan)


def _damaged_image(path: Path) -> ImportReadError:
    return ImportReadError(
        f"L'image « {path.name} » est endommagée ou incomplète : numérisez à nouveau le document."
    )


def _damaged_pdf(path: Path) -> ImportReadError:
    return ImportReadError(
        f"Le PDF « {path.name} » est endommagé et ne peut pas être lu : numérisez à nouveau le "
        "document."
    )


def _read_pdf(path: Path) -> Patient:
    try:
        reader = PdfReader(path)
        encrypted = reader.is_encrypted and not reader.decrypt("")
    except Exception:
        # pypdf parses untrusted bytes and a malformed file can surface as almost any error
        # (PdfReadError, KeyError, TypeError, RecursionError...): all mean "damaged" here.
        raise _damaged_pdf(path) from None
    if encrypted:
        raise ImportReadError(
            f"Le PDF « {path.name} » est protégé par un mot de passe : enregistrez-le sans "
            "protection, ou numérisez le document imprimé."
        )
    scan = _Scan()
    count = 0
    for image in _pdf_images(reader, path):
        count += 1
        scan.add(_scan(image))
    if not count:
        raise ImportReadError(
            f"Le PDF « {path.name} » ne contient aucune image numérisée : son datamatrix est "
            "sans doute dessiné en vecteurs, ce que ESCAP Desktop ne lit pas. Numérisez le "
            "document imprimé, ou enregistrez la page en image (PNG), puis importez ce fichier."
        )
    return _patient_from(scan)


def _pdf_images(reader: PdfReader, path: Path) -> Iterator[Image.Image]:
    """Every embedded image of every page, one at a time (a long scan is not held in memory).

    Only pypdf's calls are guarded, for the reason given in ``_read_pdf``: a damaged page
    structure makes the whole file unreadable, one image that cannot be decoded (an exotic
    filter) is skipped and the others are still tried.
    """
    try:
        pages = list(reader.pages)
    except Exception:
        raise _damaged_pdf(path) from None
    for page in pages:
        try:
            embedded = page.images
            count = len(embedded)
        except Exception:
            raise _damaged_pdf(path) from None
        for index in range(count):
            try:
                image = embedded[index].image
            except Exception:  # see the docstring: skip this image, try the others
                continue
            if image is not None:
                yield image
