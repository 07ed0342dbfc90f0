"""Account security: a forced password change flag on users, the source address of sign-in events.

Revision ID: 0007_account_security
Revises: 0006_review
Create Date: 2026-12-03

`must_change_password` is nullable (NULL reads as "no"): DuckDB cannot add a NOT NULL column to a table
that already has rows. The indexes that keep the throttle's look-ups cheap are PostgreSQL-only, like the
others (data_access/schema.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_account_security"
down_revision = "0006_review"
branch_labels = None
depends_on = None

# (index name, table, columns): declared again in data_access/schema.py for PostgreSQL.
INDEXES = (
    ("ix_auth_events_login_time", "auth_events", ["login", "occurred_at"]),
    ("ix_auth_events_source_time", "auth_events", ["source", "occurred_at"]),
    ("ix_web_sessions_login", "web_sessions", ["login"]),
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column("users", sa.Column("must_change_password", sa.Boolean, nullable=True))
    op.add_column("auth_events", sa.Column("source", sa.String(64), nullable=True))
    if _postgres():
        for name, table, columns in INDEXES:
            op.create_index(name, table, columns)


def downgrade() -> None:
    if _postgres():
        for name, table, _ in reversed(INDEXES):
            op.drop_index(name, table_name=table)
    op.drop_column("auth_events", "source")
    op.drop_column("users", "must_change_password")
