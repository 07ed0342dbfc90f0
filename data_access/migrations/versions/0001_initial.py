"""Initial warehouse: regions, schools, hospitals, communities and their yearly facts.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _key(name: str, type_: sa.types.TypeEngine, *args: object) -> sa.Column:
    return sa.Column(name, type_, *args, primary_key=True, autoincrement=False)


def upgrade() -> None:
    op.create_table(
        "regions",
        _key("adcode", sa.String(6)),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent_adcode", sa.String(6), nullable=True),
        sa.Column("city_adcode", sa.String(6), nullable=True),
        sa.Column("province_adcode", sa.String(6), nullable=False),
    )
    op.create_table(
        "region_year",
        _key("adcode", sa.String(6), sa.ForeignKey("regions.adcode")),
        _key("year", sa.Integer),
        sa.Column("population", sa.BigInteger, nullable=True),
        sa.Column("psychiatrists", sa.Integer, nullable=True),
    )
    op.create_table(
        "schools",
        _key("school_id", sa.String(32)),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("county_adcode", sa.String(6), sa.ForeignKey("regions.adcode"), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("boarding", sa.Boolean, nullable=False),
        sa.Column("urban_rural", sa.String(8), nullable=False),
        sa.Column("longitude", sa.Double, nullable=True),
        sa.Column("latitude", sa.Double, nullable=True),
    )
    op.create_table(
        "school_year",
        _key("school_id", sa.String(32), sa.ForeignKey("schools.school_id")),
        _key("year", sa.Integer),
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
        sa.Column("parttime_training_hours", sa.Double, nullable=True),
    )
    op.create_table(
        "awareness_survey",
        _key("school_id", sa.String(32), sa.ForeignKey("schools.school_id")),
        _key("year", sa.Integer),
        sa.Column("surveyed", sa.Integer, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
    )
    op.create_table(
        "hospitals",
        _key("hospital_id", sa.String(32)),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("county_adcode", sa.String(6), sa.ForeignKey("regions.adcode"), nullable=False),
        sa.Column("hospital_type", sa.String(32), nullable=False),
    )
    op.create_table(
        "hospital_year",
        _key("hospital_id", sa.String(32), sa.ForeignKey("hospitals.hospital_id")),
        _key("year", sa.Integer),
        sa.Column("clinic_open", sa.Boolean, nullable=True),
    )
    op.create_table(
        "communities",
        _key("community_id", sa.String(32)),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("county_adcode", sa.String(6), sa.ForeignKey("regions.adcode"), nullable=False),
        sa.Column("urban_rural", sa.String(8), nullable=False),
    )
    op.create_table(
        "community_year",
        _key("community_id", sa.String(32), sa.ForeignKey("communities.community_id")),
        _key("year", sa.Integer),
        sa.Column("parent_school", sa.Boolean, nullable=True),
        sa.Column("guidance_station", sa.Boolean, nullable=True),
        sa.Column("station_mh_education", sa.Boolean, nullable=True),
    )
    op.create_table(
        "warehouse_meta",
        _key("key", sa.String(64)),
        sa.Column("value", sa.String(256), nullable=False),
    )


def downgrade() -> None:
    for table in ("warehouse_meta", "community_year", "communities", "hospital_year", "hospitals",
                  "awareness_survey", "school_year", "schools", "region_year", "regions"):
        op.drop_table(table)
