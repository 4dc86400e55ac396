"""Opening stores: URL forms and readable errors for bad locations (migrations: test_storage_migrations)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from storage_support import at, question

from admissionsbot.core.errors import StorageError
from admissionsbot.storage import SQLiteTicketStore, open_store
from admissionsbot.storage.postgres import PostgresTicketStore

# -- SQLite locations -------------------------------------------------------------------------


def test_sqlite_creates_missing_parent_folders_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "tickets.db"
    store = SQLiteTicketStore(path)
    try:
        store.create(question(), at(0))
    finally:
        store.close_store()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1
    finally:
        conn.close()


def test_sqlite_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a shopping list, not a database\n" * 200)
    with pytest.raises(StorageError) as info:
        SQLiteTicketStore(path)
    assert str(path) in str(info.value) and "not a SQLite database" in str(info.value)
    assert path.read_bytes().startswith(b"this is a shopping list")


def test_sqlite_path_under_a_regular_file_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(StorageError) as info:
        SQLiteTicketStore(afile / "db.sqlite")
    assert f"{afile} is a file, not a folder" in str(info.value)
    assert "writable folder" in str(info.value)


def test_sqlite_directory_as_database_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is a directory") as info:
        SQLiteTicketStore(tmp_path)
    assert str(tmp_path / "tickets.db") in str(info.value)


def open_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on SQLite opens files read-only (mode=ro), as on a read-only mount: root, as CI runs,
    ignores file modes, so chmod cannot make a file read-only for these tests."""
    real_connect = sqlite3.connect

    def read_only(database, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.pop("uri", None)
        return real_connect(f"file:{database}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only)


def test_sqlite_read_only_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Filing into a database that cannot be written names the file."""
    path = tmp_path / "ro.db"
    SQLiteTicketStore(path).close_store()
    open_read_only(monkeypatch)
    store = SQLiteTicketStore(path)
    try:
        with pytest.raises(StorageError, match=str(path)):
            store.create(question(), at(0))
    finally:
        store.close_store()


@pytest.mark.parametrize("bad", ["", ":memory:"])
def test_sqlite_needs_a_real_file(bad: str) -> None:
    with pytest.raises(StorageError, match="file path"):
        SQLiteTicketStore(bad)


# -- open_store URL forms --------------------------------------------------------------------


def _opened_file(url: str) -> Path:
    store = open_store(url)
    try:
        assert isinstance(store, SQLiteTicketStore)
        store.create(question(), at(0))
        return store.path
    finally:
        store.close_store()


def test_open_store_sqlite_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _opened_file("sqlite:///rel/tickets.db") == Path("rel/tickets.db")
    assert (tmp_path / "rel" / "tickets.db").is_file()
    absolute = tmp_path / "abs dir" / "t.db"
    assert _opened_file(f"sqlite:///{absolute}") == absolute  # four slashes: absolute
    assert absolute.is_file()
    assert _opened_file("plain/tickets.sqlite3") == Path("plain/tickets.sqlite3")
    assert (tmp_path / "plain" / "tickets.sqlite3").is_file()


@pytest.mark.parametrize("url", ["mysql://root:hunter2@db/tickets", "redis://x", "   "])
def test_open_store_rejects_unknown_forms_without_echoing_secrets(url: str) -> None:
    with pytest.raises(StorageError) as info:
        open_store(url)
    message = str(info.value)
    assert "sqlite:///relative/path.db" in message and "postgresql://" in message
    assert "hunter2" not in message


def test_open_store_rejects_sqlite_url_without_path() -> None:
    with pytest.raises(StorageError, match="three slashes"):
        open_store("sqlite://host/tickets.db")


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_open_store_postgres_unreachable_is_a_clear_error(scheme: str) -> None:
    # Port 1 on localhost refuses connections immediately; no server is needed.
    with pytest.raises(StorageError) as info:
        open_store(f"{scheme}://bot:s3cret@127.0.0.1:1/queue")
    message = str(info.value)
    assert "Cannot connect" in message and "127.0.0.1:1" in message and "'queue'" in message
    assert "server is running" in message and "s3cret" not in message


def test_postgres_without_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # makes `import psycopg` fail
    with pytest.raises(StorageError, match=r"pip install 'admissionsbot\[postgres\]'"):
        PostgresTicketStore("postgresql://localhost/test")


def test_postgres_missing_schema_is_a_storage_error(pg_url: str) -> None:
    from storage_support import with_search_path

    base = pg_url.split("?")[0]
    with pytest.raises(StorageError, match="setting up the ticket tables"):
        PostgresTicketStore(with_search_path(base, "no_such_schema_here"))


def test_sqlite_read_only_database_fails_the_write_probe(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A read-only file (or mount) must stop `run` before it connects: the probe really writes."""
    path = tmp_path / "ro.sqlite3"
    store = SQLiteTicketStore(path)
    store.check_writable()
    store.close_store()
    open_read_only(monkeypatch)
    ro = SQLiteTicketStore(path)
    try:
        with pytest.raises(StorageError, match="readonly|read-only|read only"):
            ro.check_writable()
    finally:
        ro.close_store()
