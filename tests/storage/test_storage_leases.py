"""Leases on pending cards and replies, and the named leader lease: one contract, SQLite and PostgreSQL.

Times are the fixed clock of storage_support (`at(minutes)`), so expiry is
tested without sleeping. The racing tests use separate store instances (so
separate connections) released together on a barrier.
"""

from __future__ import annotations

import pytest
from storage_support import asker, at, question, staff
from test_storage_concurrency import run_together

from admissionsbot.storage import TicketStore


def _reply(store: TicketStore, text: str = "answer", who: str = "u1", platform: str = "discord") -> tuple[int, int]:
    n = store.create(question(f"q {text}", asker(who, platform)), at(0)).number
    store.claim(n, staff("alice"), at(0))
    return n, store.add_reply(n, staff("alice"), text, at(0)).id


def _actions(store: TicketStore, number: int) -> list[str]:
    return [e.action for e in store.get(number).events]


# -- one reply ------------------------------------------------------------------------------


def test_a_taken_reply_is_nobody_elses_until_its_lease_ends(store: TicketStore) -> None:
    n, rid = _reply(store)
    taken = store.take_reply(rid, "p1", at(10), at(1))
    assert taken is not None
    ticket, reply = taken
    assert ticket.number == n and reply.id == rid and reply.delivered_at is None

    assert store.take_reply(rid, "p2", at(12), at(2)) is None  # held by p1
    assert store.take_reply(rid, "p1", at(12), at(2)) is None  # held, even for the same owner: one send at a time
    assert store.take_reply(rid, "p2", at(20), at(10)) is not None  # p1's lease ended (it died): p2 takes over


def test_delivered_replies_cannot_be_taken_and_the_mark_says_who_won(store: TicketStore) -> None:
    n, rid = _reply(store)
    assert store.take_reply(rid, "p1", at(10), at(1)) is not None
    assert store.mark_reply_delivered(rid, at(2)) is True
    assert store.mark_reply_delivered(rid, at(3)) is False  # already delivered: not this call's delivery
    assert store.take_reply(rid, "p2", at(30), at(20)) is None
    assert store.take_pending_replies("p2", at(30), at(20)) == []
    assert _actions(store, n).count("reply_delivered") == 1


def test_a_failure_counts_from_the_row_and_backs_off(store: TicketStore) -> None:
    n, rid = _reply(store)
    assert store.take_reply(rid, "p1", at(10), at(1)) is not None
    assert store.record_delivery_failure(rid, "DMs closed", at(2), retry_at=at(5)) == 1
    assert store.take_reply(rid, "p2", at(10), at(4)) is None  # backing off until at(5)
    assert store.take_pending_replies("p2", at(10), at(4)) == []
    assert store.next_retry_at(at(4)) == at(5)
    taken = store.take_reply(rid, "p2", at(10), at(5))
    assert taken is not None and taken[1].delivery_attempts == 1 and taken[1].last_error == "DMs closed"
    assert store.record_delivery_failure(rid, "DMs closed", at(6)) == 2  # no retry_at: free at once
    assert store.take_reply(rid, "p3", at(10), at(6)) is not None
    assert store.mark_reply_delivered(rid, at(7)) is True
    assert store.record_delivery_failure(rid, "late", at(8)) == 0  # delivered meanwhile: ignored
    assert _actions(store, n).count("delivery_failed") == 2


def test_release_frees_a_reply_at_once_but_only_for_its_holder(store: TicketStore) -> None:
    _, rid = _reply(store)
    assert store.take_reply(rid, "p1", at(10), at(1)) is not None
    store.release_reply(rid, "p2")  # not p2's to release
    assert store.take_reply(rid, "p2", at(10), at(2)) is None
    store.release_reply(rid, "p1")
    assert store.take_reply(rid, "p2", at(10), at(2)) is not None


# -- batches ----------------------------------------------------------------------------------


def test_pending_replies_are_taken_oldest_first_and_never_twice(store: TicketStore) -> None:
    rids = [_reply(store, f"r{i}", who=f"u{i}")[1] for i in range(5)]
    _, console_rid = _reply(store, "console", who="c1", platform="console")

    first = store.take_pending_replies("p1", at(10), at(1), platform="discord", limit=3)
    assert [r.id for _, r in first] == rids[:3]
    assert all(t.number == r.ticket_number for t, r in first)
    second = store.take_pending_replies("p2", at(10), at(1), platform="discord")
    assert [r.id for _, r in second] == rids[3:]  # the console reply is not Discord's to send
    assert [r.id for _, r in store.take_pending_replies("p3", at(10), at(1))] == [console_rid]
    assert store.take_pending_replies("p4", at(20), at(11), limit=0) == []
    again = store.take_pending_replies("p4", at(20), at(11))  # every lease ended: all free again
    assert sorted(r.id for _, r in again) == sorted([*rids, console_rid])


def test_racing_takers_share_the_pending_replies_without_overlap(backend) -> None:  # type: ignore[no-untyped-def]
    stores = [backend.open() for _ in range(6)]
    rids = {_reply(stores[0], f"r{i}", who=f"u{i}")[1] for i in range(30)}

    def take(i: int) -> list[int]:
        got: list[int] = []
        while batch := stores[i].take_pending_replies(f"p{i}", at(10), at(1), limit=2):
            got += [r.id for _, r in batch]
        return got

    taken = run_together(6, take)
    flat = [rid for got in taken for rid in got]
    assert sorted(flat) == sorted(rids), "each pending reply taken exactly once"


