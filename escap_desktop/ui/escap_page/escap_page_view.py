"""The ESCAP page of one patient: a header that says where things stand, then one tab each
for the team, the plan, the messages, the events and the billing."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import EscapState
from escap_desktop.core.entities.summaries import EscapOverview
from escap_desktop.ui.escap_page.billing_panel import BillingPanel
from escap_desktop.ui.escap_page.events_panel import EventsPanel
from escap_desktop.ui.escap_page.members_panel import MembersPanel
from escap_desktop.ui.escap_page.messages_panel import MessagesPanel
from escap_desktop.ui.escap_page.plan_panel import PlanPanel
from escap_desktop.ui.formatting import format_date, format_nir
from escap_desktop.ui.resources import icon

TEAM_TAB, PLAN_TAB, MESSAGES_TAB, EVENTS_TAB, BILLING_TAB = range(5)


class EscapPageView(QWidget):
    """Widgets only; :class:`EscapPageController` fills them and reacts to their signals."""

    exit_requested = Signal()
    consent_amendment_requested = Signal()
    restart_requested = Signal()
    continue_inclusion_requested = Signal()
    grid_print_requested = Signal()
    audit_requested = Signal()
    fhir_export_requested = Signal()

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.state_label = QLabel()
        self.state_label.setObjectName("sectionTitle")
        self.identity_label = QLabel()
        self.mt_label = QLabel()
        self.score_label = QLabel()
        self.dates_label = QLabel()
        self.next_step_label = QLabel()
        self.next_step_label.setWordWrap(True)
        self.next_step_label.setObjectName("hint")

        self.continue_button = QPushButton(icon("consent"), "&Poursuivre l'inclusion…")
        self.exit_button = QPushButton(icon("exit"), "&Clôturer l'ESCAP…")
        self.exit_button.setObjectName("danger")
        self.restart_button = QPushButton(icon("restart"), "&Relancer une ESCAP…")
        self.grid_button = QPushButton(icon("grid"), "Imprimer la &grille")
        self.consent_button = QPushButton(icon("consent"), "Modifier le c&onsentement…")
        self.consent_button.setToolTip(
            "Le patient change ce qu'il accepte de partager, ou qui il désigne : enregistrez "
            "l'avenant et imprimez-le pour sa signature."
        )
        self.audit_button = QPushButton(icon("search"), "&Journal d'accès…")
        self.audit_button.setToolTip("Qui a consulté ou modifié ce dossier sur ce poste")
        self.fhir_button = QPushButton(icon("attach"), "E&xporter en FHIR…")
        self.fhir_button.setToolTip("Le dossier de l'épisode au format FHIR (fichier JSON)")

        header = QFrame()
        header.setObjectName("card")
        # Its height follows its text (a long next step wraps): the tabs take what is left.
        header.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        grid = QGridLayout(header)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.state_label, 0, 1)
        grid.addWidget(self.identity_label, 1, 0)
        grid.addWidget(self.mt_label, 1, 1)
        grid.addWidget(self.score_label, 2, 0)
        grid.addWidget(self.dates_label, 2, 1)
        grid.addWidget(self.next_step_label, 3, 0, 1, 2)
        actions = QHBoxLayout()
        actions.addWidget(self.continue_button)
        actions.addWidget(self.grid_button)
        actions.addWidget(self.consent_button)
        actions.addWidget(self.audit_button)
        actions.addWidget(self.fhir_button)
        actions.addStretch(1)
        actions.addWidget(self.restart_button)
        actions.addWidget(self.exit_button)
        grid.addLayout(actions, 4, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self.members = MembersPanel()
        self.plan = PlanPanel()
        self.messages = MessagesPanel()
        self.events = EventsPanel()
        self.billing = BillingPanel(today)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("escapTabs")
        self.tabs.addTab(self.members, icon("team"), "Équipe")
        self.tabs.addTab(self.plan, icon("plan"), "Plan d'actions")
        self.tabs.addTab(self.messages, icon("message"), "Messages")
        self.tabs.addTab(self.events, icon("event"), "Événements")
        self.tabs.addTab(self.billing, icon("billing"), "Facturation")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(header)
        layout.addWidget(self.tabs, 1)

        self.exit_button.clicked.connect(self.exit_requested)
        self.consent_button.clicked.connect(self.consent_amendment_requested)
        self.restart_button.clicked.connect(self.restart_requested)
        self.continue_button.clicked.connect(self.continue_inclusion_requested)
        self.grid_button.clicked.connect(self.grid_print_requested)
        self.audit_button.clicked.connect(self.audit_requested)
        self.fhir_button.clicked.connect(self.fhir_export_requested)

    def set_header(self, overview: EscapOverview, today: date, next_step: str) -> None:
        patient, escap = overview.patient, overview.escap
        self.title.setText(patient.display_name)
        episode = f" (épisode {escap.episode})" if escap.episode > 1 else ""
        self.state_label.setText(f"ESCAP : {escap.state.label}{episode}")
        nir = format_nir(patient.ins) if patient.ins else "NIR non renseigné"
        self.identity_label.setText(
            f"Né(e) le {format_date(patient.birth_date)} ({patient.age_on(today)} ans) — {nir}"
        )
        mt = overview.medecin_traitant
        self.mt_label.setText(
            f"Médecin traitant : {mt.display_name}" if mt else "Médecin traitant : non renseigné"
        )
        latest = overview.latest_assessment
        self.score_label.setText(
            f"Dernière grille : {latest.score} points (seuil {latest.threshold}) le "
            f"{format_date(latest.assessed_on)}"
            if latest
            else "Grille d'inclusion : non remplie"
        )
        dates = []
        if escap.activated_at:
            dates.append(f"active depuis le {format_date(escap.activated_at)}")
        if escap.closed_at:
            reason = escap.exit_reason.label if escap.exit_reason else ""
            dates.append(f"clôturée le {format_date(escap.closed_at)} ({reason})")
        self.dates_label.setText(", ".join(dates).capitalize())
        self.next_step_label.setText(next_step)
        closed = escap.state is EscapState.CLOSED
        forming = escap.state in (
            EscapState.DRAFT,
            EscapState.ASSESSED,
            EscapState.CONSENTED,
            EscapState.FORMING,
        )
        self.exit_button.setVisible(not closed)
        consent = overview.consent
        self.consent_button.setVisible(not closed and consent is not None and consent.in_force)
        self.restart_button.setVisible(closed)
        self.continue_button.setVisible(forming)
        self.grid_button.setEnabled(latest is not None)
