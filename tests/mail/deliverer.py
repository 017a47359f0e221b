"""One delivery run in its own process, for the kill -9 tests to interrupt.

Usage: ``python -m tests.mail.deliverer DATA_DIR PORT CA_FILE INSTANT`` with the store's raw key
in hex in ``ESCAP_TEST_STORE_KEY`` (test data only). The practice's clock is frozen at
``INSTANT`` (the test's clock); the SMTP password goes into an in-memory keyring the process
trusts, as the OS keyring would hold it. Prints ``PRET`` once the store is open, then the ids
sent and ``FINI``.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import keyring

from escap_desktop.core.clock import FrozenClock
from escap_desktop.mail.credentials import save_password
from escap_desktop.mail.settings import MailSettings, TlsMode
from escap_desktop.services.mssante import MssanteService
from escap_desktop.services.practice import build_practice
from escap_desktop.store import Store, store_path
from tests.mail.smtp_server import LOGIN, PASSWORD
from tests.support.memory_keyring import MemoryKeyring

KEY_ENV = "ESCAP_TEST_STORE_KEY"


def main(argv: list[str]) -> int:
    data_dir, port, ca_file, instant = Path(argv[0]), int(argv[1]), Path(argv[2]), argv[3]
    keyring.set_keyring(MemoryKeyring())
    settings = MailSettings(
        host="127.0.0.1",
        port=port,
        tls=TlsMode.STARTTLS,
        sender=LOGIN,
        login=LOGIN,
        ca_file=ca_file,
        timeout=60.0,
    )
    save_password(settings, PASSWORD)
    clock = FrozenClock(datetime.fromisoformat(instant))
    store = Store.open(store_path(data_dir), bytes.fromhex(os.environ[KEY_ENV]), clock=clock)
    practice = build_practice(store, data_dir)
    current = practice.profile.current()
    assert current is not None
    me = current[1].id
    service = MssanteService(store, lambda: me, settings)
    print("PRET", flush=True)
    report = service.deliver_queued()
    for item_id in report.sent:
        print(item_id, flush=True)
    print("FINI", report.stopped, flush=True)
    practice.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
