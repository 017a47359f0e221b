"""The access trail's fixed phrases for what leaves by MSSanté (a fixed vocabulary, like
:mod:`escap_desktop.store.audit_phrases`: they say what was sent, never what it contains).

The journal shows a stored summary only when ``audit_phrases.is_specific_phrase`` knows it: it
accepts :data:`MAIL_PHRASES`.
"""

from __future__ import annotations

CARE_PLAN_SENT = "Plan de soins envoyé par MSSanté"
PLAN_VALIDATED_BY_MAIL = "Validation du plan de soins reçue par MSSanté"
PLAN_NOT_VALIDATED_BY_MAIL = "Plan de soins non validé : réponse reçue par MSSanté"
PLAN_RECEIVED_BY_MAIL = "Réponse au plan de soins reçue par MSSanté"
INVITATION_SENT = "Invitation envoyée par MSSanté"
DIGEST_SENT = "Nouvelles de l'équipe envoyées par MSSanté"
INVITATION_ACCEPTED_BY_MAIL = "Acceptation de l'invitation reçue par MSSanté"
INVITATION_DECLINED_BY_MAIL = "Refus de l'invitation reçu par MSSanté"

MAIL_PHRASES = frozenset(
    {
        CARE_PLAN_SENT,
        PLAN_VALIDATED_BY_MAIL,
        PLAN_NOT_VALIDATED_BY_MAIL,
        PLAN_RECEIVED_BY_MAIL,
        INVITATION_SENT,
        DIGEST_SENT,
        INVITATION_ACCEPTED_BY_MAIL,
        INVITATION_DECLINED_BY_MAIL,
    }
)


def is_mail_phrase(summary: str) -> bool:
    return summary in MAIL_PHRASES
