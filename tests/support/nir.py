"""Valid NIRs for tests: the 13 characters from the traits, then the key python-stdnum computes."""

from __future__ import annotations

from datetime import date

from stdnum.fr import nir as stdnum_nir

from escap_desktop.core.entities import Sex


def with_key(body: str) -> str:
    """The 13 characters followed by their key (2A/2B counted as python-stdnum does)."""
    return body + stdnum_nir.calc_check_digits(body)


def nir_of(first: str, year: int, month: int, place: str = "69123", order: int | str = 42) -> str:
    """``first`` 1/2 (NIR) or 7/8 (NIA), two digits of year and month, the birth place's code
    (2A/2B in Corsica), a 3-digit order number, and the key."""
    number = order if isinstance(order, str) else f"{order:03d}"
    return with_key(f"{first}{year % 100:02d}{month:02d}{place}{number}")


def make_nir(sex: Sex, birth: date, place: str = "69123", order: int = 42) -> str:
    """A definitive NIR consistent with the sex and the birth date."""
    return nir_of("1" if sex is Sex.MALE else "2", birth.year, birth.month, place, order)
