"""First launch: who uses this computer, how their data is locked, and where to start.

The wizard only collects; :class:`~escap_desktop.ui.startup.Startup` opens the store with the
answers and saves the profile through the services. Checks that need the services (identifier
format, keyring) are injected as callables so the pages can show the reason next to the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from escap_desktop.core.entities import Professional
from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.forms.professional_form import ProfessionalForm
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.confirm import ask_confirmation
from escap_desktop.ui.widgets.emergency_notice import EmergencyNotice
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label

ProfessionalChecker = Callable[[Professional], list[ValidationError]]
PassphraseChecker = Callable[[str], None]

WELCOME_PAGE, PROFILE_PAGE, SECURITY_PAGE, START_PAGE = range(4)


@dataclass(frozen=True, slots=True)
class FirstLaunchAnswers:
    professional: Professional
    passphrase: str | None
    idle_lock_minutes: int
    open_demo: bool


def _page(title: str, subtitle: str) -> QWizardPage:
    page = QWizardPage()
    page.setTitle(title)
    page.setSubTitle(subtitle)
    return page


class ProfilePage(QWizardPage):
    def __init__(self, checker: ProfessionalChecker) -> None:
        super().__init__()
        self.setTitle("Votre profil de professionnel de santé")
        self.setSubTitle(
            "Ces informations figurent sur les invitations et les documents que vous imprimez."
        )
        self._checker = checker
        self.form = ProfessionalForm()
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)

    def validatePage(self) -> bool:
        problems = list(self._checker(self.form.professional()))
        if not self.form.last_name.text().strip():
            problems.insert(0, ValidationError("Le nom est obligatoire.", field="last_name"))
        self.form.show_problems(problems)
        return not problems


class SecurityPage(QWizardPage):
    """Keyring available: nothing to type. Otherwise a passphrase, typed twice."""

    def __init__(
        self,
        keyring_available: bool,
        passphrase_checker: PassphraseChecker,
        keyring_message: str = "",
    ) -> None:
        super().__init__()
        self.setTitle("Protection de vos données")
        self.setSubTitle(
            "Les données des patients sont chiffrées sur cet ordinateur. "
            "La session se verrouille après un temps d'inactivité."
        )
        self._keyring = keyring_available
        self._check = passphrase_checker
        status = QLabel()
        status.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmation = QLineEdit()
        self.confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, 120)
        self.idle_minutes.setValue(10)
        self.idle_minutes.setSuffix(" min")
        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        form = QFormLayout()
        if keyring_available:
            status.setText(
                "Le trousseau sécurisé du système est disponible : la clé de chiffrement y sera "
                "rangée, vous n'avez rien à retenir. Pour déverrouiller la session, vous "
                "confirmerez votre numéro RPPS ou ADELI."
            )
        else:
            why = keyring_message or (
                "Aucun trousseau sécurisé n'est disponible sur cet ordinateur : choisissez une "
                "phrase de passe."
            )
            status.setText(
                f"{why} Elle vous sera demandée à chaque ouverture et pour déverrouiller la "
                "session. Sans elle, les données sont perdues : notez-la en lieu sûr."
            )
            add_field_row(form, "&Phrase de passe :", self.passphrase, "passphrase", self.errors)
            add_field_row(form, "&Confirmation :", self.confirmation, "confirmation", self.errors)
        add_field_row(
            form, "&Verrouiller après :", self.idle_minutes, "idle_lock_minutes", self.errors
        )
        layout = QVBoxLayout(self)
        layout.addWidget(status)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addStretch(1)

    @property
    def chosen_passphrase(self) -> str | None:
        return None if self._keyring else self.passphrase.text()

    def validatePage(self) -> bool:
        self.errors.clear()
        if self._keyring:
            return True
        try:
            self._check(self.passphrase.text())
        except ValidationError as problem:
            self.errors.set_error("passphrase", str(problem))
            return False
        if self.passphrase.text() != self.confirmation.text():
            self.errors.set_error("confirmation", "Les deux saisies ne sont pas identiques.")
            return False
        return True


class StartPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Par où commencer ?")
        self.setSubTitle("Vous pourrez passer de l'un à l'autre plus tard.")
        self.own = QRadioButton("Commencer avec &mon cabinet (vide)")
        self.demo = QRadioButton(
            "Découvrir l'application avec le cabinet de &démonstration (patients fictifs)"
        )
        self.own.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.own)
        group.addButton(self.demo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.own)
        layout.addWidget(self.demo)
        layout.addStretch(1)


class FirstLaunchWizard(QWizard):
    """Collects :class:`FirstLaunchAnswers`; ``answers()`` once accepted."""

    def __init__(
        self,
        professional_checker: ProfessionalChecker,
        keyring_available: bool,
        passphrase_checker: PassphraseChecker,
        parent: QWidget | None = None,
        *,
        keyring_message: str = "",
    ) -> None:
        """``keyring_message`` says why the keyring was refused (e.g. one that keeps keys in a
        readable file), shown on the protection page instead of the general sentence."""
        super().__init__(parent)
        self.setWindowTitle("Bienvenue dans ESCAP Desktop")
        self.setWindowIcon(icon("app"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, "&Suivant >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Précédent")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Terminer")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Annuler")
        self.resize(760, 640)

        welcome = _page(
            "Bienvenue",
            "ESCAP Desktop vous aide à former et à suivre une équipe de soins coordonnés "
            "autour d'un patient.",
        )
        text = QLabel(
            "En trois étapes : votre profil de professionnel de santé, la protection de vos "
            "données, puis le choix de commencer avec votre cabinet ou le cabinet de "
            "démonstration.\n\nTout fonctionne sans connexion : les échanges avec l'équipe "
            "partent dès que le réseau est disponible."
        )
        text.setWordWrap(True)
        welcome_layout = QVBoxLayout(welcome)
        welcome_layout.addWidget(text)
        welcome_layout.addWidget(EmergencyNotice())
        welcome_layout.addStretch(1)

        self.profile_page = ProfilePage(professional_checker)
        self.security_page = SecurityPage(keyring_available, passphrase_checker, keyring_message)
        self.start_page = StartPage()
        self.setPage(WELCOME_PAGE, welcome)
        self.setPage(PROFILE_PAGE, self.profile_page)
        self.setPage(SECURITY_PAGE, self.security_page)
        self.setPage(START_PAGE, self.start_page)

    def answers(self) -> FirstLaunchAnswers:
        return FirstLaunchAnswers(
            professional=self.profile_page.form.professional(),
            passphrase=self.security_page.chosen_passphrase,
            idle_lock_minutes=self.security_page.idle_minutes.value(),
            open_demo=self.start_page.demo.isChecked(),
        )

    def reject(self) -> None:
        """Closing by mistake after typing a profile asks first (nothing is saved yet)."""
        if not self.profile_page.form.is_blank and not ask_confirmation(
            self,
            "Quitter l'assistant ?",
            "Votre profil n'est pas encore enregistré : il faudra le saisir à nouveau.",
            "&Quitter",
        ):
            return
        super().reject()
