"""Staff are platform + user id, shown with their latest name; older "name (id)" rows are migrated (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest
from storage_support import at, question, staff

from admissionsbot.core.errors import TransitionError
from admissionsbot.core.models import Staff, TicketStatus
from admissionsbot.storage import TicketStore, schema

ADA = Staff("discord", "6000", "ada")
ADA_NEW = Staff("discord", "6000", "ada_new")
BEA = Staff("discord", "6001", "bea")


def test_a_rename_mid_ticket_keeps_the_claim_and_shows_the_new_name(store: TicketStore) -> None:
    n = store.create(question(), at(0)).number
    store.claim(n, ADA, at(1))
    reply = store.add_reply(n, ADA_NEW, "Here you go.", at(2))  # same id, new username: still the claimer
    assert reply.author == ADA and reply.author.name == "ada_new"
    ticket = store.get(n)
    assert ticket.status is TicketStatus.ANSWERED
    assert ticket.claimed_by == ADA and ticket.claimed_by is not None and ticket.claimed_by.name == "ada_new"
    assert [(e.action, e.actor, e.by.name if e.by else None) for e in ticket.events][1:] == [
        ("claimed", "discord:6000", "ada_new"), ("replied", "discord:6000", "ada_new")]
    with pytest.raises(TransitionError, match="claimed by ada_new; only they can reply"):
        store.add_reply(n, BEA, "Me too", at(3))
    assert [(m, m.name) for m in store.staff_members()] == [(ADA, "ada_new")]  # a refused action records nobody


def test_a_nameless_member_keeps_the_stored_name(store: TicketStore) -> None:
    """`queue claim --as discord:6000` knows only the id: the name the bot saw stays."""
    n = store.create(question(), at(0)).number
    store.claim(n, ADA, at(1))
    store.add_reply(n, Staff("discord", "6000"), "From the terminal.", at(2))
    assert store.get(n).replies[0].author.name == "ada"
    fresh = store.create(question("other"), at(3)).number
    assert store.claim(fresh, Staff("discord", "7000"), at(4)).claimed_by == Staff("discord", "7000", "7000")


def _staff_step() -> int:
    return next(i for i, step in enumerate(schema.MIGRATIONS)
                if any("CREATE TABLE staff (" in str(statement) for statement in step))


def _ts(minute: int) -> str:
    return f"'{at(minute).isoformat(timespec='microseconds')}'"


def _legacy(backend: Any, status: str, claimed_by: str | None, minute: int) -> int:
    who = "NULL" if claimed_by is None else "'" + claimed_by.replace("'", "''") + "'"
    backend.raw(
        "INSERT INTO tickets (kind, status, asker_platform, asker_user_id, asker_display_name, question, "
        f"claimed_by, created_at, updated_at) VALUES ('question', '{status}', 'discord', 'u1', 'Ann', 'Fees?', "
        f"{who}, {_ts(minute)}, {_ts(minute)})")
    number = int(backend.raw("SELECT MAX(number) FROM tickets")[0][0])
    backend.raw(f"INSERT INTO events (ticket_number, at, actor, action) VALUES ({number}, {_ts(minute)}, 'Ann', "
                "'created')")
    return number


def _event(backend: Any, number: int, actor: str, action: str, minute: int) -> None:
    backend.raw(f"INSERT INTO events (ticket_number, at, actor, action) VALUES ({number}, {_ts(minute)}, "
                f"'{actor}', '{action}')")


def test_old_name_and_id_texts_become_staff_keys(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:_staff_step()])
        backend.open().close_store()
    one = _legacy(backend, "answered", "ada (6000)", 0)
    _event(backend, one, "ada (6000)", "claimed", 1)
    backend.raw(f"INSERT INTO replies (ticket_number, author, text, created_at) VALUES ({one}, 'ada (6000)', "
                f"'See the fees page.', {_ts(2)})")
    _event(backend, one, "ada (6000)", "replied", 2)
    two = _legacy(backend, "claimed", "ada_new (6000)", 5)  # she renamed herself later
    _event(backend, two, "ada_new (6000)", "claimed", 5)
    three = _legacy(backend, "closed", None, 6)
    _event(backend, three, "staff", "closed", 7)  # `queue close` without --as
    four = _legacy(backend, "claimed", "Zoë (front desk) (7000)", 8)
    five = _legacy(backend, "claimed", "bob", 9)  # `queue claim --as bob`

    store = backend.open()
    assert store.schema_version() == len(schema.MIGRATIONS)
    first = store.get(one)
    assert first.claimed_by == Staff("discord", "6000") and first.claimed_by.name == "ada_new"
    assert first.replies[0].author.name == "ada_new"
    assert [(e.actor, e.by.name if e.by else None) for e in first.events] == [
        ("Ann", None), ("discord:6000", "ada_new"), ("discord:6000", "ada_new")]
    assert store.get(three).events[-1].actor == "cli:staff"
    zoe = store.get(four).claimed_by
    assert zoe == Staff("discord", "7000") and zoe is not None and zoe.name == "Zoë (front desk)"
    assert store.get(five).claimed_by == staff("bob")
    assert backend.raw("SELECT staff_id, name FROM staff ORDER BY staff_id") == [
        ("cli:bob", "bob"), ("cli:staff", "staff"), ("discord:6000", "ada_new"), ("discord:7000", "Zoë (front desk)")]
    # the renamed member goes on working her claimed ticket under her id
    store.add_reply(two, Staff("discord", "6000", "ada_newest"), "Done.", at(10))
    assert store.get(one).claimed_by.name == "ada_newest"  # type: ignore[union-attr]
