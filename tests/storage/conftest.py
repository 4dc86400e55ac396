"""Fixtures that run one storage suite against every backend (Red-DiscordBot style).

SQLite uses a file under tmp_path. PostgreSQL uses the server named by
ADMISSIONSBOT_TEST_POSTGRES_URL; each test gets its own schema (selected with
`options=-csearch_path=...` in the URL) that is dropped afterwards, so tests
never see each other's tickets.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from admissionsbot.storage import TicketStore, open_store


@dataclass
class Backend:
    """One backend under test: how to open stores on it and run raw SQL against it."""

    name: str
    url: str
    raw: Callable[[str], list[tuple[Any, ...]]]
    opened: list[TicketStore] = field(default_factory=list)

    def open(self) -> TicketStore:
        store = open_store(self.url)
        self.opened.append(store)
        return store


def _sqlite_raw(path: str) -> Callable[[str], list[tuple[Any, ...]]]:
    def run(sql: str) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            return list(conn.execute(sql).fetchall())
        finally:
            conn.close()

    return run


def _pg_raw(url: str) -> Callable[[str], list[tuple[Any, ...]]]:
    def run(sql: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            cur = conn.execute(sql)  # type: ignore[arg-type]
            return list(cur.fetchall()) if cur.description else []

    return run


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = tmp_path / "tickets.db"
        b = Backend("sqlite", f"sqlite:///{path}", _sqlite_raw(str(path)))
    else:
        url = request.getfixturevalue("pg_url")  # torn down after this fixture
        b = Backend("postgres", url, _pg_raw(url))
    try:
        yield b
    finally:
        for store in b.opened:
            store.close_store()


@pytest.fixture
def store(backend: Backend) -> TicketStore:
    return backend.open()
