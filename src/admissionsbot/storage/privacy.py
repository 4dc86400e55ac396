"""Personal data in the ticket database: find one person's, export it, forget it, purge old tickets'.

Written once for both backends (SQLTicketStore mixes it in). `COLUMNS` below
says, for every text column of every table, whether it can hold personal data
and what forgetting does to it; a test compares it with the live schema, so a
table or column added later fails that test until it is classified here.

Forgetting keeps every row (the counts and figures stay right) and removes
what identifies or describes the person: their words, names, contact details
and links are overwritten, their user id becomes a random pseudonym (the same
one in every table, so their rows still count as one person's), and a staff
member's key is rewritten the same way wherever it appears. The audit log
records who did it, when and how many rows, never who was forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from ..core.models import Staff, Ticket, TicketStatus
from ..core.privacy import FORGOTTEN, FORGOTTEN_STAFF, REMOVED, AuditEntry
from .hooks import SQLHooks
from .rows import Row, chunks, marks, parse_ts, to_utc

#: table -> text column -> what it holds. "erase": personal text, overwritten; "asker": the person's user id,
#: replaced by the pseudonym; "staff": a staff key, rewritten when that staff member is forgotten; "actor":
#: a staff key, "bot", "student" or (for `created`) the asker's name, which is overwritten; anything else:
#: why it holds no personal data.
COLUMNS: dict[str, dict[str, str]] = {
    "tickets": {
        "asker_user_id": "asker", "asker_display_name": "erase", "asker_location": "erase", "asker_link": "erase",
        "question": "erase", "contact_name": "erase", "contact_email": "erase", "contact_preferred_times": "erase",
        "contact_notes": "erase", "close_reason": "erase", "claimed_by": "staff",
        "kind": "a ticket kind", "status": "a status", "asker_platform": "a platform name",
        "candidates": "FAQ entry ids and scores", "filed_reason": "a fixed reason",
        "rejected_entry": "an FAQ entry id", "staff_post_ref": "a staff-channel message id",
        "post_lease_owner": "a bot process id",
    },
    "replies": {"text": "erase", "last_error": "erase", "author": "staff", "lease_owner": "a bot process id"},
    "events": {"actor": "actor", "detail": "erase", "action": "a fixed action name"},
    "followups": {"text": "erase"},
    "feedback": {"question": "erase", "asker_user_id": "asker", "entry_id": "an FAQ entry id",
                 "asker_platform": "a platform name"},
    "student_turns": {"question_text": "erase", "asker_user_id": "asker", "asker_platform": "a platform name",
                      "kind": "a turn kind", "outcome": "an outcome", "entry_id": "an FAQ entry id",
                      "ticket_kind": "a ticket kind", "filed_reason": "a fixed reason"},
    "staff": {"staff_id": "staff", "user_id": "asker", "name": "erase", "platform": "a platform name"},
    "snippets": {"created_by": "staff", "name": "a canned reply's name, written by staff",
                 "text": "a canned reply, written by staff for every student"},
    "audit_log": {"actor": "staff", "action": "a fixed action name", "detail": "counts only (see forget_person)"},
    "leases": {"name": "a lease name", "owner": "a bot process id"},
    "weekly_digests": {"week_of": "a date", "message_ref": "a staff-channel message id"},
    "tour_slots": {"created_by": "staff", "note": "a note on a tour time, written by staff",
                   "cancel_reason": "why staff cancelled a tour time"},
    "tour_bookings": {"status": "a booking state", "notice_owner": "a bot process id"},
}
#: Actions whose event detail is free text someone typed (a close reason); other details are ids and counts.
_FREE_TEXT_ACTIONS = ("closed",)
#: Actions whose event detail names a staff key ("to discord:6000", "discord:6000 idle 25 h").
_STAFF_DETAIL_ACTIONS = ("assigned", "released")


def _plain(value: Any) -> Any:
    """A database value as JSON: timestamps as ISO text, JSON columns parsed, numbers as numbers."""
    if isinstance(value, datetime):
        return to_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if hasattr(value, "obj"):  # psycopg Jsonb
        return value.obj
    return value


class PrivacyStore(SQLHooks):
    """The personal-data half of the TicketStore (see the module docstring)."""

    _dialect: ClassVar[str]

    # -- the schema as it is ---------------------------------------------------------------
    def _tables(self, conn: Any) -> set[str]:
        if self._dialect == "sqlite":
            sql = "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
        else:
            sql = "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema()"
        return {str(r["t"]) for r in self._exec(conn, sql).fetchall()}

    def text_columns(self) -> dict[str, list[str]]:
        """Every text (or JSON) column of every table, as the database has them (for checks and tests)."""
        out: dict[str, list[str]] = {}
        with self._tx(write=False) as conn:
            for table in sorted(self._tables(conn)):
                if self._dialect == "sqlite":
                    cols = [str(r["name"]) for r in self._exec(conn, f"PRAGMA table_info({table})").fetchall()
                            if str(r["type"]).upper() in ("TEXT", "")]
                else:
                    cols = [str(r["column_name"]) for r in self._exec(
                        conn, "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                        "current_schema() AND table_name = ? AND data_type IN ('text', 'jsonb', 'character varying')",
                        (table,)).fetchall()]
                if cols:
                    out[table] = cols
        return out

    # -- one person's rows ---------------------------------------------------------------------
    def _their_tickets(self, conn: Any, platform: str, user_id: str) -> list[Row]:
        return list(self._exec(conn, "SELECT * FROM tickets WHERE asker_platform = ? AND asker_user_id = ? "
                                     "ORDER BY number", (platform, user_id)).fetchall())

    def _rows_in(self, conn: Any, table: str, column: str, values: Sequence[Any]) -> list[Row]:
        rows: list[Row] = []
        for part in chunks(list(values)):
            rows += self._exec(conn, f"SELECT * FROM {table} WHERE {column} IN ({marks(len(part))})", part).fetchall()
        return rows

    def personal_data(self, platform: str, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row that is about this person (as a student or as staff), table by table, as plain data."""
        key = f"{platform}:{user_id}"
        with self._tx(write=False) as conn:
            tables = self._tables(conn)
            tickets = self._their_tickets(conn, platform, user_id)
            numbers = [int(r["number"]) for r in tickets]
            found: dict[str, list[Row]] = {"tickets": tickets}
            for table in ("replies", "followups", "events", "tour_bookings"):
                if table in tables:
                    found[table] = self._rows_in(conn, table, "ticket_number", numbers)
            for table in ("feedback", "student_turns"):
                if table in tables:
                    found[table] = list(self._exec(conn, f"SELECT * FROM {table} WHERE asker_platform = ? AND "
                                                         "asker_user_id = ?", (platform, user_id)).fetchall())
            found["staff"] = self._rows_in(conn, "staff", "staff_id", [key])
            found["tickets claimed"] = self._rows_in(conn, "tickets", "claimed_by", [key])
            found["replies written"] = self._rows_in(conn, "replies", "author", [key])
            found["snippets"] = self._rows_in(conn, "snippets", "created_by", [key])
        return {name: [{k: _plain(v) for k, v in dict(r).items()} for r in rows] for name, rows in found.items()}

    # -- forgetting ----------------------------------------------------------------------------
    def _anonymise_tickets(self, conn: Any, numbers: Sequence[int], pseudonym: str, names: Iterable[str],
                           at: datetime) -> dict[str, int]:
        """Overwrite the personal data of these tickets and of their replies, follow-ups and events."""
        counts = {"tickets": 0, "replies": 0, "followups": 0, "events": 0}
        hidden = {n for n in names if n}
        for part in chunks(list(numbers)):
            where, params = f"ticket_number IN ({marks(len(part))})", list(part)
            counts["tickets"] += self._exec(
                conn,
                "UPDATE tickets SET asker_user_id = ?, asker_display_name = ?, asker_location = '', asker_link = '', "
                "question = ?, "
                + ", ".join(f"{c} = CASE WHEN {c} IS NULL THEN NULL ELSE '' END"
                            for c in ("contact_email", "contact_preferred_times", "contact_notes"))
                + f", contact_name = CASE WHEN contact_name IS NULL THEN NULL ELSE '{FORGOTTEN}' END"
                + f", close_reason = CASE WHEN close_reason IS NULL THEN NULL ELSE '{REMOVED}' END"
                + f", purged_at = ? WHERE number IN ({marks(len(part))})",
                (pseudonym, FORGOTTEN, REMOVED, self._ts(at), *part)).rowcount
            counts["replies"] += self._exec(conn, f"UPDATE replies SET text = ?, last_error = '' WHERE {where}",
                                            (REMOVED, *params)).rowcount
            counts["followups"] += self._exec(conn, f"UPDATE followups SET text = ? WHERE {where}",
                                              (REMOVED, *params)).rowcount
            events = self._exec(conn, f"SELECT id, actor, action, detail FROM events WHERE {where}", params).fetchall()
            for ev in events:
                actor, detail = str(ev["actor"]), str(ev["detail"] or "")
                new_actor = FORGOTTEN if actor in hidden else actor
                new_detail = "" if ev["action"] in _FREE_TEXT_ACTIONS or any(n in detail for n in hidden) else detail
                if (new_actor, new_detail) != (actor, detail):
                    self._exec(conn, "UPDATE events SET actor = ?, detail = ? WHERE id = ?", (new_actor, new_detail,
                                                                                             ev["id"]))
                    counts["events"] += 1
        return counts

    def _forget_staff(self, conn: Any, key: str, platform: str, pseudonym: str, tables: set[str]) -> int:
        """Rewrite a staff member's key everywhere and drop their name; returns the rows changed."""
        if not self._rows_in(conn, "staff", "staff_id", [key]):
            return 0
        new = f"{platform}:{pseudonym}"
        changed = self._exec(conn, "UPDATE staff SET staff_id = ?, user_id = ?, name = ? WHERE staff_id = ?",
                             (new, pseudonym, FORGOTTEN_STAFF, key)).rowcount
        for table, column in (("tickets", "claimed_by"), ("replies", "author"), ("events", "actor"),
                              ("snippets", "created_by"), ("audit_log", "actor"), ("tour_slots", "created_by")):
            if table in tables:
                changed += self._exec(conn, f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new, key)).rowcount
        sql = f"SELECT id, detail FROM events WHERE action IN ({marks(len(_STAFF_DETAIL_ACTIONS))})"
        for ev in self._exec(conn, sql, _STAFF_DETAIL_ACTIONS).fetchall():
            detail = str(ev["detail"] or "")
            if key in detail:
                self._exec(conn, "UPDATE events SET detail = ? WHERE id = ?", (detail.replace(key, new), ev["id"]))
                changed += 1
        return changed

    def forget_person(self, platform: str, user_id: str, pseudonym: str, by: Staff,
                      at: datetime) -> tuple[dict[str, int], list[int]]:
        """Anonymise everything about one person; returns rows changed per table and their ticket numbers."""
        at = to_utc(at)
        with self._tx(write=True) as conn:
            tables = self._tables(conn)
            rows = self._their_tickets(conn, platform, user_id)
            numbers = [int(r["number"]) for r in rows]
            names = {str(r[c]) for r in rows for c in ("asker_display_name", "contact_name") if r[c]}
            counts = self._anonymise_tickets(conn, numbers, pseudonym, names, at)
            counts["feedback"] = self._exec(
                conn, "UPDATE feedback SET question = '', asker_user_id = ? WHERE asker_platform = ? AND "
                "asker_user_id = ?", (pseudonym, platform, user_id)).rowcount
            if "student_turns" in tables:
                counts["student_turns"] = self._exec(
                    conn, "UPDATE student_turns SET question_text = NULL, asker_user_id = ? WHERE asker_platform = ? "
                    "AND asker_user_id = ?", (pseudonym, platform, user_id)).rowcount
            counts["staff records"] = self._forget_staff(conn, f"{platform}:{user_id}", platform, pseudonym, tables)
            summary = ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing found"
            self._audit(conn, by, "privacy_forget", f"{platform} person -> {pseudonym}: {summary}", at)
            return counts, numbers

    def purge_closed(self, before: datetime, by: Staff | None, at: datetime) -> tuple[list[int], int]:
        """Anonymise tickets closed before `before` (not purged yet), and older question texts elsewhere.

        Returns the tickets purged and the feedback and turn rows whose text was removed.
        """
        at, before = to_utc(at), to_utc(before)
        with self._tx(write=True) as conn:
            tables = self._tables(conn)
            rows = self._exec(conn, "SELECT number, asker_platform, asker_user_id, asker_display_name, contact_name "
                                    "FROM tickets WHERE status = ? AND closed_at < ? AND purged_at IS NULL "
                                    "ORDER BY number", (TicketStatus.CLOSED.value, self._ts(before))).fetchall()
            for row in rows:
                names = [str(row["asker_display_name"]), str(row["contact_name"] or "")]
                self._anonymise_tickets(conn, [int(row["number"])], f"purged-{int(row['number'])}", names, at)
            texts = self._exec(conn, "UPDATE feedback SET question = '' WHERE at < ? AND question <> ''",
                               (self._ts(before),)).rowcount
            if "student_turns" in tables:
                texts += self._exec(conn, "UPDATE student_turns SET question_text = NULL WHERE at < ? AND "
                                          "question_text IS NOT NULL", (self._ts(before),)).rowcount
            numbers = [int(r["number"]) for r in rows]
            if numbers or texts:
                self._audit(conn, by, "retention_purge", f"{len(numbers)} closed tickets, {texts} question texts "
                            f"older than {before.date().isoformat()}", at)
            return numbers, texts

    # -- the audit log and exports -------------------------------------------------------------
    def _audit(self, conn: Any, by: Staff | None, action: str, detail: str, at: datetime) -> None:
        self._exec(conn, "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)",
                   (self._ts(at), by.key if by else "bot", action, detail))

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        with self._tx(write=False) as conn:
            rows = self._exec(conn, "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (max(limit, 0),)).fetchall()
        out = []
        for r in rows:
            at = parse_ts(r["at"])
            assert at is not None
            out.append(AuditEntry(at, str(r["actor"]), str(r["action"]), str(r["detail"])))
        return out

    def tickets_since(self, since: datetime | None = None) -> list[Ticket]:
        """Every ticket filed at or after `since` (all when None), oldest first, with replies (for exports)."""
        where, params = ("created_at >= ?", (self._ts(to_utc(since)),)) if since else ("1 = 1", ())
        with self._tx(write=False) as conn:
            rows = self._exec(conn, f"SELECT * FROM tickets WHERE {where} ORDER BY created_at, number",
                              params).fetchall()
            return self._load(conn, rows)
