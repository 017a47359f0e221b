"""What a reply by MSSanté says: to the care plan (validated, not validated, or unclear), or to
an invitation (accepted, declined, or unclear).

A GP who has only MSSanté answers the plan from their practice software or webmail, in their own
words ("Je valide", "Vu, d'accord", "Je ne valide pas : …"). Only the reply's own text counts:
the quoted message below it (lines starting with ``>``, or everything after « Le … a écrit : »
or « -----Message d'origine----- ») repeats the plan and must not be read as the answer.
A negation wins over a validation word ("pas d'accord", "ne valide pas"), and a reply with
neither still proves the plan was received: it is recorded as received, never as validated —
a wrong « validé » in the evaluation's figures is worse than a missing one.

An invitation's answer is read the same way (own text first, then what was added to the
subject): a refusal wins over an acceptance (« je ne peux pas accepter »), and a reply with
neither is left to the professional to read and record by hand — joining a team is the
invitee's own consent, never inferred.
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
    return ReplyReading(verdict, _excerpt(text))


def _after_plan_title(subject: str) -> str:
    """The words a GP added to the subject; the plan's own subject names no verdict, but it
    could one day ("… à valider"): only what follows a dash or a colon after it is read."""
    for separator in (" — ", " - ", " : "):
        if separator in subject:
            return subject.rsplit(separator, 1)[1]
    return ""


class InvitationAnswer(StrEnum):
    ACCEPTED = "accepte"
    DECLINED = "refuse"
    UNCLEAR = "incertain"
    """Neither word: nothing is recorded; the professional reads the reply."""


_DECLINES = re.compile(
    r"\b(je refuse|refuse|je decline|decline|n'accepte pas|ne peux pas|ne pourrai pas|"
    r"ne souhaite pas|pas disponible|indisponible|non merci|impossible)\b"
)
_ACCEPTS = re.compile(
    r"\b(j'accepte|accepte|acceptee?|d'accord|ok|oui|volontiers|avec plaisir|je participe)\b"
)


@dataclass(frozen=True, slots=True)
class InvitationReading:
    answer: InvitationAnswer
    excerpt: str


def read_invitation_answer(subject: str, body: str) -> InvitationReading:
    """The invitee's answer to an invitation sent by MSSanté."""
    text = own_text(body)
    words = fold(text).replace("’", "'")
    added = _after_plan_title(re.sub(r"^\s*((re|tr|fwd?)\s*:\s*)+", "", fold(subject)))
    answer = InvitationAnswer.UNCLEAR
    for candidate in (words, added):
        if _DECLINES.search(candidate):
            answer = InvitationAnswer.DECLINED
            break
        if _ACCEPTS.search(candidate):
            answer = InvitationAnswer.ACCEPTED
            break
    return InvitationReading(answer, _excerpt(text))


def _excerpt(text: str) -> str:
    excerpt = " ".join(text.split())
    if len(excerpt) > EXCERPT_LENGTH:
        excerpt = excerpt[: EXCERPT_LENGTH - 1].rstrip() + "…"
    return excerpt
