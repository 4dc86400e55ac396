"""Fixtures shared across test folders: a PostgreSQL schema of its own per test, a clean CLI environment."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage"))
from faq_fixtures import write_faq  # noqa: E402
from storage_support import PG_ENV, PG_SKIP_REASON, with_search_path  # noqa: E402


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run in an empty temp dir with no ADMISSIONSBOT_* variable, so no ./admissionsbot.yaml, setting or
    real database is touched; returns a SQLite path there, not created yet."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("ADMISSIONSBOT_"):
            monkeypatch.delenv(key)
    return str(tmp_path / "q.sqlite3")


@pytest.fixture
def env(tmp_path: Path, clean_env: str) -> dict[str, str]:
    """`clean_env` plus a tiny FAQ: {"faq": folder, "db": a SQLite path not created yet}."""
    faq = write_faq(tmp_path / "faq")
    return {"faq": str(faq), "db": clean_env}


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema; skips when no server is configured."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP_REASON)
    import psycopg
    from psycopg import sql

    schema = f"abot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield with_search_path(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
