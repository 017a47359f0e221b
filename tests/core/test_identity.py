from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from escap_desktop.core.entities import (
    IdentifierKind,
    IdentityDocument,
    IdentityStatus,
    Profession,
    Sex,
)
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules import identity
from tests.core.builders import TODAY, make_nir, make_patient, make_professional, nir_key, wrong_key

# --- NIR format and key ----------------------------------------------------------------------


def test_a_valid_nir_is_returned_in_its_15_character_form() -> None:
    nir = make_nir("1", 62, 11, "69123", "045")
    assert identity.validate_nir(nir) == nir


def test_spaces_of_every_kind_are_accepted() -> None:
    nir = make_nir("1", 62, 11, "69123", "045")
    typed = (
        f"{nir[0]} {nir[1:3]} {nir[3:5]}\u00a0{nir[5:7]} {nir[7:10]}\u202f{nir[10:13]}  {nir[13:]}"
    )
    assert identity.validate_nir(typed) == nir


@pytest.mark.parametrize("department", ["2A", "2B"])
def test_corsican_nirs_are_valid_with_their_own_key(department: str) -> None:
    nir = make_nir("2", 80, 7, f"{department}004", "012")
    assert identity.validate_nir(nir) == nir
    assert identity.validate_nir(nir.lower()) == nir


def test_corsican_key_counts_2a_as_19_and_2b_as_18() -> None:
    body_2a = "28007" + "2A" + "004012"
    body_2b = "28007" + "2B" + "004012"
    assert nir_key(body_2a) == f"{97 - int('2800719004012') % 97:02d}"
    assert nir_key(body_2b) == f"{97 - int('2800718004012') % 97:02d}"


@pytest.mark.parametrize("department", ["2A", "2B"])
def test_corsican_nir_with_a_wrong_key_names_the_expected_key(department: str) -> None:
    nir = make_nir("2", 80, 7, f"{department}004", "012")
    with pytest.raises(ValidationError) as error:
        identity.validate_nir(wrong_key(nir))
    assert error.value.field == "ins"
    assert f"La clé du NIR est incorrecte (attendue : {nir[13:]})" in error.value.message


def test_corsican_key_computed_as_if_digits_is_refused() -> None:
    body = "28007" + "2A" + "004012"
    naive = body + f"{97 - int('2800720004012') % 97:02d}"
    assert naive[13:] != nir_key(body)
    with pytest.raises(ValidationError, match="La clé du NIR est incorrecte"):
        identity.validate_nir(naive)


def test_wrong_key_message_names_the_expected_key() -> None:
    nir = make_nir("1", 47, 3, "13055", "201")
    with pytest.raises(ValidationError) as error:
        identity.validate_nir(wrong_key(nir))
    assert error.value.field == "ins"
    assert error.value.message.startswith(f"La clé du NIR est incorrecte (attendue : {nir[13:]}).")


def test_an_empty_nir_is_refused() -> None:
    with pytest.raises(ValidationError, match="Le NIR est vide") as error:
        identity.validate_nir("   ")
    assert error.value.field == "ins"


@pytest.mark.parametrize(("length", "word"), [(14, "14 saisis"), (16, "16 saisis"), (1, "1 saisi")])
def test_a_nir_of_the_wrong_length_says_how_many_were_typed(length: int, word: str) -> None:
    nir = (make_nir() * 2)[:length]
    with pytest.raises(ValidationError, match="15 caractères") as error:
        identity.validate_nir(nir)
    assert word in error.value.message


def test_a_sign_in_the_nir_is_named() -> None:
    with pytest.raises(ValidationError, match="le caractère « - » n'est pas permis"):
        identity.validate_nir("1-62-11-69123-045-12")


def test_letters_are_only_allowed_for_corsica() -> None:
    nir = make_nir("1", 62, 11, "69123", "045")
    with pytest.raises(ValidationError, match="6e et 7e position"):
        identity.validate_nir(nir[:8] + "A" + nir[9:])
    with pytest.raises(ValidationError, match="6e et 7e position"):
        identity.validate_nir(nir[:5] + "AB" + nir[7:])
    with pytest.raises(ValidationError, match="n'est pas permis"):
        identity.validate_nir(nir[:5] + "2C" + nir[7:])


@pytest.mark.parametrize("digit", ["3", "4"])
def test_provisional_numbers_3_and_4_are_not_an_ins(digit: str) -> None:
    with pytest.raises(ValidationError, match="numéro provisoire d'immatriculation"):
        identity.validate_nir(make_nir(digit))


