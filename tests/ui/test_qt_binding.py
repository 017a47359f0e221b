"""The installed Qt binding must not corrupt Python's reference counts.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call of a ``void`` method:
after a few thousand such calls (any busy screen) ``None`` is "deallocated" and the interpreter
aborts. Python 3.12+ is immune (``None`` is immortal there). This test catches such a build.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None est immortel depuis Python 3.12")
def test_void_calls_keep_the_reference_count_of_none(qtbot: QtBot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    before = sys.getrefcount(None)
    for _ in range(100):
        edit.setText("x")
        edit.setVisible(False)
    assert sys.getrefcount(None) - before > -50, (
        "cette version de PySide6 corrompt le compteur de références de None : "
        "installez PySide6 6.11.x"
    )
