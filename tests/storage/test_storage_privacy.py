"""Forget one person everywhere, export their data, purge old tickets; snippets and reminder marks (issue 13).

The forget test scans every text column of every table afterwards (whatever tables exist: those of other
features too) for anything of the person's, and checks that every table keeps its row count.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from storage_support import at, staff

from admissionsbot.core.models import Asker, FiledReason, NewTicket, Staff, TicketKind, TicketStatus, TourContact
from admissionsbot.core.privacy import FORGOTTEN, REMOVED
from admissionsbot.core.records import Turn, TurnKind, TurnOutcome
from admissionsbot.core.snippets import Snippet
from admissionsbot.storage import TicketStore
from admissionsbot.storage.privacy import COLUMNS

ZEB = Asker("discord", "424242424242", "Zebulon Quartzfield", "7070707", "https://discord.com/channels/@me/7070707",
            private=True)
OTHER = Asker("discord", "515151", "Ottilie Other", "2001", "https://discord.com/channels/1/2001/9")
ANA = staff("ana")
#: Everything of Zebulon's a scan must not find afterwards (each distinctive, so no false alarm).
SECRETS = ("424242424242", "Zebulon", "Quartzfield", "zeb.q@example.org", "theremin", "7070707", "Tuesdays at 4",
           "wheelchair-friendly", "vibraphone", "glockenspiel")


#: Ottilie's own words, so a scan for Zebulon's cannot trip over hers.
OTHER_WORDS = ("tuba", "o@example.org", "Fridays at 2", "quiet-room", "cowbell", "kazoo")


def _person_rows(store: TicketStore, who: Asker = ZEB, words: tuple[str, ...] = (
        "theremin", "zeb.q@example.org", "Tuesdays at 4", "wheelchair-friendly", "vibraphone", "glockenspiel"),
) -> list[int]:
    """Tickets, a tour with contact details, replies naming them, a follow-up, a close reason, feedback, turns."""
    thing, email, when, notes, second, third = words
    q = store.create(NewTicket(TicketKind.QUESTION, who, f"Can {who.display_name} bring a {thing}?",
                               reason=FiledReason.NO_MATCH), at(0)).number
    store.claim(q, ANA, at(1))
    store.add_reply(q, ANA, f"Hi {who.display_name}, yes you can.", at(2))
    store.add_followup(q, who.platform, who.user_id, f"And my {second} too?", at(3))
    store.close_ticket(q, ANA, f"answered {who.display_name}'s {third} question", at(4))
    contact = TourContact(who.display_name, email, when, f"{notes} entrance please")
    tour = store.create(NewTicket(TicketKind.TOUR, who, "Campus tour request", contact=contact,
                                  reason=FiledReason.TOUR), at(5)).number
    store.record_event(tour, who.display_name, "note", f"{who.display_name} phoned", at(6))
    store.record_feedback("internship-pay", False, f"is the {thing} club paid", who, at(7))
    store.record_turn(Turn(at(8), who.platform, who.user_id, TurnKind.QUESTION, TurnOutcome.FILED, ticket_number=q,
                           question=f"Can I bring a {thing}?"))
    return [q, tour]


def _counts(backend: Any, tables: list[str]) -> dict[str, int]:
    return {t: int(backend.raw(f"SELECT COUNT(*) FROM {t}")[0][0]) for t in tables}


def _scan(backend: Any, store: TicketStore, needles: tuple[str, ...]) -> list[str]:
    """Every (table, column, value) of every text column of every table that contains one of `needles`."""
    found = []
    for table, columns in store.text_columns().items():
        for column in columns:
            for (value,) in backend.raw(f"SELECT CAST({column} AS TEXT) FROM {table}"):
                if value is not None and any(n in str(value) for n in needles):
                    found.append(f"{table}.{column}: {value!r}")
    return found


def test_forget_leaves_nothing_of_the_person_and_keeps_every_count(backend: Any) -> None:
    store = backend.open()
    theirs = _person_rows(store)
    _person_rows(store, OTHER, OTHER_WORDS)  # someone else, who must stay as they are
    store.add_snippet(Snippet("fees-link", "See the fees page.", ANA, at(9)))
    tables = sorted(store.text_columns())
    before = _counts(backend, tables)
    assert _scan(backend, store, SECRETS)  # the scan does find them before

    counts, numbers = store.forget_person("discord", ZEB.user_id, "forgotten-abc123", staff("dpo"), at(10))

    assert numbers == theirs and counts["tickets"] == 2 and counts["feedback"] == 1 and counts["student_turns"] == 1
    assert _scan(backend, store, SECRETS) == []
    after = _counts(backend, tables)
    assert after == {**before, "audit_log": before["audit_log"] + 1}
    q, tour = (store.get(n) for n in theirs)
    assert (q.question, q.asker.display_name, q.asker.user_id, q.close_reason) == (
        REMOVED, FORGOTTEN, "forgotten-abc123", REMOVED)
    assert q.replies[0].text == REMOVED and q.followups[0].text == REMOVED and q.status is TicketStatus.CLOSED
    assert tour.contact is not None and (tour.contact.name, tour.contact.email) == (FORGOTTEN, "")
    assert [e.action for e in q.events] == ["created", "claimed", "replied", "followup", "closed"]
    assert {t.entry_id: t.not_helpful for t in store.feedback_tallies()} == {"internship-pay": 2}  # still counted
    # the other student is untouched
    kept = [t for t in store.list_tickets() if t.asker.user_id == OTHER.user_id]
    assert len(kept) == 2 and all(OTHER.display_name in t.asker.display_name for t in kept)
    assert any("Ottilie" in v for v in _scan(backend, store, ("Ottilie",)))
    [entry] = store.audit_log()
    assert entry.action == "privacy_forget" and entry.actor == "cli:dpo"
    assert "2 tickets" in entry.detail and ZEB.user_id not in entry.detail and "Zebulon" not in entry.detail


def test_forgetting_a_staff_member_rewrites_their_key_everywhere(backend: Any) -> None:
    store = backend.open()
    ada = Staff("discord", "600060006000", "Adalinde")
    n = store.create(NewTicket(TicketKind.QUESTION, OTHER, "q"), at(0)).number
    store.assign(n, ANA, ada, at(1), None)
    store.add_reply(n, ada, "answer", at(2))
    store.add_snippet(Snippet("hello", "Hello!", ada, at(3)))
    before = _counts(backend, sorted(store.text_columns()))
    counts, numbers = store.forget_person("discord", "600060006000", "forgotten-s1", ANA, at(4))
    assert numbers == [] and counts["staff records"] > 0
    assert _scan(backend, store, ("600060006000", "Adalinde")) == []
    ticket = store.get(n)
    assert ticket.claimed_by == Staff("discord", "forgotten-s1")
    assert ticket.replies[0].author.name == "[former staff member]"
    assert ticket.replies[0].text == "answer"  # what staff wrote to a student is the student's, not theirs
    assert _counts(backend, sorted(store.text_columns()))["tickets"] == before["tickets"]


def test_every_text_column_is_classified(backend: Any) -> None:
    """A table or text column added later must say in storage/privacy.py whether it holds personal data.

    PostgreSQL's types tell text columns apart, so there every column is checked; SQLite stores
    timestamps as TEXT too, so there every table must be classified.
    """
    store = backend.open()
    live = {(t, c) for t, cols in store.text_columns().items() for c in cols if t != "schema_version"}
    known = {(t, c) for t, cols in COLUMNS.items() for c in cols}
    if backend.name == "postgres":
        assert live - known == set(), "classify these in storage/privacy.py COLUMNS"
    else:
        assert {t for t, _ in live} - set(COLUMNS) == set(), "classify these tables in storage/privacy.py COLUMNS"


def test_export_holds_the_person_and_nobody_else(store: TicketStore) -> None:
    _person_rows(store)
    _person_rows(store, OTHER, OTHER_WORDS)
    data = store.personal_data("discord", ZEB.user_id)
    assert [r["question"] for r in data["tickets"]] == ["Can Zebulon Quartzfield bring a theremin?",
                                                        "Campus tour request"]
    assert data["tickets"][1]["contact_email"] == "zeb.q@example.org"
    assert [r["text"] for r in data["followups"]] == ["And my vibraphone too?"]
    assert len(data["replies"]) == 1 and len(data["feedback"]) == 1 and len(data["student_turns"]) == 1
    assert "Ottilie" not in str(data) and isinstance(data["tickets"][0]["created_at"], str)


def test_purge_removes_old_closed_tickets_only_once(store: TicketStore) -> None:
    old, tour = _person_rows(store)  # `old` closed at at(4); the tour stays open
    recent = store.create(NewTicket(TicketKind.QUESTION, OTHER, "recent"), at(0)).number
    store.close_ticket(recent, ANA, None, at(60 * 24 * 30))
    numbers, texts = store.purge_closed(at(60 * 24), None, at(60 * 24 * 31))
    assert numbers == [old] and texts == 2  # the old feedback question and turn text
    assert store.get(old).question == REMOVED and store.get(old).purged_at is not None
    assert store.get(tour).question == "Campus tour request" and store.get(recent).question == "recent"
    assert store.purge_closed(at(60 * 24), None, at(60 * 24 * 32)) == ([], 0)
    assert [e.action for e in store.audit_log()] == ["retention_purge"]


def test_snippets(store: TicketStore) -> None:
    assert store.add_snippet(Snippet("fees-link", "See the fees page.", ANA, at(0))) is True
    assert store.add_snippet(Snippet("fees-link", "other", ANA, at(1))) is False
    assert store.add_snippet(Snippet("dates", "Term starts in September.", Staff("discord", "6000", "ada"), at(2)))
    assert [(s.name, s.created_by.name) for s in store.snippets()] == [("dates", "ada"), ("fees-link", "ana")]
    found = store.snippet("fees-link")
    assert found is not None and found.text == "See the fees page." and found.created_at == at(0)
    assert store.remove_snippet("fees-link") is True and store.remove_snippet("fees-link") is False
    assert store.snippet("fees-link") is None


def test_reminder_marks_are_compare_and_set(store: TicketStore) -> None:
    n = store.create(NewTicket(TicketKind.QUESTION, OTHER, "q"), at(0)).number
    assert store.mark_reminded(n, 0, at(1)) is True
    assert store.mark_reminded(n, 0, at(1)) is False  # a second process (or pass) saw the same count
    t = store.get(n)
    assert (t.reminders, t.reminded_at) == (1, at(1))
    store.unmark_reminded(n, 1, None)
    assert (store.get(n).reminders, store.get(n).reminded_at) == (0, None)
    assert store.tickets_since(at(0) + timedelta(seconds=1)) == []
    assert [t.number for t in store.tickets_since()] == [n]