@pytest.mark.parametrize("digit", ["0", "5", "6", "9"])
def test_first_digits_that_name_no_sex_are_refused(digit: str) -> None:
    with pytest.raises(ValidationError, match=f"« {digit} » n'est pas possible"):
        identity.validate_nir(make_nir(digit))


@pytest.mark.parametrize("digit", ["1", "2", "7", "8"])
def test_nir_and_nia_first_digits_are_accepted(digit: str) -> None:
    nir = make_nir(digit)
    assert identity.validate_nir(nir) == nir


@pytest.mark.parametrize("month", [1, 12, 20, 30, 42, 50, 99])
def test_real_and_unknown_month_codes_are_accepted(month: int) -> None:
    nir = make_nir(month=month)
    assert identity.validate_nir(nir) == nir


@pytest.mark.parametrize("month", [0, 13, 19, 43, 49])
def test_month_codes_that_do_not_exist_are_refused(month: int) -> None:
    with pytest.raises(ValidationError, match=f"« {month:02d} »\\) n'existe pas"):
        identity.validate_nir(make_nir(month=month))


nir_bodies = st.builds(
    lambda sex, year, month, department, commune, order: (
        f"{sex}{year:02d}{month:02d}{department}{commune:03d}{order:03d}"
    ),
    st.sampled_from("1278"),
    st.integers(0, 99),
    st.integers(1, 12) | st.integers(20, 42) | st.integers(50, 99),
    st.sampled_from(["01", "13", "2A", "2B", "75", "95", "97", "99"]),
    st.integers(1, 999),
    st.integers(1, 999),
)


@settings(database=None)
@given(nir_bodies)
def test_every_nir_with_its_computed_key_is_valid(body: str) -> None:
    nir = body + nir_key(body)
    assert identity.validate_nir(nir) == nir


@settings(database=None)
@given(nir_bodies, st.integers(1, 96))
def test_every_other_key_is_refused_with_the_right_one_named(body: str, shift: int) -> None:
    key = nir_key(body)
    other = f"{(int(key) - 1 + shift) % 97 + 1:02d}"
    with pytest.raises(ValidationError) as error:
        identity.validate_nir(body + other)
    assert f"(attendue : {key})" in error.value.message


@settings(database=None)
@given(nir_bodies, st.integers(0, 12), st.integers(1, 9))
def test_a_single_digit_typo_is_caught_by_the_key(body: str, position: int, delta: int) -> None:
    if not body[position].isdigit():
        return
    typo = body[:position] + str((int(body[position]) + delta) % 10) + body[position + 1 :]
    try:
        identity.validate_nir(typo + nir_key(body))
    except ValidationError:
        return
    pytest.fail(f"la faute de frappe {typo} n'est pas détectée")


# --- NIR against the identity traits ---------------------------------------------------------


def test_nir_consistent_with_the_traits_has_no_problem() -> None:
    assert (
        identity.nir_consistency_problems(make_nir("2", 50, 5), Sex.FEMALE, date(1950, 5, 12)) == []
    )


def test_nir_of_a_woman_for_a_man_is_a_problem() -> None:
    problems = identity.nir_consistency_problems(make_nir("2", 50, 5), Sex.MALE, date(1950, 5, 12))
    assert [p.message for p in problems] == [
        "Le NIR commence par 2 (une femme) alors que le sexe saisi est « Masculin »."
    ]
    assert problems[0].field == "ins"


def test_nir_of_a_man_for_a_woman_is_a_problem() -> None:
    problems = identity.nir_consistency_problems(
        make_nir("1", 50, 5), Sex.FEMALE, date(1950, 5, 12)
    )
    assert len(problems) == 1
    assert "sexe saisi est « Féminin »" in problems[0].message


@pytest.mark.parametrize(("digit", "sex"), [("7", Sex.MALE), ("8", Sex.FEMALE)])
def test_nia_sex_is_read_from_parity(digit: str, sex: Sex) -> None:
    assert identity.nir_consistency_problems(make_nir(digit, 50, 5), sex, date(1950, 5, 12)) == []
    other = Sex.FEMALE if sex is Sex.MALE else Sex.MALE
    assert (
        len(identity.nir_consistency_problems(make_nir(digit, 50, 5), other, date(1950, 5, 12)))
        == 1
    )


