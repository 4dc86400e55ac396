"""A throwaway PostgreSQL schema for a benchmark run, so figures never touch real tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def throwaway_schema(url: str) -> Iterator[str]:
    """Create an empty schema, yield a URL whose search_path is it, drop it afterwards."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    sep = "&" if "?" in url else "?"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
