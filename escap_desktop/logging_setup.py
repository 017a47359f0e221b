"""The application log: one rotated file in the platform's log folder, never any health data.

A log is read by whoever helps a professional when something goes wrong, often by e-mail: it
must be safe to send. So the rules are enforced where the lines are written, not left to each
call site:

- a record keeps its message *template* (a constant written by a developer) and only the
  arguments that cannot carry a patient's data: numbers, enum members, 32-hex record ids, paths,
  and text explicitly marked with :func:`safe`. Any other text argument is masked;
- exception messages are masked (their type and traceback lines stay: code, not data);
- only ESCAP's own loggers (``escap_desktop.*``) write to the file: a library's lines (SQLAlchemy's
  INFO lines hold the SQL parameters, i.e. names and NIRs) never reach it. The root logger is
  left alone, so ``escap relay`` keeps its console logging;
- a last redaction pass masks anything that looks like a NIR (13 or 15 digits), a phone number
  or an e-mail address, in case a value slipped into a template through an f-string.

``ESCAP_LOG_DIR`` moves the folder (tests, support sessions); ``ESCAP_LOG_LEVEL`` sets the level
(``DEBUG`` for a support session; ``INFO`` by default).
"""

from __future__ import annotations

import enum
import logging
import logging.handlers
import os
import re
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path, PurePath
from typing import Any, Protocol

import platformdirs

APP_NAME = "ESCAP Desktop"
LOG_DIR_ENV = "ESCAP_LOG_DIR"
LOG_LEVEL_ENV = "ESCAP_LOG_LEVEL"
LOG_FILENAME = "escap-desktop.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
APP_LOGGER = "escap_desktop"
OUR_LOGGERS = ("escap_desktop", "escap_relay", "escap")
MASK = "‹masqué›"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] : %(message)s"

_HEX_ID = re.compile(r"[0-9a-f]{8,64}")
_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A NIR/INS: 13 digits (+ a 2-digit key), with or without separators; Corsica's 2A/2B too.
    (
        re.compile(
            r"(?<!\w)[12][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[ABab])(?:[ .]?\d){6}"
            r"(?:[ .]?\d{2})?(?!\w)"
        ),
        "‹NIR masqué›",
    ),
    # Any other long run of digits (account, card or unknown identifiers).
    (re.compile(r"(?<!\w)\d(?:[ .]?\d){12,}(?!\w)"), "‹nombre masqué›"),
    # French phone numbers.
    (re.compile(r"(?<!\w)(?:\+33[ .]?|0)[1-9](?:[ .]?\d{2}){4}(?!\w)"), "‹téléphone masqué›"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "‹adresse masquée›"),
)


class SafeText(str):
    """Text a developer vouches for (an event kind, a state name): kept in the log as is."""

    __slots__ = ()


def safe(text: str) -> SafeText:
    """Marks a logging argument as free of personal data, e.g. ``safe(kind_name)``."""
    return SafeText(text)


def redact(text: str) -> str:
    """Masks NIR-, phone- and e-mail-like sequences: the safety net under every log line."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def log_dir() -> Path:
    """``$ESCAP_LOG_DIR``, else the platform's user log folder for the app (not created)."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_file(directory: Path | None = None) -> Path:
    return (directory or log_dir()) / LOG_FILENAME


class HealthDataFilter(logging.Filter):
    """Drops third-party chatter and masks every argument that could hold a patient's data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and not _is_ours(record.name):
            return False
        if not isinstance(record.msg, str):
            record.msg = MASK
        if isinstance(record.args, Mapping):
            record.args = {key: _safe_argument(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_safe_argument(value) for value in record.args)
        return True


class RedactingFormatter(logging.Formatter):
    """Formats the line, exceptions without their message, then runs :func:`redact` on it."""

    def formatException(self, ei: Any) -> str:
        exc_type, _value, tb = ei
        frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
        name = exc_type.__qualname__ if exc_type is not None else "Exception"
        return f"Traceback (most recent call last):\n{frames}{name}: {MASK}"

    def formatStack(self, stack_info: str) -> str:
        return stack_info

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full exception text on the record: never reuse it.
        cached = record.exc_text
        record.exc_text = None
        try:
            return redact(super().format(record))
        finally:
            record.exc_text = cached


def setup_logging(
    level: int | str | None = None,
    *,
    directory: Path | None = None,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
) -> Path | None:
    """Sends the process's logging to the rotated file; returns its path (None if unwritable).

    Called once at start-up by ``escap`` (CLI and GUI alike); calling it again replaces the
    handler it installed before. A log folder that cannot be written never stops the app.
    """
    teardown_logging()
    chosen = _level(level)
    target = log_file(directory)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _EscapFileHandler(
            target, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setLevel(chosen)
    handler.addFilter(HealthDataFilter())
    handler.setFormatter(RedactingFormatter(FORMAT))
    app_logger = logging.getLogger(APP_LOGGER)
    app_logger.addHandler(handler)
    app_logger.setLevel(chosen)
    return target


def teardown_logging() -> None:
    """Closes the file handler (tests, and before the log folder is moved)."""
    app_logger = logging.getLogger(APP_LOGGER)
    for handler in list(app_logger.handlers):
        if isinstance(handler, _EscapFileHandler):
            app_logger.removeHandler(handler)
            handler.close()


class CommitHookHost(Protocol):
    def add_commit_hook(self, hook: Callable[[Any, list[object]], None]) -> None: ...


def log_store_writes(store: CommitHookHost) -> None:
    """Logs each committed write as its record type and id (DEBUG): what happened, not what."""
    logger = logging.getLogger("escap_desktop.store.writes")

    def hook(_uow: Any, changed: list[object]) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        for entity in changed:
            deleted = hasattr(entity, "entity") and not hasattr(entity, "id")
            target = entity.entity if deleted else entity  # type: ignore[attr-defined]
            logger.debug(
                "%s %s %s",
                safe("suppression" if deleted else "écriture"),
                safe(type(target).__name__),
                getattr(target, "id", None),
            )

    store.add_commit_hook(hook)


class _EscapFileHandler(logging.handlers.RotatingFileHandler):
    """Ours, so that :func:`setup_logging` can find and replace it."""


def _is_ours(name: str) -> bool:
    return name == "root" or any(name == n or name.startswith(n + ".") for n in OUR_LOGGERS)


def _level(level: int | str | None) -> int:
    if level is None:
        level = os.environ.get(LOG_LEVEL_ENV, "INFO")
    if isinstance(level, str):
        resolved = logging.getLevelName(level.strip().upper())
        return resolved if isinstance(resolved, int) else logging.INFO
    return level


def _safe_argument(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | enum.Enum | SafeText | PurePath):
        return value
    if isinstance(value, str):
        return value if _HEX_ID.fullmatch(value) else MASK
    if isinstance(value, BaseException):
        return type(value).__qualname__
    if isinstance(value, type):
        return value.__qualname__
    return f"<{type(value).__qualname__}>"
