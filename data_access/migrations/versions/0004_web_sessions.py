"""Browser sessions of signed-in users (a reload no longer signs them out).

Revision ID: 0004_web_sessions
Revises: 0003_accounts_lifecycle
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_web_sessions"
down_revision = "0003_accounts_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True, autoincrement=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
