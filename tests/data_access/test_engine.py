"""data_access.engine: where the warehouse URL comes from, the driver it gets, and all-or-nothing writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access import engine as engine_module
from data_access.engine import make_engine, transaction, warehouse_url
from data_access.schema import warehouse_meta

SECRETS_URL = "postgresql://reader@db.example.internal:5432/from_secrets"
ENV_URL = "postgresql://writer@127.0.0.1:5432/from_env"


@pytest.fixture
def secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A secrets.toml path of our own (not yet written), and no WAREHOUSE_URL."""
    path = tmp_path / "secrets.toml"
    monkeypatch.setattr(engine_module, "SECRETS_PATH", path)
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    return path


def _default_url() -> str:
    return f"duckdb:///{engine_module.DEFAULT_DUCKDB_PATH}"


def test_default_is_the_embedded_duckdb_file(secrets_file: Path) -> None:
    assert not secrets_file.exists()
    assert warehouse_url() == _default_url()
    assert engine_module.DEFAULT_DUCKDB_PATH == engine_module.PROJECT_ROOT / "var" / "warehouse.duckdb"


def test_secrets_toml_warehouse_url_is_used(secrets_file: Path) -> None:
    secrets_file.write_text(f'[warehouse]\nurl = "{SECRETS_URL}"\n', encoding="utf-8")
    assert warehouse_url() == SECRETS_URL


@pytest.mark.parametrize(
    "content",
    ['[other]\nurl = "postgresql://x@y/z"\n', '[warehouse]\nurl = "   "\n', "# nothing configured\n"],
    ids=["no-warehouse-section", "blank-url", "empty-file"],
)
def test_secrets_without_a_warehouse_url_fall_back_to_duckdb(secrets_file: Path, content: str) -> None:
    secrets_file.write_text(content, encoding="utf-8")
    assert warehouse_url() == _default_url()


def test_environment_wins_over_secrets(secrets_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets_file.write_text(f'[warehouse]\nurl = "{SECRETS_URL}"\n', encoding="utf-8")
    monkeypatch.setenv("WAREHOUSE_URL", f"  {ENV_URL}\n")
    assert warehouse_url() == ENV_URL


def test_blank_environment_variable_is_ignored(secrets_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets_file.write_text(f'[warehouse]\nurl = "{SECRETS_URL}"\n', encoding="utf-8")
    monkeypatch.setenv("WAREHOUSE_URL", "  ")
    assert warehouse_url() == SECRETS_URL


@pytest.mark.parametrize(
    "url",
    ["postgresql://reader:secret@db.example.internal:5432/warehouse", "postgresql+psycopg://reader@db/warehouse"],
)
def test_postgresql_urls_get_the_psycopg3_driver(url: str) -> None:
    engine = make_engine(url, create=True)  # no connection is made until first use
    try:
        assert engine.url.drivername == "postgresql+psycopg"
        assert engine.url.database == "warehouse"
    finally:
        engine.dispose()


def test_make_engine_without_url_uses_warehouse_url(secrets_file: Path, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    path = tmp_path / "from_env.duckdb"
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{path}")
    engine = make_engine()
    try:
        assert engine.dialect.name == "duckdb"
        assert engine.url.database == str(path)
    finally:
        engine.dispose()


def test_make_engine_creates_the_duckdb_folder(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "warehouse.duckdb"
    engine = make_engine(f"duckdb:///{path}", create=True)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.literal(1))).scalar() == 1
        assert path.exists()
    finally:
        engine.dispose()


def _meta_keys(engine: sa.Engine) -> set[str]:
    """Keys written by the test (a migrated warehouse starts with its identity and revision)."""
    with engine.connect() as conn:
        return set(conn.execute(sa.select(warehouse_meta.c.key)).scalars()) - {"warehouse_id", "revision"}


class _Boom(Exception):
    pass


def test_transaction_commits_on_success(engine: sa.Engine) -> None:
    with transaction(engine) as conn:
        conn.execute(sa.insert(warehouse_meta).values(key="committed", value="1"))
    assert _meta_keys(engine) == {"committed"}


def test_transaction_on_engine_rolls_back_everything_on_error(engine: sa.Engine) -> None:
    with pytest.raises(_Boom), transaction(engine) as conn:
        conn.execute(sa.insert(warehouse_meta).values(key="first", value="1"))
        conn.execute(sa.insert(warehouse_meta).values(key="second", value="2"))
        raise _Boom
    assert _meta_keys(engine) == set()


def test_transaction_rolls_back_when_the_database_rejects_a_row(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), transaction(engine) as conn:
        conn.execute(sa.insert(warehouse_meta).values(key="kept?", value="1"))
        conn.execute(sa.insert(warehouse_meta).values(key="kept?", value="duplicate key"))
    assert _meta_keys(engine) == set()


def test_transaction_on_idle_connection_rolls_back_on_error(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        with pytest.raises(_Boom), transaction(conn) as inner:
            assert inner is conn
            inner.execute(sa.insert(warehouse_meta).values(key="rolled back", value="1"))
            raise _Boom
        assert not conn.in_transaction()
    assert _meta_keys(engine) == set()


def test_transaction_joins_the_callers_transaction(engine: sa.Engine) -> None:
    """Inside an open transaction the caller decides: its rollback undoes the helper's writes too."""
    with engine.connect() as conn:
        outer = conn.begin()
        with transaction(conn) as inner:
            assert inner is conn
            inner.execute(sa.insert(warehouse_meta).values(key="joined", value="1"))
        assert conn.in_transaction()
        outer.rollback()
    assert _meta_keys(engine) == set()


def test_postgresql_connections_run_without_jit(postgres_database_url: str) -> None:
    """JIT compiled the engine's statements anew each time: +0.4 s on a national 4-year view."""
    engine = make_engine(postgres_database_url, create=True)
    try:
        for _ in range(2):  # a fresh and a pooled connection
            with engine.connect() as conn:
                assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
        with engine.begin() as conn:  # the setting's own commit leaves no transaction open for the caller
            conn.exec_driver_sql("CREATE TABLE jit_probe (x int)")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM jit_probe").scalar() == 0
    finally:
        engine.dispose()
