"""The TLS client context for the operator's servers, sending (SMTP) and reading (IMAP) alike."""

from __future__ import annotations

import ssl
from pathlib import Path

from escap_desktop.mail.errors import MailError


def client_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificate and server name always checked, TLS 1.2 at least; ``ca_file``: the
    operator's own authorities instead of the system's. MailError (French) if it cannot be read."""
    try:
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as error:
        raise MailError(
            f"Le fichier des autorités de certification « {ca_file} » ne peut pas être lu."
        ) from error
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
