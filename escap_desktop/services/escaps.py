"""The ESCAP episode from draft to exit: assessment, consent, team, activation, closure.

Each method is one use case: it opens one unit of work, reads what the rules need, lets
``core.rules`` decide, and writes the result with its audit entry in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import TypeVar

from escap_desktop.core.clock import paris_date, paris_instant
from escap_desktop.core.entities import (
    Action,
    BillingRecord,
    ClinicalSituation,
    Consent,
    ConsentMode,
    ConsentStatus,
    DataCategory,
    Escap,
    EscapState,
    Event,
    EventKind,
    ExitReason,
    GridAssessment,
    Membership,
    MembershipStatus,
    Message,
    Patient,
    Profession,
    Professional,
)
from escap_desktop.core.entities.summaries import EscapOverview, MemberView
from escap_desktop.core.errors import (
    ConsentError,
    NotFoundError,
    TransitionError,
    ValidationError,
)
from escap_desktop.core.rules import consent as consent_rules
from escap_desktop.core.rules import eligibility, lifecycle, team
from escap_desktop.core.rules.eligibility import EligibilityResult
from escap_desktop.core.rules.grid import Grid, GridCatalog
from escap_desktop.core.rules.wording import join_sentences, lower_first
from escap_desktop.services.access import escap_access
from escap_desktop.services.base import ServiceBase
from escap_desktop.services.events import record_event
from escap_desktop.store import Store
from escap_desktop.store.audit_phrases import consent_amendment_phrase
from escap_desktop.store.episode_team import (
    follow_team,
    latest_consent,
    read_episode_team,
)
from escap_desktop.store.unit_of_work import UnitOfWork

T = TypeVar("T")

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_join_code() -> str:
    """A one-time code printed on an invitation letter: 12 characters, no look-alikes (0/O, 1/I)."""
    raw = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class EscapService(ServiceBase):
    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        grids: GridCatalog,
    ) -> None:
        super().__init__(store, actor_id)
        self._grids = grids

    # --- Reading ---------------------------------------------------------------------------

    def current_grid(self) -> Grid:
        """The grid version used for new assessments (the latest installed)."""
        return self._grids.latest("escap")

    @property
    def grids(self) -> GridCatalog:
        return self._grids

    def episodes(self, patient_id: str) -> list[Escap]:
        with self._store.unit_of_work(self.actor) as uow:
            return _episodes(uow, patient_id)

    def current(self, patient_id: str) -> Escap | None:
        """The patient's most recent episode (open or closed), or None."""
        episodes = self.episodes(patient_id)
        return episodes[-1] if episodes else None

    def get(self, escap_id: str) -> Escap:
        with self._store.unit_of_work(self.actor) as uow:
            return uow.get(Escap, escap_id)

    def categories(self, escap_id: str) -> tuple[DataCategory, ...]:
        """The data categories the local professional reads and writes in this ESCAP (consent
        and profession), in the usual order: the choices to offer for a message or an action."""
        with self._store.unit_of_work(self.actor) as uow:
            uow.get(Escap, escap_id)
            allowed = escap_access(uow, escap_id, self.actor).categories
        return tuple(category for category in DataCategory if category in allowed)

    def overview(self, escap_id: str) -> EscapOverview:
        """Everything the ESCAP page shows, read in one transaction so it is consistent."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            patient = uow.get(Patient, escap.patient_id)
            uow.record_view(patient.id)
            rights = escap_access(uow, escap_id, self.actor)
            memberships = uow.find(Membership, escap_id=escap_id)
            members = tuple(
                MemberView(
                    membership=m,
                    professional=uow.get(Professional, m.professional_id),
                    is_medecin_traitant=m.professional_id == patient.medecin_traitant_id,
                )
                for m in sorted(memberships, key=lambda m: (m.invited_at, m.id))
            )
            mt = (
                _get_or_none(uow, Professional, patient.medecin_traitant_id)
                if patient.medecin_traitant_id
                else None
            )
            return EscapOverview(
                patient=patient,
                escap=escap,
                members=members,
                consent=latest_consent(uow, escap_id),
                assessments=tuple(
                    sorted(
                        rights.readable(uow.find(GridAssessment, escap_id=escap_id)),
                        key=lambda a: (a.assessed_on, a.recorded_at or escap.created_at, a.id),
                    )
                ),
                actions=tuple(rights.readable(uow.find(Action, escap_id=escap_id))),
                messages=tuple(
                    sorted(
                        rights.readable(uow.find(Message, escap_id=escap_id)),
                        key=lambda m: (m.sent_at, m.id),
                    )
                ),
                events=tuple(
                    sorted(
                        rights.readable(uow.find(Event, escap_id=escap_id)),
                        key=lambda e: (e.occurred_on, e.id),
                    )
                ),
                billing=tuple(uow.find(BillingRecord, escap_id=escap_id)),
                medecin_traitant=mt,
            )

    def rescore(self, assessment: GridAssessment) -> EligibilityResult:
        """The explanation of a stored assessment, with the exact grid version it used."""
        with self._store.unit_of_work(self.actor) as uow:
            patient = uow.get(Patient, assessment.patient_id)
        return eligibility.rescore(assessment, self._grids, patient.birth_date)

    def team_problems(self, escap_id: str) -> list[str]:
        """Why the team cannot be activated yet (empty when it can), for the GUI to show."""
        with self._store.unit_of_work(self.actor) as uow:
            episode = read_episode_team(uow, escap_id)
            return team.team_problems(episode.patient, episode.memberships, episode.professionals)

    def incomplete_next_step(self, escap_id: str) -> str:
        """What an incomplete team should do next, naming what is missing."""
        return lifecycle.incomplete_next_step(self.team_problems(escap_id))

    # --- Draft and assessment --------------------------------------------------------------

    def start(self, patient_id: str) -> Escap:
        """Opens a draft episode; a patient has at most one open episode at a time."""
        with self._store.unit_of_work(self.actor) as uow:
            uow.get(Patient, patient_id)
            episodes = _episodes(uow, patient_id)
            if episodes and episodes[-1].state is not EscapState.CLOSED:
                return episodes[-1]
            if episodes:
                escap = lifecycle.restart(episodes[-1], at=self._now(), created_by=self.actor)
            else:
                escap = Escap(patient_id=patient_id, created_by=self.actor, created_at=self._now())
            uow.put(escap, patient_id=patient_id)
        return escap

    def restart(self, patient_id: str) -> Escap:
        """A new episode after a closure (the closed one keeps its history)."""
        with self._store.unit_of_work(self.actor) as uow:
            episodes = _episodes(uow, patient_id)
            if not episodes:
                raise NotFoundError("Ce patient n'a pas encore d'ESCAP à redémarrer.")
            escap = lifecycle.restart(episodes[-1], at=self._now(), created_by=self.actor)
            uow.put(escap, patient_id=patient_id)
        return escap

    def assess(
        self,
        escap_id: str,
        answers: Mapping[str, bool],
        situation: ClinicalSituation,
        *,
        assessed_on: date | None = None,
        at_home: bool = False,
    ) -> tuple[GridAssessment, EligibilityResult]:
        """Saves a filled grid, eligible or not; an eligible first grid moves the ESCAP on.

        A grid on an ESCAP already assessed is a re-evaluation: the state stays as it is, and
        the re-evaluation event of the timeline is written in the same transaction as the grid
        (a crash between the two would leave a grid the timeline never mentions).
        """
        assessed_on = assessed_on or self._today()
        if assessed_on > self._today():
            raise ValidationError(
                "La date de l'évaluation ne peut pas être dans le futur.", field="assessed_on"
            )
        grid = self.current_grid()
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            patient = uow.get(Patient, escap.patient_id)
            reevaluation = escap.state is not EscapState.DRAFT
            result = eligibility.evaluate_eligibility(
                grid, answers, situation, patient.birth_date, assessed_on
            )
            assessment = eligibility.build_assessment(
                grid,
                answers,
                situation,
                patient,
                self.actor,
                assessed_on,
                escap.id,
                at_home=at_home,
                is_reevaluation=reevaluation,
                recorded_at=self._now(),
            )
            if reevaluation:
                lifecycle.record_reevaluation(escap, assessment)
            elif assessment.eligible:
                escap = lifecycle.assess(escap, assessment, self._now())
                uow.put(escap, patient_id=patient.id)
            uow.put(assessment, patient_id=patient.id)
            if reevaluation:
                record_event(
                    uow,
                    escap,
                    self.actor,
                    EventKind.REEVALUATION,
                    assessed_on,
                    f"Score {assessment.score} ; {result.summary}",
                    assessment_id=assessment.id,
                    today=self._today(),
                )
        return assessment, result

    # --- Consent ---------------------------------------------------------------------------

    def prepare_consent(
        self,
        escap_id: str,
        *,
        recipient_ids: tuple[str, ...] = (),
        scopes: frozenset[DataCategory] = frozenset(DataCategory),
        form_reference: str = "",
    ) -> Consent:
        """The consent record for the printed form (status PRINTED), created or updated."""
        if not scopes:
            raise ValidationError(
                "Cochez au moins une catégorie de données partagées.", field="scopes"
            )
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            if not lifecycle.can_record_consent(escap):
                lifecycle.record_consent(
                    escap, Consent(escap.id, escap.patient_id, ""), self._now()
                )
            existing = latest_consent(uow, escap_id)
            consent = Consent(
                escap_id=escap_id,
                patient_id=escap.patient_id,
                collected_by=self.actor,
                scopes=frozenset(scopes),
                recipient_ids=tuple(recipient_ids),
                form_reference=form_reference or (existing.form_reference if existing else ""),
            )
            if existing is not None:
                consent = replace(consent, id=existing.id)
            uow.put(consent, patient_id=escap.patient_id)
        return consent

    def record_consent_signed(
        self,
        escap_id: str,
        *,
        signed_on: date,
        signatory: str = "",
        legal_representative: bool = False,
        mode: ConsentMode = ConsentMode.PAPER,
        scan_path: str = "",
        scan_sha256: str = "",
    ) -> Consent:
        """The patient signed: the ESCAP may now invite the professionals they designated."""
        if signed_on > self._today():
            raise ValidationError(
                "La date de signature ne peut pas être dans le futur.", field="signed_on"
            )
        if legal_representative and not signatory.strip():
            raise ValidationError(
                "Indiquez le nom du représentant légal qui a signé.", field="signatory"
            )
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            previous = latest_consent(uow, escap_id)
            consent = previous or Consent(
                escap_id=escap_id, patient_id=escap.patient_id, collected_by=self.actor
            )
            consent = replace(
                consent,
                status=ConsentStatus.SIGNED,
                mode=mode,
                signed_on=signed_on,
                signatory=signatory.strip(),
                legal_representative=legal_representative,
                scan_path=scan_path or consent.scan_path,
                scan_sha256=scan_sha256 or consent.scan_sha256,
                collected_by=self.actor,
            )
            escap = lifecycle.record_consent(escap, consent, self._now(), previous=previous)
            uow.put(consent, patient_id=escap.patient_id)
            uow.put(escap, patient_id=escap.patient_id)
        return consent

    def amend_consent(
        self,
        escap_id: str,
        *,
        scopes: frozenset[DataCategory],
        recipient_ids: tuple[str, ...],
        recipient_professions: frozenset[Profession] = frozenset(),
        amended_on: date | None = None,
    ) -> Consent:
        """The patient changes what the team shares, or whom they designate, once it exists.

        Applies at once; the amended form (``DocumentService.consent_form``) is then printed for
        signature. A member who loses a category stops receiving it: the sync renews that
        category's keys without them at its next cycle. Members already in the team stay (the
        patient removes someone by asking their removal), but nobody outside the new
        designation can be invited.
        """
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            if escap.state is EscapState.CLOSED:
                raise lifecycle_error("L'ESCAP est clôturée : le consentement ne se modifie plus.")
            for professional_id in recipient_ids:
                uow.get(Professional, professional_id)
            consent = consent_rules.amend(
                latest_consent(uow, escap_id),
                scopes=scopes,
                recipient_ids=recipient_ids,
                recipient_professions=recipient_professions,
                on=amended_on or self._today(),
                today=self._today(),
            )
            uow.put(
                consent,
                patient_id=escap.patient_id,
                summary=consent_amendment_phrase(consent.amendment),
            )
        return consent

    def record_consent_refused(self, escap_id: str, *, on: date | None = None) -> Escap:
        """The patient refused: the episode closes (the refusal stays in the history)."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            consent = latest_consent(uow, escap_id) or Consent(
                escap_id=escap_id, patient_id=escap.patient_id, collected_by=self.actor
            )
            consent = replace(consent, status=ConsentStatus.REFUSED, signed_on=on or self._today())
            escap = lifecycle.close(
                escap,
                ExitReason.WITHDRAWAL,
                self._now(),
                note="Consentement refusé par le patient.",
            )
            uow.put(consent, patient_id=escap.patient_id)
            uow.put(escap, patient_id=escap.patient_id)
        return escap

    def withdraw_consent(self, escap_id: str, *, on: date | None = None) -> Escap:
        """Consent withdrawn: the ESCAP closes and nothing more is shared; history stays."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            consent = latest_consent(uow, escap_id)
            if consent is None or not consent.in_force:
                raise ConsentError(
                    "Aucun consentement en vigueur n'est enregistré pour cette ESCAP."
                )
            consent = replace(
                consent, status=ConsentStatus.WITHDRAWN, withdrawn_on=on or self._today()
            )
            escap = lifecycle.withdraw_consent(escap, self._now())
            uow.put(consent, patient_id=escap.patient_id)
            uow.put(escap, patient_id=escap.patient_id)
        return escap

    # --- Team ------------------------------------------------------------------------------

    def invite(self, escap_id: str, professional_id: str, role: str = "") -> Membership:
        """Invites a professional the patient designated (after consent only)."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            invitee = uow.get(Professional, professional_id)
            consent = latest_consent(uow, escap_id)
            lifecycle.ensure_can_invite(escap)
            consent_rules.check_recipient(consent, invitee)
            team.check_invitation(escap, uow.find(Membership, escap_id=escap_id), professional_id)
            escap_after = lifecycle.invite(escap, consent, self._now())
            membership = Membership(
                escap_id=escap_id,
                professional_id=professional_id,
                invited_by=self.actor,
                invited_at=self._now(),
                role=role.strip(),
                join_code=new_join_code(),
            )
            if professional_id == self.actor:
                membership = replace(
                    membership, status=MembershipStatus.ACCEPTED, responded_at=self._now()
                )
            if escap_after != escap:
                uow.put(escap_after, patient_id=escap.patient_id)
            uow.put(membership, patient_id=escap.patient_id)
        return membership

    def answer_invitation(self, membership_id: str, *, accepted: bool) -> Membership:
        """Records the invited professional's answer; accepting is their own consent to join."""
        with self._store.unit_of_work(self.actor) as uow:
            return record_invitation_answer(uow, membership_id, accepted, self._now())

    def set_role(self, membership_id: str, role: str) -> Membership:
        with self._store.unit_of_work(self.actor) as uow:
            membership = uow.get(Membership, membership_id)
            escap = uow.get(Escap, membership.escap_id)
            membership = replace(membership, role=role.strip())
            uow.put(membership, patient_id=escap.patient_id)
        return membership

    def remove_member(self, membership_id: str, *, left: bool = False) -> Membership:
        """Removes a member (or records that they left); never the médecin traitant while the
        ESCAP runs. A team that falls below the rule becomes « Équipe incomplète » at once."""
        with self._store.unit_of_work(self.actor) as uow:
            membership = uow.get(Membership, membership_id)
            escap = uow.get(Escap, membership.escap_id)
            patient = uow.get(Patient, escap.patient_id)
            team.check_departure(escap, patient, membership)
            membership = replace(
                membership,
                status=MembershipStatus.LEFT if left else MembershipStatus.REMOVED,
                left_at=self._now(),
            )
            uow.put(membership, patient_id=escap.patient_id)
            follow_team(uow, escap.id)
        return membership

    def removal_consequence(self, membership_id: str) -> str:
        """What removing this member would do to a running team ("" when nothing), for the
        confirmation the professional reads before removing."""
        with self._store.unit_of_work(self.actor) as uow:
            membership = uow.get(Membership, membership_id)
            episode = read_episode_team(uow, membership.escap_id)
            if not lifecycle.is_running(episode.escap):
                return ""
            after = [
                replace(m, status=MembershipStatus.REMOVED) if m.id == membership_id else m
                for m in episode.memberships
            ]
            problems = team.team_problems(episode.patient, after, episode.professionals)
        if not problems:
            return ""
        return (
            "L'équipe deviendra « Équipe incomplète » : "
            f"{lower_first(join_sentences(problems))} La facturation de l'entrée sera suspendue "
            "et ces jours ne compteront pas pour les aides annuelles, jusqu'à ce que l'équipe "
            "soit de nouveau complète."
        )

    def activate(self, escap_id: str) -> Escap:
        """The team is complete (3 accepted incl. the médecin traitant): the ESCAP starts."""
        with self._store.unit_of_work(self.actor) as uow:
            episode = read_episode_team(uow, escap_id)
            escap = lifecycle.activate(
                episode.escap,
                patient=episode.patient,
                consent=episode.consent,
                memberships=episode.memberships,
                professionals=episode.professionals,
                at=self._now(),
            )
            uow.put(escap, patient_id=escap.patient_id)
        return escap

    def close(
        self,
        escap_id: str,
        reason: ExitReason,
        note: str = "",
        *,
        closed_on: date | None = None,
    ) -> Escap:
        """Exit, with its reason; an ineligible assessment is what allows NOT_ELIGIBLE.

        ``closed_on`` is the day the exit happened, often a few days before it is recorded
        (today when not given). Billing and indicators count in calendar days from it.
        """
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            at = self._now() if closed_on is None else self._closing_instant(escap, closed_on)
            assessments = sorted(
                uow.find(GridAssessment, escap_id=escap_id), key=lambda a: a.assessed_on
            )
            escap = lifecycle.close(
                escap,
                reason,
                at,
                note=note,
                assessment=assessments[-1] if assessments else None,
            )
            uow.put(escap, patient_id=escap.patient_id)
        return escap

    def _closing_instant(self, escap: Escap, closed_on: date) -> datetime:
        """The instant stored for an exit on ``closed_on``: now when that is today, else noon
        of that day where the professional works, so it reads as that day everywhere."""
        if closed_on > self._today():
            raise ValidationError(
                "La date de sortie ne peut pas être dans le futur.", field="closed_on"
            )
        started_on = paris_date(escap.activated_at or escap.created_at)
        if closed_on < started_on:
            since = "active depuis le" if escap.activated_at else "commencée le"
            raise ValidationError(
                "La date de sortie ne peut pas précéder le début de l'ESCAP "
                f"({since} {started_on:%d/%m/%Y}).",
                field="closed_on",
            )
        now = self._now()
        if closed_on == self._clock.date_of(now):
            return now
        return paris_instant(closed_on, 12)


