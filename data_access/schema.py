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
    # References regions on PostgreSQL only: on DuckDB an indexed (foreign-key) column makes every UPDATE of it a
    # delete + insert that the facts' keys refuse (migration 0005); the importer checks the county instead.
    sa.Column("county_adcode", ADCODE, sa.ForeignKey("regions.adcode"), nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("boarding", sa.Boolean, nullable=False),
    sa.Column("urban_rural", sa.String(8), nullable=False),
    sa.Column("longitude", sa.Double, nullable=True),
    sa.Column("latitude", sa.Double, nullable=True),
    # Lifecycle (registry): expected to report in years opened_year <= year <= closed_year (first and last
    # school years of operation, inclusive); NULL = open-ended.
    sa.Column("opened_year", sa.Integer, nullable=True),
    sa.Column("closed_year", sa.Integer, nullable=True),
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
    # Lifecycle (registry): expected to report in years opened_year <= year <= closed_year (first and last
    # school years of operation, inclusive); NULL = open-ended.
    sa.Column("opened_year", sa.Integer, nullable=True),
    sa.Column("closed_year", sa.Integer, nullable=True),
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
    # Lifecycle (registry): expected to report in years opened_year <= year <= closed_year (first and last
    # school years of operation, inclusive); NULL = open-ended.
    sa.Column("opened_year", sa.Integer, nullable=True),
    sa.Column("closed_year", sa.Integer, nullable=True),
    # 城乡分类代码 (NBS): 111-123 城镇, 210/220 乡村; urban_rural is derived from it when given.
    sa.Column("urban_rural_code", sa.String(3), nullable=True),
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

# Facts about the warehouse itself: is_demo ("1"/"0"), data_as_of (ISO date), warehouse_id (random identity),
# revision (a counter every write bumps: data_access/meta.py).
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
    sa.Column("report_type", sa.String(32), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("imported_by", sa.String(128), nullable=False),  # login of the signed-in user
    sa.Column("imported_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("allowed_region", sa.String(32), nullable=False),  # importer's region (a school: its 学校标识码)
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
    sa.Column("year", sa.Integer, nullable=True),  # NULL for registry (unit) changes
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

# Accounts (migration 0003). A user sees and changes only their region; role viewer < reporter < admin.
users = sa.Table(
    "users",
    metadata,
    sa.Column("login", sa.String(64), primary_key=True, autoincrement=False),
    sa.Column("display_name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    # A province/city/county adcode, 000000, or (role school) a 学校标识码: wider than ADCODE (migration 0008).
    sa.Column("region_adcode", sa.String(32), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=True),  # argon2id; NULL = single sign-on only
    sa.Column("oidc_subject", sa.String(255), nullable=True),
    sa.Column("email", sa.String(255), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("last_login_at", sa.DateTime, nullable=True),
    # An initial or administrator-set password: the user must choose their own before doing anything else.
    sa.Column("must_change_password", sa.Boolean, nullable=True),  # NULL = no (migration 0007)
)

# Sign-in log: login_ok / login_failed / locked / throttled / unlocked / logout / timeout / refused / signed_out /
# password_set / password_changed ..., with the method and the client's address (throttling per address).
auth_events = sa.Table(
    "auth_events",
    metadata,
    sa.Column("event_id", sa.String(36), primary_key=True, autoincrement=False),
    sa.Column("occurred_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("login", sa.String(64), nullable=True),
    sa.Column("event", sa.String(24), nullable=False),
    sa.Column("method", sa.String(16), nullable=True),
    sa.Column("detail", sa.String(255), nullable=True),
    sa.Column("source", sa.String(64), nullable=True),  # the client's address, when known (migration 0007)
)

# Browser sessions of signed-in users, so a reload does not sign them out (ui/auth.py, data_access/web_sessions.py).
# Only a SHA-256 of the cookie's random token is stored: a copy of the table signs nobody in.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True, autoincrement=False),
    sa.Column("login", sa.String(64), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("last_seen_at", sa.DateTime, nullable=False),  # UTC, refreshed at most once a minute
    sa.Column("ended_at", sa.DateTime, nullable=True),  # logout, timeout, password change, disabled account
)

# Review (migration 0006, data_access/review.py). One row per reviewed unit, year and yearly report type: a
# county (open / submitted / returned / approved by its city), or, where a province's plan governs, a city
# (approved = confirmed by the province). No row means open.
review_states = sa.Table(
    "review_states",
    metadata,
    sa.Column("unit_adcode", ADCODE, primary_key=True, autoincrement=False),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("report_type", sa.String(16), primary_key=True, autoincrement=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("submitted_by", sa.String(64), nullable=True),  # last submission (a county's)
    sa.Column("submitted_at", sa.DateTime, nullable=True),  # UTC
    sa.Column("approved_by", sa.String(64), nullable=True),  # the approval in force
    sa.Column("approved_at", sa.DateTime, nullable=True),
    sa.Column("approver_region", ADCODE, nullable=True),  # the level that approved (its adcode)
    sa.Column("reason", sa.Text, nullable=True),  # last return or withdrawal reason, shown to the county
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

# Every transition, never changed afterwards: who, when, from, to, why, and what the unit held then.
review_events = sa.Table(
    "review_events",
    metadata,
    sa.Column("event_id", sa.String(36), primary_key=True, autoincrement=False),
    sa.Column("unit_adcode", ADCODE, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("report_type", sa.String(16), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),  # submit / approve / return / withdraw
    sa.Column("from_state", sa.String(16), nullable=False),
    sa.Column("to_state", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),  # login
    sa.Column("actor_name", sa.String(64), nullable=False),
    sa.Column("actor_region", ADCODE, nullable=False),
    sa.Column("occurred_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("reason", sa.Text, nullable=True),  # return / withdrawal reason
    sa.Column("explanation", sa.Text, nullable=True),  # a submission's explanation of its warnings
    sa.Column("rows_reported", sa.Integer, nullable=False),
    sa.Column("open_warnings", sa.Integer, nullable=False),  # unexplained warnings just before the transition
)

# Reporting deadlines: per region (a county inherits the nearest one on its path), year and report type.
review_deadlines = sa.Table(
    "review_deadlines",
    metadata,
    sa.Column("region_adcode", ADCODE, primary_key=True, autoincrement=False),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("report_type", sa.String(16), primary_key=True, autoincrement=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("set_by", sa.String(64), nullable=False),
    sa.Column("set_at", sa.DateTime, nullable=False),
)

# Plausibility warnings (经验校验, data_access/importing/plausibility.toml) of an applied batch. Open while
# unexplained, its batch still applied and no later import rewrote the same unit and year (superseded_by).
import_warnings = sa.Table(
    "import_warnings",
    metadata,
    sa.Column("batch_id", sa.String(36), sa.ForeignKey("import_batches.batch_id"), primary_key=True,
              autoincrement=False),
    sa.Column("warning_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("rule_id", sa.String(64), nullable=False),
    sa.Column("report_type", sa.String(16), nullable=False),
    sa.Column("county_adcode", ADCODE, nullable=False),
    sa.Column("unit_id", sa.String(32), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("excel_row", sa.Integer, nullable=True),
    sa.Column("column_header", sa.String(80), nullable=False),
    sa.Column("previous_year", sa.Integer, nullable=True),
    sa.Column("old_value", sa.String(64), nullable=True),  # as printed
    sa.Column("new_value", sa.String(64), nullable=True),
    sa.Column("message", sa.String(500), nullable=False),
    sa.Column("explanation", sa.Text, nullable=True),
    sa.Column("explained_by", sa.String(64), nullable=True),
    sa.Column("explained_at", sa.DateTime, nullable=True),
    sa.Column("superseded_by", sa.String(36), nullable=True),
)

# A school's own report (学校填报, migration 0008): one row per school, year and report type (school/survey)
# once the school saved it through the entry form. No row = 未填. draft (草稿) and returned (已退回, with the
# county's reason) are not counted in analytics unless the warehouse setting says so (school_reports.py).
school_reports = sa.Table(
    "school_reports",
    metadata,
    sa.Column("school_id", sa.String(32), primary_key=True, autoincrement=False),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("report_type", sa.String(16), primary_key=True, autoincrement=False),
    sa.Column("state", sa.String(16), nullable=False),  # draft / submitted / returned
    sa.Column("reason", sa.Text, nullable=True),  # the county's return reason (bounded)
    sa.Column("explanation", sa.Text, nullable=True),  # the school's explanation of plausibility warnings
    sa.Column("open_warnings", sa.Integer, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("batch_id", sa.String(36), nullable=True),  # the import batch of the last save
)

# Every change of a school report's state: who, when, from, to, reason (the history a county reads).
school_report_events = sa.Table(
    "school_report_events",
    metadata,
    sa.Column("event_id", sa.String(36), primary_key=True, autoincrement=False),
    sa.Column("school_id", sa.String(32), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("report_type", sa.String(16), nullable=False),
    sa.Column("from_state", sa.String(16), nullable=False),  # empty / draft / submitted / returned
    sa.Column("to_state", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("occurred_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("batch_id", sa.String(36), nullable=True),
)

# Secondary indexes, PostgreSQL only (see migration 0003 for why not on DuckDB).
for _name, _table, _columns in (
    ("ix_regions_parent", regions, ["parent_adcode"]),
    ("ix_regions_city", regions, ["city_adcode"]),
    ("ix_regions_province", regions, ["province_adcode"]),
    ("ix_schools_county", schools, ["county_adcode"]),
    ("ix_hospitals_county", hospitals, ["county_adcode"]),
    ("ix_communities_county", communities, ["county_adcode"]),
    ("ix_school_year_year", school_year, ["year"]),
    ("ix_awareness_survey_year", awareness_survey, ["year"]),
    ("ix_hospital_year_year", hospital_year, ["year"]),
    ("ix_community_year_year", community_year, ["year"]),
    ("ix_region_year_year", region_year, ["year"]),
    ("ix_auth_events_login_time", auth_events, ["login", "occurred_at"]),
    ("ix_auth_events_source_time", auth_events, ["source", "occurred_at"]),
    ("ix_web_sessions_login", web_sessions, ["login"]),
):
    sa.Index(_name, *(_table.c[c] for c in _columns)).ddl_if(dialect="postgresql")

FACT_TABLES = (region_year, school_year, awareness_survey, hospital_year, community_year)
UNIT_TABLES = (regions, schools, hospitals, communities)
