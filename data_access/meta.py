"""Facts about the warehouse itself: demo or real, data date, years that hold reports."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from data_access.schema import awareness_survey, community_year, hospital_year, region_year, school_year, warehouse_meta


@dataclass(frozen=True)
class WarehouseInfo:
    is_demo: bool
    data_as_of: str | None
    source: str | None
    years: tuple[int, ...]
    dialect: str


def warehouse_info(engine: sa.Engine) -> WarehouseInfo:
    """Demo flag, data date and the years with any report (empty warehouse: no years)."""
    with engine.connect() as conn:
        meta = dict(conn.execute(sa.select(warehouse_meta.c.key, warehouse_meta.c.value)).all())
        years: set[int] = set()
        for table in (school_year, awareness_survey, hospital_year, community_year, region_year):
            years.update(conn.execute(sa.select(table.c.year).distinct()).scalars())
    return WarehouseInfo(
        is_demo=meta.get("is_demo") == "1",
        data_as_of=meta.get("data_as_of"),
        source=meta.get("source"),
        years=tuple(sorted(int(y) for y in years)),
        dialect=engine.dialect.name,
    )
