"""PostgreSQL ticket store on psycopg 3, for deployments with several bot processes.

psycopg is imported lazily so the package works without the `postgres` extra.
Each thread gets its own autocommit connection (psycopg_pool is not a
dependency); transitions lock the ticket row with SELECT ... FOR UPDATE,
pending cards and replies are leased with FOR UPDATE SKIP LOCKED, and
migrations run under a transaction-level advisory lock so two processes
starting at once cannot race on the schema.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from ..core.errors import StorageError
from .common import SQLTicketStore
from .rows import to_utc
from .threads import PerThread

_MIGRATING = (
    "setting up the ticket tables (check that the schema on the search_path exists "
    "and that this user may create tables in it)"
)
#: Serialises schema migrations per schema, across processes.
_MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(hashtext('admissionsbot.schema:' || COALESCE(current_schema(), '')))"


def _oneline(exc: BaseException) -> str:
    return " ".join(str(exc).split())


@lru_cache(maxsize=256)
def _pg(sql: str) -> str:
    """`?` placeholders (shared SQL) -> psycopg's `%s`; the shared SQL contains no literal ? or %."""
    return sql.replace("?", "%s")


class PostgresTicketStore(SQLTicketStore):
    """TicketStore on a PostgreSQL database; see the module docstring."""

    _lock_clause = " FOR UPDATE"
    _skip_locked = " FOR UPDATE OF {alias} SKIP LOCKED"
    _dialect = "postgres"

    def __init__(self, url: str, *, connect_timeout: int = 10) -> None:
        try:
            import psycopg
            from psycopg.conninfo import conninfo_to_dict
            from psycopg.rows import dict_row
            from psycopg.types.json import Jsonb
        except ImportError as exc:
            raise StorageError(
                "PostgreSQL support needs the psycopg package: pip install 'admissionsbot[postgres]'"
            ) from exc
        self._psycopg = psycopg
        self._dict_row = dict_row
        self._jsonb = Jsonb
        try:
            info = conninfo_to_dict(url)
        except psycopg.Error as exc:
            raise StorageError(
                "The PostgreSQL database URL is not valid; use the form "
                "postgresql://user:password@host:5432/dbname."
            ) from exc
        self._url = url
        self._extra: dict[str, Any] = {} if "connect_timeout" in info else {"connect_timeout": connect_timeout}
        self.where = (
            f"PostgreSQL database '{info.get('dbname') or '(default)'}' on "
            f"{info.get('host') or 'localhost'}:{info.get('port') or 5432} "
            f"as user '{info.get('user') or '(default)'}'"
        )
        self._pool: PerThread[Any] = PerThread(
            self._connect,
            lambda conn: conn.close(),
            usable=lambda conn: not (conn.closed or conn.broken),  # dropped by the server: replace
            closed_message=f"The ticket store for the {self.where} has been closed.",
        )
        self._open()

    # -- connections --------------------------------------------------------------------
    def _connect(self) -> Any:
        try:
            return self._psycopg.connect(
                self._url, autocommit=True, row_factory=self._dict_row, **self._extra
            )
        except self._psycopg.Error as exc:
            raise StorageError(
                f"Cannot connect to the {self.where}. Check that the server is running and "
                "reachable from this machine, that the database exists, and the user name and "
                f"password in the database URL. (Details: {_oneline(exc)})"
            ) from exc

    def _lock_schema(self, conn: Any) -> None:
        conn.execute(_MIGRATION_LOCK)

    def _where_in_sentence(self) -> str:
        return f"({self.where})"

    # -- SQLTicketStore hooks -------------------------------------------------------------
    @contextmanager
    def _tx(self, write: bool, migrating: bool = False) -> Iterator[Any]:
        doing = _MIGRATING if migrating else "a ticket operation"
        conn = self._conn()
        try:
            with conn.transaction():
                if not write:  # one consistent snapshot across the ticket/replies/events reads
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield conn
        except self._psycopg.OperationalError as exc:
            raise StorageError(
                f"Lost the connection to the {self.where} during {doing}. Check that the server "
                f"is up; the bot reconnects on the next call. (Details: {_oneline(exc)})"
            ) from exc
        except self._psycopg.Error as exc:
            raise StorageError(
                f"The {self.where} refused {doing}. (Details: {_oneline(exc)})"
            ) from exc

    def _lock_asker(self, conn: Any, platform: str, user_id: str) -> None:
        """Writers run concurrently here: a transaction-scoped advisory lock per asker makes the cap exact."""
        key = f"admissionsbot.asker:{platform}:{user_id}"
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))

    def _exec(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(_pg(sql), tuple(params))

    def _insert(self, conn: Any, sql: str, params: Sequence[Any], id_column: str) -> int:
        row = conn.execute(_pg(sql) + f" RETURNING {id_column}", tuple(params)).fetchone()
        return int(row[id_column])

    def _ts(self, at: datetime) -> datetime:
        return to_utc(at)

    def _json(self, data: Any) -> Any:
        return self._jsonb(data)
