"""Reading the INS datamatrix of a health document as a patient draft: what the professional sees
after choosing the scan (or a photo) of a letter, a prescription or a lab result printed by
software that had qualified the patient's INS."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from escap_desktop.core.entities import IdentityStatus, Patient, Sex
from escap_desktop.imports.errors import ImportReadError
from escap_desktop.imports.ins_datamatrix import (
    NO_DATAMATRIX,
    UNREADABLE_DATAMATRIX,
    parse_ins_datamatrix,
    read_ins_datamatrix,
    read_ins_datamatrix_image,
)
from tests.imports.datamatrix_samples import (
    GS,
    OID_NIA,
    RS,
    Traits,
    damaged,
    datamatrix_image,
    document_page,
    ins_content,
    nir,
    photo_jpeg,
    qr_image,
    rotated,
    scanned_pdf,
    symbol_box,
    traits,
    two_d_doc_content,
    vector_pdf,
)

LEA = traits()
"""MARTIN Léa Marie, born 12/05/1950 in Paris, NIR 2 50 05 75056 123 (valid key)."""


def page_of(sample: Traits = LEA) -> Image.Image:
    return document_page(datamatrix_image(ins_content(sample)))


def saved(image: Image.Image, path: Path) -> Path:
    image.save(path)
    return path


def refusal_of_content(content: str) -> str:
    with pytest.raises(ImportReadError) as raised:
        parse_ins_datamatrix(content)
    return raised.value.message


def refusal_of_file(path: Path) -> str:
    with pytest.raises(ImportReadError) as raised:
        read_ins_datamatrix(path)
    return raised.value.message


def assert_is_lea(patient: Patient) -> None:
    assert patient.birth_name == "MARTIN"
    assert patient.first_names == "LEA MARIE"
    assert patient.birth_date == date(1950, 5, 12)
    assert patient.sex is Sex.FEMALE
    assert patient.birth_place_code == "75056"
    assert patient.ins == LEA.matricule


# --- What a clean document gives ------------------------------------------------------------


def test_a_clean_scan_fills_every_trait_and_the_ins(tmp_path: Path) -> None:
    patient = read_ins_datamatrix(saved(page_of(), tmp_path / "courrier.png"))

    assert_is_lea(patient)
    assert patient.identity_status is IdentityStatus.RETRIEVED
    assert (patient.used_name, patient.used_first_name, patient.phone, patient.address) == (
        "",
        "",
        "",
        "",
    )
    assert patient.medecin_traitant_id is None
    assert patient.identity_document is None
    assert patient.identity_verified_by is None


def test_the_identity_is_retrieved_never_qualified_and_each_read_is_a_new_draft(
    tmp_path: Path,
) -> None:
    path = saved(page_of(), tmp_path / "courrier.png")
    first, second = read_ins_datamatrix(path), read_ins_datamatrix(path)
    assert first.identity_status is second.identity_status is IdentityStatus.RETRIEVED
    assert first.id != second.id


def test_a_nia_of_a_man_born_abroad_is_read() -> None:
    sample = traits(
        matricule=nir("7", 1974, 12, place="99134"),
        oid=OID_NIA,
        sex="M",
        birth_name="GARCIA LOPEZ",
        first_names="JUAN CARLOS",
        birth_date=date(1974, 12, 3),
        birth_place="99134",
    )
    patient = read_ins_datamatrix_image(page_of(sample))
    assert patient.ins == sample.matricule
    assert patient.ins.startswith("7")
    assert (patient.sex, patient.birth_place_code) == (Sex.MALE, "99134")
    assert (patient.birth_name, patient.first_names) == ("GARCIA LOPEZ", "JUAN CARLOS")


def test_a_birth_in_corsica_keeps_2a_in_the_nir_and_the_birth_place() -> None:
    sample = traits(
        matricule=nir("1", 1980, 3, place="2A004"),
        sex="M",
        birth_name="SANTONI",
        first_names="PAUL-ANTOINE",
        birth_date=date(1980, 3, 9),
        birth_place="2A004",
    )
    patient = read_ins_datamatrix_image(page_of(sample))
    assert patient.ins[5:7] == "2A"
    assert patient.birth_place_code == "2A004"
    assert patient.first_names == "PAUL-ANTOINE"


def test_names_with_apostrophes_and_several_first_names_are_kept_as_printed() -> None:
    sample = traits(birth_name="D'ARTAGNAN", first_names="MARIE  ANNE   JOSEPHINE")
    patient = parse_ins_datamatrix(ins_content(sample))
    assert patient.birth_name == "D'ARTAGNAN"
    assert patient.first_names == "MARIE ANNE JOSEPHINE"


# --- What scanning does to a page -----------------------------------------------------------


@pytest.mark.parametrize("degrees", [90, 180, 15, -12])
def test_a_page_scanned_askew_or_turned_is_read(tmp_path: Path, degrees: int) -> None:
    path = saved(rotated(page_of(), degrees), tmp_path / "courrier.png")
    assert_is_lea(read_ins_datamatrix(path))


def test_a_phone_photo_saved_as_jpeg_is_read(tmp_path: Path) -> None:
    path = photo_jpeg(rotated(page_of(), 4), tmp_path / "photo.jpg")
    assert_is_lea(read_ins_datamatrix(path))


def test_a_small_low_resolution_scan_is_still_read(tmp_path: Path) -> None:
    """Under two pixels a dot, too few for the decoder as is: the reader enlarges the image."""
    path = photo_jpeg(page_of(), tmp_path / "petit.jpg", scale=0.3, blur=0.3)
    assert_is_lea(read_ins_datamatrix(path))


def test_a_scanned_pdf_is_read_whatever_the_page_with_the_symbol(tmp_path: Path) -> None:
    blank = document_page()
    path = scanned_pdf([blank, page_of()], tmp_path / "scan.pdf")
    assert_is_lea(read_ins_datamatrix(path))


def test_the_second_page_of_a_multi_page_tiff_is_read(tmp_path: Path) -> None:
    path = tmp_path / "scan.tiff"
    document_page().save(path, save_all=True, append_images=[page_of()])
    assert_is_lea(read_ins_datamatrix(path))


@pytest.mark.parametrize("suffix", ["bmp", "gif"])
def test_bmp_and_gif_images_are_read(tmp_path: Path, suffix: str) -> None:
    assert_is_lea(read_ins_datamatrix(saved(page_of(), tmp_path / f"scan.{suffix}")))


def test_a_transparent_png_is_read_on_white() -> None:
    symbol = datamatrix_image(ins_content(LEA)).convert("RGBA")
    transparent = Image.new("RGBA", (symbol.width + 80, symbol.height + 80), (0, 0, 0, 0))
    black_dots = Image.new("RGBA", symbol.size, (0, 0, 0, 255))
    transparent.paste(black_dots, (40, 40), mask=Image.eval(symbol.convert("L"), lambda v: 255 - v))
    assert_is_lea(read_ins_datamatrix_image(transparent))


def test_the_ins_symbol_is_chosen_among_several_datamatrix_on_the_page() -> None:
    other = datamatrix_image(two_d_doc_content())
    page = document_page(other, datamatrix_image(ins_content(LEA)))
    assert_is_lea(read_ins_datamatrix_image(page))


def test_two_datamatrix_of_different_patients_are_refused() -> None:
    paul = traits(
        matricule=nir("1", 1962, 7),
        birth_date=date(1962, 7, 1),
        sex="M",
        birth_name="DURAND",
        first_names="PAUL",
    )
    page = document_page(datamatrix_image(ins_content(LEA)), datamatrix_image(ins_content(paul)))
    with pytest.raises(ImportReadError, match="plusieurs patients différents"):
        read_ins_datamatrix_image(page)


# --- What cannot be read --------------------------------------------------------------------


def test_a_damaged_symbol_says_it_is_unreadable_and_how_to_scan_again() -> None:
    symbol = datamatrix_image(ins_content(LEA))
    page = damaged(document_page(symbol), symbol_box(symbol))
    with pytest.raises(ImportReadError) as raised:
        read_ins_datamatrix_image(page)
    assert raised.value.message in (UNREADABLE_DATAMATRIX, NO_DATAMATRIX)
    assert "300 dpi" in raised.value.message


def test_a_damaged_ins_symbol_beside_a_2d_doc_is_reported_as_unreadable() -> None:
    """The message is about the symbol the professional wanted, not the 2D-Doc next to it."""
    ins_symbol = datamatrix_image(ins_content(LEA))
    page = document_page(ins_symbol, datamatrix_image(two_d_doc_content()))
    with pytest.raises(ImportReadError) as raised:
        read_ins_datamatrix_image(damaged(page, symbol_box(ins_symbol)))
    assert raised.value.message == UNREADABLE_DATAMATRIX


def test_a_page_without_any_symbol_asks_for_a_300_dpi_scan(tmp_path: Path) -> None:
    message = refusal_of_file(saved(document_page(), tmp_path / "lettre.png"))
    assert message == (
        "Aucun datamatrix n'a été trouvé sur l'image : numérisez le document en 300 dpi au "
        "moins, datamatrix bien à plat."
    )


def test_a_qr_code_is_refused_as_not_a_datamatrix() -> None:
    page = document_page(qr_image("https://www.ameli.fr/"))
    with pytest.raises(ImportReadError, match="porte un QR code, pas un datamatrix"):
        read_ins_datamatrix_image(page)


def test_a_datamatrix_with_other_content_is_refused() -> None:
    page = document_page(datamatrix_image("LOT 2291-A EXP 2027-03 REF 4021"))
    with pytest.raises(ImportReadError, match="n'est pas un datamatrix INS"):
        read_ins_datamatrix_image(page)


def test_a_2d_doc_of_another_document_type_is_refused_naming_it() -> None:
    page = document_page(datamatrix_image(two_d_doc_content("01")))
    with pytest.raises(ImportReadError) as raised:
        read_ins_datamatrix_image(page)
    assert raised.value.message.startswith(
        "Ce datamatrix est un 2D-Doc « justificatif de domicile (facture) » (type 01), pas un "
        "datamatrix INS"
    )
    assert "type B2" in refusal_of_content(two_d_doc_content("B2"))


def test_a_pdf_without_images_says_vector_datamatrix_are_not_read(tmp_path: Path) -> None:
    message = refusal_of_file(vector_pdf(tmp_path / "ordonnance.pdf"))
    assert "aucune image numérisée" in message
    assert "vecteurs" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"Ceci est une lettre, pas une image.\n", "n'est ni une image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "endommagée ou incomplète"),
        (b"%PDF-1.7\n1 0 obj garbage", "endommagé"),
        (b"", "n'est ni une image"),
    ],
)
def test_a_file_that_is_not_a_readable_image_or_pdf_is_refused(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(content)
    assert expected in refusal_of_file(path)


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    assert "est introuvable" in refusal_of_file(tmp_path / "absent.png")
    assert "ne peut pas être ouvert" in refusal_of_file(tmp_path)


# --- The content itself ---------------------------------------------------------------------


def test_fields_in_any_order_and_a_trailing_signature_are_read() -> None:
    content = ins_content(LEA, order=["S4", "S1", "S7", "S6", "S2", "S5", "S3"], signed=True)
    assert_is_lea(parse_ins_datamatrix(content))


def test_separators_spelled_out_by_a_scanner_are_understood() -> None:
    content = "]d2" + ins_content(LEA).replace(GS, "<GS>") + "\r\n"
    assert_is_lea(parse_ins_datamatrix(content))


def test_a_name_at_its_maximum_length_carries_no_separator() -> None:
    long_name = "A" * 100
    patient = parse_ins_datamatrix(ins_content(traits(birth_name=long_name)))
    assert patient.birth_name == long_name


def test_without_birth_place_the_draft_has_none() -> None:
    patient = parse_ins_datamatrix(ins_content(traits(birth_place=None)))
    assert patient.birth_place_code == ""


@pytest.mark.parametrize(
    ("cut", "expected"),
    [
        (30, "coupé"),  # inside the matricule
        (70, "il y manque"),  # after the first names
        (-3, "coupé"),  # inside the birth place
        (-9, "coupé"),  # inside the birth date
        (20, "coupé dès son en-tête"),
    ],
)
def test_a_truncated_content_is_refused(cut: int, expected: str) -> None:
    message = refusal_of_content(ins_content(LEA)[:cut])
    assert expected in message
    assert "saisissez l'identité à la main" in message.lower()


def test_a_value_truncated_by_the_issuer_is_refused() -> None:
    content = ins_content(LEA).replace("LEA MARIE" + GS, "LEA MA" + RS)
    assert "tronqué la liste des prénoms" in refusal_of_content(content)


def test_a_nir_with_a_wrong_key_is_refused_with_the_expected_key() -> None:
    good = LEA.matricule
    wrong = good[:13] + f"{(int(good[13:]) % 97) + 1:02d}"
    message = refusal_of_content(ins_content(traits(matricule=wrong)))
    assert message.startswith("Le datamatrix INS n'est pas valable : son matricule INS est faux.")
    assert f"attendue : {good[13:]}" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"matricule": LEA.matricule[:14]}, "champ inconnu"),
        ({"oid": "1.2.250.1.213.1.4.2"}, "ni celui du NIR"),
        ({"oid": "1.2.250.1.213.1.4.10"}, "INS de test"),
        ({"oid": OID_NIA}, "annonce un NIA"),
        ({"sex": "X"}, "n'est ni M ni F"),
        ({"sex": "M"}, "il se contredit"),
        ({"birth_date": date(1951, 5, 12)}, "il se contredit"),
        ({"birth_name": "MARTIN2"}, "chiffres"),
        ({"birth_place": "00123"}, "n'est pas un code INSEE"),
    ],
)
def test_an_invalid_ins_datamatrix_is_refused(changes: dict[str, object], expected: str) -> None:
    message = refusal_of_content(ins_content(traits(**changes)))
    assert expected in message


@pytest.mark.parametrize(
    ("date_text", "expected"),
    [("31-02-1950", "n'existe pas"), ("1950-05-12", "JJ-MM-AAAA"), ("00-00-1950", "incomplète")],
)
def test_a_bad_birth_date_is_refused(date_text: str, expected: str) -> None:
    content = ins_content(LEA).replace("S612-05-1950", "S6" + date_text)
    assert expected in refusal_of_content(content)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "vide"),
        ("https://www.ameli.fr/", "n'est pas un datamatrix INS"),
        ("IS02" + "0" * 22 + "S1", "version"),
        (ins_content(LEA) + "Z9ABC", "champ inconnu"),
        (ins_content(LEA) + "S5F", "deux fois le sexe"),
    ],
)
def test_other_contents_are_refused(content: str, expected: str) -> None:
    assert expected in refusal_of_content(content)


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÉÈÇÏ"
_WORD = st.text(alphabet=_LETTERS, min_size=1, max_size=10)
_NAME = st.lists(st.tuples(_WORD, st.sampled_from([" ", "-", "'"])), min_size=1, max_size=5).map(
    lambda parts: "".join(word + sep for word, sep in parts)[:-1][:100].strip(" -'")
)


@st.composite
def ins_traits(draw: st.DrawFn) -> Traits:
    """Consistent traits: the NIR (or NIA) agrees with the sex and the birth date."""
    birth_date = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)))
    is_nia = draw(st.booleans())
    sex = draw(st.sampled_from("MF"))
    digit = {("M", False): "1", ("F", False): "2", ("M", True): "7", ("F", True): "8"}
    department = draw(st.sampled_from([f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]))
    place = department + f"{draw(st.integers(1, 999)):03d}"
    order = f"{draw(st.integers(1, 999)):03d}"
    return Traits(
        matricule=nir(digit[(sex, is_nia)], birth_date.year, birth_date.month, place, order),
        birth_date=birth_date,
        sex=sex,
        birth_name=draw(_NAME.filter(bool)),
        first_names=draw(_NAME.filter(bool)),
        birth_place=draw(st.sampled_from([place, "99100", None])),
        oid=OID_NIA if is_nia else "1.2.250.1.213.1.4.8",
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(sample=ins_traits(), signed=st.booleans(), reverse=st.booleans())
def test_any_valid_content_gives_back_its_traits(
    sample: Traits, signed: bool, reverse: bool
) -> None:
    order = ["S7", "S6", "S5", "S4", "S3", "S2", "S1"] if reverse else None
    if order and sample.birth_place is None:
        order.remove("S7")
    patient = parse_ins_datamatrix(ins_content(sample, order=order, signed=signed))
    assert patient.ins == sample.matricule
    assert patient.birth_name == sample.birth_name
    assert patient.first_names == sample.first_names
    assert patient.birth_date == sample.birth_date
    assert patient.sex.value == sample.sex
    assert patient.birth_place_code == (sample.birth_place or "")
    assert patient.identity_status is IdentityStatus.RETRIEVED
