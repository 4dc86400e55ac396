"""A SQLite file deleted or replaced under a running store: refuse, never acknowledge into the void.

Before the check, a process kept writing (WAL included) into the unlinked file
and the next process started from an empty database: acknowledged tickets were
lost without a word.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_support import at, question

from admissionsbot.core.errors import StorageError
from admissionsbot.storage import SQLiteTicketStore


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "tickets.db"


@pytest.fixture
def running(path: Path) -> Iterator[SQLiteTicketStore]:
    store = SQLiteTicketStore(path)
    store.create(question("acknowledged before"), at(0))
    try:
        yield store
    finally:
        store.close_store()


def _in_other_thread(call: object) -> BaseException | None:
    """Run `call` in a fresh thread (a fresh connection); return what it raised."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            call()  # type: ignore[operator]
        except BaseException as exc:  # noqa: BLE001  # handed back to the test
            raised.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return raised[0] if raised else None


def _tickets_in(path: Path) -> list[str]:
    store = SQLiteTicketStore(path, create=False)
    try:
        return [t.question for t in store.list_tickets()]
    finally:
        store.close_store()


@pytest.mark.parametrize("with_wal", [False, True], ids=["db-file", "db-wal-shm"])
def test_deleted_file_refuses_writes_and_reads(running: SQLiteTicketStore, path: Path, with_wal: bool) -> None:
    os.remove(path)
    if with_wal:  # `rm tickets.db*`
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    with pytest.raises(StorageError) as info:
        running.create(question("filed after the delete"), at(1))
    message = str(info.value)
    assert str(path) in message and "deleted" in message and "Restart admissionsbot" in message
    with pytest.raises(StorageError, match="deleted"):
        running.create(question("and again"), at(2))
    with pytest.raises(StorageError, match="deleted"):
        running.list_tickets()
    other_thread = _in_other_thread(running.list_tickets)  # a new connection must not create a new empty file
    assert isinstance(other_thread, StorageError) and "deleted" in str(other_thread)
    assert not path.exists()


def test_replaced_file_refuses_writes(running: SQLiteTicketStore, path: Path) -> None:
    replacement = path.with_name("restored.db")
    other = SQLiteTicketStore(replacement)
    other.create(question("from the backup"), at(0))
    other.close_store()
    os.replace(replacement, path)

    with pytest.raises(StorageError) as info:
        running.create(question("filed after the replace"), at(1))
    message = str(info.value)
    assert str(path) in message and "replaced" in message and "Restart admissionsbot" in message
    assert isinstance(_in_other_thread(lambda: running.create(question("x"), at(2))), StorageError)
    running.close_store()
    assert _tickets_in(path) == ["from the backup"]  # nothing filed into it, nothing reported as filed


def test_moved_file_is_reported_as_moved_away(running: SQLiteTicketStore, path: Path) -> None:
    os.rename(path, path.with_name("elsewhere.db"))
    with pytest.raises(StorageError, match="deleted or moved"):
        running.create(question(), at(1))


def test_unchanged_file_keeps_working_across_threads(running: SQLiteTicketStore, path: Path) -> None:
    assert _in_other_thread(lambda: running.create(question("from a thread"), at(1))) is None
    assert sorted(t.question for t in running.list_tickets()) == ["acknowledged before", "from a thread"]


def test_relative_path_survives_a_change_of_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = SQLiteTicketStore(Path("rel.db"))
    try:
        store.create(question(), at(0))
        monkeypatch.chdir(tmp_path.parent)
        assert _in_other_thread(lambda: store.create(question(), at(1))) is None
    finally:
        store.close_store()


def test_file_replaced_then_shutdown_leaves_no_stale_wal(running: SQLiteTicketStore, path: Path) -> None:
    """SQLite does not checkpoint a moved database on close: its WAL stayed and overlaid the restored file."""
    replacement = path.with_name("restored.db")
    other = SQLiteTicketStore(replacement)
    other.create(question("from the backup"), at(0))
    other.close_store()
    os.replace(replacement, path)
    running.close_store()  # shutting down without another transaction
    assert _tickets_in(path) == ["from the backup"]
