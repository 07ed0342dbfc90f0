"""Alembic migrations build exactly the schema declared in data_access/schema.py, on both engines.

Generic over whatever revisions and tables exist, so a new migration is covered without editing this file.
DuckDB cannot be reflected (duckdb-engine), so tables are checked by selecting every declared column and
by reading information_schema, which both engines have.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from data_access import meta, migrate
from data_access.schema import metadata, warehouse_meta

VERSION_TABLE = "alembic_version"


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config())


def _revisions_base_to_head() -> list[str]:
    return [script.revision for script in reversed(list(_script().walk_revisions()))]


def _unselectable_tables(engine: sa.Engine) -> dict[str, str]:
    """Declared tables that cannot be read with every declared column, with the database's error."""
    problems = {}
    for table in metadata.sorted_tables:
        # One connection per table: on PostgreSQL a failed statement poisons the rest of its transaction.
        with engine.connect() as conn:
            try:
                conn.execute(sa.select(table).limit(1)).all()
            except sa.exc.DBAPIError as error:
                problems[table.name] = str(error.orig).splitlines()[0]
    return problems


def _columns_in_database(engine: sa.Engine) -> set[tuple[str, str, bool]]:
    """(table, column, nullable) of every table in the current schema, from information_schema."""
    columns = sa.table(
        "columns",
        sa.column("table_schema"),
        sa.column("table_name"),
        sa.column("column_name"),
        sa.column("is_nullable"),
        schema="information_schema",
    )
    query = sa.select(columns.c.table_name, columns.c.column_name, columns.c.is_nullable).where(
        columns.c.table_schema == sa.func.current_schema(), columns.c.table_name != VERSION_TABLE
    )
    with engine.connect() as conn:
        return {(table, column, nullable == "YES") for table, column, nullable in conn.execute(query)}


def _declared_columns() -> set[tuple[str, str, bool]]:
    return {(table.name, column.name, bool(column.nullable)) for table in metadata.tables.values()
            for column in table.columns}


def test_upgrade_head_creates_every_declared_table(engine: sa.Engine) -> None:
    assert migrate.current_revision(engine) == _script().get_current_head()
    assert _unselectable_tables(engine) == {}


def test_migrated_columns_match_schema_py(engine: sa.Engine) -> None:
    """No table or column missing or extra, and the same NULL rules, on both engines."""
    in_database = _columns_in_database(engine)
    declared = _declared_columns()
    assert {"missing": declared - in_database, "extra": in_database - declared} == {"missing": set(), "extra": set()}


def test_upgrade_is_idempotent_and_keeps_data(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(warehouse_meta).values(key="probe", value="kept"))
    head = migrate.current_revision(engine)

    migrate.upgrade(engine)
    migrate.upgrade(engine)

    assert migrate.current_revision(engine) == head
    with engine.connect() as conn:
        assert conn.execute(sa.select(warehouse_meta.c.value).where(warehouse_meta.c.key == "probe")).scalar() == "kept"
    assert _unselectable_tables(engine) == {}


def test_downgrade_to_base_and_upgrade_again(engine: sa.Engine) -> None:
    migrate.downgrade(engine, "base")

    assert migrate.current_revision(engine) is None
    assert set(_unselectable_tables(engine)) == set(metadata.tables)
    assert _columns_in_database(engine) == set()

    migrate.upgrade(engine)

    assert migrate.current_revision(engine) == _script().get_current_head()
    assert _unselectable_tables(engine) == {}


def test_every_revision_upgrades_and_downgrades_one_step_at_a_time(engine: sa.Engine) -> None:
    revisions = _revisions_base_to_head()
    migrate.downgrade(engine, "base")

    for revision in revisions:
        migrate.upgrade(engine, revision)
        assert migrate.current_revision(engine) == revision
    assert _unselectable_tables(engine) == {}

    for expected_after in [*reversed(revisions[:-1]), None]:
        migrate.downgrade(engine, "-1")
        assert migrate.current_revision(engine) == expected_after
    assert _columns_in_database(engine) == set()


def test_autogenerate_finds_no_difference_between_migrations_and_schema_py(engine: sa.Engine) -> None:
    if engine.dialect.name == "duckdb":
        pytest.skip("alembic autogenerate needs reflection, which duckdb-engine lacks; PostgreSQL run covers it")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_0005_keeps_units_and_facts_and_lets_a_reported_unit_move(engine: sa.Engine) -> None:
    """On DuckDB 0005 rebuilds the registries without their county foreign key; rows survive, a move works."""
    from data_access.schema import regions, school_year, schools

    migrate.downgrade(engine, "0004_web_sessions")
    with engine.begin() as conn:
        conn.execute(sa.insert(regions), [
            {"adcode": code, "name": code, "level": "county", "parent_adcode": None, "city_adcode": None,
             "province_adcode": "610000"} for code in ("610102", "610103")])
        conn.execute(sa.text("INSERT INTO schools (school_id, name, county_adcode, stage, boarding, urban_rural,"
                             " closed_year) VALUES ('2161000001', '一小', '610102', 'primary', false, 'urban', 2030)"))
        conn.execute(sa.text("INSERT INTO school_year (school_id, year, enrollment) VALUES ('2161000001', 2024, 300)"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.update(schools).values(county_adcode="610103", closed_year=None))
        school = conn.execute(sa.select(schools.c.county_adcode, schools.c.closed_year)).one()
        facts = conn.execute(sa.select(school_year.c.school_id, school_year.c.year, school_year.c.enrollment)).all()
    assert tuple(school) == ("610103", None) and [tuple(f) for f in facts] == [("2161000001", 2024, 300)]
    with engine.connect() as conn:
        stamp = meta.read_stamp(conn)
    assert stamp.revision == 0 and len(stamp.warehouse_id) == 36
