"""The sync tests' in-process relay (SQLite), for the access tests that go through it."""

from tests.sync.conftest import sqlite_relay, sqlite_relay_url

__all__ = ["sqlite_relay", "sqlite_relay_url"]
