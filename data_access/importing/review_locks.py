"""Imports and undos refused where the review chain has locked a county's figures (data_access/review.py)."""

from __future__ import annotations

import sqlalchemy as sa

from data_access.importing.issues import Issue
from data_access.importing.parsed import ParsedFile
from data_access.importing.spec import ReportType
from data_access.importing.validation import header_matches, unit_paths
from data_access.review import locked_candidates, locked_reports


def counties_of(conn: sa.Connection, spec: ReportType, unit_ids: list[str]) -> dict[str, str]:
    """unit_id -> the adcode of the county the unit reports in (a county report: the county itself)."""
    return {unit: found["path"][0] for unit, found in unit_paths(conn, spec, unit_ids).items()}


def locked_issues(conn: sa.Connection, parsed: ParsedFile) -> list[Issue]:
    """One issue per locked county and year the file has rows for (even unchanged ones: a locked county's
    report is not imported again), at the county's first row in the file."""
    spec, table = parsed.spec, parsed.table
    if spec.registry or not parsed.rows:
        return []
    if not locked_candidates(conn, spec.key, {row.year for row in parsed.rows}):
        return []  # nothing of that type and year is locked anywhere: no unit lookup needed
    county = counties_of(conn, spec, sorted({row.unit_id for row in parsed.rows}))
    first: dict[tuple[str, int], tuple[int, str]] = {}
    for row in sorted(parsed.rows, key=lambda row: row.excel_row):
        if row.unit_id in county:
            first.setdefault((county[row.unit_id], row.year), (row.excel_row, row.unit_id))
    locked = locked_reports(conn, spec.key, set(first))
    header = next((h for h in table.headers if header_matches(spec, (h,)).get(0) is spec.id_column),
                  spec.id_column.header)
    return [Issue(table.file_name, table.sheet, first[key][0], header, first[key][1], message)
            for key, message in sorted(locked.items(), key=lambda item: first[item[0]][0])]
