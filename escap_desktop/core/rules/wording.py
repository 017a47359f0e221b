"""Small French wording helpers shared by the rules, so every message writes things one way."""

from __future__ import annotations

from datetime import date


def format_date(day: date) -> str:
    """A date the French way, JJ/MM/AAAA, as every message shows it."""
    return day.strftime("%d/%m/%Y")


def plural(count: int, singular: str, plural_form: str) -> str:
    """French agreement: 0 and 1 take the singular."""
    return singular if count <= 1 else plural_form


def lower_first(sentence: str) -> str:
    """A sentence made to follow a colon ("Impossible d'activer l'ESCAP : l'équipe...")."""
    return sentence[:1].lower() + sentence[1:]


def join_sentences(sentences: list[str]) -> str:
    """Several French sentences folded into one, separated by semicolons, ending with a period."""
    parts = [sentence.rstrip(". ") for sentence in sentences]
    return " ; ".join([parts[0], *(lower_first(part) for part in parts[1:])]) + "."


def quoted_list(items: list[str]) -> str:
    """« a », « b » et « c »."""
    quoted = [f"« {item} »" for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " et " + quoted[-1]
