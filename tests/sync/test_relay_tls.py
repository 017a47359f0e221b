"""A relay reached over HTTPS must prove who it is: a server whose certificate comes from an
authority the trust store does not know is refused in French at once (not retried as a passing
failure), nothing is sent — at every sync, though the clients of successive syncs share one TLS
context (read once per process)."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from escap_desktop.sync.crypto import DeviceKeys
from escap_desktop.sync.relay_client import RelayClient, RelayUntrustedError
from tests.mail.certificates import CertificateFiles, make_certificates


class _Handler(http.server.BaseHTTPRequestHandler):
    served: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"teams": []}')

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def untrusted_relay(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate the tests' own authority signed."""
    files: CertificateFiles = make_certificates(tmp_path / "certificats")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.server_cert, files.server_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_relay_whose_certificate_is_not_trusted_is_refused_at_every_sync(
    untrusted_relay: str,
) -> None:
    keys = DeviceKeys.generate()
    _Handler.served.clear()
    for _sync in range(2):
        with (
            RelayClient(untrusted_relay, keys) as client,
            pytest.raises(RelayUntrustedError, match="certificat que ce poste ne reconnaît pas"),
        ):
            client.teams()
        assert client.requests == 1  # refused at once: a certificate does not get better
    assert _Handler.served == []  # no request ever reached the impostor
