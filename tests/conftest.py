"""Shared fixtures: every warehouse test runs on DuckDB and on PostgreSQL.

PostgreSQL: a private database per pytest session (so parallel runs never collide), schema reset
per test. Locally an unreachable server skips the PostgreSQL half; under CI (CI=true) it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from data_access import migrate
from data_access.engine import make_engine

ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ENGINES = ("duckdb", "postgresql")


def _base_url(url: str) -> str:
    return url.rsplit("/", 1)[0]


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """URL of a throwaway PostgreSQL database for this pytest session."""
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"mhm_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    yield f"{_base_url(ADMIN_URL)}/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh_engine(kind: str, tmp_path, request) -> sa.Engine:
    """An empty, migrated warehouse of the given kind."""
    if kind == "duckdb":
        engine = make_engine(f"duckdb:///{tmp_path / 'warehouse.duckdb'}", create=True)
    else:
        url = request.getfixturevalue("postgres_database_url")
        engine = make_engine(url, create=True)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    return engine


@pytest.fixture(params=ENGINES)
def engine(request, tmp_path) -> Iterator[sa.Engine]:
    """An empty warehouse at the current schema, once per engine."""
    engine = fresh_engine(request.param, tmp_path, request)
    yield engine
    engine.dispose()
