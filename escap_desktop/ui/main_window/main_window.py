"""The main window: menus, tool bar, the patient list tab, the opened ESCAP pages, status bar.

A view: it builds widgets and exposes actions; :class:`MainController` connects them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget, QToolBar, QWidget

from escap_desktop.ui.main_window.patient_list_view import PatientListView
from escap_desktop.ui.main_window.status_bar import EscapStatusBar
from escap_desktop.ui.resources import icon

PATIENTS_TAB = 0


def _action(parent: QWidget, icon_name: str, text: str, shortcut: str | None = None) -> QAction:
    action = QAction(icon(icon_name), text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({shortcut})")
    return action


class MainWindow(QMainWindow):
    """``closing`` lets the controller save geometry and drafts before the window goes."""

    closing = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("ESCAP Desktop")
        self.setWindowIcon(icon("app"))
        self.setMinimumSize(900, 560)
        self.resize(1280, 720)

        self.new_inclusion_action = _action(self, "add", "&Nouvelle inclusion…", "Ctrl+N")
        self.open_patient_action = _action(self, "patient", "&Ouvrir le patient", "Ctrl+O")
        self.import_patients_action = _action(self, "add", "Importer des &patients (liste CSV)…")
        self.invitations_action = _action(self, "inbox", "&Invitations reçues…", "Ctrl+I")
        self.my_escaps_action = _action(self, "remuneration", "&Mes ESCAP", "Ctrl+M")
        self.refresh_action = _action(self, "refresh", "&Actualiser", "F5")
        self.lock_action = _action(self, "lock", "&Verrouiller la session", "Ctrl+L")
        self.sync_action = _action(self, "pending", "&Synchroniser maintenant", "F9")
        self.import_directory_action = _action(self, "directory", "Importer l'&annuaire…")
        self.backup_action = _action(self, "attach", "&Sauvegarder…")
        self.restore_action = _action(self, "restart", "&Restaurer une sauvegarde…")
        self.dashboard_action = _action(self, "grid", "&Tableau de bord", "Ctrl+T")
        self.profile_action = _action(self, "profile", "Mon &profil…")
        self.evaluation_export_action = _action(self, "attach", "&Exporter pour l'évaluation…")
        self.forget_action = _action(self, "exit", "&Oublier ce poste…")
        self.protection_action = _action(self, "lock", "Protection du &coffre…")
        self.audit_action = _action(self, "search", "&Journal d'accès…")
        self.fhir_export_action = _action(self, "attach", "E&xporter en FHIR…")
        self.merges_action = _action(self, "patient", "Dossiers en &double à vérifier…")
        self.quit_action = _action(self, "exit", "&Quitter", "Ctrl+Q")
        self.close_tab_action = _action(self, "exit", "&Fermer l'onglet", "Ctrl+W")
        self.search_action = _action(self, "search", "&Rechercher un patient", "Ctrl+F")
        self.about_action = QAction("À &propos d'ESCAP Desktop", self)

        file_menu = self.menuBar().addMenu("&Fichier")
        file_menu.addAction(self.profile_action)
        file_menu.addAction(self.sync_action)
        file_menu.addAction(self.import_directory_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addAction(self.evaluation_export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.protection_action)
        file_menu.addAction(self.forget_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        patient_menu = self.menuBar().addMenu("&Patients")
        for action in (
            self.new_inclusion_action,
            self.import_patients_action,
            self.open_patient_action,
            self.search_action,
            self.invitations_action,
            self.my_escaps_action,
            self.dashboard_action,
        ):
            patient_menu.addAction(action)
        patient_menu.addSeparator()
        patient_menu.addAction(self.merges_action)
        patient_menu.addAction(self.audit_action)
        patient_menu.addAction(self.fhir_export_action)
        view_menu = self.menuBar().addMenu("&Affichage")
        view_menu.addAction(self.refresh_action)
        view_menu.addAction(self.close_tab_action)
        help_menu = self.menuBar().addMenu("&Aide")
        help_menu.addAction(self.about_action)

        toolbar = QToolBar("Barre d'outils")
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (
            self.new_inclusion_action,
            self.invitations_action,
            self.my_escaps_action,
        ):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.lock_action)
        self.addToolBar(toolbar)

        self.patient_list = PatientListView()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.addTab(self.patient_list, icon("patient"), "Patients")
        self.tabs.tabBar().setTabButton(
            PATIENTS_TAB, self.tabs.tabBar().ButtonPosition.RightSide, None
        )
        self.setCentralWidget(self.tabs)
        self.status = EscapStatusBar()
        self.setStatusBar(self.status)

    @property
    def work_actions(self) -> tuple[QAction, ...]:
        """Actions that need an open practice (off while the store is being opened)."""
        return (
            self.new_inclusion_action,
            self.import_patients_action,
            self.open_patient_action,
            self.invitations_action,
            self.my_escaps_action,
            self.refresh_action,
            self.lock_action,
            self.profile_action,
            self.sync_action,
            self.import_directory_action,
            self.backup_action,
            self.restore_action,
            self.dashboard_action,
            self.evaluation_export_action,
            self.forget_action,
            self.merges_action,
            self.protection_action,
            self.audit_action,
            self.fhir_export_action,
        )

    def set_opening(self, opening: bool, message: str = "Ouverture du coffre de données…") -> None:
        """Shown at once at start-up, before the store is open: the window is there and the
        search field takes input while the list is read."""
        for action in self.work_actions:
            action.setEnabled(not opening)
        if opening:
            self.status.showMessage(message)
            self.patient_list.count_label.setText(message)
        else:
            self.status.clearMessage()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)

    def add_page(self, widget: QWidget, title: str, icon_name: str) -> int:
        index = self.tabs.indexOf(widget)
        if index < 0:
            index = self.tabs.addTab(widget, icon(icon_name), title)
        self.tabs.setCurrentIndex(index)
        return index

    def set_invitation_count(self, count: int) -> None:
        self.invitations_action.setText(
            f"&Invitations reçues ({count})…" if count else "&Invitations reçues…"
        )
