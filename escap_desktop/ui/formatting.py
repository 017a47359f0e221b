"""How values are written and read back in the French interface (JJ/MM/AAAA, NIR, search)."""

from __future__ import annotations

import re
from datetime import date, datetime

from escap_desktop.core.clock import paris_time
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.text import fold as fold_name

DATE_FORMAT = "%d/%m/%Y"
DATE_PLACEHOLDER = "JJ/MM/AAAA"
_DATE_PATTERN = re.compile(r"^\s*(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{2})(\d{2})(\d{4})\s*$")
_SEPARATORS = str.maketrans({"-": " ", "'": " ", "’": " ", "_": " "})


def format_date(value: date | datetime | None) -> str:
    """``JJ/MM/AAAA``, or an empty string when there is no date (an instant: its French day)."""
    if isinstance(value, datetime):
        value = paris_time(value)
    return value.strftime(DATE_FORMAT) if value is not None else ""


def format_datetime(value: datetime | None) -> str:
    """``JJ/MM/AAAA HH:MM`` in French time (entities keep UTC)."""
    return paris_time(value).strftime("%d/%m/%Y %H:%M") if value is not None else ""


def parse_french_date(text: str, field: str | None = None, label: str = "La date") -> date:
    """Reads ``JJ/MM/AAAA`` (also ``JJMMAAAA``, or with ``.`` or ``-``) into a date.

    Raises :class:`ValidationError` with a French sentence saying what is wrong, meant to be
    shown next to the field.
    """
    match = _DATE_PATTERN.match(text) or _COMPACT_DATE.match(text)
    if not text.strip():
        raise ValidationError(f"{label} est obligatoire (JJ/MM/AAAA).", field)
    if match is None:
        raise ValidationError(
            f"{label} doit être écrite JJ/MM/AAAA, par exemple 05/03/1948.", field
        )
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(f"{label} n'existe pas : {text.strip()}.", field) from None


def format_nir(nir: str) -> str:
    """Groups a 15-character NIR as printed on the carte Vitale: ``1 48 03 75 123 456 78``."""
    compact = "".join(nir.split())
    if len(compact) != 15:
        return compact
    parts = (compact[0], compact[1:3], compact[3:5], compact[5:7], compact[7:10])
    return " ".join((*parts, compact[10:13], compact[13:15]))


def fold(text: str) -> str:
    """Lower case without accents, hyphens or apostrophes: "Lefèvre-D'Arc" -> "lefevre d arc".

    Used on both sides of a search so that the professional can type without accents.
    """
    return fold_name(text.translate(_SEPARATORS))
