"""Renders every main screen of ESCAP Desktop offscreen, on the demo practice, into
docs/screenshots/*.png (the README shows them).

    .venv/bin/python docs/screenshots.py

Runs without a display (Qt offscreen) and without touching the user's data: the demo practice
is generated in a temporary folder. Windows are rendered at 1366x768, the smallest screen the
application must fit.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from escap_desktop.core.entities import EscapState, Profession, Sex
from escap_desktop.services.sync import InvitationSummary
from escap_desktop.ui.app_shell import create_application, create_shell
from escap_desktop.ui.escap_page.escap_page_view import (
    BILLING_TAB,
    EVENTS_TAB,
    MESSAGES_TAB,
    PLAN_TAB,
    TEAM_TAB,
)
from escap_desktop.ui.first_launch.first_launch_wizard import (
    PROFILE_PAGE,
    FirstLaunchWizard,
)
from escap_desktop.ui.inclusion.inclusion_wizard import InclusionWizard
from escap_desktop.ui.invitations.received_invitations_dialog import ReceivedInvitationsDialog
from escap_desktop.ui.main_window.main_controller import MainController
from escap_desktop.ui.patients.import_dialog import PatientImportDialog
from escap_desktop.ui.print_preview.print_preview_dialog import PrintPreviewDialog
from escap_desktop.ui.startup import Startup

OUT = Path(__file__).resolve().parent / "screenshots"
SIZE = (1366, 768)


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def save(app: QApplication, widget: QWidget, name: str) -> None:
    settle(app)
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(f"  {path.relative_to(OUT.parent.parent)}")


def nir(first_13: str) -> str:
    return first_13 + f"{97 - int(first_13) % 97:02d}"


def first_launch(app: QApplication) -> None:
    wizard = FirstLaunchWizard(lambda _p: [], True, lambda _t: None)
    wizard.show()
    wizard.setCurrentId(PROFILE_PAGE)
    form = wizard.profile_page.form
    form.last_name.setText("Lefèvre-Dubois")
    form.first_name.setText("Claire")
    form.profession.setCurrentIndex(form.profession.findData(Profession.MEDECIN))
    form.specialty.setText("Médecine générale")
    form.identifier.setText("10003456789")
    form.address.setText("12, rue de la République")
    form.postcode.setText("42000")
    form.town.setText("Saint-Étienne")
    form.phone.setText("04 77 12 34 56")
    form.mssante.setText("claire.lefevre-dubois@medecin.mssante.fr")
    save(app, wizard, "01-premier-lancement")
    wizard.hide()
    wizard.deleteLater()


def inclusion(app: QApplication, main: MainController) -> None:
    wizard = InclusionWizard(main.inclusion_flow(), main.documents, parent=main.window)
    wizard.show()
    form = wizard.identity_page.form
    form.birth_name.setText("Rousseau")
    form.first_names.setText("Geneviève Marie")
    form.birth_date.setText("14/02/1941")
    form.sex.setCurrentIndex(form.sex.findData(Sex.FEMALE))
    form.birth_place_code.setText("42218")
    form.ins.setText("2 41 02 42 218 012 99")
    form.ins.editingFinished.emit()
    save(app, wizard, "03-inclusion-identite-erreur")
    form.ins.setText(nir("2410242218012"))
    form.ins.editingFinished.emit()
    wizard.next()
    situation = wizard.situation_page.form
    situation.chronic_conditions.setValue(4)
    situation.diabetes_type.setCurrentIndex(2)
    situation.on_insulin.setChecked(True)
    save(app, wizard, "04-inclusion-situation")
    wizard.next()
    boxes = list(wizard.grid_page.form.boxes.values())
    for box in boxes[:15]:
        box.setChecked(True)
    save(app, wizard, "05-inclusion-grille")
    wizard.next()
    save(app, wizard, "06-inclusion-resultat")
    wizard.next()
    save(app, wizard, "07-inclusion-consentement")
    wizard.next()
    professionals = [p for p in main._professionals.list() if p.id != main.me.id]
    page = wizard.team_page
    for profession in (Profession.INFIRMIER, Profession.MASSEUR_KINESITHERAPEUTE):
        colleague = next(p for p in professionals if p.profession is profession)
        page.add_professional(colleague)
    page.set_role(main.me.id, "Médecin traitant : coordination du suivi")
    page.select_medecin_traitant(main.me.id)
    save(app, wizard, "08-inclusion-equipe")
    wizard.next()
    save(app, wizard, "09-inclusion-invitations")
    wizard.hide()
    wizard.deleteLater()


def escap_page(app: QApplication, main: MainController) -> None:
    active = [s for s in main.summaries if s.escap_state is EscapState.ACTIVE]
    chosen = max(active, key=lambda s: (s.unread_messages, s.team_size))
    main.open_patient(chosen.patient_id)
    page = main.pages[chosen.patient_id]
    for tab, name in (
        (TEAM_TAB, "10-escap-equipe"),
        (PLAN_TAB, "11-escap-plan"),
        (MESSAGES_TAB, "12-escap-messages"),
        (EVENTS_TAB, "13-escap-evenements"),
        (BILLING_TAB, "14-escap-facturation"),
    ):
        page.view.tabs.setCurrentIndex(tab)
        save(app, main.window, name)
    page.view.exit_requested.emit()  # the exit dialog, with its date (nothing is saved)
    dialog = page.dialog
    assert dialog is not None
    save(app, dialog, "19-sortie-escap")
    dialog.reject()


def invitation(app: QApplication, main: MainController) -> None:
    """A colleague's invitation as it arrives (a fictitious one: the demo has no relay)."""
    sample = InvitationSummary(
        invitation_id="exemple",
        inviter_name="Dr Paul GARNIER",
        inviter_profession="Médecin",
        role="Suivi diabétologique",
        patient_initials="G. R.",
        patient_age=84,
        received_at=datetime.now(UTC),
    )
    dialog = ReceivedInvitationsDialog(lambda: [sample], print, print, main.window)
    dialog.show()
    save(app, dialog, "17-invitation-recue")
    dialog.hide()
    dialog.deleteLater()


