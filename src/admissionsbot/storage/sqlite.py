"""SQLite ticket store: the embedded default, safe across threads and processes.

WAL lets readers run while one writer writes; `busy_timeout` makes a second
writer wait instead of failing; every state change runs in `BEGIN IMMEDIATE`
so the read-check-write of a transition cannot interleave with another
writer's. Each thread gets its own connection (sqlite3 connections must not be
shared by concurrent threads), which also keeps reads from queueing behind a lock.

The store remembers which file it opened (device and inode). Deleting, moving
or replacing that file under a running process would otherwise go unnoticed:
the process keeps writing into the unlinked file (and its WAL) while the next
process starts from an empty database. So every transaction compares the path
with the open file before COMMIT (and a write once more after it) and raises
StorageError instead of acknowledging; later connections open the file
read-write without creating it, so they cannot make a new empty one either.
SQLite does not checkpoint a moved database when it closes, and its leftover
WAL would be replayed onto whatever file is at the path next (a restored
backup, say), so the store empties its WAL into the old file once it notices.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.errors import StorageError
from .common import SQLTicketStore
from .rows import to_iso
from .threads import PerThread

log = logging.getLogger(__name__)

def _explain(path: Path, exc: sqlite3.Error, opening: bool) -> str:
    """Turn a sqlite3 error into a sentence that names the file and what to do."""
    text = str(exc)
    low = text.lower()
    verb = "open" if opening else "use"
    if "not a database" in low or "malformed" in low:
        hint = (
            "it is not a SQLite database (or it is damaged). Move the file away or point "
            "the bot at a different database path."
        )
    elif "readonly" in low or "read-only" in low:
        hint = (
            "the file (or its folder) is read-only. Make it writable for the user running "
            "the bot, or choose another database path."
        )
    elif "unable to open" in low:
        hint = (
            "SQLite cannot open or create the file there. Check that the folder exists and "
            "is writable, or choose another database path."
        )
    elif "locked" in low or "busy" in low:
        hint = (
            "another process kept the database locked for too long. Check for a stuck "
            "process using the same file, then retry."
        )
    else:
        hint = f"{text}."
    return f"Cannot {verb} the ticket database {path}: {hint}"


def _prepare_path(path: str | Path, create: bool = True) -> Path:
    """Validate the location and create missing parent folders, with readable errors.

    With create=False (commands that only read) a missing file is an error: a
    mistyped path must not quietly become an empty queue.
    """
    p = Path(path).expanduser()
    if str(path) in ("", ":memory:"):
        raise StorageError(
            "The ticket database needs a file path (an in-memory SQLite database cannot be "
            "shared between threads); use a path such as data/tickets.db."
        )
    try:
        p.stat()
    except (FileNotFoundError, NotADirectoryError):
        pass  # a missing file is created below; a file used as a folder is named below
    except OSError as exc:  # a name over 255 bytes, a folder that cannot be searched, a symlink loop
        raise StorageError(f"Cannot use {str(p)[:200]!r} as the ticket database: {exc.strerror}. "
                           "Check the path (--db or the database_url setting).") from exc
    if p.is_dir():
        raise StorageError(
            f"The ticket database path {p} is a directory; give a file path such as {p / 'tickets.db'}."
        )
    if not create and not p.is_file():
        raise StorageError(
            f"The ticket database {p} does not exist. Check the path (--db or the database_url setting); "
            "it is created by the first command that files or works a ticket."
        )
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((a for a in p.parents if a.exists()), None)
        if blocker is not None and not blocker.is_dir():
            reason = f"{blocker} is a file, not a folder"
        else:
            reason = exc.strerror or str(exc)
        raise StorageError(
            f"Cannot create the folder {p.parent} for the ticket database {p} ({reason}). "
            "Choose a database path in a writable folder."
        ) from exc
    return p


def _file_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, or None when nothing is there."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"Cannot check the ticket database {path}: {exc.strerror or exc}.") from exc
    return st.st_dev, st.st_ino


class FileGone(StorageError):
    """The path no longer names the file the store opened (deleted, moved or replaced)."""


def _enable_wal(conn: sqlite3.Connection, attempts: int = 8) -> None:
    """Switch a (possibly brand-new) file to WAL.

    The switch needs the file to itself; when several processes create the
    database at the same moment SQLite can answer "database is locked" here
    without waiting on busy_timeout, so retry briefly with growing pauses.
    """
    for attempt in range(attempts):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * 2**attempt)


class SQLiteTicketStore(SQLTicketStore):
    """TicketStore on one SQLite file; see the module docstring for the concurrency model."""

    _dialect = "sqlite"

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0, create: bool = True) -> None:
        self.path = _prepare_path(path, create)
        self.where = str(self.path)
        self._abs = self.path.absolute()  # a later chdir must not redirect new connections
        self._file: tuple[int, int] | None = None  # the file the first connection opened
        self._wal_emptied = False
        self._timeout = busy_timeout
        self._pool: PerThread[sqlite3.Connection] = PerThread(
            self._connect,
            self._disconnect,
            closed_message=f"The ticket store for {self.path} has been closed.",
        )
        self._open()

    # -- connections --------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        first = self._file is None
        if not first:
            self._check_file()
        conn: sqlite3.Connection | None = None
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves (BEGIN IMMEDIATE for writes).
            # Only the first connection may create the file; later ones open it read-write.
            target = self._abs if first else self._abs.as_uri() + "?mode=rw"
            conn = sqlite3.connect(
                target, timeout=self._timeout, isolation_level=None, check_same_thread=False,
                uri=not first,
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            _enable_wal(conn)
            if first:
                self._file = _file_id(self._abs)
            else:
                self._check_file()  # replaced between the check above and the open
        except StorageError:
            if conn is not None:
                conn.close()
            raise
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise StorageError(_explain(self.path, exc, opening=True)) from exc
        return conn

    def _check_file(self, committed: bool = False) -> None:
        """Raise FileGone unless the path still names the file this store opened (one stat call)."""
        found = _file_id(self._abs)
        if found is not None and found == self._file:
            return
        what = "replaced by a different file" if found is not None else "deleted or moved away"
        outcome = (
            "The last change went into the old file and is lost with it"
            if committed
            else "Nothing was saved"
        )
        raise FileGone(
            f"The ticket database {self.path} was {what} while admissionsbot was running. "
            f"{outcome}: this process still holds the old file, so it refuses to record "
            "anything more. Restart admissionsbot (after putting the right file back at "
            f"{self.path}, if it went by mistake) so it opens the database again."
        )

    def _moved(self) -> bool:
        try:
            return self._file is not None and _file_id(self._abs) != self._file
        except StorageError:
            return True

    def _empty_wal(self, conn: sqlite3.Connection) -> None:
        """Checkpoint the old file's WAL into it and truncate the WAL (once; outside a transaction).

        The WAL file is named after the path, and SQLite skips the checkpoint on close once the
        database has moved: without this, the next process would replay our frames onto the file
        that now sits at the path.
        """
        if self._wal_emptied:
            return
        self._wal_emptied = True
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            log.warning("Could not empty the WAL of the moved ticket database %s: %s", self.path, exc)

    def _disconnect(self, conn: sqlite3.Connection) -> None:
        if self._moved():
            self._empty_wal(conn)
        conn.close()

    # -- SQLTicketStore hooks -------------------------------------------------------------
    @contextmanager
    def _tx(self, write: bool, migrating: bool = False) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
                self._check_file()  # before COMMIT: never acknowledge into a file that is gone
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            if write:
                self._check_file(committed=True)  # it went while we committed
        except sqlite3.Error as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise StorageError(_explain(self.path, exc, opening=migrating)) from exc
        except FileGone:
            self._empty_wal(conn)
            raise

    def _exec(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return conn.execute(sql, tuple(params))

    def _insert(self, conn: Any, sql: str, params: Sequence[Any], id_column: str) -> int:
        # lastrowid rather than RETURNING: works on SQLite builds older than 3.35.
        rowid = conn.execute(sql, tuple(params)).lastrowid
        assert rowid is not None
        return int(rowid)

    def _ts(self, at: datetime) -> str:
        return to_iso(at)

    def _json(self, data: Any) -> str:
        return json.dumps(data, ensure_ascii=False)
