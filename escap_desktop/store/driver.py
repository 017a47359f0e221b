"""Statements sent straight to the driver connection of a unit of work's transaction.

A post of one message sends about fifteen small statements (the episode, the access check, the
thread's last instant, the rows, the outbox, the clock). Through ``exec_driver_sql`` each still
costs SQLAlchemy's execution context and result object, about three times the driver's own
work: on a one-row statement, most of the time of the write path. The same statements go
here to the ``sqlcipher3`` connection of the very transaction (same connection, same
``BEGIN IMMEDIATE``, same commit), and keep what SQLAlchemy's path gave the rest of the store:

- the engine's cursor events are fired when someone listens (a benchmark captures the
  statements a post sends; nothing else listens in the application);
- a driver error comes out as SQLAlchemy's ``DBAPIError``, so the store's French messages for
  a locked, full or damaged file (``local_store._translate_runtime_error``) stay the same.

Only positional (``?``) statements with values already converted for the driver go here: the
callers are the store's own hot paths, which build their SQL once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

_INFO_KEY = "escap_driver"


class Driver:
    """The driver connection of one SQLAlchemy connection's transaction."""

    __slots__ = ("_connection", "_error", "_events", "_raw", "dialect")

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._raw: Any = connection.connection.driver_connection
        self.dialect = connection.dialect
        self._error: type[Exception] = connection.dialect.loaded_dbapi.Error
        # Only when someone listens to these two (the engine has other listeners: its BEGIN
        # IMMEDIATE is one), so the common case costs nothing.
        dispatch = connection.dispatch
        self._events = bool(
            (connection._has_events or connection.engine._has_events)
            and (dispatch.before_cursor_execute or dispatch.after_cursor_execute)
        )

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        """The driver's cursor after ``sql`` (iterate it, or ``fetchone``)."""
        return self._send(sql, parameters, many=False)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._send(sql, rows if isinstance(rows, list) else list(rows), many=True)

    def _send(self, sql: str, parameters: Any, *, many: bool) -> Any:
        """One statement, or one for every row, with the events and the error of SQLAlchemy's
        own path."""
        cursor = self._raw.cursor()
        dispatch = self._connection.dispatch if self._events else None
        if dispatch is not None:
            dispatch.before_cursor_execute(self._connection, cursor, sql, parameters, None, many)
        try:
            if many:
                cursor.executemany(sql, parameters)
            else:
                cursor.execute(sql, parameters)
        except self._error as error:
            raise self._wrapped(sql, parameters, error) from error
        if dispatch is not None:
            dispatch.after_cursor_execute(self._connection, cursor, sql, parameters, None, many)
        return cursor

    def first(self, sql: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.execute(sql, parameters).fetchone()
        return row

    def scalar(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        row = self.first(sql, parameters)
        return None if row is None else row[0]

    def _wrapped(self, sql: str, parameters: Any, error: Exception) -> StatementError:
        # A DBAPIError, since ``error`` is one of the driver's (StatementError is its base).
        return DBAPIError.instance(
            sql, parameters, error, self._error, dialect=self.dialect, ismulti=None
        )


def driver(session: Session) -> Driver:
    """The driver of ``session``'s current transaction (begun if need be), made once per
    transaction: asking the session for its connection costs more than most statements."""
    transaction = session.get_transaction()
    held = session.info.get(_INFO_KEY)
    if transaction is not None and held is not None and held[0] is transaction:
        found: Driver = held[1]
        return found
    made = Driver(session.connection())
    session.info[_INFO_KEY] = (session.get_transaction(), made)
    return made