# -- staff cards ------------------------------------------------------------------------------


def test_a_card_being_posted_is_not_posted_by_anyone_else(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    ticket = store.take_staff_post(n, "p1", at(10), at(1))
    assert ticket is not None and ticket.number == n and ticket.staff_post_ref is None
    assert store.take_staff_post(n, "p2", at(10), at(2)) is None
    assert store.take_pending_staff_posts("p2", at(10), at(2)) == []
    assert store.pending_staff_posts() != []  # still unposted: the plain listing shows it
    store.set_staff_post(n, "1:2", at(3))
    assert store.take_staff_post(n, "p2", at(30), at(20)) is None  # posted
    assert store.take_pending_staff_posts("p2", at(30), at(20)) == []
    store.set_staff_post(n, "1:2", at(4))  # the same message confirmed again (a resend with its nonce)
    assert _actions(store, n).count("staff_posted") == 1


def test_a_deleted_card_is_reposted_once(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    store.set_staff_post(n, "1:2", at(1))
    assert store.take_staff_post(n, "p1", at(10), at(2), current_ref="1:9") is None  # not the card we saw
    assert store.take_staff_post(n, "p1", at(10), at(2), current_ref="1:2") is not None
    assert store.take_staff_post(n, "p2", at(10), at(2), current_ref="1:2") is None
    store.set_staff_post(n, "1:3", at(3))
    assert store.get(n).staff_post_ref == "1:3"


def test_failed_card_posts_back_off_and_closed_tickets_are_left(store: TicketStore) -> None:
    a = store.create(question("a"), at(0)).number
    b = store.create(question("b", asker("u2")), at(1)).number
    closed = store.create(question("c", asker("u3")), at(2)).number
    store.close_ticket(closed, staff("alice"), None, at(2))

    assert [t.number for t in store.take_pending_staff_posts("p1", at(10), at(3))] == [a, b]
    store.release_staff_post(a, "p1", retry_at=at(6))
    store.release_staff_post(b, "p2")  # not p2's: b stays leased
    store.release_staff_post(b, "p1")  # free at once
    assert [t.number for t in store.take_pending_staff_posts("p2", at(10), at(4))] == [b]
    assert store.next_retry_at(at(4)) == at(6)
    assert [t.number for t in store.take_pending_staff_posts("p2", at(10), at(6))] == [a]


def test_racing_takers_share_the_unposted_cards_without_overlap(backend) -> None:  # type: ignore[no-untyped-def]
    stores = [backend.open() for _ in range(6)]
    numbers = {stores[0].create(question(f"q{i}", asker(f"u{i}")), at(i)).number for i in range(30)}

    def take(i: int) -> list[int]:
        got: list[int] = []
        while batch := stores[i].take_pending_staff_posts(f"p{i}", at(10), at(1), limit=2):
            got += [t.number for t in batch]
        return got

    flat = [n for got in run_together(6, take) for n in got]
    assert sorted(flat) == sorted(numbers)


def test_next_retry_at_is_the_first_lease_or_back_off_to_end(store: TicketStore) -> None:
    assert store.next_retry_at(at(0)) is None
    _, rid = _reply(store)
    n = store.create(question("card", asker("u2")), at(0)).number
    store.take_reply(rid, "p1", at(9), at(1))
    store.take_staff_post(n, "p1", at(7), at(1))
    assert store.next_retry_at(at(2)) == at(7)
    assert store.next_retry_at(at(2), platform="console") == at(7)  # the card; the reply is Discord's
    assert store.next_retry_at(at(8)) == at(9)
    assert store.next_retry_at(at(9)) is None  # both free now: due, not waiting


# -- the leader lease -------------------------------------------------------------------------


def test_one_leader_at_a_time(store: TicketStore) -> None:
    assert store.lease_holder("leader", at(0)) is None
    assert store.acquire_lease("leader", "p1", at(0), at(1)) is True
    assert store.acquire_lease("leader", "p2", at(0.5), at(1.5)) is False
    assert store.lease_holder("leader", at(0.5)) == ("p1", at(1))
    assert store.acquire_lease("leader", "p1", at(0.9), at(1.9)) is True  # renewed
    assert store.acquire_lease("leader", "p2", at(1.5), at(2.5)) is False
    assert store.acquire_lease("leader", "p2", at(1.9), at(2.9)) is True  # p1 stopped renewing: taken over
    assert store.acquire_lease("leader", "p1", at(2), at(3)) is False
    assert store.acquire_lease("other", "p1", at(2), at(3)) is True  # names are separate leases
    store.release_lease("leader", "p1")  # not p1's any more: no effect
    assert store.lease_holder("leader", at(2)) == ("p2", at(2.9))
    store.release_lease("leader", "p2")
    assert store.lease_holder("leader", at(2)) is None
    assert store.acquire_lease("leader", "p1", at(2), at(3)) is True


@pytest.mark.parametrize("rounds", [10])
def test_racing_candidates_elect_one_leader(backend, rounds: int) -> None:  # type: ignore[no-untyped-def]
    stores = [backend.open() for _ in range(6)]
    for r in range(rounds):
        name = f"leader{r}"
        won = run_together(6, lambda i: stores[i].acquire_lease(name, f"p{i}", at(0), at(1)))  # noqa: B023
        assert won.count(True) == 1, f"round {r}: {won}"
        holder = stores[0].lease_holder(name, at(0))
        assert holder is not None and holder[0] == f"p{won.index(True)}"
