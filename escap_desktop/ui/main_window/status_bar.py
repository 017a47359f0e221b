"""The status bar: which store is open, online or offline, and changes waiting to be sent."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from escap_desktop.ui.resources import icon


def _icon_label() -> QLabel:
    label = QLabel()
    label.setFixedWidth(18)
    return label


class EscapStatusBar(QStatusBar):
    """Permanent fields on the right; transient messages use ``showMessage`` on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store_label = QLabel()
        self.store_label.setObjectName("storeLabel")
        self.connection_icon = _icon_label()
        self.connection_label = QLabel()
        self.connection_label.setObjectName("connectionLabel")
        self.pending_label = QLabel()
        self.pending_label.setObjectName("pendingLabel")
        for widget in (
            self.store_label,
            self.connection_icon,
            self.connection_label,
            self.pending_label,
        ):
            self.addPermanentWidget(widget)
        self.set_connection(False)
        self.set_pending(0)

    def set_store(self, name: str, path: str) -> None:
        self.store_label.setText(f"Base : {name}")
        self.store_label.setToolTip(path)

    def set_connection(self, online: bool, detail: str = "") -> None:
        self.connection_icon.setPixmap(icon("online" if online else "offline").pixmap(14, 14))
        self.connection_label.setText("En ligne" if online else "Hors ligne")
        self.connection_label.setToolTip(
            detail
            or (
                "Connecté au relais : les échanges avec l'équipe sont envoyés."
                if online
                else "Pas de connexion au relais : vous pouvez continuer à travailler, "
                "les modifications seront envoyées plus tard."
            )
        )

    def set_pending(self, count: int) -> None:
        if count == 0:
            self.pending_label.setText("Tout est envoyé")
        elif count == 1:
            self.pending_label.setText("1 modification à envoyer")
        else:
            self.pending_label.setText(f"{count} modifications à envoyer")
