"""What every inclusion page shares: the flow, and one line for an error that is not a field's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QLabel, QWizardPage

from escap_desktop.core.errors import EscapError, ValidationError
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.widgets.form_errors import FormErrors, error_label

T = TypeVar("T")


class InclusionPage(QWizardPage):
    """``run`` calls a use case and shows an expected error where it belongs."""

    def __init__(self, flow: InclusionFlow, title: str, subtitle: str = "") -> None:
        super().__init__()
        self.flow = flow
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.page_error: QLabel = error_label()
        self.page_error.setObjectName("fieldError")

    def show_page_error(self, message: str) -> None:
        self.page_error.setText(message)
        self.page_error.setVisible(bool(message))

    def run(self, use_case: Callable[[], T], errors: FormErrors | None = None) -> T | None:
        """The use case's result, or None after showing its French error next to the cause."""
        self.show_page_error("")
        try:
            return use_case()
        except ValidationError as problem:
            if errors is not None and problem.field in errors.fields:
                errors.show(problem)
            else:
                self.show_page_error(str(problem))
            return None
        except EscapError as problem:
            self.show_page_error(str(problem))
            return None
