"""Asking before a destructive action, with French buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

Confirmer = Callable[[QWidget | None, str, str, str], bool]


def ask_confirmation(parent: QWidget | None, title: str, question: str, action: str) -> bool:
    """A modal Yes/No whose "yes" button names the action ("Clôturer l'ESCAP")."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, question, QMessageBox.StandardButton.NoButton, parent
    )
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    no = box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes


def ask_choice(
    parent: QWidget | None, title: str, question: str, actions: Sequence[str]
) -> int | None:
    """A modal question with several actions and « Annuler »: the index of the action chosen,
    None when cancelled (the default, and Échap)."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, question, QMessageBox.StandardButton.NoButton, parent
    )
    buttons = [box.addButton(action, QMessageBox.ButtonRole.AcceptRole) for action in actions]
    no = box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    clicked = box.clickedButton()
    return next((index for index, button in enumerate(buttons) if button is clicked), None)
