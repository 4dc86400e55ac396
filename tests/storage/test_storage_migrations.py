"""Schema migrations: one templated list for both backends, and old databases still upgrade.

`old_schema` holds the statements releases up to schema version 3 created
databases with (one copy per backend). The shared list must render to exactly
those texts, and a database built with them at any version must migrate.
"""

from __future__ import annotations

from typing import Any

import pytest
from old_schema import OLD_MIGRATIONS, SCHEMA_VERSION_TABLE
from storage_support import asker as asker_for_feedback
from storage_support import at, question, staff

from admissionsbot.core.errors import StorageError
from admissionsbot.core.models import FiledReason, NewTicket, TicketKind, TicketStatus
from admissionsbot.storage import schema

RELEASED = 3  # versions in old_schema


def _latest() -> int:
    return len(schema.MIGRATIONS)


def _versions(backend: Any) -> list[tuple[Any, ...]]:
    return backend.raw("SELECT version FROM schema_version ORDER BY version")


# -- one list, rendered per dialect ----------------------------------------------------------


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_rendered_statements_are_exactly_the_released_ones(dialect: str) -> None:
    rendered = [list(step) for step in schema.rendered(dialect)[:RELEASED]]  # type: ignore[arg-type]
    assert rendered == [list(step) for step in OLD_MIGRATIONS[dialect]]
    assert schema.render(schema.SCHEMA_VERSION_TABLE, dialect) == SCHEMA_VERSION_TABLE[dialect]  # type: ignore[arg-type]


def test_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(KeyError, match="uuid"):
        schema.render("CREATE TABLE x (id {uuid})", "sqlite")


# -- databases built by the released statements ---------------------------------------------


def _build_old(backend: Any, upto: int) -> None:
    """A database as a release at schema version `upto` left it."""
    backend.raw(SCHEMA_VERSION_TABLE[backend.name])
    for version, step in enumerate(OLD_MIGRATIONS[backend.name][:upto], start=1):
        for statement in step:
            backend.raw(statement)
        backend.raw(f"INSERT INTO schema_version (version, applied_at) VALUES ({version}, CURRENT_TIMESTAMP)")


def _schema_dump(backend: Any) -> list[tuple[Any, ...]]:
    if backend.name == "sqlite":
        return backend.raw("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
    columns = backend.raw(
        "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity, "
        "identity_generation FROM information_schema.columns WHERE table_schema = current_schema() "
        "ORDER BY table_name, column_name"
    )
    indexes = backend.raw("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1")
    checks = backend.raw(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = current_schema()::regnamespace ORDER BY 1"
    )
    return [*columns, *indexes, *checks]


def test_fresh_schema_is_the_released_schema(backend, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _build_old(backend, RELEASED)
    released = _schema_dump(backend)
    for table in ("feedback", "events", "replies", "tickets", "schema_version"):
        backend.raw(f"DROP TABLE {table}")

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:RELEASED])
    assert backend.open().schema_version() == RELEASED
    assert _schema_dump(backend) == released


def _old_rows(backend: Any) -> int:
    """One answered, delivered ticket written the way releases 1-3 wrote it; returns its number."""
    ts = "'2025-03-01T09:30:00.123456+00:00'"
    backend.raw(
        "INSERT INTO tickets (kind, status, asker_platform, asker_user_id, asker_display_name, "
        "asker_private, question, candidates, claimed_by, created_at, updated_at) VALUES "
        f"""('question', 'answered', 'discord', 'u1', 'Ann', '1', 'Fees?',
        '[{{"entry_id": "fees", "score": 61.5}}]', 'alice', {ts}, {ts})"""
    )
    [(number,)] = backend.raw("SELECT number FROM tickets")
    backend.raw(
        "INSERT INTO replies (ticket_number, author, text, created_at, delivered_at, delivery_attempts) "
        f"VALUES ({number}, 'alice', 'See the fees page.', {ts}, {ts}, 1)"
    )
    backend.raw(f"INSERT INTO events (ticket_number, at, actor, action) VALUES ({number}, {ts}, 'Ann', 'created')")
    return int(number)


@pytest.mark.parametrize("version", [1, 2, RELEASED])
def test_database_at_an_old_version_migrates_to_the_latest(backend, version: int) -> None:  # type: ignore[no-untyped-def]
    _build_old(backend, version)
    number = _old_rows(backend)
    if version >= 2:
        for helpful in (1, 0, 0):
            backend.raw(
                "INSERT INTO feedback (entry_id, helpful, question, asker_platform, asker_user_id, at) "
                f"VALUES ('fees', {helpful}, 'Fees?', 'discord', 'u1', '2025-03-01T09:30:00+00:00')"
            )

    store = backend.open()
    assert store.schema_version() == _latest()
    assert _versions(backend) == [(v,) for v in range(1, _latest() + 1)]
    old = store.get(number)
    assert (old.status, old.asker.private, old.claimed_by, old.reason, old.rejected_entry) == (
        TicketStatus.ANSWERED, True, staff("alice"), None, None)
    assert [c.entry_id for c in old.candidates] == ["fees"]
    assert old.created_at == at(0).replace(minute=30) and old.replies[0].delivered_at == old.created_at
    assert [e.action for e in old.events] == ["created"]
    tallies = [(t.entry_id, t.helpful, t.not_helpful) for t in store.feedback_tallies()]
    assert tallies == ([("fees", 0, 1)] if version >= 2 else [])  # v5: one vote per student, the latest

    new = store.create(NewTicket(TicketKind.QUESTION, old.asker, "Dates?", reason=FiledReason.NO_MATCH), at(1))
    assert new.number > number and store.get(new.number).reason is FiledReason.NO_MATCH
    store.record_feedback("dates", True, "Dates?", old.asker, at(1))
    assert ("dates", 1, 0) in [(t.entry_id, t.helpful, t.not_helpful) for t in store.feedback_tallies()]


