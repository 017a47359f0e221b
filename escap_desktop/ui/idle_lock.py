"""Locks every window after some idle time, hiding patient data until the professional unlocks.

How it works, kept simple on purpose:

* An application-wide event filter restarts a single-shot timer on every keyboard or mouse
  input. When the timer fires (default 10 minutes, 0 disables it) the lock engages.
* Locking covers each visible top-level window with an opaque :class:`LockOverlay` (windows are
  not hidden: hiding a dialog would end it and lose what was typed). While locked, keyboard
  input and shortcuts reaching anything but an overlay are swallowed, window titles (which may
  name a patient) are replaced, and a window appearing meanwhile is covered as it shows.
* Unlocking asks an :class:`Unlocker`: with a passphrase-protected store, the passphrase itself
  (checked against the store); with the OS keyring, which holds the key, the professional
  confirms who they are by typing their RPPS/ADELI number. That second check stops a passer-by
  glancing at data, not a determined attacker who already has the logged-in session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from escap_desktop.ui.widgets.lock_overlay import LockOverlay

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)
_BLOCKED_WHEN_LOCKED = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.Shortcut,
        QEvent.Type.Wheel,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
    }
)
LOCKED_TITLE = "ESCAP Desktop — session verrouillée"


@dataclass(frozen=True, slots=True)
class Unlocker:
    """What the lock screen asks for, and how the answer is checked.

    ``secret_input`` hides what is typed (a passphrase); an identifier is shown in clear.
    """

    prompt: str
    check: Callable[[str], bool]
    error: str
    secret_input: bool = True


def passphrase_unlocker(verify: Callable[[str], bool]) -> Unlocker:
    """Unlocking with the store passphrase (mode without OS keyring)."""
    return Unlocker(
        prompt="Saisissez votre phrase de passe pour déverrouiller.",
        check=verify,
        error="Phrase de passe incorrecte.",
        secret_input=True,
    )


def identity_unlocker(display_name: str, identifier: str) -> Unlocker:
    """Unlocking by confirming one's identity (mode with the OS keyring holding the key)."""
    expected = "".join(identifier.split())

    def check(text: str) -> bool:
        return bool(expected) and "".join(text.split()) == expected

    return Unlocker(
        prompt=(
            f"Session de {display_name}. Saisissez votre numéro RPPS ou ADELI pour déverrouiller."
        ),
        check=check,
        error="Ce numéro ne correspond pas au professionnel de cette session.",
        secret_input=False,
    )


class IdleLock(QObject):
    """The application-wide idle lock; see the module docstring."""

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self, unlocker: Unlocker, minutes: float = 10, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._unlocker = unlocker
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.lock)
        self._overlays: dict[QWidget, LockOverlay] = {}
        self._titles: dict[QWidget, str] = {}
        self._is_locked = False
        self.set_minutes(minutes)

    def install(self, app: QApplication) -> None:
        app.installEventFilter(self)

    def uninstall(self, app: QApplication) -> None:
        app.removeEventFilter(self)
        self._timer.stop()

    @property
    def is_locked(self) -> bool:
        return self._is_locked

    @property
    def minutes(self) -> float:
        return self._minutes

    def set_minutes(self, minutes: float) -> None:
        """Idle minutes before locking; 0 turns the idle lock off (manual locking stays).

        Fractions are allowed (tests lock after a few milliseconds)."""
        self._minutes = max(0.0, minutes)
        self._timer.setInterval(max(1, round(self._minutes * 60_000)))
        self._restart_timer()

    def set_unlocker(self, unlocker: Unlocker) -> None:
        self._unlocker = unlocker

    def lock(self) -> None:
        """Covers every visible window now (also bound to a menu action and a shortcut)."""
        if self._is_locked:
            return
        self._is_locked = True
        self._timer.stop()
        for window in QApplication.topLevelWidgets():
            if window.isVisible() and not isinstance(window, LockOverlay):
                self._cover(window)
        self.locked.emit()

    def try_unlock(self, answer: str) -> bool:
        """Checks ``answer``; on success removes every overlay and restores the titles."""
        if not self._is_locked:
            return True
        if not self._unlocker.check(answer):
            return False
        self._is_locked = False
        for overlay in list(self._overlays.values()):
            overlay.hide()
            overlay.deleteLater()
        for window, title in self._titles.items():
            window.setWindowTitle(title)
        self._overlays.clear()
        self._titles.clear()
        self._restart_timer()
        self.unlocked.emit()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self._is_locked:
            if kind == QEvent.Type.Resize and watched in self._overlays:
                self._overlays[watched].cover_parent()  # type: ignore[index]
            elif kind == QEvent.Type.Show and self._needs_cover(watched):
                self._cover(watched)  # type: ignore[arg-type]
            elif kind in _BLOCKED_WHEN_LOCKED and isinstance(watched, QWidget):
                return not self._inside_overlay(watched)
            return False
        if kind in _INPUT_EVENTS:
            self._restart_timer()
        return False

    def _restart_timer(self) -> None:
        if self._minutes > 0 and not self._is_locked:
            self._timer.start()
        else:
            self._timer.stop()

    def _cover(self, window: QWidget) -> None:
        overlay = LockOverlay(self._unlocker.prompt, self._unlocker.secret_input, window)
        overlay.unlock_requested.connect(
            lambda text, o=overlay: self._on_overlay_unlock_requested(o, text)
        )
        self._overlays[window] = overlay
        self._titles[window] = window.windowTitle()
        window.setWindowTitle(LOCKED_TITLE)
        overlay.cover_parent()
        overlay.show()
        overlay.focus_answer()

    def _needs_cover(self, watched: QObject) -> bool:
        return (
            isinstance(watched, QWidget)
            and watched.isWindow()
            and watched not in self._overlays
            and not isinstance(watched, LockOverlay)
            and not watched.inherits("QMenu")
        )

    def _inside_overlay(self, widget: QWidget) -> bool:
        return any(o is widget or o.isAncestorOf(widget) for o in self._overlays.values())

    def _on_overlay_unlock_requested(self, overlay: LockOverlay, text: str) -> None:
        if not self.try_unlock(text):
            overlay.show_error(self._unlocker.error)

    @property
    def timer_active(self) -> bool:
        return self._timer.isActive()

    @property
    def overlays(self) -> list[LockOverlay]:
        return list(self._overlays.values())
