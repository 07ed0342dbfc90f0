"""Alembic environment: runs on the connection handed over by data_access.migrate."""

from __future__ import annotations

from alembic import context
from alembic.ddl.impl import DefaultImpl

from data_access.schema import metadata


class DuckDBImpl(DefaultImpl):
    """Alembic has no DuckDB dialect of its own; DuckDB's DDL is PostgreSQL-like enough."""

    __dialect__ = "duckdb"
    transactional_ddl = True


connection = context.config.attributes.get("connection")
if connection is None:
    from data_access.engine import make_engine

    with make_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
else:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
