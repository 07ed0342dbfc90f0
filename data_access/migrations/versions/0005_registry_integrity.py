"""Units with reports can be renamed, moved and closed on DuckDB; the warehouse gets an identity and a revision.

Revision ID: 0005_registry_integrity
Revises: 0004_web_sessions
Create Date: 2026-12-03

DuckDB keeps an index on every foreign-key column and rewrites a row as delete + insert when an UPDATE sets an
indexed column; the delete is refused while yearly facts refer to the row ("key ... is still referenced"). So
a registry import that moved a school to another county (schools.county_adcode, referencing regions) failed
for every unit with reports, and so did any change that set county_adcode to its own value (a rename, 停办年份).

On DuckDB the unit registries are therefore recreated without their foreign key to `regions`. The references
that matter most stay enforced by the database on both engines: every yearly fact refers to an existing unit
(school_year, awareness_survey -> schools, hospital_year -> hospitals, community_year -> communities). A unit's
county is checked by the importer instead (registry rule `county_known`: a county region of the warehouse),
and regions are never deleted (`mhmonitor init` only adds them); tests/data_access/test_registry_lifecycle.py
checks that no reference dangles. PostgreSQL updates in place and keeps every foreign key.

DuckDB cannot drop a constraint or a table other tables refer to, so the three registries and their four fact
tables are copied aside, dropped (facts first) and created again, then filled back, in the migration's one
transaction.

`warehouse_meta` gains `warehouse_id` (a random identity: a process that finds another id at the same URL knows
the file was replaced) and `revision` (a counter every write bumps, data_access/meta.bump_revision).
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005_registry_integrity"
down_revision = "0004_web_sessions"
branch_labels = None
depends_on = None

# Facts before the units they refer to (the order they are dropped in).
REBUILT = ("school_year", "awareness_survey", "hospital_year", "community_year", "schools", "hospitals",
           "communities")


def _key(name: str, type_: sa.types.TypeEngine, *args: object) -> sa.Column:
    return sa.Column(name, type_, *args, primary_key=True, autoincrement=False)


def _county(with_foreign_key: bool) -> sa.Column:
    references = (sa.ForeignKey("regions.adcode"),) if with_foreign_key else ()
    return sa.Column("county_adcode", sa.String(6), *references, nullable=False)


def _lifecycle() -> tuple[sa.Column, sa.Column]:
    return sa.Column("opened_year", sa.Integer, nullable=True), sa.Column("closed_year", sa.Integer, nullable=True)


def _tables(with_county_foreign_key: bool) -> dict[str, tuple[sa.Column, ...]]:
    """The seven tables at revision 0004 (units with or without the county foreign key), in creation order."""
    return {
        "schools": (
            _key("school_id", sa.String(32)), sa.Column("name", sa.String(128), nullable=False),
            _county(with_county_foreign_key), sa.Column("stage", sa.String(32), nullable=False),
            sa.Column("boarding", sa.Boolean, nullable=False), sa.Column("urban_rural", sa.String(8), nullable=False),
            sa.Column("longitude", sa.Double, nullable=True), sa.Column("latitude", sa.Double, nullable=True),
            *_lifecycle()),
        "school_year": (
            _key("school_id", sa.String(32), sa.ForeignKey("schools.school_id")), _key("year", sa.Integer),
            sa.Column("enrollment", sa.Integer, nullable=True),
            sa.Column("boarding_students", sa.Integer, nullable=True),
            sa.Column("fulltime_teachers", sa.Integer, nullable=True),
            sa.Column("parttime_teachers", sa.Integer, nullable=True),
            sa.Column("counseling_room", sa.Boolean, nullable=True),
            sa.Column("mh_in_school_plan", sa.Boolean, nullable=True),
            sa.Column("mh_course", sa.Boolean, nullable=True),
            sa.Column("screening_done", sa.Boolean, nullable=True),
            sa.Column("students_screened", sa.Integer, nullable=True),
            sa.Column("fulltime_training_hours", sa.Double, nullable=True),
            sa.Column("parttime_training_hours", sa.Double, nullable=True)),
        "awareness_survey": (
            _key("school_id", sa.String(32), sa.ForeignKey("schools.school_id")), _key("year", sa.Integer),
            sa.Column("surveyed", sa.Integer, nullable=False), sa.Column("passed", sa.Integer, nullable=False)),
        "hospitals": (
            _key("hospital_id", sa.String(32)), sa.Column("name", sa.String(128), nullable=False),
            _county(with_county_foreign_key), sa.Column("hospital_type", sa.String(32), nullable=False),
            *_lifecycle()),
        "hospital_year": (
            _key("hospital_id", sa.String(32), sa.ForeignKey("hospitals.hospital_id")), _key("year", sa.Integer),
            sa.Column("clinic_open", sa.Boolean, nullable=True)),
        "communities": (
            _key("community_id", sa.String(32)), sa.Column("name", sa.String(128), nullable=False),
            _county(with_county_foreign_key), sa.Column("urban_rural", sa.String(8), nullable=False),
            *_lifecycle(), sa.Column("urban_rural_code", sa.String(3), nullable=True)),
        "community_year": (
            _key("community_id", sa.String(32), sa.ForeignKey("communities.community_id")), _key("year", sa.Integer),
            sa.Column("parent_school", sa.Boolean, nullable=True),
            sa.Column("guidance_station", sa.Boolean, nullable=True),
            sa.Column("station_mh_education", sa.Boolean, nullable=True)),
    }


def _rebuild_duckdb(with_county_foreign_key: bool) -> None:
    tables = _tables(with_county_foreign_key)
    for name in REBUILT:
        op.execute(f"CREATE TEMPORARY TABLE keep_{name} AS SELECT * FROM {name}")
    for name in REBUILT:
        op.drop_table(name)
    for name, columns in tables.items():
        op.create_table(name, *columns)
        listed = ", ".join(column.name for column in columns)
        op.execute(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM keep_{name}")
    for name in REBUILT:
        op.execute(f"DROP TABLE keep_{name}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        _rebuild_duckdb(with_county_foreign_key=False)
    meta = sa.table("warehouse_meta", sa.column("key", sa.String), sa.column("value", sa.String))
    present = set(op.get_bind().execute(sa.select(meta.c.key)).scalars())
    rows = [row for row in ({"key": "warehouse_id", "value": str(uuid.uuid4())}, {"key": "revision", "value": "0"})
            if row["key"] not in present]
    if rows:
        op.bulk_insert(meta, rows)


def downgrade() -> None:
    op.execute("DELETE FROM warehouse_meta WHERE key IN ('warehouse_id', 'revision')")
    if op.get_bind().dialect.name == "duckdb":
        _rebuild_duckdb(with_county_foreign_key=True)