@pytest.mark.parametrize("digit", ["1", "2", "7", "8"])
def test_indeterminate_sex_accepts_any_nir(digit: str) -> None:
    nir = make_nir(digit, 50, 5)
    assert identity.nir_consistency_problems(nir, Sex.INDETERMINATE, date(1950, 5, 12)) == []


def test_year_must_match_the_birth_year() -> None:
    problems = identity.nir_consistency_problems(
        make_nir("2", 51, 5), Sex.FEMALE, date(1950, 5, 12)
    )
    assert [p.message for p in problems] == [
        "L'année de naissance du NIR (« 51 ») ne correspond pas à la date de naissance saisie "
        "(12/05/1950)."
    ]


def test_year_is_compared_modulo_100() -> None:
    nir = make_nir("2", 5, 5)
    assert identity.nir_consistency_problems(nir, Sex.FEMALE, date(2005, 5, 1)) == []
    assert len(identity.nir_consistency_problems(nir, Sex.FEMALE, date(1906, 5, 1))) == 1


def test_month_must_match_the_birth_month() -> None:
    problems = identity.nir_consistency_problems(
        make_nir("2", 50, 6), Sex.FEMALE, date(1950, 5, 12)
    )
    assert len(problems) == 1
    assert "mois de naissance du NIR (« 06 »)" in problems[0].message


@pytest.mark.parametrize("month", [20, 42, 50, 99])
def test_unknown_month_codes_match_any_birth_month(month: int) -> None:
    nir = make_nir("2", 50, month)
    for birth_month in (1, 6, 12):
        assert identity.nir_consistency_problems(nir, Sex.FEMALE, date(1950, birth_month, 1)) == []


def test_sex_and_date_problems_are_all_reported() -> None:
    problems = identity.nir_consistency_problems(
        make_nir("1", 51, 6), Sex.FEMALE, date(1950, 5, 12)
    )
    assert len(problems) == 3


# --- Names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Martin",
        "Lefèvre",
        "Jean-Éric",
        "N'Diaye",
        "D’Artagnan",
        "de la Fontaine",
        "ÇÀÉÎÕÛŸ",
        "Ñúñez",
    ],
)
def test_french_names_are_accepted(name: str) -> None:
    assert identity.validate_name(name, "birth_name") == name


def test_names_are_trimmed_and_spaces_collapsed() -> None:
    assert identity.validate_name("  Le   Goff  ", "birth_name") == "Le Goff"


def test_a_decomposed_accent_is_stored_composed() -> None:
    assert identity.validate_name("Le\u0301a", "first_names") == "Léa"


@pytest.mark.parametrize("name", ["Martin2", "3", "Louis XIV 14"])
def test_digits_are_refused_in_a_name(name: str) -> None:
    with pytest.raises(ValidationError, match="ne peut pas contenir de chiffres") as error:
        identity.validate_name(name, "birth_name")
    assert error.value.field == "birth_name"
    assert error.value.message.startswith("Le nom de naissance")


@pytest.mark.parametrize(("name", "char"), [("Martin@", "@"), ("Dupont.", "."), ("A_B", "_")])
def test_other_signs_are_refused_and_named(name: str, char: str) -> None:
    with pytest.raises(ValidationError, match=f"caractère non permis : « {char} »"):
        identity.validate_name(name, "first_names")


def test_a_name_without_any_letter_is_refused() -> None:
    with pytest.raises(ValidationError, match="au moins une lettre"):
        identity.validate_name("- '", "used_name")


@pytest.mark.parametrize("field", ["birth_name", "first_names"])
def test_required_names_cannot_be_empty(field: str) -> None:
    with pytest.raises(ValidationError, match="est obligatoire") as error:
        identity.validate_name("  ", field)
    assert error.value.field == field


def test_optional_names_may_be_empty() -> None:
    assert identity.validate_name("", "used_name", required=False) == ""


@settings(database=None)
@given(st.text(alphabet=st.sampled_from("abcdéèêëàâäîïôöùûüçœæ"), min_size=1, max_size=30))
def test_any_run_of_french_letters_is_a_name(name: str) -> None:
    assert identity.validate_name(name, "birth_name") == name


# --- Birth date and place --------------------------------------------------------------------


def test_birth_date_today_is_accepted_tomorrow_is_not() -> None:
    assert identity.validate_birth_date(TODAY, TODAY) == TODAY
    with pytest.raises(ValidationError, match=r"\(16/06/2025\) est dans le futur") as error:
        identity.validate_birth_date(TODAY + timedelta(days=1), TODAY)
    assert error.value.field == "birth_date"


