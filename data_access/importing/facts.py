"""Reading the current fact rows of a report type: what validation, the preview and undo compare against."""

from __future__ import annotations

import sqlalchemy as sa

from data_access.importing.spec import ReportType

# Codes per IN (...) list: keeps statements small on both engines.
IN_CHUNK = 500
# Above this many codes one scan of the table (for a yearly report: of its years) replaces the IN lists: on
# DuckDB each list was a scan of its own (a 50,000-row registry: 100 scans per look-up, 14 of 31 seconds).
SCAN_ABOVE = 4 * IN_CHUNK


def existing_rows(conn: sa.Connection, spec: ReportType,
                  keys: list[tuple[str, int | None]]) -> dict[tuple[str, int | None], dict]:
    """Current fact rows for (unit_id, year) keys, as plain dicts keyed the same way; for a registry the
    current unit rows, keyed (unit_id, None)."""
    facts = spec.facts
    unit_key = facts.c[spec.unit_key]
    years = sorted({year for _, year in keys if year is not None})
    ids = sorted({unit for unit, _ in keys})
    found: dict[tuple[str, int | None], dict] = {}
    wanted = set(ids)
    if len(ids) > SCAN_ABOVE:
        queries = [sa.select(facts)]
    else:
        queries = [sa.select(facts).where(unit_key.in_(ids[start:start + IN_CHUNK]))
                   for start in range(0, len(ids), IN_CHUNK)]
    for query in queries:
        if not spec.registry:
            query = query.where(facts.c.year.in_(years))
        for row in conn.execute(query).mappings():
            if row[spec.unit_key] in wanted:
                found[(row[spec.unit_key], None if spec.registry else int(row["year"]))] = dict(row)
    return found
