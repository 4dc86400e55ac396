"""One database connection per thread, shared by both backends.

Neither sqlite3 nor psycopg connections may be used by two threads at once,
and a lock around one connection would serialise every read. Connections of
threads that have finished are closed when the next thread connects, so a
caller that spawns short-lived threads does not leak connections.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from ..core.errors import StorageError

C = TypeVar("C")
log = logging.getLogger(__name__)


class PerThread(Generic[C]):
    def __init__(
        self,
        connect: Callable[[], C],
        close: Callable[[C], None],
        usable: Callable[[C], bool] = lambda _: True,
        closed_message: str = "The ticket store has been closed.",
    ) -> None:
        self._connect, self._close, self._usable = connect, close, usable
        self._closed_message = closed_message
        self._conns: dict[threading.Thread, C] = {}
        self._lock = threading.Lock()
        self._closed = False

    def get(self) -> C:
        """This thread's connection, opened (or replaced, if unusable) on demand."""
        me = threading.current_thread()
        with self._lock:
            if self._closed:
                raise StorageError(self._closed_message)
            conn = self._conns.get(me)
            stale = [t for t in self._conns if not t.is_alive()]
            retired = [self._conns.pop(t) for t in stale]
        if conn is not None and not self._usable(conn):
            retired.append(conn)
            conn = None
        for old in retired:
            self._safe_close(old)
        if conn is None:
            conn = self._connect()  # outside the lock: connecting may block
            with self._lock:
                if self._closed:
                    self._safe_close(conn)
                    raise StorageError(self._closed_message)
                self._conns[me] = conn
        return conn

    def open_count(self) -> int:
        """How many connections are open (for tests and diagnostics)."""
        with self._lock:
            return len(self._conns)

    def close_all(self) -> None:
        """Close every thread's connection; later get() calls raise StorageError."""
        with self._lock:
            self._closed = True
            conns = list(self._conns.values())
            self._conns.clear()
        for conn in conns:
            self._safe_close(conn)

    def _safe_close(self, conn: C) -> None:
        try:
            self._close(conn)
        except Exception:  # closing is best effort; the connection is gone either way
            log.debug("Closing a ticket database connection failed", exc_info=True)
