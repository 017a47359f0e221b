"""A real relay process (uvicorn) on 127.0.0.1, started as a professional would start it."""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def relay_process(
    command: Sequence[str], database_url: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Starts the relay, waits for uvicorn's start-up line on its output, stops it afterwards.

    ``command`` is the launcher (``escap-relay`` or ``escap relay``) as a Python ``-m`` call.
    """
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            *command,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--database-url",
            database_url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    drain: threading.Thread | None = None
    try:
        _wait_until_started(process)
        # Keep reading its output, so a full pipe can never block the relay.
        assert process.stdout is not None
        drain = threading.Thread(target=process.stdout.read, daemon=True)
        drain.start()
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if drain is not None:
            drain.join(timeout=30)
        assert process.stdout is not None
        process.stdout.close()


def _wait_until_started(process: subprocess.Popen[bytes]) -> None:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    output = b""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        # uvicorn logs "startup complete" before it binds the socket; "running on" comes after.
        while b"Uvicorn running on" not in output:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(timeout=remaining):
                raise RuntimeError(
                    f"relay did not start in time:\n{output.decode(errors='replace')}"
                )
            chunk = os.read(process.stdout.fileno(), 65536)  # unbuffered: select() sees it all
            if not chunk:
                raise RuntimeError(f"relay exited:\n{output.decode(errors='replace')}")
            output += chunk
    finally:
        selector.close()
