"""Out-of-range numbers and unreadable rows give readable errors, never a traceback."""

from __future__ import annotations

import pytest
from storage_support import at, question

from admissionsbot.core.errors import StorageError, TicketNotFound
from admissionsbot.storage import TicketStore

BIGINT_MAX = 2**63 - 1
OUT_OF_RANGE = [2**63, 10**30, -(2**63) - 1]


@pytest.mark.parametrize("number", [*OUT_OF_RANGE, 0, -1, BIGINT_MAX])
def test_ticket_numbers_outside_the_id_range_are_not_found(store: TicketStore, number: int) -> None:
    store.create(question(), at(0))
    calls = [
        lambda: store.get(number),
        lambda: store.claim(number, "alice", at(1)),
        lambda: store.add_reply(number, "alice", "hi", at(1)),
        lambda: store.close(number, "alice", None, at(1)),
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
    assert [t.number for t in store.list(limit=2**64)] == [n]
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
