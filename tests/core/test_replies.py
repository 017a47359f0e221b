"""Reading a médecin traitant's reply to the care plan: only their own words count."""

from __future__ import annotations

import pytest

from escap_desktop.core.rules.replies import (
    EXCERPT_LENGTH,
    InvitationAnswer,
    ReplyVerdict,
    read_invitation_answer,
    read_reply,
)

SUBJECT = "RE: Plan de soins ESCAP – D'ALMEIDA Zoë, née le 12/03/1940"


@pytest.mark.parametrize(
    ("body", "verdict"),
    [
        ("Je valide.", ReplyVerdict.VALIDATED),
        ("Plan validé, merci pour la coordination.", ReplyVerdict.VALIDATED),
        ("VU ET VALIDÉ", ReplyVerdict.VALIDATED),
        ("D’accord pour moi.", ReplyVerdict.VALIDATED),
        ("Bon pour accord", ReplyVerdict.VALIDATED),
        ("Je ne valide pas ce plan en l'état.", ReplyVerdict.NOT_VALIDATED),
        ("Pas d'accord : la kiné doit passer trois fois.", ReplyVerdict.NOT_VALIDATED),
        ("Plan à revoir avec moi lundi.", ReplyVerdict.NOT_VALIDATED),
        ("Bien reçu, merci.", ReplyVerdict.RECEIVED),
        ("Je vous rappelle demain.", ReplyVerdict.RECEIVED),
        ("Plan invalide", ReplyVerdict.RECEIVED),  # "invalide" is not "valide": no guess
    ],
)
def test_the_gps_own_words_decide(body: str, verdict: ReplyVerdict) -> None:
    assert read_reply(SUBJECT, body).verdict is verdict


@pytest.mark.parametrize(
    "quote",
    [
        "> Merci de valider le plan en répondant à ce message.\n> Je valide",
        "Le 07/12/2026 à 09:12, Awa N'DIAYE a écrit :\nMerci de valider le plan. Je valide.",
        "-----Message d'origine-----\nDe : Awa N'DIAYE\nJe valide",
        "De : infirmiere.ndiaye@test.mssante.fr\nEnvoyé : lundi\nOK validé",
        "On Mon, Dec 7, 2026 at 9:12 AM Awa <a@b.fr> wrote:\nJe valide",
    ],
)
def test_the_quoted_plan_below_the_reply_is_not_the_answer(quote: str) -> None:
    reading = read_reply(SUBJECT, f"Bien reçu.\n\n{quote}")
    assert reading.verdict is ReplyVerdict.RECEIVED
    assert reading.excerpt == "Bien reçu."


def test_a_verdict_typed_in_the_subject_counts_but_not_the_plans_own_title() -> None:
    assert read_reply(f"{SUBJECT} - validé", "").verdict is ReplyVerdict.VALIDATED
    assert read_reply(f"{SUBJECT} : pas d'accord", "").verdict is ReplyVerdict.NOT_VALIDATED
    assert read_reply(SUBJECT, "").verdict is ReplyVerdict.RECEIVED
    # The body wins over the subject.
    assert read_reply(f"{SUBJECT} - validé", "Finalement non valide.").verdict is (
        ReplyVerdict.NOT_VALIDATED
    )


def test_a_long_reply_is_shortened_for_the_report() -> None:
    reading = read_reply(SUBJECT, "Je valide. " + "Détail " * 200)
    assert len(reading.excerpt) == EXCERPT_LENGTH
    assert reading.excerpt.endswith("…")


INVITATION_SUBJECT = "RE: Invitation à une ESCAP – patient Z. D., 86 ans"


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ("J'accepte.", InvitationAnswer.ACCEPTED),
        ("J’accepte volontiers, merci.", InvitationAnswer.ACCEPTED),
        ("OUI, d'accord pour participer", InvitationAnswer.ACCEPTED),
        ("Je refuse, je pars à la retraite en mars.", InvitationAnswer.DECLINED),
        ("Je ne peux pas accepter : patientèle complète.", InvitationAnswer.DECLINED),
        ("Je n'accepte pas.", InvitationAnswer.DECLINED),
        ("Non merci.", InvitationAnswer.DECLINED),
        ("Pouvez-vous m'appeler ?", InvitationAnswer.UNCLEAR),
    ],
)
def test_an_invitation_answer_is_read_from_the_invitees_own_words(
    body: str, answer: InvitationAnswer
) -> None:
    assert read_invitation_answer(INVITATION_SUBJECT, body).answer is answer


def test_the_quoted_invitation_never_answers_for_the_invitee() -> None:
    """The quoted letter says « J'accepte » in its instructions: only the reply's own words."""
    body = (
        "Je vous rappelle.\n\nLe 07/12/2026, Awa N'DIAYE a écrit :\n"
        "> répondez en commençant par « J'accepte » ou « Je refuse »"
    )
    reading = read_invitation_answer(INVITATION_SUBJECT, body)
    assert reading.answer is InvitationAnswer.UNCLEAR
    assert reading.excerpt == "Je vous rappelle."
    assert (
        read_invitation_answer(f"{INVITATION_SUBJECT} - j'accepte", "").answer
        is InvitationAnswer.ACCEPTED
    )
