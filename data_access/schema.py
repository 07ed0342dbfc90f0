"""Warehouse tables, declared once in SQLAlchemy Core.

Declared in code because duckdb-engine cannot reflect tables. Keys carry autoincrement=False so
DuckDB is never asked for SERIAL. Schema changes go through Alembic (data_access/migrations).

A fact row that is absent means "not reported"; a NULL column means that one figure was not
reported; 0 means "reported 0". Nothing here defaults a count to zero.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

ADCODE = sa.String(6)

regions = sa.Table(
    "regions",
    metadata,
    sa.Column("adcode", ADCODE, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),  # province / city / county
    sa.Column("parent_adcode", ADCODE, nullable=True),
    # Denormalised path so any roll-up is one GROUP BY on a column.
    sa.Column("city_adcode", ADCODE, nullable=True),
    sa.Column("province_adcode", ADCODE, nullable=False),
)

region_year = sa.Table(
    "region_year",
    metadata,
    sa.Column("adcode", ADCODE, sa.ForeignKey("regions.adcode"), primary_key=True, autoincrement=False),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("population", sa.BigInteger, nullable=True),
    sa.Column("psychiatrists", sa.Integer, nullable=True),  # 精神科执业(助理)医师
)

schools = sa.Table(
    "schools",
    metadata,
    sa.Column("school_id", sa.String(32), primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("county_adcode", ADCODE, sa.ForeignKey("regions.adcode"), nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("boarding", sa.Boolean, nullable=False),
    sa.Column("urban_rural", sa.String(8), nullable=False),
    sa.Column("longitude", sa.Double, nullable=True),
    sa.Column("latitude", sa.Double, nullable=True),
)

school_year = sa.Table(
    "school_year",
    metadata,
    sa.Column("school_id", sa.String(32), sa.ForeignKey("schools.school_id"), primary_key=True,
              autoincrement=False),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("enrollment", sa.Integer, nullable=True),
    sa.Column("boarding_students", sa.Integer, nullable=True),
    sa.Column("fulltime_teachers", sa.Integer, nullable=True),
    sa.Column("parttime_teachers", sa.Integer, nullable=True),
    sa.Column("counseling_room", sa.Boolean, nullable=True),  # 心理辅导室达标
    sa.Column("mh_in_school_plan", sa.Boolean, nullable=True),  # 纳入学校发展规划和年度计划
    sa.Column("mh_course", sa.Boolean, nullable=True),  # 高校心理健康必修课
    sa.Column("screening_done", sa.Boolean, nullable=True),  # 本学年开展心理健康测评
    sa.Column("students_screened", sa.Integer, nullable=True),
    # Total training hours received this year by all full-time (part-time) MH teachers of the school.
    sa.Column("fulltime_training_hours", sa.Double, nullable=True),
    sa.Column("parttime_training_hours", sa.Double, nullable=True),
)

awareness_survey = sa.Table(
    "awareness_survey",
    metadata,
    sa.Column("school_id", sa.String(32), sa.ForeignKey("schools.school_id"), primary_key=True,
              autoincrement=False),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("surveyed", sa.Integer, nullable=False),
    sa.Column("passed", sa.Integer, nullable=False),
)

hospitals = sa.Table(
    "hospitals",
    metadata,
    sa.Column("hospital_id", sa.String(32), primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("county_adcode", ADCODE, sa.ForeignKey("regions.adcode"), nullable=False),
    sa.Column("hospital_type", sa.String(32), nullable=False),
)

hospital_year = sa.Table(
    "hospital_year",
    metadata,
    sa.Column("hospital_id", sa.String(32), sa.ForeignKey("hospitals.hospital_id"), primary_key=True,
              autoincrement=False),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("clinic_open", sa.Boolean, nullable=True),  # 学生/未成年人心理门诊或辅导站
)

communities = sa.Table(
    "communities",
    metadata,
    sa.Column("community_id", sa.String(32), primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("county_adcode", ADCODE, sa.ForeignKey("regions.adcode"), nullable=False),
    sa.Column("urban_rural", sa.String(8), nullable=False),
)

community_year = sa.Table(
    "community_year",
    metadata,
    sa.Column("community_id", sa.String(32), sa.ForeignKey("communities.community_id"), primary_key=True,
              autoincrement=False),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("parent_school", sa.Boolean, nullable=True),
    sa.Column("guidance_station", sa.Boolean, nullable=True),
    sa.Column("station_mh_education", sa.Boolean, nullable=True),
)

# Facts about the warehouse itself: is_demo ("1"/"0"), data_as_of (ISO date).
warehouse_meta = sa.Table(
    "warehouse_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True, autoincrement=False),
    sa.Column("value", sa.String(256), nullable=False),
)

# Import audit (migration 0002). One row per import attempt, applied or not: who, when, which file.
import_batches = sa.Table(
    "import_batches",
    metadata,
    sa.Column("batch_id", sa.String(36), primary_key=True, autoincrement=False),
    sa.Column("report_type", sa.String(16), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("imported_by", sa.String(64), nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("allowed_region", ADCODE, nullable=False),
    # applied / rejected (validation) / failed (database error) / undone (reverted by a later batch)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("rows_total", sa.Integer, nullable=False),
    sa.Column("rows_added", sa.Integer, nullable=False),
    sa.Column("rows_changed", sa.Integer, nullable=False),
    sa.Column("rows_unchanged", sa.Integer, nullable=False),
    sa.Column("issue_count", sa.Integer, nullable=False),
    sa.Column("message", sa.Text, nullable=True),  # first problems of a rejected/failed attempt
    sa.Column("undo_of", sa.String(36), nullable=True),  # set on the batch that reverted another
)

# Every value an applied batch wrote, with the value it replaced, so a correction can be traced and undone.
# Values are JSON text (null, number, true/false) so one column holds every type on both engines.
value_changes = sa.Table(
    "value_changes",
    metadata,
    sa.Column("batch_id", sa.String(36), sa.ForeignKey("import_batches.batch_id"), primary_key=True,
              autoincrement=False),
    sa.Column("change_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("table_name", sa.String(32), nullable=False),
    sa.Column("unit_id", sa.String(32), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("action", sa.String(8), nullable=False),  # add (a new row) / change (one column) / delete (undo)
    sa.Column("column_name", sa.String(64), nullable=True),
    sa.Column("old_value", sa.Text, nullable=True),
    sa.Column("new_value", sa.Text, nullable=True),
)

# One row per lock name; an import updates its row first thing in its transaction, so concurrent imports
# are serialised (PostgreSQL row lock) or refused (DuckDB write-write conflict).
import_locks = sa.Table(
    "import_locks",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True, autoincrement=False),
    sa.Column("holder", sa.String(36), nullable=True),
    sa.Column("acquired_at", sa.DateTime, nullable=True),
)

FACT_TABLES = (region_year, school_year, awareness_survey, hospital_year, community_year)
UNIT_TABLES = (regions, schools, hospitals, communities)