# -- applying steps ----------------------------------------------------------------------------


def test_reopening_keeps_data_and_schema_version(backend) -> None:  # type: ignore[no-untyped-def]
    first = backend.open()
    n = first.create(question("still here?"), at(0)).number
    first.claim(n, staff("alice"), at(1))
    before = first.get(n)
    first.close_store()

    again = backend.open()
    assert again.get(n) == before
    assert again.get(n).events == before.events
    assert again.schema_version() == _latest()
    assert _versions(backend) == [(v,) for v in range(1, _latest() + 1)]


def test_future_schema_version_is_refused(backend) -> None:  # type: ignore[no-untyped-def]
    store = backend.open()
    store.create(question(), at(0))
    store.close_store()
    backend.raw("INSERT INTO schema_version (version, applied_at) VALUES (99, CURRENT_TIMESTAMP)")

    with pytest.raises(StorageError) as info:
        backend.open()
    message = str(info.value)
    assert "schema version 99" in message and "newer admissionsbot" in message
    assert "upgrade admissionsbot" in message
    assert backend.raw("SELECT COUNT(*) FROM tickets") == [(1,)]  # refused, not touched


def test_failed_migration_step_leaves_nothing_behind(backend, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    backend.open().close_store()  # at the latest version
    versions = [(v,) for v in range(1, _latest() + 1)]
    broken = (
        "CREATE TABLE half_done (x INTEGER)",
        "CREATE TABLE tickets (x INTEGER)",  # fails: tickets exists
    )
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])

    with pytest.raises(StorageError):
        backend.open()
    assert _versions(backend) == versions
    if backend.name == "sqlite":
        leftovers = backend.raw("SELECT name FROM sqlite_master WHERE name = 'half_done'")
    else:
        leftovers = backend.raw("SELECT to_regclass('half_done')::text")
        leftovers = [r for r in leftovers if r[0] is not None]
    assert leftovers == []


def test_new_migration_step_is_applied_on_open(backend, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = backend.open()
    n = store.create(question(), at(0)).number
    store.close_store()
    latest = _latest()
    monkeypatch.setattr(
        schema, "MIGRATIONS", [*schema.MIGRATIONS, ("CREATE INDEX tickets_updated ON tickets (updated_at)",)]
    )

    upgraded = backend.open()
    assert upgraded.schema_version() == latest + 1
    assert upgraded.get(n).number == n
    assert _versions(backend) == [(v,) for v in range(1, latest + 2)]


def test_a_dialect_only_step_runs_on_its_backend_only(backend, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    backend.open().close_store()
    step = (
        schema.Only("sqlite", "CREATE TABLE only_sqlite (x INTEGER)"),
        schema.Only("postgres", "CREATE TABLE only_postgres (x INTEGER)"),
    )
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, step])
    assert backend.open().schema_version() == _latest()
    assert backend.raw(f"SELECT COUNT(*) FROM only_{backend.name}") == [(0,)]
    other = "postgres" if backend.name == "sqlite" else "sqlite"
    with pytest.raises(Exception, match=f"only_{other}"):
        backend.raw(f"SELECT COUNT(*) FROM only_{other}")


# -- version 4: feedback.helpful is a boolean -------------------------------------------------


def _helpful_column(backend: Any) -> list[tuple[type, Any]]:
    """(Python type, value) per row: 1 == True, so the values alone cannot tell."""
    return [(type(v), v) for (v,) in backend.raw("SELECT helpful FROM feedback ORDER BY id")]


def test_feedback_helpful_is_stored_as_a_boolean(backend) -> None:  # type: ignore[no-untyped-def]
    store = backend.open()
    store.record_feedback("fees", True, "Fees?", asker_for_feedback("u1"), at(0))
    store.record_feedback("fees", False, "Fees?", asker_for_feedback("u2"), at(1))
    if backend.name == "postgres":
        assert backend.raw(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'feedback' AND column_name = 'helpful'"
        ) == [("boolean",)]
        assert _helpful_column(backend) == [(bool, True), (bool, False)]
    else:  # SQLite has no boolean type: 0/1, and nothing else gets in
        assert _helpful_column(backend) == [(int, 1), (int, 0)]
        with pytest.raises(Exception, match="CHECK"):
            backend.raw("INSERT INTO feedback (entry_id, helpful, question, asker_platform, asker_user_id, at) "
                        "VALUES ('x', 2, '', 'p', 'u', '')")
    assert [(t.entry_id, t.helpful, t.not_helpful) for t in store.feedback_tallies()] == [("fees", 1, 1)]


def test_old_feedback_verdicts_become_booleans(backend) -> None:  # type: ignore[no-untyped-def]
    _build_old(backend, RELEASED)
    for who, helpful in enumerate((1, 0, 1)):
        backend.raw(
            "INSERT INTO feedback (entry_id, helpful, question, asker_platform, asker_user_id, at) "
            f"VALUES ('fees', {helpful}, 'Fees?', 'discord', 'u{who}', '2025-03-01T09:30:00+00:00')"
        )
    backend.open()
    kind = bool if backend.name == "postgres" else int
    expected = [(kind, kind(1)), (kind, kind(0)), (kind, kind(1))]
    assert _helpful_column(backend) == expected
