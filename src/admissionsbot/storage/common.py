"""The queue's SQL, written once for both backends.

SQLite and PostgreSQL accept every statement here (written with `?`
placeholders). Subclasses supply connections, transactions, row locking and
value encoding, so the transition logic cannot drift between backends: each
state change locks the ticket, asks `core.tickets`, then writes the change and
its event row in the same transaction. Migrations (the list in `schema`,
rendered in the backend's dialect), `schema_version` and `close_store` are
written here once too; the delivery leases live in `leases`, turns and digests in `insights`.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from ..core import tickets as rules
from ..core.errors import AlreadyFiled, StorageError, TicketCapReached, TicketNotFound
from ..core.models import (
    Asker,
    FeedbackTally,
    NewTicket,
    Reply,
    Staff,
    Ticket,
    TicketStatus,
)
from . import schema
from .insights import KnowledgeRecords
from .leases import DeliveryLeases
from .privacy import PrivacyStore
from .rows import (
    Row,
    candidates_data,
    load_tickets,
    marks,
    new_ticket_values,
    reply_from_row,
    to_utc,
)
from .schema import Dialect
from .snippets import SnippetStore
from .staff_ops import HandOver
from .threads import PerThread
from .tours import TourStore

#: Actor recorded for events the bot itself causes (deliveries, staff posts).
BOT_ACTOR = "bot"
#: Largest ticket number / reply id / LIMIT either backend can hold (SQLite INTEGER, PostgreSQL BIGINT).
#: Numbers outside 1..MAX_ID cannot name a row; SQLite would raise OverflowError on them.
MAX_ID = 2**63 - 1


def _valid_id(n: int) -> bool:
    return 1 <= n <= MAX_ID


class SQLTicketStore(DeliveryLeases, KnowledgeRecords, HandOver, SnippetStore, PrivacyStore, TourStore, ABC):
    """TicketStore implementation over a DB-API-ish connection (see module doc)."""

    #: appended to the ticket read inside a state change (" FOR UPDATE" on PostgreSQL)
    _lock_clause: ClassVar[str] = ""

    #: which rendering of the shared migrations this backend runs
    _dialect: ClassVar[Dialect]
    #: the database as messages name it (a file path, or server and database)
    where: str
    _pool: PerThread[Any]

    # -- backend hooks: declared in hooks.SQLHooks, implemented by the SQLite and PostgreSQL stores --
    def _lock_schema(self, conn: Any) -> None:
        """Serialise migrations across processes (no-op where write transactions already are)."""

    def _where_in_sentence(self) -> str:
        """`where` as it reads after "The ticket database"."""
        return self.where

    # -- connections and schema ----------------------------------------------------------
    def _conn(self) -> Any:
        return self._pool.get()

    def close_store(self) -> None:
        """Close every thread's connection; later calls raise StorageError."""
        self._pool.close_all()

    def _open(self) -> None:
        """Bring the schema up to date, or release the connections and re-raise."""
        try:
            self._migrate()
        except BaseException:
            self.close_store()
            raise

    def _version(self, conn: Any) -> int:
        return int(self._exec(conn, "SELECT COALESCE(MAX(version), 0) AS v FROM schema_version").fetchone()["v"])

    def _migrate(self) -> None:
        """Apply the missing steps of `schema.MIGRATIONS` in one transaction (other openers wait)."""
        steps = schema.rendered(self._dialect)
        with self._tx(write=True, migrating=True) as conn:
            self._lock_schema(conn)
            self._exec(conn, schema.version_table(self._dialect))
            found = self._version(conn)
            schema.check_schema_version(found, len(steps), self._where_in_sentence())
            now = self._ts(datetime.now(UTC))
            for version in range(found + 1, len(steps) + 1):
                for statement in steps[version - 1]:
                    self._exec(conn, statement)  # one by one: a script could commit mid-migration
                sql = "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"
                self._exec(conn, sql, (version, now))

    def schema_version(self) -> int:
        """The schema version recorded in the database (for diagnostics and tests)."""
        with self._tx(write=False) as conn:
            return self._version(conn)

    def check_writable(self) -> None:
        """Write (and keep) one row's own value: a read-only file or database user fails here, at start-up,
        rather than at the first student's ticket."""
        with self._tx(write=True) as conn:
            version = self._version(conn)
            self._exec(conn, "UPDATE schema_version SET applied_at = applied_at WHERE version = ?", (version,))

    # -- helpers ------------------------------------------------------------------------
    def _event(self, conn: Any, number: int, actor: str, action: str, detail: str, at: datetime) -> None:
        self._exec(
            conn,
            "INSERT INTO events (ticket_number, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
            (number, self._ts(at), actor, action, detail),
        )

    def _row(self, conn: Any, number: int, lock: bool = False) -> Row:
        if not _valid_id(number):
            raise TicketNotFound(number)
        sql = "SELECT * FROM tickets WHERE number = ?" + (self._lock_clause if lock else "")
        row = self._exec(conn, sql, (number,)).fetchone()
        if row is None:
            raise TicketNotFound(number)
        return row

    def _load(
        self, conn: Any, rows: Sequence[Row], with_events: bool = False, strict: bool = False
    ) -> list[Ticket]:
        return load_tickets(lambda sql, params: self._exec(conn, sql, params).fetchall(), rows, with_events, strict)

    def _full(self, conn: Any, number: int) -> Ticket:
        return self._load(conn, [self._row(conn, number)], with_events=True, strict=True)[0]

    def _query_tickets(self, where: str, params: Sequence[Any], order: str, limit: int) -> list[Ticket]:
        if limit <= 0:
            return []
        sql = f"SELECT * FROM tickets WHERE {where} ORDER BY {order} LIMIT ?"
        with self._tx(write=False) as conn:
            rows = self._exec(conn, sql, (*params, min(limit, MAX_ID))).fetchall()
            return self._load(conn, rows)

    def _reply_row(self, conn: Any, reply_id: int) -> Row:
        row = None
        if _valid_id(reply_id):
            row = self._exec(conn, "SELECT * FROM replies WHERE id = ?", (reply_id,)).fetchone()
        if row is None:
            raise StorageError(f"There is no reply #{reply_id} in the ticket database.")
        return row

    # -- TicketStore --------------------------------------------------------------------
    def _lock_asker(self, conn: Any, platform: str, user_id: str) -> None:
        """Serialise ticket creation per asker inside a write transaction (no-op where writers are serial)."""

    def create(
        self, new: NewTicket, at: datetime, max_live: int | None = None, *, reuse_live_duplicate: bool = False
    ) -> Ticket:
        at = to_utc(at)
        values = new_ticket_values(new)
        values.update(
            status=TicketStatus.OPEN.value,
            candidates=self._json(candidates_data(new.candidates)),
            created_at=self._ts(at),
            updated_at=self._ts(at),
            open_since=self._ts(at),  # unclaimed since (reminders)
            waiting_since=self._ts(at),  # the student waits for an answer from now
        )
        cols = ", ".join(values)
        sql = f"INSERT INTO tickets ({cols}) VALUES ({marks(len(values))})"
        with self._tx(write=True) as conn:
            if max_live is not None or reuse_live_duplicate:
                self._lock_asker(conn, new.asker.platform, new.asker.user_id)
            if reuse_live_duplicate:
                same = self._exec(
                    conn,
                    "SELECT number FROM tickets WHERE asker_platform = ? AND asker_user_id = ? AND kind = ? "
                    "AND status <> ? AND question = ? ORDER BY number DESC LIMIT 1",
                    (new.asker.platform, new.asker.user_id, new.kind.value, TicketStatus.CLOSED.value, new.question),
                ).fetchone()
                if same is not None:  # a second press of the same button, the same question asked again
                    raise AlreadyFiled(self._full(conn, int(same["number"])))
            if max_live is not None:
                live = self._count_live(conn, new.asker.platform, new.asker.user_id)
                if live >= max_live:
                    raise TicketCapReached(live)
            number = self._insert(conn, sql, list(values.values()), "number")
            actor = new.asker.display_name or new.asker.user_id
            self._event(conn, number, actor, "created", new.kind.value, at)
            return self._full(conn, number)

    def get(self, number: int) -> Ticket:
        with self._tx(write=False) as conn:
            return self._full(conn, number)

    def list_tickets(self, status: TicketStatus | None = None, limit: int = 50) -> list[Ticket]:
        where, params = ("status = ?", (status.value,)) if status else ("1 = 1", ())
        return self._query_tickets(where, params, "created_at DESC, number DESC", limit)

    def for_asker(self, platform: str, user_id: str, limit: int = 25) -> list[Ticket]:
        return self._query_tickets(
            "asker_platform = ? AND asker_user_id = ?",
            (platform, user_id),
            "created_at DESC, number DESC",
            limit,
        )

    def _count_live(self, conn: Any, platform: str, user_id: str) -> int:
        sql = (
            "SELECT COUNT(*) AS n FROM tickets "
            "WHERE asker_platform = ? AND asker_user_id = ? AND status <> ?"
        )
        return int(self._exec(conn, sql, (platform, user_id, TicketStatus.CLOSED.value)).fetchone()["n"])

    def count_live_for_asker(self, platform: str, user_id: str) -> int:
        with self._tx(write=False) as conn:
            return self._count_live(conn, platform, user_id)

    def claim(self, number: int, staff: Staff, at: datetime) -> Ticket:
        at = to_utc(at)
        with self._tx(write=True) as conn:
            current = self._current(conn, number)
            staff = self._remember_staff(conn, staff, at)
            if rules.check_claim(current, staff):
                self._exec(
                    conn,
                    "UPDATE tickets SET status = ?, claimed_by = ?, updated_at = ?, claimed_at = ? WHERE number = ?",
                    (TicketStatus.CLAIMED.value, staff.key, self._ts(at), self._ts(at), number),
                )
                self._event(conn, number, staff.key, "claimed", "", at)
            return self._full(conn, number)

    def add_reply(self, number: int, staff: Staff, text: str, at: datetime) -> Reply:
        at = to_utc(at)
        with self._tx(write=True) as conn:
            current = self._current(conn, number)
            staff = self._remember_staff(conn, staff, at)
            rules.check_reply(current, staff, text)
            self._exec(
                conn,
                "UPDATE tickets SET status = ?, updated_at = ?, claimed_at = ?, waiting_since = NULL WHERE number = ?",
                (TicketStatus.ANSWERED.value, self._ts(at), self._ts(at), number),
            )
            reply_id = self._insert(
                conn,
                "INSERT INTO replies (ticket_number, author, text, created_at, delivery_attempts, "
                "last_error) VALUES (?, ?, ?, ?, 0, '')",
                (number, staff.key, text, self._ts(at)),
                "id",
            )
            self._event(conn, number, staff.key, "replied", f"reply {reply_id}", at)
            return reply_from_row(self._reply_row(conn, reply_id), {staff.key: staff})

    def close_ticket(self, number: int, actor: Staff, reason: str | None, at: datetime) -> Ticket:
        at = to_utc(at)
        with self._tx(write=True) as conn:
            current = self._current(conn, number)
            actor = self._remember_staff(conn, actor, at)
            rules.check_close(current, reason)
            self._exec(
                conn,
                "UPDATE tickets SET status = ?, close_reason = ?, updated_at = ?, closed_at = ? WHERE number = ?",
                (TicketStatus.CLOSED.value, reason, self._ts(at), self._ts(at), number),
            )
            self._event(conn, number, actor.key, "closed", reason or "", at)
            return self._full(conn, number)

    def set_staff_post(self, number: int, ref: str, at: datetime) -> None:
        at = to_utc(at)
        with self._tx(write=True) as conn:
            if self._row(conn, number, lock=True)["staff_post_ref"] == ref:
                return  # the same message confirmed twice (a resend answered by its nonce): one event
            self._exec(
                conn,
                "UPDATE tickets SET staff_post_ref = ?, updated_at = ?, post_lease_owner = NULL, "
                "post_lease_until = NULL WHERE number = ?",
                (ref, self._ts(at), number),
            )
            self._event(conn, number, BOT_ACTOR, "staff_posted", ref, at)

    def pending_staff_posts(self, limit: int = 50) -> list[Ticket]:
        return self._query_tickets(
            "staff_post_ref IS NULL AND status <> ?",
            (TicketStatus.CLOSED.value,),
            "created_at, number",
            limit,
        )

    def undelivered_replies(
        self, platform: str | None = None, user_id: str | None = None, limit: int = 50
    ) -> list[tuple[Ticket, Reply]]:
        if limit <= 0:
            return []
        where, params = ["r.delivered_at IS NULL"], []
        if platform is not None:
            where.append("t.asker_platform = ?")
            params.append(platform)
        if user_id is not None:
            where.append("t.asker_user_id = ?")
            params.append(user_id)
        sql = (
            "SELECT r.* FROM replies r JOIN tickets t ON t.number = r.ticket_number "
            f"WHERE {' AND '.join(where)} ORDER BY r.created_at, r.id LIMIT ?"
        )
        with self._tx(write=False) as conn:
            found = self._exec(conn, sql, (*params, min(limit, MAX_ID))).fetchall()
            return self._tickets_and_replies(conn, found)  # unreadable tickets logged, left out

    def mark_reply_delivered(self, reply_id: int, at: datetime) -> bool:
        """Idempotent: a second call keeps the first delivery time, logs nothing and returns False.

        The UPDATE itself tests delivered_at, so of racing callers (PostgreSQL runs writers
        concurrently) exactly one changes the row, writes the event and gets True.
        """
        at = to_utc(at)
        with self._tx(write=True) as conn:
            number = int(self._reply_row(conn, reply_id)["ticket_number"])
            updated = self._exec(
                conn,
                "UPDATE replies SET delivered_at = ?, delivery_attempts = delivery_attempts + 1, "
                "lease_owner = NULL, lease_until = NULL WHERE id = ? AND delivered_at IS NULL",
                (self._ts(at), reply_id),
            ).rowcount
            if updated == 1:
                self._event(conn, number, BOT_ACTOR, "reply_delivered", f"reply {reply_id}", at)
            return bool(updated == 1)

    def record_delivery_failure(
        self, reply_id: int, error: str, at: datetime, retry_at: datetime | None = None
    ) -> int:
        """Count the attempt, release the reply's lease until `retry_at`; the attempts so far (0: delivered).

        The count comes from the row, not the caller's copy, so of two racing failures only one sees 1.
        """
        at = to_utc(at)
        with self._tx(write=True) as conn:
            number = int(self._reply_row(conn, reply_id)["ticket_number"])
            updated = self._exec(
                conn,
                "UPDATE replies SET delivery_attempts = delivery_attempts + 1, last_error = ?, "
                "lease_owner = NULL, lease_until = ? WHERE id = ? AND delivered_at IS NULL",
                (error, None if retry_at is None else self._ts(retry_at), reply_id),
            ).rowcount
            if updated != 1:
                return 0
            self._event(conn, number, BOT_ACTOR, "delivery_failed", f"reply {reply_id}: {error}", at)
            return int(self._reply_row(conn, reply_id)["delivery_attempts"])

    def record_event(self, number: int, actor: str, action: str, detail: str, at: datetime) -> None:
        at = to_utc(at)
        with self._tx(write=True) as conn:
            self._row(conn, number)
            self._event(conn, number, actor, action, detail, at)

    def record_feedback(self, entry_id: str, helpful: bool, question: str, asker: Asker, at: datetime) -> None:
        at = to_utc(at)
        with self._tx(write=True) as conn:
            self._exec(
                conn,
                "INSERT INTO feedback (entry_id, helpful, question, asker_platform, asker_user_id, at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (entry_id, asker_platform, asker_user_id) "  # one vote each: the latest counts
                "DO UPDATE SET helpful = excluded.helpful, question = excluded.question, at = excluded.at",
                (entry_id, bool(helpful), question, asker.platform, asker.user_id, self._ts(at)),
            )

    def feedback_tallies(self) -> list[FeedbackTally]:
        # CASE WHEN helpful: true for BOOLEAN (PostgreSQL) and for 1 (SQLite's 0/1) alike
        sql = (
            "SELECT entry_id, SUM(CASE WHEN helpful THEN 1 ELSE 0 END) AS helpful_n, "
            "SUM(CASE WHEN helpful THEN 0 ELSE 1 END) AS missed_n FROM feedback "
            "GROUP BY entry_id ORDER BY missed_n DESC, entry_id"
        )
        with self._tx(write=False) as conn:
            rows = self._exec(conn, sql).fetchall()
        return [FeedbackTally(str(r["entry_id"]), int(r["helpful_n"]), int(r["missed_n"])) for r in rows]
