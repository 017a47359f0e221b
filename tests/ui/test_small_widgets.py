"""Small widgets: the French date field and the emergency notice."""

from __future__ import annotations

from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.formatting import format_nir, parse_french_date
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.emergency_notice import EmergencyNotice


def test_typed_digits_get_their_slashes(qtbot: QtBot) -> None:
    edit = FrenchDateEdit("La date de naissance")
    qtbot.addWidget(edit)
    qtbot.keyClicks(edit, "05031948")
    assert edit.text() == "05/03/1948"
    assert edit.value() == date(1948, 3, 5)


def test_empty_date_is_none_unless_required(qtbot: QtBot) -> None:
    edit = FrenchDateEdit("La date de naissance")
    qtbot.addWidget(edit)
    assert edit.value() is None
    with pytest.raises(ValidationError, match="La date de naissance est obligatoire"):
        edit.required_value("birth_date")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/1948", "La date n'existe pas : 31/02/1948."),
        ("1948-03-05", "La date doit être écrite JJ/MM/AAAA, par exemple 05/03/1948."),
    ],
)
def test_wrong_dates_are_explained_in_french(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_french_date(text)
    assert str(error.value) == message


def test_nir_is_grouped_like_the_carte_vitale() -> None:
    assert format_nir("248037512345678") == "2 48 03 75 123 456 78"


def test_emergency_notice_says_who_to_call(qtbot: QtBot) -> None:
    notice = EmergencyNotice()
    qtbot.addWidget(notice)
    assert notice.text == (
        "ESCAP n'est pas un canal d'urgence : en cas d'urgence, appelez le 15 ou le 112."
    )
