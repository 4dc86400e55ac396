"""Leases: who may send a staff card or a reply now, and which process leads.

Several bot processes may share one PostgreSQL database, and one process runs
several tasks (a staff action, the retry pass, /mytickets) that can reach for
the same pending card or reply. Whoever sends it first takes a lease on it: a
row-level owner and expiry (`lease_owner` / `lease_until` on replies,
`post_lease_owner` / `post_lease_until` on tickets). Others skip it until it is
done or the lease expires (its holder died); a failed send releases it with a
back-off, so the expiry column doubles as "not before". This is the job-queue
pattern of procrastinate, Oban or graphile-worker: a batch is picked with
`SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL; on SQLite writers are already
serial under BEGIN IMMEDIATE, so the select-then-update is atomic there too).

A named lease row (`leases`: name, owner, expires_at) elects the one process
that runs the background loops; see adapters/leadership.py for why a row and
not an advisory lock. Times come from the caller (UTC), like every other
timestamp of the store: processes on several machines need clocks that agree
to well within the lease lengths (NTP).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from ..core.models import Reply, Ticket, TicketStatus
from .hooks import SQLHooks
from .rows import Row, chunks, marks, parse_ts, to_utc

_CLOSED = TicketStatus.CLOSED.value
#: a row nobody holds: never leased, released, or its lease (or back-off) over by `?` (now)
_FREE = "(lease_until IS NULL OR lease_until <= ?)"
_R_FREE = "(r.lease_until IS NULL OR r.lease_until <= ?)"
_POST_FREE = "(post_lease_until IS NULL OR post_lease_until <= ?)"


class DeliveryLeases(SQLHooks):
    """The lease half of the TicketStore, written once for both backends (SQLTicketStore mixes it in)."""

    #: appended to a batch pick: " FOR UPDATE OF {alias} SKIP LOCKED" where rows can be locked (PostgreSQL)
    _skip_locked: ClassVar[str] = ""

    def _pick(self, conn: Any, sql: str, params: Sequence[Any], alias: str) -> list[int]:
        """The `pick` column of the rows a SELECT finds, locked (PostgreSQL), skipping rows others hold."""
        rows = self._exec(conn, sql + self._skip_locked.format(alias=alias), params).fetchall()
        return [int(row["pick"]) for row in rows]

    def _rows(self, conn: Any, table: str, key: str, keys: Sequence[int]) -> list[Row]:
        """The rows of `table` whose `key` is in `keys`, in the order of `keys`."""
        rows: list[Row] = []
        for part in chunks(keys):
            rows.extend(self._exec(conn, f"SELECT * FROM {table} WHERE {key} IN ({marks(len(part))})", part).fetchall())
        order = {k: i for i, k in enumerate(keys)}
        rows.sort(key=lambda r: order[int(r[key])])
        return rows

    def _lease(self, conn: Any, table: str, columns: str, key: str, keys: Sequence[int], owner: str,
               until: datetime) -> list[Row]:
        """Set `columns` (owner, until) on the rows picked, and read them back."""
        owner_col, until_col = columns.split(",")
        for part in chunks(keys):
            sql = f"UPDATE {table} SET {owner_col} = ?, {until_col} = ? WHERE {key} IN ({marks(len(part))})"
            self._exec(conn, sql, (owner, self._ts(until), *part))
        return self._rows(conn, table, key, keys)

    def _tickets_and_replies(self, conn: Any, reply_rows: Sequence[Row]) -> list[tuple[Ticket, Reply]]:
        """(ticket, reply) for each reply row, in order; unreadable tickets are logged and left out."""
        numbers = sorted({int(r["ticket_number"]) for r in reply_rows})
        by_number = {t.number: t for t in self._load(conn, self._rows(conn, "tickets", "number", numbers))}
        pairs = []
        for r in reply_rows:
            ticket = by_number.get(int(r["ticket_number"]))
            if ticket is not None:
                pairs.append((ticket, next(x for x in ticket.replies if x.id == int(r["id"]))))
        return pairs

    # -- replies ------------------------------------------------------------------------
    def take_reply(self, reply_id: int, owner: str, until: datetime, now: datetime) -> tuple[Ticket, Reply] | None:
        """Lease one undelivered reply until `until`; None when delivered, leased or backing off."""
        sql = f"UPDATE replies SET lease_owner = ?, lease_until = ? WHERE id = ? AND delivered_at IS NULL AND {_FREE}"
        with self._tx(write=True) as conn:
            if self._exec(conn, sql, (owner, self._ts(until), reply_id, self._ts(now))).rowcount != 1:
                return None
            pairs = self._tickets_and_replies(conn, self._rows(conn, "replies", "id", [reply_id]))
            return pairs[0] if pairs else None

    def take_pending_replies(
        self, owner: str, until: datetime, now: datetime, platform: str | None = None, limit: int = 50
    ) -> list[tuple[Ticket, Reply]]:
        """Lease up to `limit` undelivered replies nobody holds, oldest first."""
        if limit <= 0:
            return []
        where, params = f"r.delivered_at IS NULL AND {_R_FREE}", [self._ts(now)]
        if platform is not None:
            where += " AND t.asker_platform = ?"
            params.append(platform)
        sql = (f"SELECT r.id AS pick FROM replies r JOIN tickets t ON t.number = r.ticket_number WHERE {where} "
               "ORDER BY r.created_at, r.id LIMIT ?")
        with self._tx(write=True) as conn:
            ids = self._pick(conn, sql, (*params, limit), "r")
            rows = self._lease(conn, "replies", "lease_owner,lease_until", "id", ids, owner, until)
            return self._tickets_and_replies(conn, rows)

    def release_reply(self, reply_id: int, owner: str) -> None:
        """Give a taken reply back at once (e.g. it could not be shown); only its holder can."""
        with self._tx(write=True) as conn:
            self._exec(conn, "UPDATE replies SET lease_owner = NULL, lease_until = NULL "
                             "WHERE id = ? AND lease_owner = ? AND delivered_at IS NULL", (reply_id, owner))

    # -- staff cards --------------------------------------------------------------------
    def take_staff_post(
        self, number: int, owner: str, until: datetime, now: datetime, current_ref: str | None = None
    ) -> Ticket | None:
        """Lease the posting of a ticket's card: None when it is posted (its ref is no longer `current_ref`) or held."""
        ref_test = "staff_post_ref IS NULL" if current_ref is None else "staff_post_ref = ?"
        ref_params = () if current_ref is None else (current_ref,)
        sql = (f"UPDATE tickets SET post_lease_owner = ?, post_lease_until = ? WHERE number = ? AND {ref_test} "
               f"AND {_POST_FREE}")
        with self._tx(write=True) as conn:
            if self._exec(conn, sql, (owner, self._ts(until), number, *ref_params, self._ts(now))).rowcount != 1:
                return None
            loaded = self._load(conn, self._rows(conn, "tickets", "number", [number]))
            return loaded[0] if loaded else None

    def take_pending_staff_posts(self, owner: str, until: datetime, now: datetime, limit: int = 50) -> list[Ticket]:
        """Lease up to `limit` live tickets whose card was never posted and nobody is posting, oldest first."""
        if limit <= 0:
            return []
        sql = (f"SELECT number AS pick FROM tickets WHERE staff_post_ref IS NULL AND status <> ? AND {_POST_FREE} "
               "ORDER BY created_at, number LIMIT ?")
        with self._tx(write=True) as conn:
            numbers = self._pick(conn, sql, (_CLOSED, self._ts(now), limit), "tickets")
            return self._load(conn, self._lease(conn, "tickets", "post_lease_owner,post_lease_until", "number",
                                                numbers, owner, until))

    def release_staff_post(self, number: int, owner: str, retry_at: datetime | None = None) -> None:
        """Give a taken card back (its post failed); nobody takes it again before `retry_at`."""
        with self._tx(write=True) as conn:
            self._exec(conn, "UPDATE tickets SET post_lease_owner = NULL, post_lease_until = ? "
                             "WHERE number = ? AND post_lease_owner = ?",
                       (None if retry_at is None else self._ts(retry_at), number, owner))

    def next_retry_at(self, now: datetime, platform: str | None = None) -> datetime | None:
        """When the first pending card or reply that is leased or backing off now becomes free again."""
        reply_sql = ("SELECT MIN(r.lease_until) AS t FROM replies r JOIN tickets t ON t.number = r.ticket_number "
                     "WHERE r.delivered_at IS NULL AND r.lease_until > ?")
        params: list[Any] = [self._ts(now)]
        if platform is not None:
            reply_sql += " AND t.asker_platform = ?"
            params.append(platform)
        post_sql = ("SELECT MIN(post_lease_until) AS t FROM tickets "
                    "WHERE staff_post_ref IS NULL AND status <> ? AND post_lease_until > ?")
        with self._tx(write=False) as conn:
            found = [self._exec(conn, reply_sql, params).fetchone()["t"],
                     self._exec(conn, post_sql, (_CLOSED, self._ts(now))).fetchone()["t"]]
        times = [t for t in (parse_ts(v) for v in found) if t is not None]
        return min(times) if times else None

    # -- named leases (leader election) ---------------------------------------------------
    def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease `name` until `until`; False while another owner holds it unexpired."""
        with self._tx(write=True) as conn:
            changed = self._exec(
                conn,
                "INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
                "WHERE leases.owner = excluded.owner OR leases.expires_at <= ?",
                (name, owner, self._ts(until), self._ts(now)),
            ).rowcount
            return bool(changed == 1)

    def release_lease(self, name: str, owner: str) -> None:
        """Give the lease up (a clean shutdown), so a standby need not wait for it to expire."""
        with self._tx(write=True) as conn:
            self._exec(conn, "DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    def lease_holder(self, name: str, now: datetime) -> tuple[str, datetime] | None:
        """Who holds the lease `name` and until when (None when free or expired)."""
        with self._tx(write=False) as conn:
            row = self._exec(conn, "SELECT owner, expires_at FROM leases WHERE name = ? AND expires_at > ?",
                             (name, self._ts(now))).fetchone()
        if row is None:
            return None
        expires = parse_ts(row["expires_at"])
        assert expires is not None
        return str(row["owner"]), to_utc(expires)
