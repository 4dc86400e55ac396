"""The TicketStore contract, run identically against SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from storage_support import asker, at, question, staff, tour

from admissionsbot.core.errors import StorageError, TicketNotFound, TransitionError
from admissionsbot.core.models import (
    Asker,
    Candidate,
    NewTicket,
    Staff,
    TicketKind,
    TicketStatus,
    TourContact,
)
from admissionsbot.core.tickets import MAX_REASON_CHARS, MAX_REPLY_CHARS
from admissionsbot.storage import TicketStore


def actions(store: TicketStore, number: int) -> list[tuple[str, str, str]]:
    return [(e.action, e.actor, e.detail) for e in store.get(number).events]


# -- create / round trip -------------------------------------------------------------


def test_create_returns_numbered_open_tickets_with_created_event(store: TicketStore) -> None:
    first = store.create(question(), at(0))
    second = store.create(tour(), at(1))

    assert first.number >= 1 and second.number > first.number
    assert first.status is second.status is TicketStatus.OPEN
    assert first.claimed_by is None and first.close_reason is None and first.staff_post_ref is None
    assert first.replies == ()
    assert [(e.action, e.actor, e.at) for e in first.events] == [("created", "User u1", at(0))]
    assert first.events[0].ticket_number == first.number
    assert store.get(first.number) == first


def test_every_field_round_trips(store: TicketStore) -> None:
    who = Asker(
        platform="discord",
        user_id="123456789012345678",
        display_name="Søren 🎧 O'Brien",
        location="chan-42",
        link="https://discord.com/channels/1/2/3",
        private=True,
    )
    long_question = ("Can I apply with a portfolio of beats? 🎹 " * 300)[:10_000]
    assert len(long_question) == 10_000
    new = NewTicket(
        kind=TicketKind.TOUR,
        asker=who,
        question=long_question,
        candidates=(Candidate("portfolio", 72.125), Candidate("tour", 0.1 + 0.2), Candidate("ß-entry", 0.0)),
        contact=TourContact(name="Zoë Ångström", email="zoe@example.org", preferred_times="Fri 14:00–16:00",
                            notes="needs step-free access"),
    )
    created = store.create(new, at(0))
    loaded = store.get(created.number)

    assert loaded == created
    assert loaded.kind is TicketKind.TOUR
    assert loaded.asker == who
    assert loaded.question == long_question
    assert loaded.candidates == new.candidates
    assert loaded.contact == new.contact
    assert loaded.created_at == loaded.updated_at == at(0)


def test_question_without_contact_and_empty_optional_fields(store: TicketStore) -> None:
    who = Asker(platform="console", user_id="local", display_name="you")
    new = NewTicket(kind=TicketKind.QUESTION, asker=who, question="Hi?")
    loaded = store.get(store.create(new, at(0)).number)
    assert loaded.contact is None
    assert loaded.candidates == ()
    assert loaded.asker == who and loaded.asker.private is False
    contact_no_notes = TourContact(name="A", email="a@b.c", preferred_times="any")
    t = store.create(NewTicket(TicketKind.TOUR, who, "tour", contact=contact_no_notes), at(1))
    assert store.get(t.number).contact == contact_no_notes


def test_timestamps_come_back_as_aware_utc_with_microseconds(store: TicketStore) -> None:
    paris = timezone(timedelta(hours=1))
    local = at(0).astimezone(paris)
    ticket = store.get(store.create(question(), local).number)
    assert ticket.created_at.tzinfo is not None
    assert ticket.created_at.utcoffset() == timedelta(0)
    assert ticket.created_at == at(0) and ticket.created_at.microsecond == 123456


# -- transitions ----------------------------------------------------------------------


def test_claim_open_ticket(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    claimed = store.claim(n, Staff("discord", "6000", "alice"), at(1))
    assert claimed.status is TicketStatus.CLAIMED
    assert claimed.claimed_by == Staff("discord", "6000") and claimed.claimed_by.name == "alice"
    assert claimed.updated_at == at(1) and claimed.created_at == at(0)
    assert store.get(n) == claimed
    assert actions(store, n)[-1] == ("claimed", "discord:6000", "")


def test_claim_twice_by_same_staff_is_a_no_op(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    first = store.claim(n, staff("alice"), at(1))
    again = store.claim(n, staff("alice"), at(2))
    assert again == first
    assert again.updated_at == at(1)
    assert [a for a, _, _ in actions(store, n)] == ["created", "claimed"]


def test_claim_by_another_staff_is_refused(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    store.claim(n, staff("alice"), at(1))
    with pytest.raises(TransitionError, match="already claimed by alice"):
        store.claim(n, staff("bob"), at(2))
    after = store.get(n)
    assert after.claimed_by == staff("alice") and after.updated_at == at(1)
    assert [a for a, _, _ in actions(store, n)] == ["created", "claimed"]


def test_reply_on_open_ticket_is_refused_and_nothing_is_written(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    with pytest.raises(TransitionError, match="claim it before replying"):
        store.add_reply(n, staff("alice"), "Deadline is Jan 15.", at(1))
    after = store.get(n)
    assert after.status is TicketStatus.OPEN and after.replies == ()
    assert store.undelivered_replies() == []
    assert [a for a, _, _ in actions(store, n)] == ["created"]


def test_reply_by_someone_other_than_the_claimer_is_refused(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    store.claim(n, staff("alice"), at(1))
    with pytest.raises(TransitionError, match="only they can reply"):
        store.add_reply(n, staff("bob"), "Hi", at(2))
    assert store.get(n).replies == ()


@pytest.mark.parametrize("text", ["", "   \n", "x" * (MAX_REPLY_CHARS + 1)])
def test_empty_or_oversized_reply_is_refused(store: TicketStore, text: str) -> None:
    n = store.create(question(), at(0)).number
    store.claim(n, staff("alice"), at(1))
    with pytest.raises(TransitionError):
        store.add_reply(n, staff("alice"), text, at(2))
    assert store.get(n).status is TicketStatus.CLAIMED


def test_reply_marks_ticket_answered_and_further_replies_are_allowed(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    store.claim(n, staff("alice"), at(1))
    r1 = store.add_reply(n, staff("alice"), "Deadline is Jan 15 — 🎶", at(2))
    r2 = store.add_reply(n, staff("alice"), "Also: late applications are reviewed.", at(3))

    assert (r1.ticket_number, r1.author, r1.text) == (n, staff("alice"), "Deadline is Jan 15 — 🎶")
    assert r1.created_at == at(2) and r1.delivered_at is None and r1.delivery_attempts == 0
    assert r1.last_error == "" and r2.id != r1.id
    ticket = store.get(n)
    assert ticket.status is TicketStatus.ANSWERED
    assert ticket.replies == (r1, r2)
    assert ticket.updated_at == at(3)


def test_close_from_each_live_state(store: TicketStore) -> None:
    open_n = store.create(question(), at(0)).number
    claimed_n = store.create(question(), at(0)).number
    answered_n = store.create(question(), at(0)).number
    store.claim(claimed_n, staff("alice"), at(1))
    store.claim(answered_n, staff("alice"), at(1))
    store.add_reply(answered_n, staff("alice"), "Done", at(2))

    closed = store.close_ticket(open_n, staff("bob"), "duplicate of #2", at(3))
    assert closed.status is TicketStatus.CLOSED and closed.close_reason == "duplicate of #2"
    assert store.close_ticket(claimed_n, staff("alice"), None, at(3)).close_reason is None
    answered_closed = store.close_ticket(answered_n, staff("alice"), "", at(3))
    assert answered_closed.status is TicketStatus.CLOSED
    assert len(answered_closed.replies) == 1
    assert actions(store, open_n)[-1] == ("closed", "cli:bob", "duplicate of #2")


def test_closed_ticket_refuses_every_transition(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    store.close_ticket(n, staff("alice"), "spam", at(1))
    with pytest.raises(TransitionError, match="already closed"):
        store.close_ticket(n, staff("alice"), "again", at(2))
    with pytest.raises(TransitionError):
        store.claim(n, staff("alice"), at(2))
    with pytest.raises(TransitionError):
        store.add_reply(n, staff("alice"), "late", at(2))
    after = store.get(n)
    assert after.close_reason == "spam" and after.updated_at == at(1)
    assert [a for a, _, _ in actions(store, n)] == ["created", "closed"]


def test_overlong_close_reason_is_refused(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    with pytest.raises(TransitionError):
        store.close_ticket(n, staff("alice"), "r" * (MAX_REASON_CHARS + 1), at(1))
    assert store.get(n).status is TicketStatus.OPEN


def test_missing_ticket_numbers_raise_ticket_not_found(store: TicketStore) -> None:
    store.create(question(), at(0))
    missing = 987654
    calls = [
        lambda: store.get(missing),
        lambda: store.claim(missing, staff("alice"), at(1)),
        lambda: store.add_reply(missing, staff("alice"), "hi", at(1)),
        lambda: store.close_ticket(missing, staff("alice"), None, at(1)),
        lambda: store.set_staff_post(missing, "msg-1", at(1)),
        lambda: store.record_event(missing, "bot", "note", "", at(1)),
    ]
    for call in calls:
        with pytest.raises(TicketNotFound) as info:
            call()
        assert info.value.number == missing
        assert str(info.value) == f"There is no ticket #{missing}."


# -- delivery -------------------------------------------------------------------------


def _answered(store: TicketStore, who: Asker, minute: float, text: str = "Answer") -> tuple[int, int]:
    n = store.create(question(who=who), at(minute)).number
    store.claim(n, staff("alice"), at(minute))
    return n, store.add_reply(n, staff("alice"), text, at(minute + 0.5)).id


def test_replies_are_undelivered_until_marked(store: TicketStore) -> None:
    ann, ben = asker("ann"), asker("ben")
    n1, r1 = _answered(store, ann, 1)
    n2, r2 = _answered(store, ben, 2)
    n3, r3 = _answered(store, ann, 3)

    pending = store.undelivered_replies()
    assert [(t.number, r.id) for t, r in pending] == [(n1, r1), (n2, r2), (n3, r3)]
    assert pending[0][0].asker == ann and pending[0][0].replies[0].id == r1
    assert [r.id for _, r in store.undelivered_replies("discord", "ann")] == [r1, r3]
    assert store.undelivered_replies("console", "ann") == []
    assert [r.id for _, r in store.undelivered_replies(limit=2)] == [r1, r2]

    store.mark_reply_delivered(r1, at(10))
    assert [r.id for _, r in store.undelivered_replies()] == [r2, r3]
    delivered = store.get(n1).replies[0]
    assert delivered.delivered_at == at(10) and delivered.delivery_attempts == 1
    assert actions(store, n1)[-1] == ("reply_delivered", "bot", f"reply {r1}")

    store.mark_reply_delivered(r1, at(20))  # idempotent: first delivery time is kept
    assert store.get(n1).replies[0].delivered_at == at(10)
    assert [a for a, _, _ in actions(store, n1)].count("reply_delivered") == 1


def test_delivery_failures_are_counted_and_reply_stays_pending(store: TicketStore) -> None:
    n, rid = _answered(store, asker("ann"), 1)
    store.record_delivery_failure(rid, "Cannot send messages to this user", at(2))
    store.record_delivery_failure(rid, "403 Forbidden", at(3))

    (ticket, reply), = store.undelivered_replies()
    assert ticket.number == n and reply.id == rid
    assert reply.delivery_attempts == 2 and reply.last_error == "403 Forbidden"
    assert reply.delivered_at is None
    assert [a for a, _, _ in actions(store, n)][-2:] == ["delivery_failed", "delivery_failed"]

    store.mark_reply_delivered(rid, at(4))
    assert store.undelivered_replies() == []
    assert store.get(n).replies[0].delivery_attempts == 3


def test_unknown_reply_id_is_a_storage_error(store: TicketStore) -> None:
    with pytest.raises(StorageError, match="no reply #4242"):
        store.mark_reply_delivered(4242, at(1))
    with pytest.raises(StorageError, match="no reply #4242"):
        store.record_delivery_failure(4242, "boom", at(1))


# -- staff posts ----------------------------------------------------------------------


def test_pending_staff_posts_until_set(store: TicketStore) -> None:
    a = store.create(question(), at(2)).number
    b = store.create(tour(), at(1)).number
    c = store.create(question(), at(3)).number
    store.close_ticket(c, staff("alice"), "spam", at(4))

    assert [t.number for t in store.pending_staff_posts()] == [b, a]  # oldest first, closed left out
    assert [t.number for t in store.pending_staff_posts(limit=1)] == [b]
    store.set_staff_post(b, "1234567890", at(5))
    assert [t.number for t in store.pending_staff_posts()] == [a]
    posted = store.get(b)
    assert posted.staff_post_ref == "1234567890" and posted.updated_at == at(5)
    assert actions(store, b)[-1] == ("staff_posted", "bot", "1234567890")


# -- queries ---------------------------------------------------------------------------


def test_for_asker_and_count_live(store: TicketStore) -> None:
    ann = asker("ann")
    a1 = store.create(question("one", ann), at(1)).number
    a2 = store.create(tour(ann), at(2)).number
    a3 = store.create(question("three", ann), at(3)).number
    store.create(question("other user", asker("ben")), at(4))
    store.create(question("same id, other platform", asker("ann", platform="console")), at(5))
    store.close_ticket(a2, staff("alice"), None, at(6))

    assert [t.number for t in store.for_asker("discord", "ann")] == [a3, a2, a1]
    assert [t.number for t in store.for_asker("discord", "ann", limit=2)] == [a3, a2]
    assert store.count_live_for_asker("discord", "ann") == 2
    assert store.count_live_for_asker("console", "ann") == 1
    assert store.count_live_for_asker("discord", "nobody") == 0
    assert store.for_asker("discord", "nobody") == []


def test_list_by_status_newest_first_with_replies_without_events(store: TicketStore) -> None:
    old = store.create(question("old"), at(1)).number
    mid = store.create(question("mid"), at(2)).number
    new = store.create(question("new"), at(3)).number
    store.claim(mid, staff("alice"), at(4))
    store.add_reply(mid, staff("alice"), "answer", at(5))

    assert [t.number for t in store.list_tickets()] == [new, mid, old]
    assert [t.number for t in store.list_tickets(limit=2)] == [new, mid]
    assert [t.number for t in store.list_tickets(TicketStatus.OPEN)] == [new, old]
    answered = store.list_tickets(TicketStatus.ANSWERED)
    assert [t.number for t in answered] == [mid]
    assert [r.text for r in answered[0].replies] == ["answer"] and answered[0].events == ()
    assert store.list_tickets(TicketStatus.CLOSED) == []
    assert store.list_tickets(limit=0) == []


def test_events_record_every_change_in_order(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    store.set_staff_post(n, "msg-9", at(1))
    store.claim(n, staff("alice"), at(2))
    rid = store.add_reply(n, staff("alice"), "See the fees page.", at(3)).id
    store.record_delivery_failure(rid, "dm closed", at(4))
    store.record_event(n, "discord", "dm_fallback", "posted in #admissions", at(5))
    store.mark_reply_delivered(rid, at(6))
    store.close_ticket(n, staff("alice"), "answered", at(7))

    events = store.get(n).events
    assert [(e.action, e.actor, e.detail) for e in events] == [
        ("created", "User u1", "question"),
        ("staff_posted", "bot", "msg-9"),
        ("claimed", "cli:alice", ""),
        ("replied", "cli:alice", f"reply {rid}"),
        ("delivery_failed", "bot", f"reply {rid}: dm closed"),
        ("dm_fallback", "discord", "posted in #admissions"),
        ("reply_delivered", "bot", f"reply {rid}"),
        ("closed", "cli:alice", "answered"),
    ]
    assert [e.at for e in events] == [at(i) for i in range(8)]


def test_closed_store_refuses_calls(backend) -> None:  # type: ignore[no-untyped-def]
    store = backend.open()
    store.create(question(), at(0))
    store.close_store()
    with pytest.raises(StorageError, match="closed"):
        store.list_tickets()


def test_feedback_is_tallied_per_entry_most_misses_first(store) -> None:  # type: ignore[no-untyped-def]
    assert store.feedback_tallies() == []
    votes = [(True, "pay", "u1"), (False, "pay", "u2"), (False, "careers", "u1"), (False, "careers", "u2"),
             (True, "tour", "u1")]
    for helpful, entry, who in votes:
        store.record_feedback(entry, helpful, f"question about {entry}", asker(who), at(0))
    assert [(t.entry_id, t.helpful, t.not_helpful) for t in store.feedback_tallies()] == [
        ("careers", 0, 2), ("pay", 1, 1), ("tour", 1, 0)]


def test_feedback_is_one_vote_per_student_per_answer(store) -> None:  # type: ignore[no-untyped-def]
    """Issue 11, item 5: pressing "Not what I asked" ten times is one vote; a changed mind replaces it."""
    for _ in range(10):
        store.record_feedback("pay", False, "do internships pay", asker("u1"), at(0))
    store.record_feedback("pay", False, "do internships pay", asker("u2"), at(1))
    assert [(t.helpful, t.not_helpful) for t in store.feedback_tallies()] == [(0, 2)]
    store.record_feedback("pay", True, "do internships pay", asker("u1"), at(2))
    assert [(t.helpful, t.not_helpful) for t in store.feedback_tallies()] == [(1, 1)]


def test_a_live_duplicate_is_reused_not_filed_again(store: TicketStore) -> None:
    from admissionsbot.core.errors import AlreadyFiled

    first = store.create(question("Is there parking?"), at(0), max_live=5, reuse_live_duplicate=True)
    with pytest.raises(AlreadyFiled) as info:
        store.create(question("Is there parking?"), at(1), max_live=5, reuse_live_duplicate=True)
    assert info.value.ticket.number == first.number
    other = store.create(question("Is there parking?", asker("u2")), at(2), reuse_live_duplicate=True)
    assert other.number != first.number  # another student's same question is their own ticket
    store.close_ticket(first.number, staff("ana"), None, at(3))
    assert store.create(question("Is there parking?"), at(4), reuse_live_duplicate=True).number > other.number


def test_check_writable_passes_on_a_writable_store_and_changes_nothing(store: TicketStore) -> None:
    before = store.schema_version()
    store.check_writable()
    assert store.schema_version() == before and store.list_tickets() == []
