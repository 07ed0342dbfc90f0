"""Import audit: import_batches, value_changes and the import lock row.

Revision ID: 0002_import_audit
Revises: 0001_initial
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_import_audit"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def _key(name: str, type_: sa.types.TypeEngine, *args: object) -> sa.Column:
    return sa.Column(name, type_, *args, primary_key=True, autoincrement=False)


def upgrade() -> None:
    op.create_table(
        "import_batches",
        _key("batch_id", sa.String(36)),
        sa.Column("report_type", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.Column("allowed_region", sa.String(6), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rows_total", sa.Integer, nullable=False),
        sa.Column("rows_added", sa.Integer, nullable=False),
        sa.Column("rows_changed", sa.Integer, nullable=False),
        sa.Column("rows_unchanged", sa.Integer, nullable=False),
        sa.Column("issue_count", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("undo_of", sa.String(36), nullable=True),
    )
    op.create_table(
        "value_changes",
        _key("batch_id", sa.String(36), sa.ForeignKey("import_batches.batch_id")),
        _key("change_no", sa.Integer),
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("column_name", sa.String(64), nullable=True),
        sa.Column("old_value", sa.Text, nullable=True),
        sa.Column("new_value", sa.Text, nullable=True),
    )
    locks = op.create_table(
        "import_locks",
        _key("name", sa.String(32)),
        sa.Column("holder", sa.String(36), nullable=True),
        sa.Column("acquired_at", sa.DateTime, nullable=True),
    )
    op.bulk_insert(locks, [{"name": "import", "holder": None, "acquired_at": None}])


def downgrade() -> None:
    op.drop_table("import_locks")
    op.drop_table("value_changes")
    op.drop_table("import_batches")
