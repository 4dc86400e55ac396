"""What every part of the SQL store may call, declared once.

SQLTicketStore is assembled from mixins (leases, knowledge records, hand-over,
snippets, privacy, tours), each written once for both backends. They all use
the same backend hooks (implemented by the SQLite and PostgreSQL classes) and
the same row helpers (implemented by SQLTicketStore or by one mixin); this base
declares them so each mixin states only its own SQL.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from ..core.models import Staff, Ticket
from .rows import Row


class SQLHooks(ABC):
    # -- backend hooks (SQLiteTicketStore, PostgresTicketStore) ---------------------------
    @abstractmethod
    def _tx(self, write: bool, migrating: bool = False) -> AbstractContextManager[Any]:
        """A transaction yielding a connection; write=True must serialise writers.

        migrating=True: the schema is being set up (errors then say so).
        """

    @abstractmethod
    def _exec(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one `?`-placeholder statement; returns a cursor with fetchone/fetchall."""

    @abstractmethod
    def _insert(self, conn: Any, sql: str, params: Sequence[Any], id_column: str) -> int:
        """Run an INSERT and return the generated id."""

    @abstractmethod
    def _ts(self, at: datetime) -> Any:
        """Encode an aware UTC datetime for this backend."""

    @abstractmethod
    def _json(self, data: Any) -> Any:
        """Encode JSON-able data for this backend."""

    # -- shared row helpers (SQLTicketStore and its mixins) -------------------------------
    @abstractmethod
    def _load(self, conn: Any, rows: Sequence[Row], with_events: bool = False,
              strict: bool = False) -> list[Ticket]:
        """Tickets from rows, with their replies (and events)."""

    @abstractmethod
    def _row(self, conn: Any, number: int, lock: bool = False) -> Row:
        """One ticket row (locked for a state change); TicketNotFound if there is none."""

    @abstractmethod
    def _full(self, conn: Any, number: int) -> Ticket:
        """One ticket with replies and events."""

    @abstractmethod
    def _rows(self, conn: Any, table: str, key: str, keys: Sequence[int]) -> list[Row]:
        """Rows of `table` whose `key` is one of `keys` (chunked under SQLite's variable limit)."""

    @abstractmethod
    def _event(self, conn: Any, number: int, actor: str, action: str, detail: str, at: datetime) -> None:
        """Append to a ticket's event log inside the caller's transaction."""

    @abstractmethod
    def _pick(self, conn: Any, sql: str, params: Sequence[Any], alias: str) -> list[int]:
        """Ids a batch query selects, rows locked and skipped by other transactions where the backend can."""

    @abstractmethod
    def _lock_asker(self, conn: Any, platform: str, user_id: str) -> None:
        """Serialise one asker's ticket creation inside a write transaction."""

    @abstractmethod
    def _count_live(self, conn: Any, platform: str, user_id: str) -> int:
        """The asker's tickets that are not closed."""

    @abstractmethod
    def _remember_staff(self, conn: Any, staff: Staff, at: datetime) -> Staff:
        """Record a staff member's current name; returns the member as stored."""

    @abstractmethod
    def _staff_map(self, conn: Any, keys: Iterable[str | None]) -> dict[str, Staff]:
        """Current names of the given staff keys."""
