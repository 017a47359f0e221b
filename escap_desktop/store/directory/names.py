"""Names as the directory publishes them (upper case) turned into their usual French form."""

from __future__ import annotations

import re

# Nobiliary particles stay in lower case before the rest of a last name ("de La Fontaine");
# articles (le, la) are part of the name and keep their capital ("Le Gall").
_PARTICLES = frozenset({"de", "du", "des"})
_APOSTROPHES = re.compile(r"['’]")


def french_name(text: str, *, last_name: bool = False) -> str:
    """The usual French form of a published name: "LEFÈVRE" becomes "Lefèvre".

    Likewise "MARIE-CLAIRE" -> "Marie-Claire" and "D'ALMEIDA" -> "d'Almeida".

    Text that already holds a lower-case letter was written by a person and is kept as is.
    With ``last_name``, a leading or inner particle (de, du, des, d') is put in lower case
    when more of the name follows it.
    """
    words = text.split()
    if any(character.islower() for character in text):
        return " ".join(words)
    shaped = [_word(word) for word in words]
    if last_name:
        for index, word in enumerate(shaped[:-1]):
            if word.casefold() in _PARTICLES:
                shaped[index] = word.lower()
        shaped = [_elided_particle(word) for word in shaped]
    return " ".join(shaped)


def _word(word: str) -> str:
    """Capitalises each part between hyphens and apostrophes: "N'DIAYE" -> "N'Diaye"."""
    return "-".join(_apostrophe_parts(part) for part in word.split("-"))


def _apostrophe_parts(part: str) -> str:
    pieces = _APOSTROPHES.split(part)
    if len(pieces) == 1:
        return part.capitalize()
    return "'".join(piece.capitalize() for piece in pieces)


def _elided_particle(word: str) -> str:
    """The elided "de" in lower case ("d'Almeida"); "O'Neill" and "N'Diaye" stay."""
    if len(word) > 2 and word[0] == "D" and word[1] == "'":
        return "d" + word[1:]
    return word
