"""Network faults for the resume tests: a cut connection, a relay process killed mid-push."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import httpx

STARTUP_TIMEOUT = 60.0

PUSH_PATH = "/v1/envelopes"


class CutConnection(httpx.BaseTransport):
    """Forwards to the relay until a chosen request; from then on, nothing gets through.

    ``cut_after(path, count)``: the ``count``-th request to ``path`` still reaches the relay (it
    is stored there) but its answer is lost, as when a connection drops during the answer; then
    the relay is unreachable until ``restore()``. ``on_cut`` runs at the cut (kill a process).
    """

    def __init__(self, inner: httpx.BaseTransport, on_cut: Callable[[], None] | None = None):
        self._inner = inner
        self._on_cut = on_cut
        self._path: str | None = None
        self._left = 0
        self.down = False

    def cut_after(self, path: str, count: int) -> None:
        self._path, self._left = path, count

    def restore(self) -> None:
        self._path, self.down = None, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connexion refusée", request=request)
        response = self._inner.handle_request(request)
        if self._path is not None and request.url.path.startswith(self._path):
            self._left -= 1
            if self._left == 0:
                response.read()
                response.close()
                self.down = True
                if self._on_cut is not None:
                    self._on_cut()
                raise httpx.ReadError("connexion coupée pendant la réponse", request=request)
        return response

    def close(self) -> None:
        self._inner.close()


class RelayProcess:
    """``escap-relay`` as a real process on a fixed port, which a test may kill and restart."""

    def __init__(self, port: int, database_url: str, *extra_args: str) -> None:
        self.port = port
        self.database_url = database_url
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None
        self._drain: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "escap_relay.cli",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--database-url",
                self.database_url,
                *self.extra_args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        _wait_until_listening(self.process)
        assert self.process.stdout is not None
        self._drain = threading.Thread(target=self.process.stdout.read, daemon=True)
        self._drain.start()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as when the server loses power."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        self._reap()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._reap()

    def _reap(self) -> None:
        if self.process is None:
            return
        self.process.wait()
        if self._drain is not None:
            self._drain.join(timeout=30)
        assert self.process.stdout is not None
        self.process.stdout.close()
        self.process = None


def _wait_until_listening(process: subprocess.Popen[bytes]) -> None:
    """Reads the relay's output until uvicorn says it listens.

    "Application startup complete" comes before the socket is bound: a request sent on that line
    alone may be refused. "Uvicorn running on" comes once it accepts connections.
    """
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    output = b""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while b"Uvicorn running on" not in output:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(timeout=remaining):
                raise RuntimeError(f"relay did not start:\n{output.decode(errors='replace')}")
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError(f"relay exited:\n{output.decode(errors='replace')}")
            output += chunk
    finally:
        selector.close()
