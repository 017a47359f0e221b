"""A burst of writes through the real services, for the kill -9 test to interrupt.

Usage: ``python -m tests.hardening.writer DATA_DIR ESCAP_ID LABEL`` with the store's raw key in
hex in ``ESCAP_TEST_STORE_KEY`` (test data only). Prints ``PRET`` once the store is open, then
the id of each message *after* the service call returned, i.e. once the professional would have
been told it was saved; the test kills the process at random moments in between.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from escap_desktop.services.practice import build_practice
from escap_desktop.store import Store, store_path

KEY_ENV = "ESCAP_TEST_STORE_KEY"
MAX_WRITES = 100_000  # never runs forever if the test that started it is gone


def main(argv: list[str]) -> int:
    data_dir, escap_id, label = Path(argv[0]), argv[1], argv[2]
    store = Store.open(store_path(data_dir), bytes.fromhex(os.environ[KEY_ENV]))
    practice = build_practice(store, data_dir)
    print("PRET", flush=True)
    for number in range(MAX_WRITES):
        message = practice.messages.post(escap_id, f"Rafale {label}, message {number}.")
        print(message.id, flush=True)
    practice.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
