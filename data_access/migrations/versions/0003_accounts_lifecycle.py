"""Accounts and sign-in events; unit lifecycle (opening/closing years); wider audit fields; indexes.

Revision ID: 0003_accounts_lifecycle
Revises: 0002_import_audit
Create Date: 2026-11-27

DuckDB cannot change the type of a column in a table another table references (import_batches is
referenced by value_changes), and it ignores VARCHAR lengths anyway, so the widening runs on PostgreSQL
only. DuckDB cannot drop a column of a referenced table either: its downgrade leaves the lifecycle
columns in place (nullable, unused by the older code) and a later upgrade skips columns already there.
Secondary indexes are PostgreSQL-only too: on DuckDB an index on a unit table turns every UPDATE
of a referenced row into a delete + insert that its foreign keys refuse (registry renames and moves).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_accounts_lifecycle"
down_revision = "0002_import_audit"
branch_labels = None
depends_on = None

UNIT_TABLES = ("schools", "hospitals", "communities")
# (index name, table, columns): declared again in data_access/schema.py for PostgreSQL.
INDEXES = (
    ("ix_regions_parent", "regions", ["parent_adcode"]),
    ("ix_regions_city", "regions", ["city_adcode"]),
    ("ix_regions_province", "regions", ["province_adcode"]),
    ("ix_schools_county", "schools", ["county_adcode"]),
    ("ix_hospitals_county", "hospitals", ["county_adcode"]),
    ("ix_communities_county", "communities", ["county_adcode"]),
    ("ix_school_year_year", "school_year", ["year"]),
    ("ix_awareness_survey_year", "awareness_survey", ["year"]),
    ("ix_hospital_year_year", "hospital_year", ["year"]),
    ("ix_community_year_year", "community_year", ["year"]),
    ("ix_region_year_year", "region_year", ["year"]),
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _has_column(table: str, column: str) -> bool:
    found = op.get_bind().execute(
        sa.text("SELECT count(*) FROM information_schema.columns WHERE table_name = :t AND column_name = :c"),
        {"t": table, "c": column}).scalar()
    return bool(found)


def _add_column(table: str, column: sa.Column) -> None:
    if not _has_column(table, column.name):
        op.add_column(table, column)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("login", sa.String(64), primary_key=True, autoincrement=False),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("region_adcode", sa.String(6), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("oidc_subject", sa.String(255), nullable=True),
        sa.Column("email", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_login_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "auth_events",
        sa.Column("event_id", sa.String(36), primary_key=True, autoincrement=False),
        sa.Column("occurred_at", sa.DateTime, nullable=False),
        sa.Column("login", sa.String(64), nullable=True),
        sa.Column("event", sa.String(24), nullable=False),
        sa.Column("method", sa.String(16), nullable=True),
        sa.Column("detail", sa.String(255), nullable=True),
    )
    for table in UNIT_TABLES:
        _add_column(table, sa.Column("opened_year", sa.Integer, nullable=True))
        _add_column(table, sa.Column("closed_year", sa.Integer, nullable=True))
    _add_column("communities", sa.Column("urban_rural_code", sa.String(3), nullable=True))
    op.alter_column("value_changes", "year", existing_type=sa.Integer, nullable=True)
    if _postgres():
        op.alter_column("import_batches", "report_type", existing_type=sa.String(16), type_=sa.String(32))
        op.alter_column("import_batches", "imported_by", existing_type=sa.String(64), type_=sa.String(128))
        for name, table, columns in INDEXES:
            op.create_index(name, table, columns)


def downgrade() -> None:
    if _postgres():
        for name, table, _ in reversed(INDEXES):
            op.drop_index(name, table_name=table)
        op.alter_column("import_batches", "imported_by", existing_type=sa.String(128), type_=sa.String(64))
        op.alter_column("import_batches", "report_type", existing_type=sa.String(32), type_=sa.String(16))
        op.drop_column("communities", "urban_rural_code")
        for table in reversed(UNIT_TABLES):
            op.drop_column(table, "closed_year")
            op.drop_column(table, "opened_year")
    op.execute(sa.text("DELETE FROM value_changes WHERE year IS NULL"))
    op.alter_column("value_changes", "year", existing_type=sa.Integer, nullable=False)
    op.drop_table("auth_events")
    op.drop_table("users")