def test_birth_date_from_1900_is_accepted_before_is_not() -> None:
    assert identity.validate_birth_date(date(1900, 1, 1), TODAY) == date(1900, 1, 1)
    with pytest.raises(ValidationError, match="antérieure au 01/01/1900"):
        identity.validate_birth_date(date(1899, 12, 31), TODAY)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("75056", "75056"),
        ("2A004", "2A004"),
        ("2b033", "2B033"),
        ("99100", "99100"),
        ("97411", "97411"),
        (" 13 055 ", "13055"),
        ("", ""),
    ],
)
def test_insee_place_codes_are_accepted(typed: str, stored: str) -> None:
    assert identity.validate_birth_place_code(typed) == stored


@pytest.mark.parametrize("code", ["7505", "750566", "2C004", "00123", "ABCDE", "2A04", "99-10"])
def test_other_place_codes_are_refused(code: str) -> None:
    with pytest.raises(ValidationError, match="n'est pas un code INSEE") as error:
        identity.validate_birth_place_code(code)
    assert error.value.field == "birth_place_code"


# --- RPPS and ADELI --------------------------------------------------------------------------


def test_rpps_is_11_digits_without_a_luhn_check() -> None:
    failing_luhn = next(f"1000{n:07d}" for n in range(100) if not luhn.is_valid(f"1000{n:07d}"))
    assert identity.validate_rpps(failing_luhn) == failing_luhn
    assert identity.validate_rpps("100 0123 4567") == "10001234567"


@pytest.mark.parametrize("number", ["1000123456", "100012345678", "1000123456A", ""])
def test_rpps_of_another_shape_is_refused(number: str) -> None:
    with pytest.raises(ValidationError, match="11 chiffres") as error:
        identity.validate_rpps(number)
    assert error.value.field == "identifier"


@pytest.mark.parametrize("number", ["751234567", "2A1234567", "2b1234567", "75 1 23 4567"])
def test_adeli_is_9_characters(number: str) -> None:
    assert len(identity.validate_adeli(number)) == 9


@pytest.mark.parametrize("number", ["75123456", "7512345678", "7512345A7", "2C1234567", ""])
def test_adeli_of_another_shape_is_refused(number: str) -> None:
    with pytest.raises(ValidationError, match="ADELI doit comporter 9 caractères"):
        identity.validate_adeli(number)


def test_professional_problems_cover_name_identifier_and_mssante() -> None:
    professional = make_professional(last_name="", identifier="123", mssante="pas une adresse")
    problems = identity.professional_problems(professional)
    assert [p.field for p in problems] == ["last_name", "identifier", "mssante"]
    with pytest.raises(ValidationError, match="Le nom est obligatoire"):
        identity.validate_professional(professional)


def test_a_social_actor_needs_no_identifier_but_may_not_have_an_untyped_one() -> None:
    aide = make_professional(
        Profession.AIDE_A_DOMICILE, identifier_kind=IdentifierKind.NONE, identifier=""
    )
    identity.validate_professional(aide)
    with pytest.raises(ValidationError, match="choisissez RPPS ou ADELI"):
        identity.validate_professional(replace(aide, identifier="123"))


def test_a_valid_professional_passes() -> None:
    identity.validate_professional(make_professional(mssante="paul.durand@infirmier.mssante.fr"))
    adeli = make_professional(identifier_kind=IdentifierKind.ADELI, identifier="2A1234567")
    identity.validate_professional(adeli)


# --- The whole patient -----------------------------------------------------------------------


def test_a_valid_patient_has_no_problem() -> None:
    assert identity.patient_problems(make_patient(), TODAY) == []
    identity.validate_patient(make_patient(), TODAY)


def test_a_patient_without_ins_is_accepted() -> None:
    assert identity.patient_problems(make_patient(ins=""), TODAY) == []


def test_every_problem_is_listed_with_its_field_in_form_order() -> None:
    patient = make_patient(
        birth_name="Martin2",
        first_names="",
        birth_date=TODAY + timedelta(days=3),
        used_name="X@",
        birth_place_code="123",
        ins=wrong_key(make_nir()),
    )
    problems = identity.patient_problems(patient, TODAY)
    assert [p.field for p in problems] == [
        "birth_name",
        "first_names",
        "birth_date",
        "used_name",
        "birth_place_code",
        "ins",
    ]
    with pytest.raises(ValidationError) as error:
        identity.validate_patient(patient, TODAY)
    assert error.value.field == "birth_name"