def print_preview(app: QApplication, main: MainController) -> None:
    """An assessed patient's consent form in the print preview (the demo prints nothing)."""
    assessed = next(s for s in main.summaries if s.escap_state is EscapState.ASSESSED)
    document = main._documents.consent_form(assessed.patient_id)
    dialog = PrintPreviewDialog(document, document.filename, main.shell.errors, main.window)
    dialog.resize(860, 740)
    dialog.show()
    # The view renders its pages on worker threads: give them a moment to arrive.
    pause = QEventLoop()
    QTimer.singleShot(1500, pause.quit)
    pause.exec()
    save(app, dialog, "20-apercu-impression")
    dialog.hide()
    dialog.deleteLater()


def protection(app: QApplication, main: MainController) -> None:
    """Fichier > Protection du coffre… (the demo is in keyring mode: nothing is changed)."""
    main.window.protection_action.trigger()
    dialog = main.dialog
    assert dialog is not None
    save(app, dialog, "21-protection-du-coffre")
    dialog.reject()


def patient_import(app: QApplication, main: MainController) -> None:
    """Patients > Importer des patients (liste CSV)... on a practice software's export, with
    two lines to correct (nothing is imported)."""
    rows = [
        "N° dossier;Nom;Nom de naissance;Prénom(s);Né(e) le;Sexe;N° SS;Tél. portable",
        f"1001;ROUSSEAU;MARTIN;Geneviève Marie;14/02/1941;F;{nir('2410242218012')};06 12 34 56 78",
        f"1002;;GARNIER;Paul;03/07/1950;M;{nir('1500742218105')};06 22 41 10 09",
        "1003;;N'DIAYE;Awa;31/02/1952;F;;06 45 12 78 30",
        f"1004;FAURE;LEFÈVRE;Hélène;22/09/1947;F;{nir('2470975056033')};",
        f"1005;;DUPONT-MOREL;Jean-Pierre;11/11/1939;M;{nir('1391169123044')};04 77 21 33 10",
        "1006;;BENAÏSSA;Karim;05/05/1958;X;;06 71 02 44 58",
        f"1007;;ŒUVRARD;Françoise;18/01/1944;F;{nir('2440142218077')};",
        "1008;;LE GOFF;Loïc;29/06/1961;M;;06 30 18 92 11",
        "1009;;CÔTÉ;Zoé;02/12/1936;F;;",
        f"1010;;HÉBERT;Noël;25/12/1942;M;{nir('1421275056120')};04 77 48 90 12",
    ]
    path = Path(main.data_dir) / "export-logiciel.csv"
    path.write_bytes("\r\n".join([*rows, ""]).encode("cp1252"))
    main.window.import_patients_action.trigger()
    dialog = main.dialog
    assert isinstance(dialog, PatientImportDialog)
    dialog.load(path)
    save(app, dialog, "22-import-patients")
    dialog.reject()


def run(app: QApplication, main: MainController, done: Callable[[], None]) -> None:
    main.window.resize(*SIZE)
    main.window.show()
    save(app, main.window, "02-liste-des-patients")
    inclusion(app, main)
    escap_page(app, main)
    main.show_my_escaps()
    save(app, main.window, "15-mes-escap")
    invitation(app, main)
    main.show_dashboard()
    main.shell.jobs.wait_for_done(30_000)
    settle(app)
    save(app, main.window, "18-tableau-de-bord")
    print_preview(app, main)
    protection(app, main)
    patient_import(app, main)
    main.window.tabs.setCurrentIndex(0)
    main.lock.lock()
    save(app, main.window, "16-session-verrouillee")
    main.lock.try_unlock(main.me.identifier)
    done()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = create_application(["screenshots"])
    shell = create_shell(app)
    shell.errors.crash_reported.connect(lambda report: print(report, file=sys.stderr))
    shell.errors.message_posted.connect(lambda message: print(message, file=sys.stderr))
    print("Captures d'écran :")
    first_launch(app)
    with tempfile.TemporaryDirectory() as folder:
        startup = Startup(shell, folder, demo=True, open_files=False)

        started: list[bool] = []

        def ready(controller: MainController) -> None:
            def once() -> None:
                if not started:
                    started.append(True)
                    QTimer.singleShot(0, lambda: run(app, controller, app.quit))

            controller.list_loaded.connect(once)

        startup.ready.connect(ready)
        startup.failed.connect(lambda message: (print(message, file=sys.stderr), app.exit(1)))
        startup.start()
        QTimer.singleShot(180_000, lambda: app.exit(2))
        code = app.exec()
        startup.close()
        shell.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
