"""Ticket storage: pick a backend from a database URL.

SQLite is the embedded default (a file path is enough); PostgreSQL is for
deployments that run several bot processes against one queue (one active, the
others on `run --standby`, elected through the leases of storage/leases.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from ..core.errors import StorageError
from ..core.ports import TicketStore
from .postgres import PostgresTicketStore  # imports psycopg only when instantiated
from .sqlite import SQLiteTicketStore

__all__ = ["PostgresTicketStore", "SQLiteTicketStore", "TicketStore", "open_store", "sqlite_path"]

ACCEPTED_FORMS = (
    "sqlite:///relative/path.db, sqlite:////absolute/path.db, a plain file path such as "
    "data/tickets.db, or postgresql://user:password@host:5432/dbname (postgres:// also works)"
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def sqlite_path(url: str) -> Path:
    """`sqlite:///rel.db` -> rel.db, `sqlite:////abs.db` -> /abs.db (SQLAlchemy's convention)."""
    rest = url[len("sqlite://") :]
    if not rest.startswith("/") or len(rest) < 2:
        raise StorageError(
            f"A SQLite URL needs three slashes and a file path, e.g. sqlite:///data/tickets.db "
            f"(relative) or sqlite:////var/lib/admissionsbot/tickets.db (absolute); got {url!r}."
        )
    return Path(unquote(rest[1:]))


def open_store(url: str, *, create: bool = True) -> TicketStore:
    """Open the ticket store a URL (or plain path) names; raises StorageError otherwise.

    `create=False` refuses a SQLite file that does not exist yet (read-only commands).
    """
    url = url.strip()
    if not url:
        raise StorageError(f"No ticket database given. Use one of: {ACCEPTED_FORMS}.")
    match = _SCHEME.match(url)
    if match is None:
        return SQLiteTicketStore(Path(url), create=create)
    scheme = match.group(1).lower()
    if scheme == "sqlite":
        return SQLiteTicketStore(sqlite_path(url), create=create)
    if scheme in ("postgresql", "postgres"):
        return PostgresTicketStore(url)
    # Name only the scheme: the rest of the URL may hold a password.
    raise StorageError(f"Unsupported database URL scheme {scheme!r}. Use one of: {ACCEPTED_FORMS}.")

