"""Identifiers and timestamps shared by every entity."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def new_id() -> str:
    """A random, globally unique record id (no clock or machine in it, nothing to leak)."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """The current instant, timezone-aware, so records from different computers compare."""
    return datetime.now(UTC)
