"""Billing of the tracer codes and the yearly allowances, from the configured values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from escap_desktop.core.entities import (
    BillingKind,
    BillingRecord,
    Escap,
    Membership,
    Professional,
)
from escap_desktop.core.rules import billing, remuneration
from escap_desktop.core.rules.billing import BillingConfig, EscapBillingStatus
from escap_desktop.core.rules.remuneration import YearlyRemuneration
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import Store
from escap_desktop.store.unit_of_work import UnitOfWork


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
        """The local professional's ESCAPs counted this year and both allowances."""
        year = year or self._today().year
        with self._store.unit_of_work(self.actor) as uow:
            me = uow.get(Professional, self.actor)
            memberships = uow.find(Membership, professional_id=self.actor)
            escaps = [uow.get(Escap, m.escap_id) for m in memberships]
        return remuneration.yearly_remuneration(
            me, year, escaps, memberships, self._config, today=self._today()
        )


def _members(uow: UnitOfWork, memberships: list[Membership]) -> list[Professional]:
    return [uow.get(Professional, pid) for pid in {m.professional_id for m in memberships}]
