"""Out-of-range numbers and unreadable rows give readable errors, never a traceback."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from storage_support import at, question, staff

from admissionsbot.core.errors import StorageError, TicketNotFound
from admissionsbot.storage import TicketStore

BIGINT_MAX = 2**63 - 1
OUT_OF_RANGE = [2**63, 10**30, -(2**63) - 1]


@pytest.mark.parametrize("number", [*OUT_OF_RANGE, 0, -1, BIGINT_MAX])
def test_ticket_numbers_outside_the_id_range_are_not_found(store: TicketStore, number: int) -> None:
    store.create(question(), at(0))
    calls = [
        lambda: store.get(number),
        lambda: store.claim(number, staff("alice"), at(1)),
        lambda: store.add_reply(number, staff("alice"), "hi", at(1)),
        lambda: store.close_ticket(number, staff("alice"), None, at(1)),
        lambda: store.set_staff_post(number, "msg-1", at(1)),
        lambda: store.record_event(number, "bot", "note", "", at(1)),
    ]
    for call in calls:
        with pytest.raises(TicketNotFound) as info:
            call()
        assert str(info.value) == f"There is no ticket #{number}."


@pytest.mark.parametrize("reply_id", [*OUT_OF_RANGE, 0])
def test_reply_ids_outside_the_id_range_are_a_storage_error(store: TicketStore, reply_id: int) -> None:
    with pytest.raises(StorageError, match=f"no reply #{reply_id}"):
        store.mark_reply_delivered(reply_id, at(1))
    with pytest.raises(StorageError, match=f"no reply #{reply_id}"):
        store.record_delivery_failure(reply_id, "boom", at(1))


def test_huge_limits_are_capped_not_overflowing(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    assert [t.number for t in store.list_tickets(limit=2**64)] == [n]
    assert [t.number for t in store.for_asker("discord", "u1", limit=2**64)] == [n]
    assert [t.number for t in store.pending_staff_posts(limit=2**64)] == [n]
    assert store.undelivered_replies(limit=2**64) == []


def test_queue_show_with_an_overflowing_number_is_a_clear_error(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from admissionsbot.cli import main
    from admissionsbot.storage import SQLiteTicketStore

    db = tmp_path / "tickets.db"
    SQLiteTicketStore(db).close_store()
    assert main(["queue", "show", str(2**63), "--db", str(db)]) == 2
    assert capsys.readouterr().err.strip() == f"admissionsbot: There is no ticket #{2**63}."


# -- rows that cannot be read ------------------------------------------------------------

# (column, SQL value, what the message must say) corruptions either backend can hold.
BAD_VALUES = [
    ("filed_reason", "'because'", "filed_reason"),
    ("candidates", """'{"entry_id": 1}'""", "candidates"),
    ("candidates", """'[{"entry_id": "fees"}]'""", "candidates"),
]
SQLITE_ONLY = [("created_at", "'yesterday'"), ("updated_at", "42"), ("status", "'lost'"), ("kind", "'workshop'")]


def _three_tickets(store: TicketStore) -> tuple[int, int, int]:
    a, b, c = (store.create(question(f"q{i}"), at(i)).number for i in range(3))
    return a, b, c


def _assert_unreadable_reported(
    store: TicketStore, bad: int, good: tuple[int, ...], column: str, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(StorageError) as info:
        store.get(bad)
    message = str(info.value)
    assert f"#{bad}" in message and column in message
    with pytest.raises(StorageError, match=f"#{bad}"):
        store.claim(bad, staff("alice"), at(5))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="admissionsbot.storage"):
        assert [t.number for t in store.list_tickets()] == sorted(good, reverse=True)
        assert [t.number for t in store.for_asker("discord", "u1")] == sorted(good, reverse=True)
        assert [t.number for t in store.pending_staff_posts()] == sorted(good)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3 and all(f"#{bad}" in w and column in w for w in warnings)
    for n in good:
        assert store.get(n).number == n


@pytest.mark.parametrize(("column", "value", "named"), BAD_VALUES)
def test_an_unreadable_ticket_row_is_named_and_left_out_of_listings(
    backend, store: TicketStore, caplog: pytest.LogCaptureFixture, column: str, value: str, named: str
) -> None:  # type: ignore[no-untyped-def]
    a, b, c = _three_tickets(store)
    backend.raw(f"UPDATE tickets SET {column} = {value} WHERE number = {b}")
    _assert_unreadable_reported(store, b, (a, c), named, caplog)


@pytest.mark.parametrize(("column", "value"), SQLITE_ONLY)
def test_sqlite_unreadable_values_are_named(  # type: ignore[no-untyped-def]
    tmp_path, caplog: pytest.LogCaptureFixture, column: str, value: str
) -> None:
    from admissionsbot.storage import SQLiteTicketStore

    path = tmp_path / "t.db"
    store = SQLiteTicketStore(path)
    try:
        a, b, c = _three_tickets(store)
        raw = sqlite3.connect(path, isolation_level=None)
        raw.execute("PRAGMA ignore_check_constraints = ON")  # as a hand edit or an old bug might
        raw.execute(f"UPDATE tickets SET {column} = {value} WHERE number = {b}")
        raw.close()
        _assert_unreadable_reported(store, b, (a, c), column, caplog)
    finally:
        store.close_store()


def test_an_unreadable_reply_makes_its_ticket_unreadable_not_the_queue(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    from admissionsbot.storage import SQLiteTicketStore

    path = tmp_path / "t.db"
    store = SQLiteTicketStore(path)
    try:
        a, b, c = _three_tickets(store)
        for n in (a, b):
            store.claim(n, staff("alice"), at(3))
        good_reply = store.add_reply(a, staff("alice"), "fine", at(4))
        bad_reply = store.add_reply(b, staff("alice"), "broken", at(4))
        raw = sqlite3.connect(path, isolation_level=None)
        raw.execute(f"UPDATE replies SET created_at = 'soon' WHERE id = {bad_reply.id}")
        raw.close()
        with pytest.raises(StorageError) as info:
            store.get(b)
        assert f"#{b}" in str(info.value) and f"reply #{bad_reply.id}" in str(info.value)
        assert "created_at" in str(info.value)
        with caplog.at_level(logging.WARNING, logger="admissionsbot.storage"):
            assert [t.number for t in store.list_tickets()] == [c, a]
            assert [r.id for _, r in store.undelivered_replies()] == [good_reply.id]
        assert any(f"reply #{bad_reply.id}" in r.getMessage() for r in caplog.records)
    finally:
        store.close_store()


def test_queue_list_and_show_with_an_unreadable_row(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from admissionsbot.cli import main
    from admissionsbot.storage import SQLiteTicketStore

    db = tmp_path / "tickets.db"
    store = SQLiteTicketStore(db)
    a, b, c = _three_tickets(store)
    store.close_store()
    raw = sqlite3.connect(db, isolation_level=None)
    raw.execute(f"UPDATE tickets SET created_at = 'last tuesday' WHERE number = {b}")
    raw.close()

    assert main(["queue", "list", "--db", str(db)]) == 0
    listed = capsys.readouterr().out
    assert f"#{a}" in listed and f"#{c}" in listed and f"#{b} " not in listed
    assert main(["queue", "show", str(b), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"#{b}" in err and "created_at" in err and "Traceback" not in err
