"""Identifiers and timestamps shared by every entity."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """A random, globally unique record id (no clock or machine in it, nothing to leak)."""
    return uuid.uuid4().hex