def lifecycle_error(message: str) -> TransitionError:
    return TransitionError(message)


def _episodes(uow: UnitOfWork, patient_id: str) -> list[Escap]:
    return sorted(uow.find(Escap, patient_id=patient_id), key=lambda e: (e.episode, e.created_at))


def _get_or_none(uow: UnitOfWork, entity_type: type[T], entity_id: str) -> T | None:
    try:
        return uow.get(entity_type, entity_id)
    except NotFoundError:
        return None


def record_invitation_answer(
    uow: UnitOfWork, membership_id: str, accepted: bool, now: datetime
) -> Membership:
    """The answer recorded in the caller's unit of work, by hand or read from an MSSanté reply;
    the team's state follows (three members with the GP: « Équipe active »)."""
    membership = uow.get(Membership, membership_id)
    escap = uow.get(Escap, membership.escap_id)
    if escap.state is EscapState.CLOSED:
        raise lifecycle_error("Cette ESCAP est clôturée : l'invitation n'est plus valable.")
    if membership.status is not MembershipStatus.INVITED:
        raise lifecycle_error(
            f"Cette invitation a déjà reçu une réponse ({membership.status.label.lower()})."
        )
    membership = replace(
        membership,
        status=MembershipStatus.ACCEPTED if accepted else MembershipStatus.DECLINED,
        responded_at=now,
    )
    uow.put(membership, patient_id=escap.patient_id)
    follow_team(uow, escap.id)
    return membership
