"""Step 5: the patient's consent: print the form, then record it signed (with a scan or a
photo if there is one) or refused."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.page_base import InclusionPage
from escap_desktop.ui.print_preview.print_preview_dialog import PrintPreviewDialog
from escap_desktop.ui.printing import DocumentOutput
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.confirm import ask_confirmation
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.form_errors import (
    FormErrors,
    add_field_row,
    error_label,
    field_with_button,
)


class ConsentPage(InclusionPage):
    def __init__(self, flow: InclusionFlow, output: DocumentOutput | None) -> None:
        super().__init__(
            flow,
            "Consentement du patient",
            "Imprimez le formulaire, faites-le signer, puis enregistrez la réponse du patient.",
        )
        self._output = output
        self.print_button = QPushButton(icon("print"), "&Imprimer le formulaire de consentement")
        self.print_button.setEnabled(output is not None and flow.documents is not None)
        self.printed_label = QLabel()
        self.printed_label.setObjectName("hint")

        self.signed = QRadioButton("Le patient a &signé le formulaire papier")
        self.refused = QRadioButton("Le patient &refuse l'ESCAP")
        self.signed.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.signed)
        group.addButton(self.refused)

        self.answered_on = FrenchDateEdit("La date de signature", "signed_on")
        self.answered_on.set_value(flow.today())
        self.representative = QCheckBox("Signé par un représentant &légal")
        self.signatory = QLineEdit()
        self.signatory.setPlaceholderText("Nom du représentant légal")
        self.signatory.setEnabled(False)
        self.scan_path = QLineEdit()
        self.scan_path.setPlaceholderText("Facultatif : scan ou photo du formulaire signé")
        self.scan_button = QPushButton(icon("attach"), "&Joindre…")
        scan_row = field_with_button(self.scan_path, self.scan_button)

        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        self.details = QWidget()
        form = QFormLayout(self.details)
        add_field_row(form, "&Date :", self.answered_on, "signed_on", self.errors)
        form.addRow("", self.representative)
        add_field_row(form, "Représe&ntant :", self.signatory, "signatory", self.errors)
        add_field_row(form, "Scan / &photo :", scan_row, "scan_path", self.errors)

        print_row = QHBoxLayout()
        print_row.addWidget(self.print_button)
        print_row.addWidget(self.printed_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(print_row)
        layout.addSpacing(8)
        layout.addWidget(self.signed)
        layout.addWidget(self.refused)
        layout.addWidget(self.details)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        layout.addWidget(self.page_error)

        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Enregistrer la &réponse >")
        self.print_button.clicked.connect(self._on_print_clicked)
        self.scan_button.clicked.connect(self._on_scan_clicked)
        self.representative.toggled.connect(self.signatory.setEnabled)
        self.refused.toggled.connect(self._on_choice_changed)

    @Slot()
    def _on_choice_changed(self) -> None:
        refused = self.refused.isChecked()
        for widget in (self.representative, self.signatory, self.scan_path, self.scan_button):
            widget.setEnabled(
                not refused and (widget is not self.signatory or self.representative.isChecked())
            )
        self.setFinalPage(refused)

    @Slot()
    def _on_print_clicked(self) -> None:
        if self._output is None:
            return
        self._output.shown.connect(self._on_document_shown)
        self._output.produce(
            "Préparation du formulaire de consentement…", self.flow.consent_form, self
        )

    @Slot(object)
    def _on_document_shown(self, preview: PrintPreviewDialog) -> None:
        if self._output is not None:
            self._output.shown.disconnect(self._on_document_shown)
        self.printed_label.setText(
            f"Formulaire prêt ({preview.filename}) : imprimez-le et faites-le signer."
        )

    @Slot()
    def _on_scan_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "Joindre le formulaire signé",
            "",
            "Scans et photos (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;Tous les fichiers (*)",
        )
        if path:
            self.scan_path.setText(path)

    def nextId(self) -> int:
        return -1 if self.refused.isChecked() else super().nextId()

    def validatePage(self) -> bool:
        self.errors.clear()
        try:
            on = self.answered_on.required_value()
        except ValidationError as problem:
            self.errors.show(problem)
            return False
        if self.refused.isChecked():
            if not ask_confirmation(
                self,
                "Refus du patient",
                "Le patient refuse l'ESCAP : elle sera clôturée (le refus reste dans son "
                "dossier). Une nouvelle ESCAP pourra être proposée plus tard.",
                "&Enregistrer le refus",
            ):
                return False
            return self.run(lambda: self.flow.record_refusal(on), self.errors) is not None
        return (
            self.run(
                lambda: self.flow.record_consent(
                    on,
                    self.signatory.text().strip(),
                    self.representative.isChecked(),
                    self.scan_path.text().strip(),
                ),
                self.errors,
            )
            is not None
        )
