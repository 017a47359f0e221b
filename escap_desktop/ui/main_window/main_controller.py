"""Connects the main window to the services: the patient list, the pages it opens, the
inclusion wizard, "Mes ESCAP", the profile, the lock, and what is remembered between sessions.

It receives the few services it uses and hands each page only the ones that page needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QMessageBox, QWidget

from escap_desktop.core.entities import LocalProfile, Professional
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.core.errors import EscapError
from escap_desktop.services.directory import DirectoryService
from escap_desktop.services.mssante_replies import ReplyReport
from escap_desktop.services.practice import Practice
from escap_desktop.services.store_protection import ProtectionChange
from escap_desktop.ui.about_dialog import AboutDialog
from escap_desktop.ui.admin.audit_dialog import AuditTrailDialog
from escap_desktop.ui.admin.evaluation_export_dialog import EvaluationExportDialog
from escap_desktop.ui.admin.file_chooser import (
    OpenChooser,
    SaveChooser,
    choose_open_path,
    choose_save_path,
)
from escap_desktop.ui.admin.forget_dialog import ForgetDialog
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.backup_dialogs import BackupDialog, RestoreDialog
from escap_desktop.ui.dashboard.dashboard_view import DashboardView
from escap_desktop.ui.directory.import_dialog import ImportDirectoryDialog
from escap_desktop.ui.escap_page.escap_page_controller import EscapPageController, EscapServices
from escap_desktop.ui.escap_page.members_panel import MembersPanel
from escap_desktop.ui.idle_lock import IdleLock, identity_unlocker, passphrase_unlocker
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.inclusion_wizard import InclusionWizard
from escap_desktop.ui.invitations.received_invitations_dialog import ReceivedInvitationsDialog
from escap_desktop.ui.mail.delivery_controller import MailDeliveryController
from escap_desktop.ui.mail.settings_dialog import MailSettingsDialog
from escap_desktop.ui.main_window.main_window import PATIENTS_TAB, MainWindow
from escap_desktop.ui.main_window.profile_dialog import ProfileDialog
from escap_desktop.ui.main_window.state_filters import STATE_FILTERS
from escap_desktop.ui.main_window.sync_controller import SyncController
from escap_desktop.ui.models.patient_search import PatientListing
from escap_desktop.ui.my_escaps.my_escaps_view import MyEscapsView
from escap_desktop.ui.patients.import_dialog import PatientImportDialog
from escap_desktop.ui.patients.merge_controller import MergeController
from escap_desktop.ui.printing import DocumentOutput
from escap_desktop.ui.protection_dialog import ProtectionDialog
from escap_desktop.ui.resources import icon
from escap_desktop.ui.runner import call_job
from escap_desktop.ui.settings import LIST_KEY, WINDOW_KEY, InterfaceSettings
from escap_desktop.ui.widgets.progress_dialog import JobProgressDialog

T = TypeVar("T")
MESSAGES_KEY = "messages"


def _listing(read: Callable[[], list[PatientSummary]]) -> PatientListing:
    """The list and its search keys, both on the worker thread."""
    return PatientListing.of(read())


class MainController(QObject):
    """``list_loaded`` after each (re)load of the patient list, for tests and benchmarks;
    ``fhir_exported(path)`` once a FHIR file is written.

    ``save_chooser``, ``open_chooser`` and ``quit_app`` are injectable so tests meet no real
    file dialog and do not end the test process."""

    list_loaded = Signal()
    fhir_exported = Signal(str)

    def __init__(
        self,
        practice: Practice,
        me: Professional,
        profile: LocalProfile,
        shell: Shell,
        lock: IdleLock,
        demo: bool = False,
        open_files: bool = True,
        window: MainWindow | None = None,
        parent: QObject | None = None,
        save_chooser: SaveChooser = choose_save_path,
        open_chooser: OpenChooser = choose_open_path,
        quit_app: Callable[[], None] = QApplication.quit,
        first_rows: PatientListing | None = None,
    ) -> None:
        super().__init__(parent)
        self._save_chooser = save_chooser
        self._open_chooser = open_chooser
        self._quit_app = quit_app
        # The composition root hands over the practice; from here each page gets its subset.
        self._patients = practice.patients
        self._escaps = practice.escaps
        self._professionals = practice.professionals
        self._profile = practice.profile
        self._billing = practice.billing
        self._documents = practice.documents
        self._scans = practice.scans
        self._dashboard = practice.dashboard
        self._store = practice.store
        self._exports = practice.exports
        self._audit = practice.audit
        self._forget = practice.forget
        self._protection = practice.protection
        self._patient_import = practice.patient_import
        self._mssante = practice.mssante
        self.data_dir = Path(practice.data_dir)
        self._clock = practice.clock
        self.directory = DirectoryService(self.data_dir, practice.clock)
        self._escap_services = EscapServices.of_practice(practice, self.directory)
        self._form_checks = practice.form_checks
        self.me = me
        self.local_profile = profile
        self.shell = shell
        self.lock = lock
        self.demo = demo
        self.settings = InterfaceSettings(practice.data_dir)
        self.documents = DocumentOutput(
            Path(practice.data_dir) / "documents", shell.jobs, shell.errors, open_files, self
        )
        self.drafts: dict[str, str] = {}
        self.pages: dict[str, EscapPageController] = {}
        self.wizard: InclusionWizard | None = None
        self.my_escaps: MyEscapsView | None = None
        self.profile_dialog: ProfileDialog | None = None
        self.summaries: list[PatientSummary] = []
        self._loading = False
        self._reload_again = False

        self.window = window or MainWindow()
        self.window.patient_list.set_state_filters(STATE_FILTERS)
        self._set_title()
        where = "Cabinet de démonstration" if demo else Path(practice.data_dir).name
        self.window.status.set_store(where, str(practice.data_dir))
        self.window.status.set_connection(False)
        self.window.status.set_pending(0)
        if window is None or not window.isVisible():
            self.settings.restore_window(WINDOW_KEY, self.window)
        self.settings.restore_header(LIST_KEY, self.window.patient_list.table.horizontalHeader())
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(150)
        self._reload_timer.timeout.connect(self.reload)
        self.sync = SyncController(practice.sync, shell.errors, self.window.status, self)
        self.sync.synced.connect(self.schedule_reload)
        self.sync.invitations_changed.connect(self.window.set_invitation_count)
        self.mail = MailDeliveryController(
            practice.mssante,
            shell.errors,
            self.window.status,
            self,
            replies=practice.mssante_replies,
        )
        self.mail.delivered.connect(self._on_mail_delivered)
        self.mail.replies_recorded.connect(self._on_mail_replies_recorded)
        self.mail_settings_action = self._add_mail_settings_action()
        self.mail_settings_dialog: MailSettingsDialog | None = None
        self.merges = MergeController(
            practice.patient_merges, shell.errors, self.window.merges_action, self.window, self
        )
        self.sync.synced.connect(self.merges.refresh)
        self.merges.decided.connect(self.schedule_reload)
        self.merges.refresh()
        self.invitations_dialog: ReceivedInvitationsDialog | None = None
        self.dashboard: DashboardView | None = None
        self.dialog: QDialog | None = None
        self._connect()
        if first_rows is None:
            self.reload()
        else:
            # Read by the launcher while the windows were imported; shown on the next turn of
            # the event loop, once whoever waits for ``list_loaded`` has connected (and not at
            # all if the window is gone by then).
            QTimer.singleShot(0, self.window, lambda: self._on_list_loaded(first_rows))
        self.sync.start()
        self.mail.start()

    def _set_title(self) -> None:
        suffix = " — démonstration (patients fictifs)" if self.demo else ""
        self.window.setWindowTitle(f"ESCAP Desktop — {self.me.display_name}{suffix}")

    def _connect(self) -> None:
        window = self.window
        window.patient_list.patient_activated.connect(self.open_patient)
        window.new_inclusion_action.triggered.connect(self.new_inclusion)
        window.import_patients_action.triggered.connect(self._on_import_patients_triggered)
        window.open_patient_action.triggered.connect(self._on_open_patient_triggered)
        window.search_action.triggered.connect(self._on_search_triggered)
        window.my_escaps_action.triggered.connect(self.show_my_escaps)
        window.invitations_action.triggered.connect(self._on_invitations_triggered)
        window.refresh_action.triggered.connect(self.reload)
        window.lock_action.triggered.connect(self.lock.lock)
        window.profile_action.triggered.connect(self._on_profile_triggered)
        window.quit_action.triggered.connect(window.close)
        window.close_tab_action.triggered.connect(
            lambda: self._on_tab_close_requested(window.tabs.currentIndex())
        )
        window.about_action.triggered.connect(self._on_about_triggered)
        window.sync_action.triggered.connect(lambda: self.sync.run_cycle(quiet=False))
        window.import_directory_action.triggered.connect(self._on_import_directory_triggered)
        window.backup_action.triggered.connect(self._on_backup_triggered)
        window.restore_action.triggered.connect(self._on_restore_triggered)
        window.dashboard_action.triggered.connect(self.show_dashboard)
        window.evaluation_export_action.triggered.connect(self.show_evaluation_export)
        window.forget_action.triggered.connect(self.show_forget)
        window.protection_action.triggered.connect(self._on_protection_triggered)
        window.audit_action.triggered.connect(
            lambda: self._with_current_patient(self.show_audit_trail)
        )
        window.fhir_export_action.triggered.connect(
            lambda: self._with_current_patient(self.export_fhir)
        )
        window.tabs.tabCloseRequested.connect(self._on_tab_close_requested)
        window.closing.connect(self.save_state)

    # --- the patient list ------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        """Reads the patient list off the GUI thread; a reload asked meanwhile runs after."""
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        self.shell.jobs.start(
            call_job(_listing, self._patients.summaries), self._on_list_loaded, self._on_list_failed
        )

    def schedule_reload(self, _patient_id: str = "") -> None:
        self._reload_timer.start()

    @Slot(object)
    def _on_list_loaded(self, listing: PatientListing) -> None:
        self._loading = False
        if not shiboken6.isValid(self.window):  # closed and deleted while the list was read
            return
        self.summaries = listing.rows
        if not self.window.patient_list.shows(listing):  # the launcher may have shown it
            self.window.patient_list.set_rows(listing.rows, listing.search_keys)
        self.list_loaded.emit()
        if self._reload_again:
            self._reload_again = False
            self.reload()

    @Slot(object)
    def _on_list_failed(self, error: BaseException) -> None:
        self._loading = False
        self.shell.errors.report(error)

    def summary(self, patient_id: str) -> PatientSummary | None:
        return next((s for s in self.summaries if s.patient_id == patient_id), None)

    @Slot()
    def _on_open_patient_triggered(self) -> None:
        patient_id = self.window.patient_list.selected_patient_id()
        if patient_id is not None:
            self.open_patient(patient_id)

    @Slot()
    def _on_search_triggered(self) -> None:
        self.window.tabs.setCurrentIndex(PATIENTS_TAB)
        self.window.patient_list.focus_search()

    # --- pages -----------------------------------------------------------------------------

    @Slot(str)
    def open_patient(self, patient_id: str) -> None:
        """The ESCAP page of the patient's current ESCAP, or the inclusion when there is none."""
        escap = self._call(lambda: self._escaps.current(patient_id))
        if escap is None:
            self.start_inclusion(patient_id)
            return
        page = self.pages.get(patient_id)
        if page is None or page.escap_id != escap.id:
            if page is not None:
                self._close_page(patient_id)
            page = self._call(
                lambda: EscapPageController(
                    escap.id,
                    self._escap_services,
                    self.me,
                    self.shell.errors,
                    self.drafts,
                    self.documents,
                )
            )
            if page is None:
                return
            page.changed.connect(self.schedule_reload)
            page.mail_queued.connect(self.mail.deliver_now)
            page.inclusion_requested.connect(self.start_inclusion)
            page.view.audit_requested.connect(lambda pid=patient_id: self.show_audit_trail(pid))
            page.view.fhir_export_requested.connect(lambda pid=patient_id: self.export_fhir(pid))
            members = page.view.members
            members.member_selected.connect(
                lambda professional_id, panel=members: self._show_fingerprint(
                    panel, professional_id
                )
            )
            selected = members.selected()
            if selected is not None:
                self._show_fingerprint(members, selected.professional.id)
            self.settings.restore_splitter(MESSAGES_KEY, page.view.messages.splitter)
            self.pages[patient_id] = page
        else:
            page.refresh()
        assert page.overview is not None
        self.window.add_page(page.view, page.overview.patient.display_name, "team")

    def _close_page(self, patient_id: str) -> None:
        page = self.pages.pop(patient_id, None)
        if page is None:
            return
        self.settings.save_splitter(MESSAGES_KEY, page.view.messages.splitter)
        index = self.window.tabs.indexOf(page.view)
        if index >= 0:
            self.window.tabs.removeTab(index)
        page.view.deleteLater()
        page.deleteLater()

    @Slot(int)
    def _on_tab_close_requested(self, index: int) -> None:
        if index == PATIENTS_TAB or index < 0:
            return
        widget = self.window.tabs.widget(index)
        for patient_id, page in list(self.pages.items()):
            if page.view is widget:
                self._close_page(patient_id)
                return
        self.window.tabs.removeTab(index)
        if widget is self.my_escaps:
            self.my_escaps = None
            widget.deleteLater()
        if widget is self.dashboard:
            self.dashboard = None
            widget.deleteLater()

    # --- inclusion -------------------------------------------------------------------------

    @Slot()
    def new_inclusion(self) -> None:
        self._open_wizard(None)

    @Slot(str)
    def start_inclusion(self, patient_id: str) -> None:
        self._open_wizard(patient_id)

    def _open_wizard(self, patient_id: str | None) -> None:
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            self.wizard.activateWindow()
            return
        flow = self.inclusion_flow()
        if patient_id is not None and self._call(lambda: flow.resume(patient_id) or True) is None:
            return
        wizard = InclusionWizard(flow, self.documents, parent=self.window)
        wizard.inclusion_changed.connect(self.schedule_reload)
        wizard.finished.connect(lambda _result: self._on_wizard_finished(wizard))
        self.wizard = wizard
        wizard.open()

    def inclusion_flow(self) -> InclusionFlow:
        """A new inclusion with this window's services and form checks (the screenshots build
        their wizard from it too, so they show what « Nouvelle inclusion » opens)."""
        return InclusionFlow(
            self._patients,
            self._escaps,
            self._professionals,
            self.me,
            self._clock,
            documents=self._documents,
            scans=self._scans,
            directory=self.directory,
            checks=self._form_checks,
            patient_import=self._patient_import,
        )

    @Slot()
    def _on_import_patients_triggered(self) -> None:
        dialog = PatientImportDialog(
            self._patient_import, self.shell.jobs, self.window, chooser=self._open_chooser
        )
        dialog.import_finished.connect(lambda _report: self.schedule_reload())
        self._open_dialog(dialog)

    def _on_wizard_finished(self, wizard: InclusionWizard) -> None:
        patient = wizard.flow.patient
        self.wizard = None
        wizard.deleteLater()
        self.reload()
        if patient is not None and wizard.flow.escap is not None:
            self.open_patient(patient.id)

    # --- Mes ESCAP, invitations, profile ---------------------------------------------------

    @Slot()
    def show_my_escaps(self) -> None:
        if self.my_escaps is None:
            self.my_escaps = MyEscapsView(self._clock.today)
            self.my_escaps.patient_activated.connect(self.open_patient)
        year = self._call(self._billing.my_year)
        if year is None:
            return
        names = {s.patient_id: s.display_name for s in self.summaries}
        self.my_escaps.set_year(year, names)
        self.my_escaps.set_incomplete(self._call(self._billing.my_incomplete_teams) or [], names)
        self.window.add_page(self.my_escaps, "Mes ESCAP", "remuneration")

    @Slot()
    def _on_invitations_triggered(self) -> None:
        sync = self.sync.sync
        dialog = ReceivedInvitationsDialog(
            sync.pending_invitations,
            sync.accept_invitation,
            sync.decline_invitation,
            self.window,
        )
        dialog.answered.connect(self._on_invitation_answered)
        self.invitations_dialog = dialog
        dialog.open()

    @Slot(str, bool)
    def _on_invitation_answered(self, _invitation_id: str, _accepted: bool) -> None:
        self.sync.refresh_status()
        self.sync.run_cycle(quiet=True)

    # --- directory, backup, dashboard ------------------------------------------------------

    @Slot()
    def _on_import_directory_triggered(self) -> None:
        self._open_dialog(ImportDirectoryDialog(self.directory, self.window))

    @Slot()
    def _on_backup_triggered(self) -> None:
        self._open_dialog(
            BackupDialog(self._store, self.shell.jobs, self.shell.errors, self.window)
        )

    @Slot()
    def _on_restore_triggered(self) -> None:
        dialog = RestoreDialog(
            self.data_dir,
            self.shell.jobs,
            self.shell.errors,
            self.window,
            before_restore=self._before_restore,
        )
        dialog.restored.connect(lambda _result: self._after_restore(True))
        dialog.restore_abandoned.connect(lambda: self._after_restore(False))
        self._open_dialog(dialog)

    @Slot()
    def _on_protection_triggered(self) -> None:
        dialog = ProtectionDialog(
            self._protection,
            self.shell.jobs,
            self.shell.errors,
            self.window,
            before_change=self._stop_background,  # nothing runs while the file is rewritten
            after_change=self._start_background,
        )
        dialog.protection_changed.connect(self._on_protection_changed)
        self._open_dialog(dialog)

    def _stop_background(self) -> None:
        self.sync.stop()
        self.mail.stop()

    def _start_background(self) -> None:
        self.sync.start()
        self.mail.start()

    def _on_protection_changed(self, change: ProtectionChange) -> None:
        """From now on the idle lock asks for what protects the store (the new passphrase)."""
        if change.uses_passphrase:
            unlocker = passphrase_unlocker(self._protection.is_current_passphrase)
        else:
            unlocker = identity_unlocker(self.me.display_name, self.me.identifier)
        self.lock.set_unlocker(unlocker)

    def _before_restore(self) -> None:
        """The store must be closed while its file is swapped: stop everything using it."""
        self.sync.stop()
        self.mail.stop()
        self.lock.set_minutes(0)
        self.shell.jobs.wait_for_done(30_000)
        self._store.close()

    def _after_restore(self, restored: bool) -> None:
        message = (
            "La sauvegarde est restaurée. ESCAP Desktop va se fermer : relancez-le pour "
            "travailler sur les données restaurées."
            if restored
            else "La restauration n'a pas abouti ; vos données actuelles sont conservées. "
            "ESCAP Desktop va se fermer : relancez-le."
        )
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "ESCAP Desktop",
            message,
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.finished.connect(lambda _r: QApplication.quit())
        self._open_dialog(box)

    @Slot()
    def show_dashboard(self) -> None:
        if self.dashboard is None:
            self.dashboard = DashboardView()
        self.window.add_page(self.dashboard, "Tableau de bord", "grid")
        view = self.dashboard
        self.shell.jobs.start(
            call_job(self._dashboard.figures), view.set_figures, self.shell.errors.report
        )

    # --- exports, access journal, forgetting this computer ---------------------------------

    def _show_fingerprint(self, panel: MembersPanel, professional_id: str) -> None:
        """Under the team: the selected colleague's pinned key fingerprint (or this device's),
        to compare on the phone; nothing while sync is not set up."""
        sync = self.sync.sync
        try:
            if not sync.fingerprint():
                panel.set_fingerprint("")
                return
            if professional_id == self.me.id:
                panel.set_fingerprint(f"Empreinte de ce poste : {sync.fingerprint()}")
                return
            fingerprint = sync.colleague_fingerprint(professional_id)
        except EscapError:
            panel.set_fingerprint("")
            return
        panel.set_fingerprint(
            f"Empreinte enregistrée pour ce professionnel : {fingerprint}"
            if fingerprint
            else "Empreinte de ce professionnel : pas encore connue (elle le sera quand une "
            "invitation envoyée aura trouvé son poste)."
        )

    def current_patient_id(self) -> str | None:
        """The patient of the ESCAP page in front, else the one selected in the list."""
        widget = self.window.tabs.currentWidget()
        for patient_id, page in self.pages.items():
            if page.view is widget:
                return patient_id
        if self.window.tabs.currentIndex() == PATIENTS_TAB:
            return self.window.patient_list.selected_patient_id()
        return None

    def _with_current_patient(self, action: Callable[[str], None]) -> None:
        patient_id = self.current_patient_id()
        if patient_id is None:
            self.shell.errors.post(
                "Choisissez d'abord un patient dans la liste (ou ouvrez son ESCAP)."
            )
            return
        action(patient_id)

    @Slot()
    def show_evaluation_export(self) -> None:
        self._open_dialog(
            EvaluationExportDialog(
                self._exports.evaluation,
                self.shell.jobs,
                Path.home(),
                self.window,
                today=self._clock.today(),
                chooser=self._save_chooser,
                errors=self.shell.errors,
            )
        )

    def export_fhir(self, patient_id: str) -> None:
        """Asks where to write the episode's FHIR bundle, then writes it off the GUI thread."""
        suggested = Path.home() / f"escap-fhir-{self._clock.today():%Y%m%d}.json"
        chosen = self._save_chooser(
            self.window, "Exporter en FHIR", str(suggested), "Fichiers JSON (*.json)"
        )
        if not chosen:
            return
        out = Path(chosen)
        if not out.suffix:
            out = out.with_suffix(".json")

        def written(path: object) -> None:
            self.shell.errors.post(f"Export FHIR écrit : {path}")
            self.fhir_exported.emit(str(path))

        JobProgressDialog(
            "Export FHIR en cours…",
            self.shell.jobs,
            call_job(self._exports.fhir, patient_id, out),
            self.shell.errors,
            written,
            self.window,
        )

    def show_audit_trail(self, patient_id: str) -> None:
        lines = self._call(lambda: self._audit.patient_trail(patient_id))
        if lines is None:
            return
        summary = self.summary(patient_id)
        page = self.pages.get(patient_id)
        if summary is not None:
            name = summary.display_name
        elif page is not None and page.overview is not None:
            name = page.overview.patient.display_name
        else:
            name = "patient"
        holder: list[AuditTrailDialog] = []

        def print_trail() -> None:
            self.documents.produce(
                "Journal d'accès",
                lambda: self._audit.print_patient_trail(patient_id),
                holder[0] if holder else self.window,
            )

        dialog = AuditTrailDialog(name, lines, print_trail, self.window)
        holder.append(dialog)
        self._open_dialog(dialog)

    @Slot()
    def show_forget(self) -> None:
        plan = self._call(self._forget.plan)
        if plan is None:
            return
        self._open_dialog(
            ForgetDialog(
                plan, self._forget.forget, self._before_forget, self._quit_app, self.window
            )
        )

    def _before_forget(self) -> None:
        """Nothing may use the store while its keys and files go."""
        self.sync.stop()
        self.mail.stop()
        self.lock.set_minutes(0)
        self.shell.jobs.wait_for_done(30_000)

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.open()

    @Slot()
    def _on_profile_triggered(self) -> None:
        fingerprint = self._call(self.sync.sync.fingerprint) or ""
        dialog = ProfileDialog(self.me, self.local_profile, self.window, fingerprint)
        self.profile_dialog = dialog

        def save() -> None:
            professional, minutes, relay_url = dialog.value()
            profile = replace(self.local_profile, idle_lock_minutes=minutes)
            try:
                self.me = self._profile.save(professional, profile)
            except EscapError as error:
                dialog.show_error(error)
                dialog.open()
                return
            self.local_profile = profile
            self.lock.set_minutes(minutes)
            self._set_title()
            if relay_url and relay_url != profile.relay_url:
                self._set_up_relay(relay_url, dialog)

        dialog.accepted.connect(save)
        dialog.open()

    def _set_up_relay(self, relay_url: str, dialog: ProfileDialog) -> None:
        try:
            fingerprint = self.sync.sync.set_up(relay_url)
        except EscapError as error:
            dialog.show_relay_error(error)
            dialog.open()
            return
        self.local_profile = replace(self.local_profile, relay_url=relay_url)
        self.sync.start()
        self.shell.errors.post(
            f"Relais enregistré. Empreinte de ce poste : {fingerprint}. Lisez-la à vos "
            "confrères qui vous ajoutent à une équipe : elle prouve que les messages viennent "
            "bien de vous."
        )

    # --- MSSanté -----------------------------------------------------------------------------

    def _add_mail_settings_action(self) -> QAction:
        """« Messagerie sécurisée MSSanté… » in the Fichier menu, right under « Mon profil… »:
        the mailbox is part of the professional's own settings."""
        action = QAction(icon("inbox"), "Messagerie sécurisée &MSSanté…", self.window)
        action.setObjectName("mailSettingsAction")
        profile_action = self.window.profile_action
        for menu_action in self.window.menuBar().actions():
            menu = menu_action.menu()
            if not isinstance(menu, QMenu) or profile_action not in menu.actions():
                continue
            entries = menu.actions()
            after = entries.index(profile_action) + 1
            if after < len(entries):
                menu.insertAction(entries[after], action)
            else:
                menu.addAction(action)
            break
        action.triggered.connect(self.show_mail_settings)
        return action

    @Slot()
    def show_mail_settings(self) -> None:
        profile = self._profile
        current = self._call(profile.mail_settings)
        known = False
        if current is not None:
            known = bool(self._call(lambda: profile.mail_password_known(current)))
        dialog = MailSettingsDialog(
            current, profile.save_mail_settings, self.window, password_known=known
        )
        self.mail_settings_dialog = dialog

        def saved() -> None:
            result = dialog.saved
            note = result.note if result is not None else ""
            self.shell.errors.post(
                note
                or "Messagerie MSSanté enregistrée : les plans de soins peuvent partir de votre "
                "boîte."
            )
            for page in self.pages.values():
                page.refresh()
            self.mail.deliver_now()

        dialog.accepted.connect(saved)
        dialog.open()

    def _on_mail_delivered(self, _report: object) -> None:
        """Who was reached changed: the open pages show it."""
        for page in self.pages.values():
            page.refresh_channels()

    def _on_mail_replies_recorded(self, report: ReplyReport) -> None:
        """The médecin traitant's answer changed plans: their pages and the list show it."""
        answered = {reply.escap_id for reply in report.recorded}
        for page in self.pages.values():
            if page.escap_id in answered:
                self._call(page.refresh)
        self.schedule_reload()

    @Slot()
    def _on_about_triggered(self) -> None:
        self._open_dialog(AboutDialog(self.data_dir, self.window))

    # --- helpers ---------------------------------------------------------------------------

    def _call(self, call: Callable[[], T]) -> T | None:
        """A quick service call on the GUI thread; an expected error goes to the channel."""
        try:
            return call()
        except EscapError as error:
            self.shell.errors.report(error)
            return None

    def shutdown(self) -> None:
        self._reload_timer.stop()  # a reload due after the window is gone would find no store
        self.sync.stop()
        self.mail.stop()
        self.directory.close()

    def save_state(self) -> None:
        self.settings.save_window(WINDOW_KEY, self.window)
        self.settings.save_header(LIST_KEY, self.window.patient_list.table.horizontalHeader())
        for page in self.pages.values():
            self.settings.save_splitter(MESSAGES_KEY, page.view.messages.splitter)
        self.settings.sync()

    def widget(self) -> QWidget:
        return self.window
