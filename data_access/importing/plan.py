"""Compare parsed rows with the warehouse: what an import would add, change (old -> new) and leave unchanged."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from data_access.formatting import stored_value_text
from data_access.importing.facts import existing_rows
from data_access.importing.parsed import ParsedFile, ParsedRow
from data_access.importing.spec import ReportType


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class RowChange:
    excel_row: int
    unit_id: str
    year: int | None  # None: a registry change
    changes: tuple[FieldChange, ...]


@dataclass
class ImportPlan:
    spec: ReportType
    fields_present: tuple[str, ...]
    rows_total: int
    added: list[ParsedRow] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    changed_rows: list[ParsedRow] = field(default_factory=list)
    unchanged: int = 0
    # Plausibility warnings of what the plan writes, and the (unit, year, rule id) it re-checked
    # (importing/plausibility.py; filled by the loader, not part of the fingerprint: they follow from the data).
    warnings: list = field(default_factory=list)
    checked_rules: set = field(default_factory=set)
    # The stored rows the plan compared with, by (unit_id, year): what the plausibility checks start from.
    stored: dict = field(default_factory=dict, repr=False)

    @property
    def touches_anything(self) -> bool:
        return bool(self.added or self.changed)

    def fingerprint(self) -> str:
        """Identifies exactly what would be written; a commit refuses when it differs from the preview's."""
        payload = [("add", r.unit_id, r.year, sorted(r.values.items())) for r in self.added]
        payload += [("change", c.unit_id, c.year, [(f.field, f.old, f.new) for f in c.changes]) for c in self.changed]
        return hashlib.sha256(json.dumps(payload, default=str, ensure_ascii=False).encode()).hexdigest()

    def changes_frame(self) -> pd.DataFrame:
        """One line per added row or changed value: 行, 单位代码, 年度, 操作, 项目, 原值, 新值."""
        spec, headers = self.spec, self.spec.headers
        lines = []
        for row in self.added:
            shown = "; ".join(f"{headers[f]}={stored_value_text(spec.written(f, v))}" for f, v in row.values.items())
            lines.append((row.excel_row, row.unit_id, row.year, "新增", "", "", shown))
        for change in self.changed:
            lines.extend((change.excel_row, change.unit_id, change.year, "修改", headers[f.field],
                          stored_value_text(spec.written(f.field, f.old)),
                          stored_value_text(spec.written(f.field, f.new)))
                         for f in change.changes)
        frame = pd.DataFrame(lines, columns=["行", "单位代码", "年度", "操作", "项目", "原值", "新值"])
        if self.spec.registry:  # one row per unit: no year
            frame = frame.drop(columns="年度")
        return frame.sort_values("行", kind="stable").reset_index(drop=True)


def same_value(old: object, new: object) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, str) or isinstance(new, str):
        return str(old) == str(new)
    if isinstance(old, bool) or isinstance(new, bool):
        return bool(old) == bool(new) and isinstance(old, bool) == isinstance(new, bool)
    return math.isclose(float(old), float(new), rel_tol=1e-9, abs_tol=1e-9)


def build_plan(conn: sa.Connection | None, parsed: ParsedFile, current: dict | None = None) -> ImportPlan:
    """What writing `parsed` would do to the warehouse as `conn` sees it now, or, with `current`, to those stored
    rows (existing_rows of the file's keys, read already: then no connection is needed)."""
    spec = parsed.spec
    if current is None:
        current = existing_rows(conn, spec, [(row.unit_id, row.year) for row in parsed.rows])
    plan = ImportPlan(spec, parsed.fields_present, len(parsed.rows), stored=current)
    for row in parsed.rows:
        old = current.get((row.unit_id, row.year))
        if old is None:
            plan.added.append(row)
            continue
        changes = tuple(FieldChange(f, old[f], new) for f, new in row.values.items() if not same_value(old[f], new))
        if changes:
            plan.changed.append(RowChange(row.excel_row, row.unit_id, row.year, changes))
            plan.changed_rows.append(row)
        else:
            plan.unchanged += 1
    return plan
