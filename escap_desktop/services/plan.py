"""The shared action plan: who does what, when, and the médecin traitant's validation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from escap_desktop.core.entities import Action, ActionStatus, DataCategory, Escap
from escap_desktop.core.errors import NotFoundError, ValidationError
from escap_desktop.core.rules import lifecycle
from escap_desktop.services.access import escap_access
from escap_desktop.services.base import ServiceBase

MAX_TITLE = 200
MAX_DETAILS = 10_000


class PlanService(ServiceBase):
    def actions(self, escap_id: str) -> list[Action]:
        """The actions of the categories the local professional may read."""
        with self._store.unit_of_work(self.actor) as uow:
            actions = escap_access(uow, escap_id, self.actor).readable(
                uow.find(Action, escap_id=escap_id)
            )
        return sorted(
            actions, key=lambda a: (a.status is not ActionStatus.TODO, a.due_on or date.max)
        )

    def add(
        self,
        escap_id: str,
        title: str,
        *,
        responsible_id: str | None = None,
        details: str = "",
        due_on: date | None = None,
        recurrence: str = "",
        category: DataCategory = DataCategory.MEDICAL,
    ) -> Action:
        _check_text(title, details)
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            lifecycle.ensure_can_edit_plan(escap)
            escap_access(uow, escap_id, self.actor).ensure_can_write(category)
            action = Action(
                escap_id=escap_id,
                title=title.strip(),
                details=details.strip(),
                created_by=self.actor,
                created_at=self._now(),
                responsible_id=responsible_id,
                due_on=due_on,
                recurrence=recurrence.strip(),
                category=category,
            )
            uow.put(action, patient_id=escap.patient_id)
        return action

    def update(self, action: Action) -> Action:
        """Saves an edited action (text, responsible member, due date, status)."""
        _check_text(action.title, action.details)
        with self._store.unit_of_work(self.actor) as uow:
            stored = uow.get(Action, action.id)
            escap = uow.get(Escap, action.escap_id)
            lifecycle.ensure_can_edit_plan(escap)
            rights = escap_access(uow, escap.id, self.actor)
            if not rights.can_read(stored):
                raise _hidden_action()
            rights.ensure_can_write(action.category)
            action = replace(action, title=action.title.strip(), updated_at=self._now())
            uow.put(action, patient_id=escap.patient_id)
        return action

    def complete(self, action_id: str, on: date | None = None) -> Action:
        return self._change(action_id, status=ActionStatus.DONE, completed_on=on or self._today())

    def reopen(self, action_id: str) -> Action:
        return self._change(action_id, status=ActionStatus.TODO, completed_on=None)

    def cancel(self, action_id: str) -> Action:
        return self._change(action_id, status=ActionStatus.CANCELLED)

    def reschedule(self, action_id: str, due_on: date) -> Action:
        return self._change(action_id, due_on=due_on)

    def assign(self, action_id: str, responsible_id: str | None) -> Action:
        return self._change(action_id, responsible_id=responsible_id)

    def record_mt_validation(self, action_id: str, on: date | None = None) -> Action:
        """The médecin traitant validated this action (feedback evaluators ask for)."""
        return self._change(action_id, mt_validated_on=on or self._today())

    def record_mt_receipt(self, action_id: str, on: date | None = None) -> Action:
        """The médecin traitant received the plan containing this action."""
        return self._change(action_id, mt_received_on=on or self._today())

    def _change(self, action_id: str, **changes: object) -> Action:
        with self._store.unit_of_work(self.actor) as uow:
            action = uow.get(Action, action_id)
            escap = uow.get(Escap, action.escap_id)
            lifecycle.ensure_can_edit_plan(escap)
            if not escap_access(uow, escap.id, self.actor).can_read(action):
                raise _hidden_action()
            action = replace(action, updated_at=self._now(), **changes)  # type: ignore[arg-type]
            uow.put(action, patient_id=escap.patient_id)
        return action


def _hidden_action() -> NotFoundError:
    """An action of a category this professional may not read does not exist for them."""
    return NotFoundError("Action introuvable.")


def _check_text(title: str, details: str) -> None:
    if not title.strip():
        raise ValidationError("Décrivez l'action en quelques mots.", field="title")
    if len(title) > MAX_TITLE:
        raise ValidationError(
            f"L'intitulé de l'action dépasse {MAX_TITLE} caractères ; "
            "mettez le détail dans la description.",
            field="title",
        )
    if len(details) > MAX_DETAILS:
        raise ValidationError(f"La description dépasse {MAX_DETAILS} caractères.", field="details")
