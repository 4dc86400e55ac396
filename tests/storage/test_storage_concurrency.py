"""Concurrent writers: nothing lost, and exactly one of several claimers wins.

Threads start together on a Barrier so the calls genuinely overlap; the
assertions are about outcomes (counts, winners), never about timing.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from storage_support import asker, at, question, staff

from admissionsbot.core.errors import StorageError, TransitionError
from admissionsbot.core.models import TicketStatus
from admissionsbot.storage import (
    PostgresTicketStore,
    SQLiteTicketStore,
    TicketStore,
    schema,
)

T = TypeVar("T")


def run_together(n: int, work: Callable[[int], T]) -> list[T]:
    """Run work(0..n-1) in n threads released at the same moment; re-raise any error."""
    barrier = threading.Barrier(n)

    def go(i: int) -> T:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(go, range(n)))


def _create_batch(store: TicketStore, worker: int, count: int) -> list[int]:
    who = asker(f"w{worker}")
    return [store.create(question(f"w{worker}-q{i}", who), at(i)).number for i in range(count)]


def _claim(store: TicketStore, number: int, name: str) -> str:
    try:
        store.claim(number, staff(name), at(1))
        return "won"
    except TransitionError:
        return "lost"


def _assert_all_persisted(store: TicketStore, numbers: list[list[int]], per_worker: int) -> None:
    flat = [n for batch in numbers for n in batch]
    assert len(flat) == len(set(flat)) == len(numbers) * per_worker
    assert {t.number for t in store.list_tickets(limit=10_000)} == set(flat)
    for worker, batch in enumerate(numbers):
        mine = store.for_asker("discord", f"w{worker}", limit=10_000)
        assert sorted(t.question for t in mine) == sorted(f"w{worker}-q{i}" for i in range(per_worker))
        assert {t.number for t in mine} == set(batch)


def _assert_single_winner(store: TicketStore, number: int, outcomes: list[str]) -> None:
    assert outcomes.count("won") == 1 and outcomes.count("lost") == len(outcomes) - 1
    winner = f"staff{outcomes.index('won')}"
    ticket = store.get(number)
    assert ticket.status is TicketStatus.CLAIMED and ticket.claimed_by == staff(winner)
    assert [e.actor for e in ticket.events if e.action == "claimed"] == [f"cli:{winner}"]


def test_threads_sharing_one_store_lose_no_creates(store: TicketStore) -> None:
    numbers = run_together(8, lambda w: _create_batch(store, w, 50))
    _assert_all_persisted(store, numbers, 50)


def test_threads_sharing_one_store_one_claim_wins(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    outcomes = run_together(10, lambda i: _claim(store, n, f"staff{i}"))
    _assert_single_winner(store, n, outcomes)


def test_separate_store_instances_per_thread(backend) -> None:  # type: ignore[no-untyped-def]
    first = backend.open()
    stores = [backend.open() for _ in range(6)]

    numbers = run_together(6, lambda w: _create_batch(stores[w], w, 20))
    _assert_all_persisted(first, numbers, 20)
    n = first.create(question(), at(0)).number
    outcomes = run_together(6, lambda i: _claim(stores[i], n, f"staff{i}"))
    _assert_single_winner(first, n, outcomes)


def test_concurrent_first_open_migrates_once(backend) -> None:  # type: ignore[no-untyped-def]
    stores = run_together(6, lambda _: backend.open())
    latest = len(schema.MIGRATIONS)
    assert {s.schema_version() for s in stores} == {latest}
    assert backend.raw("SELECT version FROM schema_version ORDER BY version") == [(v,) for v in range(1, latest + 1)]
    numbers = [s.create(question(), at(0)).number for s in stores]
    assert len(set(numbers)) == 6


# -- SQLite: several OS processes on one file ----------------------------------------------


def _process_worker(path: str, worker: int, count: int, start: object) -> None:
    """Runs in a spawned process: opens its own store (racing on first open) and creates."""
    start.wait()  # type: ignore[attr-defined]
    store = SQLiteTicketStore(path)
    try:
        _create_batch(store, worker, count)
    finally:
        store.close_store()


def test_sqlite_processes_creating_in_one_file(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "tickets.db"  # does not exist yet: processes race to create it
    ctx = multiprocessing.get_context("spawn")
    workers, per_worker = 4, 25
    start = ctx.Event()
    procs = [
        ctx.Process(target=_process_worker, args=(str(path), w, per_worker, start)) for w in range(workers)
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * workers

    store = SQLiteTicketStore(path)
    try:
        tickets = store.list_tickets(limit=1000)
        assert len(tickets) == len({t.number for t in tickets}) == workers * per_worker
        for w in range(workers):
            mine = store.for_asker("discord", f"w{w}", limit=1000)
            assert sorted(t.question for t in mine) == sorted(f"w{w}-q{i}" for i in range(per_worker))
    finally:
        store.close_store()


# -- connection lifecycle ----------------------------------------------------------------------


def test_connections_of_finished_threads_are_closed(store: TicketStore) -> None:
    pool = store._pool  # type: ignore[attr-defined]  # internal, checked to prove no leak
    store.create(question(), at(0))  # this thread's connection
    run_together(5, lambda _: store.list_tickets())
    assert pool.open_count() == 6

    def later() -> int:
        return len(store.list_tickets())

    assert run_together(1, lambda _: later()) == [1]  # the five finished threads get pruned
    assert pool.open_count() == 2


def test_postgres_reconnects_after_the_server_drops_the_connection(pg_url: str) -> None:
    import psycopg

    store = PostgresTicketStore(pg_url)
    try:
        n = store.create(question(), at(0)).number
        pid = store._pool.get().info.backend_pid  # type: ignore[attr-defined]
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StorageError, match="Lost the connection"):
            store.get(n)  # the dropped connection surfaces as a readable error ...
        assert store.get(n).number == n  # ... and the next call reconnects
    finally:
        store.close_store()


def test_live_ticket_cap_is_exact_under_concurrent_creates(backend) -> None:  # type: ignore[no-untyped-def]
    """16 racing creates from one asker (separate store instances, so separate connections) against a cap of 5."""
    from admissionsbot.core.errors import TicketCapReached

    stores = [backend.open() for _ in range(8)]

    def attempt(i: int) -> int | None:
        try:
            return stores[i % 8].create(question(f"q{i}"), at(i), max_live=5).number
        except TicketCapReached:
            return None

    outcomes = run_together(16, attempt)
    assert sum(n is not None for n in outcomes) == 5
    assert stores[0].count_live_for_asker("discord", "u1") == 5
    other = stores[0].create(question("another asker", asker("u2")), at(20), max_live=5)  # the cap is per asker
    assert other.asker.user_id == "u2"


# -- delivery bookkeeping under racing workers --------------------------------------------


def _replied(store: TicketStore, i: int) -> tuple[int, int]:
    n = store.create(question(f"race {i}"), at(0)).number
    store.claim(n, staff("alice"), at(1))
    return n, store.add_reply(n, staff("alice"), "answer", at(2)).id


def test_racing_deliveries_record_one_delivery(backend) -> None:  # type: ignore[no-untyped-def]
    """Eight workers deliver the same reply at once (twenty rounds): one event, the winner's time kept."""
    stores = [backend.open() for _ in range(8)]
    for round_ in range(20):
        n, rid = _replied(stores[0], round_)
        run_together(8, lambda i: stores[i].mark_reply_delivered(rid, at(10 + i)))  # noqa: B023
        ticket = stores[0].get(n)
        delivered = [e for e in ticket.events if e.action == "reply_delivered"]
        assert len(delivered) == 1, f"round {round_}: {len(delivered)} reply_delivered events"
        (reply,) = ticket.replies
        assert reply.delivered_at == delivered[0].at
        assert reply.delivery_attempts == 1


def test_racing_delivery_and_failures_stay_consistent(backend) -> None:  # type: ignore[no-untyped-def]
    """Deliveries and failures racing: one delivery, and no failure is counted after it."""
    stores = [backend.open() for _ in range(8)]
    for round_ in range(20):
        n, rid = _replied(stores[0], round_)

        def work(i: int) -> None:
            if i % 2:
                stores[i].record_delivery_failure(rid, f"fail {i}", at(10 + i))  # noqa: B023
            else:
                stores[i].mark_reply_delivered(rid, at(10 + i))  # noqa: B023

        run_together(8, work)
        ticket = stores[0].get(n)
        actions = [e.action for e in ticket.events]
        assert actions.count("reply_delivered") == 1, f"round {round_}: {actions}"
        after = actions[actions.index("reply_delivered") + 1 :]
        assert "delivery_failed" not in after, f"round {round_}: failure logged after delivery: {actions}"
        (reply,) = ticket.replies
        assert reply.delivery_attempts == 1 + actions.count("delivery_failed")
        assert reply.delivered_at == next(e.at for e in ticket.events if e.action == "reply_delivered")
