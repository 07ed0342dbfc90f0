"""Reading the current fact rows of a report type: what validation, the preview and undo compare against."""

from __future__ import annotations

import sqlalchemy as sa

from data_access.importing.spec import ReportType

# Codes per IN (...) list: keeps statements small on both engines for province-wide files.
IN_CHUNK = 500


def existing_rows(conn: sa.Connection, spec: ReportType,
                  keys: list[tuple[str, int | None]]) -> dict[tuple[str, int | None], dict]:
    """Current fact rows for (unit_id, year) keys, as plain dicts keyed the same way; for a registry the
    current unit rows, keyed (unit_id, None)."""
    facts = spec.facts
    unit_key = facts.c[spec.unit_key]
    years = sorted({year for _, year in keys if year is not None})
    ids = sorted({unit for unit, _ in keys})
    found: dict[tuple[str, int | None], dict] = {}
    for start in range(0, len(ids), IN_CHUNK):
        query = sa.select(facts).where(unit_key.in_(ids[start:start + IN_CHUNK]))
        if not spec.registry:
            query = query.where(facts.c.year.in_(years))
        for row in conn.execute(query).mappings():
            found[(row[spec.unit_key], None if spec.registry else int(row["year"]))] = dict(row)
    return found