def test_a_nir_that_contradicts_the_traits_is_a_patient_problem() -> None:
    problems = identity.patient_problems(make_patient(sex=Sex.MALE), TODAY)
    assert [p.field for p in problems] == ["ins"]


def test_normalise_patient_compacts_nir_and_place_and_trims_names() -> None:
    nir = make_nir("2", 80, 7, "2A004", "012")
    patient = make_patient(
        birth_name="  Le   Goff ", ins=f"{nir[:7].lower()} {nir[7:]}", birth_place_code="2a004 "
    )
    normalised = identity.normalise_patient(patient)
    assert normalised.birth_name == "Le Goff"
    assert normalised.ins == nir
    assert normalised.birth_place_code == "2A004"


# --- Qualified identity ----------------------------------------------------------------------


@pytest.mark.parametrize("document", list(IdentityDocument))
def test_qualification_records_the_verification(document: IdentityDocument) -> None:
    qualified = identity.qualify_identity(make_patient(), "pro-1", document, TODAY)
    assert qualified.identity_status is IdentityStatus.QUALIFIED
    assert qualified.identity_document is document
    assert qualified.identity_verified_by == "pro-1"
    assert qualified.identity_verified_on == TODAY
    assert identity.patient_problems(qualified, TODAY) == []


def test_qualification_accepts_the_document_code_as_text() -> None:
    qualified = identity.qualify_identity(make_patient(), "pro-1", "passeport")
    assert qualified.identity_document is IdentityDocument.PASSEPORT


def test_qualification_without_ins_is_refused() -> None:
    with pytest.raises(ValidationError, match="sans l'INS du patient") as error:
        identity.qualify_identity(make_patient(ins=""), "pro-1", IdentityDocument.CARTE_IDENTITE)
    assert error.value.field == "ins"


def test_qualification_with_an_ins_that_contradicts_the_traits_is_refused() -> None:
    with pytest.raises(
        ValidationError, match="Impossible de qualifier l'identité : le NIR commence"
    ):
        identity.qualify_identity(make_patient(sex=Sex.MALE), "pro-1", "carte_identite")


@pytest.mark.parametrize(
    ("document", "subject"),
    [("carte_vitale", "La carte Vitale"), ("permis_conduire", "Le permis de conduire")],
)
def test_low_trust_documents_cannot_qualify(document: str, subject: str) -> None:
    with pytest.raises(ValidationError, match=f"{subject} ne permet pas de qualifier") as error:
        identity.qualify_identity(make_patient(), "pro-1", document)
    assert error.value.field == "identity_document"


def test_an_unknown_document_is_refused() -> None:
    with pytest.raises(ValidationError, match="Pièce d'identité inconnue"):
        identity.qualify_identity(make_patient(), "pro-1", "carte de bibliothèque")


def test_qualification_needs_the_verifying_professional() -> None:
    with pytest.raises(ValidationError, match="professionnel qui a vérifié"):
        identity.qualify_identity(make_patient(), " ", IdentityDocument.PASSEPORT)


def test_a_qualified_status_without_verification_record_is_a_problem() -> None:
    patient = make_patient(identity_status=IdentityStatus.QUALIFIED)
    assert [p.field for p in identity.patient_problems(patient, TODAY)] == ["identity_status"]
    no_ins = replace(identity.qualify_identity(patient, "pro-1", "passeport"), ins="")
    assert [p.field for p in identity.patient_problems(no_ins, TODAY)] == ["ins"]


def test_an_edit_cannot_raise_the_status_to_qualified() -> None:
    before = make_patient()
    after = replace(before, identity_status=IdentityStatus.QUALIFIED)
    with pytest.raises(ValidationError, match="ne peut être qualifiée que par") as error:
        identity.keep_status_consistent(before, after)
    assert error.value.field == "identity_status"


def test_editing_a_trait_of_a_qualified_identity_makes_it_provisional_again() -> None:
    before = identity.qualify_identity(make_patient(), "pro-1", "passeport", TODAY)
    after = identity.keep_status_consistent(before, replace(before, birth_name="Martins"))
    assert after.identity_status is IdentityStatus.PROVISIONAL
    assert after.identity_document is None
    assert after.identity_verified_by is None


def test_editing_contact_details_keeps_a_qualified_identity() -> None:
    before = identity.qualify_identity(make_patient(), "pro-1", "passeport", TODAY)
    edited = replace(before, phone="06 12 34 56 78", used_name="Durand")
    assert identity.keep_status_consistent(before, edited) == edited
