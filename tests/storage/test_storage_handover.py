"""Release, assign, reopen and students' follow-ups, on both backends (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from storage_support import asker, at, question, staff

from admissionsbot.core.errors import InvalidInput, TicketNotFound, TransitionError
from admissionsbot.core.models import TicketStatus
from admissionsbot.storage import TicketStore

ANA, BEN = staff("ana"), staff("ben")
DAY = timedelta(hours=24)


def events(store: TicketStore, n: int) -> list[tuple[str, str, str]]:
    return [(e.action, e.actor, e.detail) for e in store.get(n).events]


def claimed(store: TicketStore, by=ANA) -> int:  # type: ignore[no-untyped-def]
    n = store.create(question(), at(0)).number
    store.claim(n, by, at(1))
    return n


def test_the_claimer_releases_at_once(store: TicketStore) -> None:
    n = claimed(store)
    t = store.release(n, ANA, at(2), DAY)
    assert (t.status, t.claimed_by, t.claimed_at, t.open_since) == (TicketStatus.OPEN, None, None, at(2))
    assert events(store, n)[-1] == ("released", "cli:ana", "")
    store.claim(n, BEN, at(3))  # anyone can claim it now
    with pytest.raises(TransitionError, match="only a claimed ticket can be released"):
        store.release(store.create(question("q2"), at(4)).number, ANA, at(5), DAY)


def test_others_release_only_after_the_claim_is_idle(store: TicketStore) -> None:
    n = claimed(store)
    with pytest.raises(TransitionError, match=r"claimed by ana; only they can release it for another 2[34]"):
        store.release(n, BEN, at(60), DAY)
    with pytest.raises(TransitionError, match="only they can release it"):
        store.release(n, BEN, at(60 * 24 * 30), None)  # release_after_hours 0: never
    store.add_reply(n, ANA, "On it", at(60 * 23))  # her reply restarts the clock
    with pytest.raises(TransitionError):
        store.release(n, BEN, at(60 * 25), DAY)
    t = store.release(n, BEN, at(60 * 48), DAY)
    assert t.status is TicketStatus.OPEN
    assert events(store, n)[-1] == ("released", "cli:ben", "cli:ana idle 25 h")


def test_assign_rules(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    t = store.assign(n, ANA, BEN, at(1), DAY)  # an open ticket: anyone gives it to anyone
    assert (t.status, t.claimed_by, t.claimed_at) == (TicketStatus.CLAIMED, BEN, at(1))
    assert events(store, n)[-1] == ("assigned", "cli:ana", "to cli:ben")
    with pytest.raises(TransitionError, match="claimed by ben; only they can reassign it"):
        store.assign(n, ANA, ANA, at(2), DAY)
    assert store.assign(n, BEN, BEN, at(3), DAY) == store.get(n)  # already hers: nothing happens
    assert len(events(store, n)) == 2
    store.add_reply(n, BEN, "Answer", at(4))
    t = store.assign(n, BEN, ANA, at(5), DAY)  # hands it over; the student is not waiting, so still answered
    assert (t.status, t.claimed_by) == (TicketStatus.ANSWERED, ANA)
    store.add_reply(n, ANA, "And more", at(6))  # the new holder may reply
    store.close_ticket(n, ANA, None, at(7))
    with pytest.raises(TransitionError, match="closed; reopen it"):
        store.assign(n, ANA, BEN, at(8), DAY)


def test_reopen(store: TicketStore) -> None:
    n = claimed(store)
    store.close_ticket(n, ANA, "dup", at(2))
    with pytest.raises(TransitionError, match="not closed"):
        store.reopen(store.create(question("q2"), at(3)).number, ANA, at(3))
    t = store.reopen(n, BEN, at(4))
    assert (t.status, t.claimed_by, t.close_reason, t.closed_at, t.open_since) == (
        TicketStatus.OPEN, None, None, None, at(4))
    assert events(store, n)[-2:] == [("closed", "cli:ana", "dup"), ("reopened", "cli:ben", "")]


def test_a_follow_up_joins_the_ticket_and_puts_it_back_in_the_queue(store: TicketStore) -> None:
    student = asker()
    n = claimed(store)
    store.add_reply(n, ANA, "Deadline is Jan 15.", at(2))
    t = store.add_followup(n, student.platform, student.user_id, "And for transfers?", at(3))
    assert t.status is TicketStatus.CLAIMED and t.claimed_by == ANA and t.waiting_since == at(3)
    assert [(f.text, f.created_at, f.notified_at) for f in t.followups] == [("And for transfers?", at(3), None)]
    assert events(store, n)[-1] == ("followup", "student", f"message {t.followups[0].id}")
    assert len(store.list_tickets()) == 1  # not a new ticket
    store.close_ticket(n, ANA, "done", at(4))
    t = store.add_followup(n, student.platform, student.user_id, "One more thing", at(5))  # reopens it, still hers
    assert (t.status, t.close_reason, t.closed_at) == (TicketStatus.CLAIMED, None, None)
    store.release(n, ANA, at(6), DAY)
    t = store.add_followup(n, student.platform, student.user_id, "Hello?", at(7))  # open: it stays open
    assert t.status is TicketStatus.OPEN and t.open_since == at(6) and len(t.followups) == 3


def test_only_the_asker_can_follow_up(store: TicketStore) -> None:
    n = claimed(store)
    with pytest.raises(TicketNotFound, match=f"There is no ticket #{n}"):
        store.add_followup(n, "discord", "someone-else", "hi", at(2))
    with pytest.raises(TicketNotFound):
        store.add_followup(n, "console", "u1", "hi", at(2))  # same id, another platform
    with pytest.raises(InvalidInput, match="write your message"):
        store.add_followup(n, "discord", "u1", "   ", at(2))
    assert store.get(n).followups == ()


def test_each_follow_up_is_announced_once(store: TicketStore) -> None:
    n = claimed(store)
    t = store.add_followup(n, "discord", "u1", "hello", at(2))
    [(ticket, f)] = store.unannounced_followups()
    assert ticket.number == n and f == t.followups[0]
    assert store.take_followup_notice(f.id, at(3)) is True
    assert store.take_followup_notice(f.id, at(3)) is False
    assert store.unannounced_followups() == []
    store.release_followup_notice(f.id)  # the post failed
    assert [x.id for _, x in store.unannounced_followups()] == [f.id]
