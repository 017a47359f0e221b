"""A full disk while writing: one clear French sentence, and the store keeps what it had.

Two ways to fill it: SQLite's ``max_page_count`` on every connection (a size-limited file; always
runs), and a real 1 MiB tmpfs (needs root to mount; skipped with the reason otherwise).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from escap_desktop.core.entities import Escap, Message
from escap_desktop.core.errors import StoreError
from escap_desktop.services.messages import MAX_BODY
from escap_desktop.services.practice import Practice, open_practice
from escap_desktop.store import store_path
from escap_desktop.store.local_store import DISK_FULL_MESSAGE
from tests.hardening.conftest import demo_practice, team_escap

BIG_BODY = "Compte rendu de passage à domicile. " * (MAX_BODY // 40)


def _post_until_full(practice: Practice, escap: Escap, limit: int = 400) -> list[Message]:
    """Posts long messages until the store refuses one; returns those it accepted."""
    accepted: list[Message] = []
    refusal: StoreError | None = None
    for number in range(limit):
        try:
            accepted.append(practice.messages.post(escap.id, f"{BIG_BODY}{number}"))
        except StoreError as error:
            refusal = error
            break
    assert refusal is not None, f"{limit} messages written and the store is still not full"
    assert str(refusal) == DISK_FULL_MESSAGE
    return accepted


def _thread_ids(practice: Practice, escap: Escap) -> set[str]:
    return {message.id for message in practice.messages.thread(escap.id)}


@pytest.fixture
def page_limit() -> Iterator[list[int]]:
    """Caps every connection checked out of any pool at ``limit[0]`` pages (0: no cap)."""
    limit = [0]

    def cap(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if limit[0]:
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit[0]:d}")

    event.listen(Pool, "checkout", cap)
    yield limit
    event.remove(Pool, "checkout", cap)


def test_a_size_limited_store_refuses_in_french_and_keeps_its_data(
    tmp_path: Path, page_limit: list[int]
) -> None:
    practice = demo_practice(tmp_path)
    escap = team_escap(practice.store)
    before = _thread_ids(practice, escap)
    with practice.store.unit_of_work(None) as uow:
        pages = uow.session.connection().exec_driver_sql("PRAGMA page_count").scalar()
    assert isinstance(pages, int)
    page_limit[0] = pages + 40  # room for a few messages, not for many

    accepted = _post_until_full(practice, escap)

    assert accepted, "the limit left no room at all: the test proves nothing"
    assert _thread_ids(practice, escap) == before | {m.id for m in accepted}
    practice.close()
    page_limit[0] = 0
    reopened = open_practice(tmp_path)
    try:
        assert _thread_ids(reopened, escap) == before | {m.id for m in accepted}
        with reopened.store.unit_of_work(None) as uow:
            check = uow.session.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
        assert check == "ok"
    finally:
        reopened.close()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB file system (tmpfs), unmounted afterwards."""
    mount_point = tmp_path / "disque"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"montage d'un tmpfs impossible ici (root requis) : {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_file_system_is_reported_in_french_and_the_store_stays_sound(
    tiny_disk: Path,
) -> None:
    data_dir = tiny_disk / "donnees"
    practice = demo_practice(data_dir, patients=3)
    escap = team_escap(practice.store)
    before = _thread_ids(practice, escap)

    accepted = _post_until_full(practice, escap)

    # Still readable while the disk is full, with every message it acknowledged.
    assert _thread_ids(practice, escap) == before | {m.id for m in accepted}
    practice.close()
    subprocess.run(["mount", "-o", "remount,size=8m", str(tiny_disk)], check=True)
    reopened = open_practice(data_dir)
    try:
        assert _thread_ids(reopened, escap) == before | {m.id for m in accepted}
        with reopened.store.unit_of_work(None) as uow:
            check = uow.session.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
        assert check == "ok"
        assert store_path(data_dir).is_file()
    finally:
        reopened.close()
