"""Connects the ESCAP page's widgets to the services that change the ESCAP.

Every change is one service call; afterwards the page is read again in one go
(``EscapService.overview``) so what is shown is what is stored. Refusals (a rule, a missing
consent) are shown in French under the buttons of the tab concerned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QInputDialog, QWidget

from escap_desktop.core.clock import Clock
from escap_desktop.core.entities import (
    BillingKind,
    EscapState,
    MembershipStatus,
    Professional,
)
from escap_desktop.core.entities.summaries import EscapOverview
from escap_desktop.core.errors import EscapError
from escap_desktop.services.billing import BillingService
from escap_desktop.services.directory import DirectoryService
from escap_desktop.services.documents import DocumentService
from escap_desktop.services.escaps import EscapService
from escap_desktop.services.events import EventService
from escap_desktop.services.form_checks import FormChecks
from escap_desktop.services.messages import MessageService
from escap_desktop.services.mssante import MssanteService, QueuedMail, UnconfirmedAddressError
from escap_desktop.services.plan import PlanService
from escap_desktop.services.professionals import ProfessionalService
from escap_desktop.services.sync import SyncService
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.escap_page.action_dialog import ActionDialog
from escap_desktop.ui.escap_page.consent_amendment_dialog import (
    AmendmentInput,
    ConsentAmendmentDialog,
)
from escap_desktop.ui.escap_page.escap_page_view import MESSAGES_TAB, EscapPageView
from escap_desktop.ui.escap_page.event_dialog import EventDialog
from escap_desktop.ui.escap_page.exit_dialog import ExitDialog, ExitInput
from escap_desktop.ui.escap_page.reevaluation_dialog import ReevaluationDialog
from escap_desktop.ui.formatting import format_date, parse_french_date
from escap_desktop.ui.mail.send_dialog import SendPlanDialog
from escap_desktop.ui.printing import DocumentOutput
from escap_desktop.ui.widgets.confirm import Confirmer, ask_choice, ask_confirmation
from escap_desktop.ui.widgets.date_dialog import DateDialog
from escap_desktop.ui.widgets.professional_dialog import ProfessionalDialog

if TYPE_CHECKING:
    from escap_desktop.services.practice import Practice

T = TypeVar("T")
_TEAM_STATES = (EscapState.FORMING, *(state for state in EscapState if state.running))
_OPEN_STATES = (EscapState.ASSESSED, EscapState.CONSENTED, *_TEAM_STATES)


class EscapServices:
    """The services the ESCAP page needs, and nothing more."""

    def __init__(
        self,
        escaps: EscapService,
        plan: PlanService,
        messages: MessageService,
        events: EventService,
        billing: BillingService,
        professionals: ProfessionalService,
        documents: DocumentService | None = None,
        directory: DirectoryService | None = None,
        checks: FormChecks | None = None,
        *,
        clock: Clock,
        mssante: MssanteService | None = None,
        sync: SyncService | None = None,
    ) -> None:
        self.clock = clock
        self.mssante = mssante
        self.sync = sync
        self.documents = documents
        self.directory = directory
        self.checks = checks
        self.escaps = escaps
        self.plan = plan
        self.messages = messages
        self.events = events
        self.billing = billing
        self.professionals = professionals

    @classmethod
    def of_practice(
        cls, practice: Practice, directory: DirectoryService | None = None
    ) -> EscapServices:
        """The page's services taken from one open practice, its form checks included, so the
        page judges forms by the same clock as the window that opened it."""
        return cls(
            practice.escaps,
            practice.plan,
            practice.messages,
            practice.events,
            practice.billing,
            practice.professionals,
            practice.documents,
            directory,
            checks=practice.form_checks,
            clock=practice.clock,
            mssante=practice.mssante,
            sync=practice.sync,
        )


class EscapPageController(QObject):
    """One per opened page. ``changed(patient_id)`` tells the list to refresh that row;
    ``inclusion_requested(patient_id)`` asks the main window to open the inclusion wizard;
    ``mail_queued`` says an MSSanté message waits in the outbox (the delivery sends it)."""

    changed = Signal(str)
    inclusion_requested = Signal(str)
    mail_queued = Signal()

    def __init__(
        self,
        escap_id: str,
        services: EscapServices,
        me: Professional,
        errors: ErrorChannel,
        drafts: dict[str, str],
        output: DocumentOutput | None = None,
        confirm: Confirmer = ask_confirmation,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.escap_id = escap_id
        self.services = services
        self.me = me
        self.errors = errors
        self.drafts = drafts
        self.output = output
        self.confirm = confirm
        self.today = services.clock.today
        self.checks = services.checks or FormChecks(services.clock)
        self.view = EscapPageView(self.today())
        self.overview: EscapOverview | None = None
        self.dialog: QDialog | None = None
        self._connect()
        self.refresh()

    # --- wiring ----------------------------------------------------------------------------

    def _connect(self) -> None:
        view = self.view
        view.exit_requested.connect(self._on_exit_requested)
        view.consent_amendment_requested.connect(self._on_consent_amendment_requested)
        view.restart_requested.connect(self._on_restart_requested)
        view.continue_inclusion_requested.connect(self._on_continue_requested)
        view.tabs.currentChanged.connect(self._on_tab_changed)
        members = view.members
        members.add_requested.connect(self._on_member_add_requested)
        members.answer_recorded.connect(self._on_member_answer_recorded)
        members.role_edit_requested.connect(self._on_member_role_edit_requested)
        members.removal_requested.connect(self._on_member_removal_requested)
        members.new_computer_requested.connect(self._on_new_computer_requested)
        members.send_invitation_requested.connect(self._on_member_send_requested)
        members.print_invitation_requested.connect(self._on_member_print_requested)
        members.send_plan_by_mail_requested.connect(self._on_member_mail_requested)
        members.mail_retry_requested.connect(self._on_mail_retry_requested)
        members.invite_by_mail_requested.connect(self._on_invite_by_mail_requested)
        members.digest_by_mail_requested.connect(self._on_digest_by_mail_requested)
        view.plan.print_requested.connect(self._on_plan_print_requested)
        view.grid_print_requested.connect(self._on_grid_print_requested)
        plan = view.plan
        plan.add_requested.connect(self._on_action_add_requested)
        plan.edit_requested.connect(self._on_action_edit_requested)
        plan.complete_requested.connect(self._on_action_complete_requested)
        plan.reschedule_requested.connect(self._on_action_reschedule_requested)
        plan.mt_validation_requested.connect(
            lambda action_id: self._plan_call(self.services.plan.record_mt_validation, action_id)
        )
        plan.mt_receipt_requested.connect(
            lambda action_id: self._plan_call(self.services.plan.record_mt_receipt, action_id)
        )
        view.messages.send_requested.connect(self._on_message_send_requested)
        view.messages.draft_changed.connect(self._on_draft_changed)
        view.events.add_requested.connect(self._on_event_add_requested)
        view.events.reevaluation_requested.connect(self._on_reevaluation_requested)
        view.billing.bill_requested.connect(self._on_bill_requested)

    # --- reading ---------------------------------------------------------------------------

    @property
    def patient_id(self) -> str:
        assert self.overview is not None
        return self.overview.patient.id

    def names(self) -> dict[str, str]:
        assert self.overview is not None
        names = {m.professional.id: m.professional.display_name for m in self.overview.members}
        names.setdefault(self.me.id, self.me.display_name)
        return names

    def refresh(self) -> None:
        """Reads the ESCAP again and refills every tab."""
        overview = self.services.escaps.overview(self.escap_id)
        self.overview = overview
        state = overview.escap.state
        departure = self._my_departure()
        open_team = state in _OPEN_STATES and departure is None
        active_team = state in _TEAM_STATES and departure is None
        problems = self.services.escaps.team_problems(self.escap_id)
        view = self.view
        next_step = departure or self._next_step(state, problems)
        view.set_header(overview, self.today(), next_step)
        rule = (
            "L'équipe remplit les règles : au moins 3 professionnels de santé, dont le médecin "
            "traitant."
            if not problems
            else " ".join(problems)
        )
        view.members.set_members(overview.members, rule, open_team)
        mssante = self.services.mssante is not None
        view.members.set_mail_possible(
            mssante and active_team, self.me.id, invite=mssante and open_team
        )
        self.refresh_channels()
        names = self.names()
        view.plan.set_actions(overview.actions, names, active_team)
        member_ids = [
            m.professional.id
            for m in overview.members
            if m.membership.status is MembershipStatus.ACCEPTED
        ]
        writable = state is not EscapState.CLOSED and departure is None
        view.messages.set_thread(overview.messages, names, member_ids, self.me.id, writable)
        view.messages.set_draft(self.drafts.get(self.escap_id, ""))
        view.events.set_events(overview.events, names, writable)
        view.billing.set_status(self.services.billing.status(self.escap_id))

    def refresh_channels(self) -> None:
        """By which channel each member was last reached (after a delivery, too)."""
        mssante = self.services.mssante
        if mssante is None:
            return
        try:  # a read: not through ``_try``, which refreshes the page after a change
            channels = mssante.channels(self.escap_id)
        except EscapError as error:
            self.view.members.show_error(str(error))
            return
        self.view.members.set_channels(channels)

    def _my_departure(self) -> str | None:
        """What the page says when this professional left or was removed from the team."""
        assert self.overview is not None
        mine = [m.membership for m in self.overview.members if m.professional.id == self.me.id]
        if not mine or any(
            m.status in (MembershipStatus.ACCEPTED, MembershipStatus.INVITED) for m in mine
        ):
            return None
        gone = [m for m in mine if m.status in (MembershipStatus.LEFT, MembershipStatus.REMOVED)]
        if not gone:
            return None
        how = "avez quitté" if gone[0].status is MembershipStatus.LEFT else "avez été retiré(e) de"
        when = f" le {format_date(gone[0].left_at)}" if gone[0].left_at else ""
        return (
            f"Vous {how} l'équipe de cette ESCAP{when} : ce que vous y avez écrit reste "
            "consultable ; vous ne recevez plus ses nouvelles informations et ne pouvez plus "
            "rien y ajouter."
        )

    def _next_step(self, state: EscapState, problems: list[str]) -> str:
        if state is EscapState.DRAFT:
            return "Étape suivante : remplir la grille d'inclusion (Poursuivre l'inclusion)."
        if state is EscapState.ASSESSED:
            return "Étape suivante : recueillir le consentement du patient."
        if state is EscapState.CONSENTED:
            return "Étape suivante : inviter les professionnels désignés par le patient."
        if state is EscapState.FORMING:
            return "Équipe en constitution. " + " ".join(problems)
        if state is EscapState.INCOMPLETE:
            return self.services.escaps.incomplete_next_step(self.escap_id)
        if state is EscapState.ACTIVE:
            return self.services.billing.reminder(self.escap_id) or (
                "L'équipe est active : le plan d'actions et les messages sont partagés."
            )
        return "ESCAP clôturée : tout reste consultable. Vous pouvez relancer une ESCAP."

    # --- helpers ---------------------------------------------------------------------------

    def _try(self, call: Callable[[], T], show: Callable[[str], None] | None = None) -> T | None:
        """Runs a use case; an expected refusal is shown (under the tab's buttons when
        ``show`` is given, else through the message channel) and None is returned."""
        try:
            result = call()
        except EscapError as error:
            if show is not None:
                show(str(error))
            else:
                self.errors.report(error)
            return None
        self._after_change()
        return result

    def _after_change(self) -> None:
        self.refresh()
        self.changed.emit(self.patient_id)

    def _open(self, dialog: QDialog, on_accepted: Callable[[], None]) -> None:
        self.dialog = dialog
        dialog.accepted.connect(on_accepted)
        dialog.open()

    def _current_members(self) -> list[tuple[str, str]]:
        assert self.overview is not None
        return [
            (m.professional.id, m.professional.display_name)
            for m in self.overview.members
            if m.membership.status in (MembershipStatus.ACCEPTED, MembershipStatus.INVITED)
        ]

    # --- team ------------------------------------------------------------------------------

    @Slot()
    def _on_member_add_requested(self) -> None:
        assert self.overview is not None
        present = {m.professional.id for m in self.overview.members}
        known = [p for p in self.services.professionals.list() if p.id not in present]
        dialog = ProfessionalDialog(
            known, self.checks.professional_problems, self.view, self.services.directory
        )
        self._open(dialog, lambda: self._invite(dialog.chosen))

    def invite(self, professional: Professional, role: str = "") -> bool:
        """Adds a professional the patient designated to the team (an invitation)."""
        return self._invite(professional, role)

    def _invite(self, professional: Professional | None, role: str = "") -> bool:
        if professional is None:
            return False
        members = self.view.members
        members.show_error("")

        def call() -> object:
            saved = self.services.professionals.add(professional)
            return self.services.escaps.invite(self.escap_id, saved.id, role)

        return self._try(call, members.show_error) is not None

    @Slot(str, bool)
    def _on_member_answer_recorded(self, membership_id: str, accepted: bool) -> None:
        members = self.view.members
        members.show_error("")
        if (
            self._try(
                lambda: self.services.escaps.answer_invitation(membership_id, accepted=accepted),
                members.show_error,
            )
            is None
        ):
            return
        self._activate_when_complete()

    def _activate_when_complete(self) -> None:
        assert self.overview is not None
        if self.overview.escap.state is EscapState.FORMING and not (
            self.services.escaps.team_problems(self.escap_id)
        ):
            self._try(
                lambda: self.services.escaps.activate(self.escap_id), self.view.members.show_error
            )

    @Slot(str)
    def _on_member_role_edit_requested(self, membership_id: str) -> None:
        member = self.view.members.selected()
        role, ok = QInputDialog.getText(
            self.view,
            "Rôle dans l'équipe",
            "Rôle de ce professionnel auprès du patient :",
            text=member.membership.role if member else "",
        )
        if ok:
            self._try(
                lambda: self.services.escaps.set_role(membership_id, role),
                self.view.members.show_error,
            )

    @Slot(str)
    def _on_member_removal_requested(self, membership_id: str) -> None:
        member = self.view.members.selected()
        name = member.professional.display_name if member else "ce professionnel"
        warning = self.services.escaps.removal_consequence(membership_id)
        if self.confirm(
            self.view,
            "Retirer de l'équipe ?",
            f"Retirer {name} de l'équipe ? Il ne recevra plus les échanges de cette ESCAP."
            + (f"\n\n{warning}" if warning else ""),
            "&Retirer de l'équipe",
        ):
            self._try(
                lambda: self.services.escaps.remove_member(membership_id),
                self.view.members.show_error,
            )

    @Slot(str)
    def _on_new_computer_requested(self, membership_id: str) -> None:
        """A member's new computer joins the team with a one-time code given to them by voice:
        asked for here, the code shown to read out (never sent)."""
        panel = self.view.members
        sync = self.services.sync
        member = panel.selected()
        name = member.professional.display_name if member else "ce professionnel"
        mine = member is not None and member.professional.id == self.me.id
        if sync is None:
            panel.show_error("La synchronisation n'est pas disponible sur ce poste.")
            return
        choice = ask_choice(
            self.view,
            "Nouvel ordinateur",
            f"{name} a un nouvel ordinateur (l'ancien perdu, volé ou remplacé, ou un second "
            "poste) ? Un code à usage unique va être créé : donnez-le-lui de vive voix ou par "
            "téléphone, jamais par courriel. Son nouvel ordinateur recevra une invitation à la "
            "prochaine synchronisation ; ce code l'y fait entrer dans l'équipe.\n\n"
            "Si l'ancien est perdu ou volé, il peut être retiré de l'équipe dès que le nouveau "
            "l'a rejointe (les clés de l'équipe sont alors renouvelées sans lui)."
            + (
                "\n\nVous êtes sur votre nouvel ordinateur et l'ancien est perdu ou volé : "
                "« Retirer mes autres ordinateurs » l'écarte de l'équipe."
                if mine
                else ""
            ),
            ("&Créer le code", "Créer le code et &retirer l'ancien")
            + (("Retirer mes &autres ordinateurs",) if mine else ()),
        )
        if choice is None:
            return
        if choice == 2:
            count = self._try(lambda: sync.retire_other_computers(membership_id), panel.show_error)
            if count is not None:
                panel.show_error("")
                which = (
                    f"L'autre ordinateur de {name} sera retiré"
                    if count == 1
                    else f"Les {count} autres ordinateurs de {name} seront retirés"
                )
                panel.show_new_computer_code(
                    f"{which} de l'équipe à la prochaine synchronisation ; les clés de l'équipe "
                    "seront renouvelées sans " + ("lui." if count == 1 else "eux.")
                )
            return
        code = self._try(
            lambda: sync.request_new_computer(membership_id, replaces_lost=choice == 1),
            panel.show_error,
        )
        if code is not None:
            panel.show_error("")
            panel.show_new_computer_code(
                f"Code pour le nouvel ordinateur de {name} : {code} — à donner de vive voix ou "
                "par téléphone, puis à taper sur ce nouvel ordinateur (menu « Invitations "
                "reçues… », une fois la synchronisation passée)."
                + (
                    " L'ancien sera retiré de l'équipe dès que le nouveau l'aura rejointe."
                    if choice == 1
                    else ""
                )
            )

    @Slot(str)
    def _on_member_send_requested(self, _membership_id: str) -> None:
        self.view.members.show_error("")
        self.errors.post(
            "L'invitation est enregistrée : elle part par l'application dès que la connexion le "
            "permet."
        )

    # --- MSSanté ----------------------------------------------------------------------------

    @Slot(str)
    def _on_member_mail_requested(self, membership_id: str) -> None:
        """Asks for the address (the record's, shown), then queues the plan; an address outside
        the records is queued only after an explicit confirmation."""
        self._ask_address(membership_id, "plan")

    @Slot(str)
    def _on_invite_by_mail_requested(self, membership_id: str) -> None:
        """The same for the invitation letter; the invitee's answer comes back by mail."""
        self._ask_address(membership_id, "invitation")

    @Slot(str)
    def _on_digest_by_mail_requested(self, membership_id: str) -> None:
        """The same for the team's news since the last sent to that member."""
        self._ask_address(membership_id, "digest")

    def _ask_address(self, membership_id: str, what: str) -> None:
        members = self.view.members
        members.show_error("")
        mssante = self.services.mssante
        assert self.overview is not None
        member = next((m for m in self.overview.members if m.membership.id == membership_id), None)
        if mssante is None or member is None:
            return
        try:
            settings = mssante.settings  # not configured: said in French, nothing opens
        except EscapError as error:
            members.show_error(str(error))
            return
        recipient = member.professional
        dialog = SendPlanDialog(recipient, settings.sender, self.view, what=what)

        def send() -> None:
            if what == "invitation":
                self.send_invitation_by_mail(membership_id, recipient, dialog.address())
            elif what == "digest":
                self.send_digest_by_mail(recipient, dialog.address())
            else:
                self.send_plan_by_mail(recipient, dialog.address())

        self._open(dialog, send)

    @Slot(str)
    def _on_mail_retry_requested(self, item_id: str) -> None:
        """The waiting or refused message leaves at the next delivery, started now."""
        mssante = self.services.mssante
        if mssante is None:
            return
        members = self.view.members
        members.show_error("")
        try:
            mssante.retry(item_id)
        except EscapError as error:
            members.show_error(str(error))
            return
        self.errors.post("Nouvel essai d'envoi MSSanté en cours.")
        self.refresh_channels()
        self.mail_queued.emit()

    def send_plan_by_mail(self, recipient: Professional, address: str) -> bool:
        """Queues the care plan for ``recipient`` at ``address``; True once it is queued."""
        mssante = self.services.mssante
        if mssante is None:
            return False
        return self._queue_mail(
            recipient,
            lambda confirmed: mssante.send_care_plan(
                self.escap_id, recipient.id, address=address, confirmed_address=confirmed
            ),
            "Le plan de soins contient des données de santé",
            "Plan de soins prêt à partir par MSSanté vers {address} : il est envoyé dès que "
            "votre serveur de messagerie répond.",
        )

    def send_digest_by_mail(self, recipient: Professional, address: str) -> bool:
        """Queues the team's news for ``recipient`` at ``address``; True once it is queued."""
        mssante = self.services.mssante
        if mssante is None:
            return False
        return self._queue_mail(
            recipient,
            lambda confirmed: mssante.send_digest(
                self.escap_id, recipient.id, address=address, confirmed_address=confirmed
            ),
            "Les nouvelles de l'équipe contiennent des données de santé",
            "Nouvelles de l'équipe prêtes à partir par MSSanté vers {address} : elles sont "
            "envoyées dès que votre serveur de messagerie répond.",
        )

    def send_invitation_by_mail(
        self, membership_id: str, recipient: Professional, address: str
    ) -> bool:
        """Queues the invitation letter for ``recipient`` at ``address``; True once queued."""
        mssante = self.services.mssante
        if mssante is None:
            return False
        return self._queue_mail(
            recipient,
            lambda confirmed: mssante.send_invitation(
                membership_id, address=address, confirmed_address=confirmed
            ),
            "L'invitation décrit un patient pris en charge",
            "Invitation prête à partir par MSSanté vers {address} : elle est envoyée dès que "
            "votre serveur de messagerie répond.",
        )

    def _queue_mail(
        self,
        recipient: Professional,
        queue: Callable[[bool], QueuedMail],
        why_careful: str,
        ready: str,
    ) -> bool:
        """``queue(confirmed_address)``; an address outside the records is asked about first.
        ``ready`` (with ``{address}``) is posted once the message is queued."""
        members = self.view.members
        members.show_error("")
        try:
            queued = queue(False)
        except UnconfirmedAddressError as unconfirmed:
            if not self.confirm(
                self.view,
                "Adresse hors annuaire",
                f"{unconfirmed}\n\n{why_careful} : n'envoyez à « {unconfirmed.address} » que "
                f"si vous êtes sûr(e) que c'est la boîte MSSanté de {recipient.display_name}.",
                "&Envoyer à cette adresse",
            ):
                members.show_error("Rien n'a été envoyé.")
                return False
            confirmed = self._try(lambda: queue(True), members.show_error)
            if confirmed is None:
                return False
            queued = confirmed
        except EscapError as error:
            members.show_error(str(error))
            return False
        self.errors.post(ready.format(address=queued.address))
        self.refresh_channels()
        self.mail_queued.emit()
        return True

    # --- printed documents -----------------------------------------------------------------

    def _produce(self, title: str, make: Callable[[DocumentService], bytes]) -> None:
        """Builds a document off the GUI thread, then saves and opens it for printing."""
        documents = self.services.documents
        if self.output is None or documents is None:
            self.errors.post("L'impression n'est pas disponible sur ce poste.")
            return
        self.output.produce(title, lambda: make(documents), self.view)

    @Slot(str)
    def _on_member_print_requested(self, membership_id: str) -> None:
        self._produce(
            "Préparation de la lettre d'invitation…",
            lambda documents: documents.invitation(membership_id),
        )

    @Slot()
    def _on_plan_print_requested(self) -> None:
        escap_id = self.escap_id
        self._produce(
            "Préparation du plan de soins…",
            lambda documents: documents.care_plan(escap_id=escap_id),
        )

    @Slot()
    def _on_grid_print_requested(self) -> None:
        assert self.overview is not None
        latest = self.overview.latest_assessment
        if latest is None:
            self.errors.post("Aucune grille n'a encore été remplie pour cette ESCAP.")
            return
        self._produce(
            "Préparation de la grille d'inclusion…",
            lambda documents: documents.grid_report(assessment_id=latest.id),
        )

    # --- plan ------------------------------------------------------------------------------

    @Slot()
    def _on_action_add_requested(self) -> None:
        dialog = ActionDialog(self._current_members(), parent=self.view)
        self._open(dialog, lambda: self._save_action(dialog, None))

    @Slot(str)
    def _on_action_edit_requested(self, action_id: str) -> None:
        assert self.overview is not None
        action = next((a for a in self.overview.actions if a.id == action_id), None)
        if action is None:
            return
        dialog = ActionDialog(self._current_members(), action, self.view)
        self._open(dialog, lambda: self._save_action(dialog, action_id))

    def _save_action(self, dialog: ActionDialog, action_id: str | None) -> None:
        value = dialog.value
        assert value is not None
        assert self.overview is not None
        plan = self.services.plan
        if action_id is None:
            self._plan_try(
                lambda: plan.add(
                    self.escap_id,
                    value.title,
                    responsible_id=value.responsible_id,
                    details=value.details,
                    due_on=value.due_on,
                    recurrence=value.recurrence,
                    category=value.category,
                )
            )
            return
        action = next(a for a in self.overview.actions if a.id == action_id)
        self._plan_try(
            lambda: plan.update(
                replace(
                    action,
                    title=value.title,
                    details=value.details,
                    responsible_id=value.responsible_id,
                    due_on=value.due_on,
                    recurrence=value.recurrence,
                    category=value.category,
                )
            )
        )

    def _plan_try(self, call: Callable[[], T]) -> T | None:
        self.view.plan.show_error("")
        return self._try(call, self.view.plan.show_error)

    def _plan_call(self, method: Callable[[str], object], action_id: str) -> None:
        self._plan_try(lambda: method(action_id))

    @Slot(str)
    def _on_action_complete_requested(self, action_id: str) -> None:
        self._plan_try(lambda: self.services.plan.complete(action_id))

    @Slot(str)
    def _on_action_reschedule_requested(self, action_id: str) -> None:
        action = self.view.plan.selected()
        dialog = DateDialog(
            "Reporter l'action",
            "Nouvelle é&chéance :",
            action.due_on if action else None,
            self.view,
        )

        def done() -> None:
            if dialog.value is not None:
                day = dialog.value
                self._plan_try(lambda: self.services.plan.reschedule(action_id, day))

        self._open(dialog, done)

    # --- messages --------------------------------------------------------------------------

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if index == MESSAGES_TAB and self.overview is not None:
            unread = any(self.me.id not in m.read_by for m in self.overview.messages)
            if unread:
                self._try(lambda: self.services.messages.mark_read(self.escap_id))

    @Slot(str)
    def _on_draft_changed(self, text: str) -> None:
        if text:
            self.drafts[self.escap_id] = text
        else:
            self.drafts.pop(self.escap_id, None)

    @Slot(str, object)
    def _on_message_send_requested(self, body: str, category: Any) -> None:
        panel = self.view.messages
        try:
            self.services.messages.post(self.escap_id, body, category)
        except EscapError as error:
            panel.show_error(str(error))
            return
        self.drafts.pop(self.escap_id, None)
        panel.clear_draft()
        self._after_change()

    # --- events ----------------------------------------------------------------------------

    @Slot()
    def _on_event_add_requested(self) -> None:
        dialog = EventDialog(self.view, today=self.today())

        def done() -> None:
            value = dialog.value
            assert value is not None
            self.view.events.show_error("")
            self._try(
                lambda: self.services.events.record(
                    self.escap_id, value.kind, value.occurred_on, value.note
                ),
                self.view.events.show_error,
            )

        self._open(dialog, done)

    @Slot()
    def _on_reevaluation_requested(self) -> None:
        assert self.overview is not None
        escaps = self.services.escaps
        checks = self.checks
        grid = escaps.current_grid()
        birth = self.overview.patient.birth_date
        dialog = ReevaluationDialog(
            grid,
            lambda answers: checks.score(grid, answers),
            lambda situation, on: checks.prerequisite_checks(situation, birth, on),
            birth,
            self.view,
            today=self.today(),
        )

        def done() -> None:
            situation = dialog.situation.situation()
            on = dialog.situation.assessment_date()
            self.view.events.show_error("")
            # The service writes the grid and its "Réévaluation" event together.
            self._try(
                lambda: escaps.assess(
                    self.escap_id,
                    dialog.grid.answers(),
                    situation,
                    assessed_on=on,
                    at_home=dialog.situation.at_home.isChecked(),
                ),
                self.view.events.show_error,
            )

        self._open(dialog, done)

    # --- billing ---------------------------------------------------------------------------

    @Slot(str, object, object)
    def _on_bill_requested(self, professional_id: str, kind: BillingKind, day: str) -> None:
        def call() -> object:
            billed_on = parse_french_date(day, "billed_on", "La date de facturation")
            return self.services.billing.bill(
                self.escap_id, kind, professional_id=professional_id, billed_on=billed_on
            )

        self._try(call)

    # --- consent amendment -----------------------------------------------------------------

    @Slot()
    def _on_consent_amendment_requested(self) -> None:
        assert self.overview is not None
        consent = self.overview.consent
        if consent is None:
            return
        dialog = ConsentAmendmentDialog(
            self.overview.patient.display_name,
            consent,
            self.services.professionals.list(),
            self.view,
            today=self.today(),
            save=self._amend_consent,
        )
        self._open(dialog, self._after_amendment)

    def _amend_consent(self, value: AmendmentInput) -> None:
        """Saves the amendment while its dialog is open, so a refusal shows next to its field."""
        self.services.escaps.amend_consent(
            self.escap_id,
            scopes=value.scopes,
            recipient_ids=value.recipient_ids,
            recipient_professions=value.recipient_professions,
            amended_on=value.amended_on,
        )

    def _after_amendment(self) -> None:
        self._after_change()
        patient_id = self.patient_id
        if self.confirm(
            self.view,
            "Imprimer l'avenant ?",
            "L'avenant au consentement est enregistré. Imprimer l'avenant pour la signature du "
            "patient ?",
            "&Imprimer l'avenant",
        ):
            self._produce(
                "Préparation de l'avenant au consentement…",
                lambda documents: documents.amended_consent_form(patient_id),
            )

    # --- exit and restart ------------------------------------------------------------------

    @Slot()
    def _on_exit_requested(self) -> None:
        assert self.overview is not None
        dialog = ExitDialog(
            self.overview.patient.display_name, self.view, today=self.today(), save=self._close
        )
        self._open(dialog, self._after_change)

    def _close(self, value: ExitInput) -> None:
        """Saves the exit while its dialog is open, so a refusal shows next to its field."""
        self.services.escaps.close(
            self.escap_id, value.reason, value.note, closed_on=value.closed_on
        )

    @Slot()
    def _on_restart_requested(self) -> None:
        assert self.overview is not None
        name = self.overview.patient.display_name
        if not self.confirm(
            self.view,
            "Relancer une ESCAP ?",
            f"Relancer une nouvelle ESCAP pour {name} ? L'ESCAP clôturée reste consultable ; "
            "la nouvelle commence par une grille d'inclusion.",
            "&Relancer une ESCAP",
        ):
            return
        escap = self._try(lambda: self.services.escaps.restart(self.patient_id))
        if escap is not None:
            self.escap_id = escap.id
            self.refresh()
            self.inclusion_requested.emit(self.patient_id)

    @Slot()
    def _on_continue_requested(self) -> None:
        self.inclusion_requested.emit(self.patient_id)

    def widget(self) -> QWidget:
        return self.view
