"""Canned replies in the `snippets` table (schema v8), written once for both backends.

`created_by` is a staff key (core/staff.py), read back with the member's latest name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.snippets import Snippet
from ..core.staff import staff_from_key
from .hooks import SQLHooks
from .rows import Row, parse_ts, to_utc


class SnippetStore(SQLHooks):
    def _snippets(self, conn: Any, rows: Sequence[Row]) -> list[Snippet]:
        names = self._staff_map(conn, [r["created_by"] for r in rows])
        out = []
        for r in rows:
            created = parse_ts(r["created_at"])
            assert created is not None
            out.append(Snippet(str(r["name"]), str(r["text"]), staff_from_key(r["created_by"], names), created))
        return out

    def add_snippet(self, snippet: Snippet) -> bool:
        """Store a new snippet; False when one of that name exists (it is left as it was)."""
        at = to_utc(snippet.created_at)
        with self._tx(write=True) as conn:
            by = self._remember_staff(conn, snippet.created_by, at)
            added = self._exec(
                conn,
                "INSERT INTO snippets (name, text, created_by, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (snippet.name, snippet.text, by.key, self._ts(at)),
            ).rowcount
            return bool(added == 1)

    def snippets(self) -> list[Snippet]:
        with self._tx(write=False) as conn:
            return self._snippets(conn, self._exec(conn, "SELECT * FROM snippets ORDER BY name").fetchall())

    def snippet(self, name: str) -> Snippet | None:
        with self._tx(write=False) as conn:
            found = self._snippets(conn, self._exec(conn, "SELECT * FROM snippets WHERE name = ?", (name,)).fetchall())
        return found[0] if found else None

    def remove_snippet(self, name: str) -> bool:
        with self._tx(write=True) as conn:
            return bool(self._exec(conn, "DELETE FROM snippets WHERE name = ?", (name,)).rowcount == 1)
