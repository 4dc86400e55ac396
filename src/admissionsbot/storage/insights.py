"""The knowledge loop's half of the TicketStore: student turns, ticket timings, weekly digests.

Written once for both backends (SQLTicketStore mixes it in, like leases.py).

Tables (schema step 7), named so a privacy request can find every row of a person:
- `student_turns`: one row per student turn (core/turns.py): `asker_platform` +
  `asker_user_id` say whose, `question_text` holds their words (NULL when the
  `record_question_text` setting is off), the rest is what the figures count
  (`at`, `kind`, `outcome`, `entry_id`, `score`, `ticket_number`, `ticket_kind`,
  `filed_reason`). `ticket_number` has no foreign key: purging a ticket leaves
  its turns countable.
- `weekly_digests`: one row per weekly digest posted (`week_of` = the date it
  was due, `posted_at`, `message_ref`), so a restart or a second process never
  posts the same week twice.
Who learned an FAQ entry is kept in the ticket's event log (action `learned`,
actor = the staff name) and in the FAQ file itself (`learned_by`), not here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..core.models import FeedbackTally, FiledReason, TicketKind, TicketStatus
from ..core.records import TicketFacts, Turn, TurnKind, TurnOutcome
from .hooks import SQLHooks
from .rows import Row, parse_ts, to_utc

log = logging.getLogger(__name__)
_EPOCH = datetime(1970, 1, 1)
_FACTS = (
    "SELECT t.number, t.kind, t.status, t.filed_reason, t.question, t.asker_platform, t.asker_user_id, "
    "t.created_at, "
    "(SELECT MIN(e.at) FROM events e WHERE e.ticket_number = t.number AND e.action = 'claimed') AS claimed_at, "
    "(SELECT MIN(r.created_at) FROM replies r WHERE r.ticket_number = t.number) AS first_reply_at, "
    "(SELECT COUNT(*) FROM replies r WHERE r.ticket_number = t.number) AS reply_count "
    "FROM tickets t"
)


class KnowledgeRecords(SQLHooks):
    """Turns, timings and digests over the same connection hooks as the rest of the store."""

    def _since(self, since: datetime | None) -> Any:
        return self._ts(to_utc(since if since is not None else _EPOCH))

    # -- turns ------------------------------------------------------------------------------
    def record_turn(self, turn: Turn) -> None:
        """Append one student turn."""
        with self._tx(write=True) as conn:
            self._exec(
                conn,
                "INSERT INTO student_turns (at, asker_platform, asker_user_id, kind, outcome, entry_id, score, "
                "ticket_number, ticket_kind, filed_reason, question_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self._ts(to_utc(turn.at)), turn.platform, turn.asker_id, turn.kind.value, turn.outcome.value,
                 turn.entry_id, turn.score, turn.ticket_number,
                 turn.ticket_kind.value if turn.ticket_kind else None,
                 turn.reason.value if turn.reason else None, turn.question),
            )

    def turns_since(self, since: datetime | None = None) -> list[Turn]:
        """Turns at or after `since` (all when None), oldest first; unreadable rows are logged and left out."""
        with self._tx(write=False) as conn:
            rows = self._exec(conn, "SELECT * FROM student_turns WHERE at >= ? ORDER BY at, id",
                              (self._since(since),)).fetchall()
        turns = []
        for row in rows:
            try:
                turns.append(_turn(row))
            except (ValueError, TypeError, KeyError) as exc:
                log.warning("Student turn #%s cannot be read (%s); left out of the figures.", row["id"], exc)
        return turns

    # -- tickets as the figures see them ----------------------------------------------------------
    def ticket_facts(self, since: datetime | None = None) -> list[TicketFacts]:
        """Tickets created at or after `since`, oldest first, with their first claim and first reply times."""
        with self._tx(write=False) as conn:
            rows = self._exec(conn, f"{_FACTS} WHERE t.created_at >= ? ORDER BY t.number",
                              (self._since(since),)).fetchall()
        return _facts(rows)

    def oldest_open_ticket(self) -> TicketFacts | None:
        """The open (not yet claimed) ticket waiting longest, whenever it was filed."""
        with self._tx(write=False) as conn:
            rows = self._exec(conn, f"{_FACTS} WHERE t.status = ? ORDER BY t.created_at, t.number LIMIT 1",
                              (TicketStatus.OPEN.value,)).fetchall()
        facts = _facts(rows)
        return facts[0] if facts else None

    def feedback_since(self, since: datetime | None = None) -> list[FeedbackTally]:
        """Per entry, the students' current votes cast at or after `since`; most misses first."""
        sql = (
            "SELECT entry_id, SUM(CASE WHEN helpful THEN 1 ELSE 0 END) AS helpful_n, "
            "SUM(CASE WHEN helpful THEN 0 ELSE 1 END) AS missed_n FROM feedback WHERE at >= ? "
            "GROUP BY entry_id ORDER BY missed_n DESC, entry_id"
        )
        with self._tx(write=False) as conn:
            rows = self._exec(conn, sql, (self._since(since),)).fetchall()
        return [FeedbackTally(str(r["entry_id"]), int(r["helpful_n"]), int(r["missed_n"])) for r in rows]

    # -- weekly digest ------------------------------------------------------------------------
    def digest_posted(self, week_of: str) -> bool:
        """Whether the digest due on `week_of` (an ISO date) was posted."""
        with self._tx(write=False) as conn:
            row = self._exec(conn, "SELECT 1 AS one FROM weekly_digests WHERE week_of = ?", (week_of,)).fetchone()
        return row is not None

    def record_digest(self, week_of: str, ref: str, at: datetime) -> bool:
        """Remember that the digest of `week_of` went out; True only for the call that recorded it."""
        with self._tx(write=True) as conn:
            inserted = self._exec(
                conn,
                "INSERT INTO weekly_digests (week_of, posted_at, message_ref) VALUES (?, ?, ?) "
                "ON CONFLICT (week_of) DO NOTHING",
                (week_of, self._ts(to_utc(at)), ref),
            ).rowcount
        return bool(inserted == 1)


def _enum(cls: Any, value: Any) -> Any:
    return cls(value) if value else None


def _turn(row: Row) -> Turn:
    at = parse_ts(row["at"])
    if at is None:
        raise ValueError("no time")
    score = row["score"]
    number = row["ticket_number"]
    return Turn(
        at=at, platform=row["asker_platform"], asker_id=row["asker_user_id"], kind=TurnKind(row["kind"]),
        outcome=TurnOutcome(row["outcome"]), entry_id=row["entry_id"],
        score=None if score is None else float(score), ticket_number=None if number is None else int(number),
        ticket_kind=_enum(TicketKind, row["ticket_kind"]), reason=_enum(FiledReason, row["filed_reason"]),
        question=row["question_text"],
    )


def _facts(rows: Sequence[Row]) -> list[TicketFacts]:
    out = []
    for row in rows:
        try:
            created = parse_ts(row["created_at"])
            assert created is not None
            out.append(TicketFacts(
                number=int(row["number"]), kind=TicketKind(row["kind"]), status=TicketStatus(row["status"]),
                reason=_enum(FiledReason, row["filed_reason"]), question=row["question"],
                platform=row["asker_platform"], asker_id=row["asker_user_id"], created_at=created,
                claimed_at=parse_ts(row["claimed_at"]), first_reply_at=parse_ts(row["first_reply_at"]),
                replies=int(row["reply_count"]),
            ))
        except (ValueError, TypeError, AssertionError) as exc:
            log.warning("Ticket #%s cannot be read (%s); left out of the figures.", row["number"], exc)
    return out
