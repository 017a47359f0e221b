"""A real IMAP server for the tests: Debian's dovecot, started in a temporary folder on a free
loopback port, STARTTLS required (``ssl = required``) with the test authority's certificate,
one mailbox (a passwd-file with the test account's accented password), Maildir storage.

A message "arrives" by being written into the Maildir's ``new/`` folder, as a delivery agent
does. When dovecot is missing, ``.ci/services.sh`` installs it (the tests need it; CI never
skips them silently); run as root, the mail files belong to ``nobody``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.mail.certificates import CertificateFiles
from tests.mail.smtp_server import LOGIN, PASSWORD, free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass
class ImapServer:
    port: int
    maildir: Path
    owner: str

    def deliver(self, message: bytes) -> None:
        """Puts ``message`` in the inbox (Maildir ``new/``), owned by the mail user."""
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.escap-test"
        target = self.maildir / "new" / name
        temporary = self.maildir / "tmp" / name
        temporary.write_bytes(message)
        shutil.chown(temporary, self.owner)
        temporary.rename(target)


@contextmanager
def running_imap(certificates: CertificateFiles) -> Iterator[ImapServer]:
    """In a folder of its own under the system's temporary folder: pytest's are private to
    root, and the mail user (``nobody`` when run as root) must reach its mailbox."""
    folder = Path(tempfile.mkdtemp(prefix="escap-imap-"))
    folder.chmod(0o755)
    owner = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    group = "nogroup" if os.geteuid() == 0 else None
    home = folder / "home"
    maildir = home / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for path in (home, maildir, *(maildir / sub for sub in ("new", "cur", "tmp"))):
        shutil.chown(path, owner, group)
    # dovecot reads the certificate and key as root before dropping privileges: copies of its own
    for name in ("server_cert", "server_key"):
        shutil.copy(getattr(certificates, name), folder / name)
    users = folder / "users"
    users.write_text(f"{LOGIN}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    port = free_port()
    config = folder / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{folder}/server_cert
ssl_key = <{folder}/server_key
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain
default_internal_user = {owner}
default_login_user = {owner}
default_internal_group = {group or owner}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {users}
}}
userdb {{
  driver = static
  args = uid={owner} gid={group or owner} home={home}
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""",
        encoding="utf-8",
    )
    (folder / "run").mkdir(exist_ok=True)
    (folder / "state").mkdir(exist_ok=True)
    output = (folder / "dovecot.out").open("wb")
    # In the foreground (-F): the test owns the process, and stopping it stops every child.
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=output, stderr=subprocess.STDOUT
    )
    try:
        _wait_for(port, folder / "dovecot.log", process)
        yield ImapServer(port, maildir, owner)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
        output.close()
        _wait_closed(port)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for(port: int, log: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    journal = log.read_text(errors="replace") if log.exists() else ""
    raise RuntimeError(f"dovecot n'écoute pas sur le port {port} :\n{journal}")


def _wait_closed(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(0.05)
        except OSError:
            return
