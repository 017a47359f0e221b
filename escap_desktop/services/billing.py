"""Billing of the tracer codes and the yearly allowances, from the configured values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from escap_desktop.core.entities import (
    BillingKind,
    BillingRecord,
    Escap,
    EscapState,
    Membership,
    MembershipStatus,
    Professional,
)
from escap_desktop.core.errors import NotFoundError
from escap_desktop.core.rules import billing, lifecycle, remuneration, team
from escap_desktop.core.rules.billing import BillingConfig, EscapBillingStatus
from escap_desktop.core.rules.periods import DateSpan
from escap_desktop.core.rules.remuneration import YearlyRemuneration
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import Store
from escap_desktop.store.episode_team import read_episode_team
from escap_desktop.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class IncompleteTeam:
    """One of my ESCAP whose team is incomplete, and what to do (for "Mes ESCAP")."""

    escap_id: str
    patient_id: str
    next_step: str


class BillingService(ServiceBase):
    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        config: BillingConfig,
    ) -> None:
        super().__init__(store, actor_id)
        self._config = config

    @property
    def config(self) -> BillingConfig:
        return self._config

    def status(self, escap_id: str) -> EscapBillingStatus:
        """Who billed entry/exit and whether the 3-professional payment condition is met."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            memberships = uow.find(Membership, escap_id=escap_id)
            return billing.escap_billing_status(
                escap,
                memberships,
                _members(uow, memberships),
                uow.find(BillingRecord, escap_id=escap_id),
                self._config,
            )

    def bill(
        self,
        escap_id: str,
        kind: BillingKind,
        *,
        professional_id: str | None = None,
        billed_on: date | None = None,
    ) -> BillingRecord:
        """Records that a member billed a tracer code (the local professional by default)."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            professional = uow.get(Professional, professional_id or self.actor)
            record = billing.new_billing_record(
                escap,
                kind,
                professional,
                uow.find(Membership, escap_id=escap_id),
                uow.find(BillingRecord, escap_id=escap_id),
                self._config,
                billed_on=billed_on or self._today(),
                today=self._today(),
            )
            uow.put(record, patient_id=escap.patient_id)
        return record

    def reminder(self, escap_id: str) -> str:
        """The reminder to show the local professional, or "" when they have nothing to bill."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            memberships = uow.find(Membership, escap_id=escap_id)
            to_remind = billing.members_to_remind(
                escap,
                memberships,
                _members(uow, memberships),
                uow.find(BillingRecord, escap_id=escap_id),
            )
        if any(p.id == self.actor for p in to_remind):
            return billing.entry_reminder(self._config)
        return ""

    def my_year(self, year: int | None = None) -> YearlyRemuneration:
        """The local professional's ESCAPs counted this year and both allowances; the days a
        team was incomplete do not count (docs/billing.md)."""
        year = year or self._today().year
        with self._store.unit_of_work(self.actor) as uow:
            me = uow.get(Professional, self.actor)
            memberships = uow.find(Membership, professional_id=self.actor)
            escaps = [uow.get(Escap, m.escap_id) for m in memberships]
            incomplete = {
                escap.id: _incomplete_spans(uow, escap, date(year, 12, 31)) for escap in escaps
            }
        return remuneration.yearly_remuneration(
            me,
            year,
            escaps,
            memberships,
            self._config,
            today=self._today(),
            incomplete=incomplete,
        )

    def my_incomplete_teams(self) -> list[IncompleteTeam]:
        """The ESCAP I am a member of whose team is incomplete now, with what to do."""
        found = []
        with self._store.unit_of_work(self.actor) as uow:
            for membership in uow.find(Membership, professional_id=self.actor):
                if membership.status is not MembershipStatus.ACCEPTED:
                    continue
                episode = read_episode_team(uow, membership.escap_id)
                if episode.escap.state is not EscapState.INCOMPLETE:
                    continue
                try:
                    problems = team.team_problems(
                        episode.patient, episode.memberships, episode.professionals
                    )
                except NotFoundError as error:
                    problems = [str(error)]
                found.append(
                    IncompleteTeam(
                        episode.escap.id,
                        episode.patient.id,
                        lifecycle.incomplete_next_step(problems),
                    )
                )
        return found


def _members(uow: UnitOfWork, memberships: list[Membership]) -> list[Professional]:
    return [uow.get(Professional, pid) for pid in {m.professional_id for m in memberships}]


def _incomplete_spans(uow: UnitOfWork, escap: Escap, until: date) -> tuple[DateSpan, ...]:
    if escap.activated_at is None:
        return ()
    episode = read_episode_team(uow, escap.id)
    try:
        return team.incomplete_spans(
            escap, episode.patient, episode.memberships, episode.professionals, until=until
        )
    except NotFoundError:
        return ()  # a member unknown here: not decidable, counted as before
