"""A file read against its report type: its rows as typed values, and every problem found on the way.

Its own module so that validation (which builds it) and the rules it runs (registry_rules) both name it
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from data_access.importing.issues import Issue
from data_access.importing.reading import RawTable
from data_access.importing.spec import ReportType


@dataclass(frozen=True)
class ParsedRow:
    excel_row: int
    unit_id: str
    year: int | None  # None: a registry row (one per unit)
    values: dict[str, object]  # field -> value for every value column present in the file; None = not reported


@dataclass
class ParsedFile:
    spec: ReportType
    table: RawTable
    fields_present: tuple[str, ...]
    rows: list[ParsedRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
