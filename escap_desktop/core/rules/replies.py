"""What a médecin traitant's reply to the care plan says: validated, not validated, or unclear.

A GP who has only MSSanté answers the plan from their practice software or webmail, in their own
words ("Je valide", "Vu, d'accord", "Je ne valide pas : …"). Only the reply's own text counts:
the quoted message below it (lines starting with ``>``, or everything after « Le … a écrit : »
or « -----Message d'origine----- ») repeats the plan and must not be read as the answer.
A negation wins over a validation word ("pas d'accord", "ne valide pas"), and a reply with
neither still proves the plan was received: it is recorded as received, never as validated —
a wrong « validé » in the evaluation's figures is worse than a missing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from escap_desktop.core.text import fold


class ReplyVerdict(StrEnum):
    VALIDATED = "valide"
    NOT_VALIDATED = "non_valide"
    RECEIVED = "recu"
    """Neither word: the plan reached the GP; nothing is inferred about validation."""


_QUOTE_STARTS = re.compile(
    r"^\s*(le .{3,200} a ecrit\s*:|on .{3,200} wrote\s*:|-{2,}\s*(message d'origine|original "
    r"message|message transfere)\s*-{2,}|de\s*:\s|from\s*:\s)",
    re.IGNORECASE,
)
_NOT_VALIDATED = re.compile(
    r"\b(ne (le |les )?valide pas|n'est pas valide|pas valide|non valide|je refuse|refuse|"
    r"pas d'accord|desaccord|ne suis pas d'accord|a revoir|a modifier)\b"
)
_VALIDATED = re.compile(
    r"\b(je valide|valide|validee?s?|validation|d'accord|bon pour accord|accord|approuve|ok)\b"
)
EXCERPT_LENGTH = 300


@dataclass(frozen=True, slots=True)
class ReplyReading:
    verdict: ReplyVerdict
    excerpt: str
    """The reply's own words (not the quoted plan), shortened: what the professional reads."""


def own_text(body: str) -> str:
    """The lines the sender wrote, above the quoted message."""
    lines = []
    for line in body.splitlines():
        folded = fold(line)
        if _QUOTE_STARTS.match(folded):
            break
        if line.lstrip().startswith(">"):
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


def read_reply(subject: str, body: str) -> ReplyReading:
    """The verdict of a reply; the subject counts too ("Re: plan … — validé")."""
    text = own_text(body)
    subject_words = re.sub(r"^\s*((re|tr|fwd?)\s*:\s*)+", "", fold(subject))
    words = fold(text).replace("’", "'")
    if _NOT_VALIDATED.search(words):
        verdict = ReplyVerdict.NOT_VALIDATED
    elif _VALIDATED.search(words):
        verdict = ReplyVerdict.VALIDATED
    elif _NOT_VALIDATED.search(_after_plan_title(subject_words)):
        verdict = ReplyVerdict.NOT_VALIDATED
    elif _VALIDATED.search(_after_plan_title(subject_words)):
        verdict = ReplyVerdict.VALIDATED
    else:
        verdict = ReplyVerdict.RECEIVED
    excerpt = " ".join(text.split())
    if len(excerpt) > EXCERPT_LENGTH:
        excerpt = excerpt[: EXCERPT_LENGTH - 1].rstrip() + "…"
    return ReplyReading(verdict, excerpt)


def _after_plan_title(subject: str) -> str:
    """The words a GP added to the subject; the plan's own subject names no verdict, but it
    could one day ("… à valider"): only what follows a dash or a colon after it is read."""
    for separator in (" — ", " - ", " : "):
        if separator in subject:
            return subject.rsplit(separator, 1)[1]
    return ""
