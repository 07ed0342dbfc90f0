"""A school's own entry form (填报): its fields, saving a draft, submitting, and the county returning it.

The form has no rules of its own. Its fields are the value columns of the report type declared in
importing/spec.py (labels, units, help); a save writes the typed texts into a one-row table with the
template's headers and hands it to the importer (`import_file`, action "enter"), so validation, the
preview, the one-batch-per-save history and undo are the importer's own. The state of the school's report
(school_reports.py) moves inside the import's transaction, under the import lock.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from data_access import review
from data_access.access import AccessDenied, Principal, region_row, require, school_row
from data_access.completeness import open_in
from data_access.import_lock import ImportBusy, take_lock
from data_access.importing.facts import existing_rows
from data_access.importing.issues import Issue
from data_access.importing.loading import check_file, import_file
from data_access.importing.plan import ImportPlan
from data_access.importing.spec import Column, ReportType, report_type
from data_access.meta import bump_revision
from data_access.schema import import_warnings, school_reports, schools
from data_access.schema import school_report_events as events
from data_access.school_reports import (
    SCHOOL_REPORT_TYPES,
    STATE_DRAFT,
    STATE_EMPTY,
    STATE_EN,
    STATE_RETURNED,
    STATE_SUBMITTED,
    STATE_ZH,
    ReportState,
    bounded_text,
    now,
    report_state,
    set_state,
    unsubmitted_schools,
)
from data_access.years import reportable_years

ENTRY_FILE_NAME = "网页填报"  # the "file" a form save is recorded under in the import history
# The text typed into a field is bounded before it reaches the importer (which bounds cells at 1,000).
MAX_FIELD_CHARS = 64


class EntryLocked(Exception):
    """The report cannot be changed now (submitted, or the county's figures are submitted/approved); Chinese."""


@dataclass
class SaveResult:
    status: str  # saved / submitted / rejected / failed / needs_explanation (warnings, submit without explanation)
    field_issues: dict[str, list[str]] = field(default_factory=dict)  # field -> Chinese messages
    general_issues: list[str] = field(default_factory=list)  # problems not tied to one field
    batch_id: str | None = None
    notices: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)  # field -> plausibility warnings (经验校验)

    @property
    def ok(self) -> bool:
        return self.status in ("saved", "submitted")


def entry_spec(type_key: str) -> ReportType:
    if type_key not in SCHOOL_REPORT_TYPES:
        raise ValueError(f"学校只填报 {', '.join(SCHOOL_REPORT_TYPES)}, 不填 {type_key!r}")
    return report_type(type_key)


def entry_columns(type_key: str) -> tuple[Column, ...]:
    """The form's fields, in the template's order: the report type's value columns."""
    return entry_spec(type_key).value_columns


def field_help(column: Column) -> str:
    """The help text of a field: the template's note and what may be written (the 填表说明 sheet's words)."""
    return f"{column.note}。{column.allowed}" + (f" (单位: {column.unit})" if column.unit else "")


def written_text(column: Column, value: object) -> str:
    """A stored value as the form shows it for editing: blank for not reported, 是/否, whole numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if column.kind == "flag":
        return "是" if bool(value) else "否"
    if isinstance(value, float):
        return f"{value:g}" if column.kind == "hours" else str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


def stored_texts(engine: sa.Engine, school_id: str, year: int, type_key: str) -> dict[str, str]:
    """What the school reported for the year, field -> text for the form ("" = not reported)."""
    spec = entry_spec(type_key)
    with engine.connect() as conn:
        row = existing_rows(conn, spec, [(school_id, year)]).get((school_id, year), {})
    return {column.field: written_text(column, row.get(column.field)) for column in spec.value_columns}


def one_row_file(type_key: str, school_id: str, school_name: str, year: int, texts: dict[str, str]) -> bytes:
    """The form as the importer reads a file: the template's headers and one row (UTF-8 CSV)."""
    spec = entry_spec(type_key)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in spec.columns])
    cells = {"unit_id": school_id, "name": school_name, "year": str(year)}
    writer.writerow([cells.get(column.field, (texts.get(column.field) or "")[:MAX_FIELD_CHARS])
                     for column in spec.columns])
    return buffer.getvalue().encode("utf-8")


def issues_by_field(type_key: str, issues: list[Issue]) -> tuple[dict[str, list[str]], list[str]]:
    """The importer's issues placed beside the form's fields (by the header they name); the rest general."""
    spec = entry_spec(type_key)
    by_header = {column.header: column.field for column in spec.columns}
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    for issue in issues:
        name = by_header.get(issue.column or "")
        if name in {column.field for column in spec.value_columns}:
            fields.setdefault(name, []).append(issue.message)
        else:
            general.append(issue.message if issue.column is None else f"{issue.column}: {issue.message}")
    return fields, general


def lock_reason(conn: sa.Connection, school: dict, year: int, type_key: str) -> str | None:
    """Why the school cannot change this report now, or None: it is submitted (the county can return it),
    or the county's figures of that year and type are submitted or approved (review chain)."""
    state = report_state(conn, school["school_id"], year, type_key)
    if state.state == STATE_SUBMITTED:
        return (f"{year} 年度{entry_spec(type_key).name_zh}已提交县级, 不能再修改: 如需更正, 请联系县(区)教育局退回")
    return review.lock_message(conn, school["county_adcode"], year, type_key)


def _require_school(conn: sa.Connection, principal: Principal, school_id: str, action: str) -> dict:
    school = school_row(conn, school_id)
    if school is None:
        raise AccessDenied(f"学校标识码 {school_id} 不在数据仓库中")
    require(principal, action, school)
    return school


def save_entry(engine: sa.Engine, principal: Principal, school_id: str, year: int, type_key: str,
               texts: dict[str, str], *, submit: bool, explanation: str | None = None) -> SaveResult:
    """Save the form as a draft (submit=False) or submit it to the county, through the importer.

    AccessDenied when the principal may not fill this school's form; EntryLocked (Chinese) when the report is
    submitted or the county's figures are locked. Problems come back beside their fields, nothing written.
    """
    with engine.connect() as conn:
        school = _require_school(conn, principal, school_id, "enter")
        if reason := lock_reason(conn, school, year, type_key):
            raise EntryLocked(reason)
    explanation = bounded_text(explanation, "说明")
    target = STATE_SUBMITTED if submit else STATE_DRAFT
    file_name = f"{ENTRY_FILE_NAME} {school_id} {year}.csv"
    data = one_row_file(type_key, school_id, school["name"], year, texts)
    if submit and not explanation:
        # Plausibility warnings (the review chain's rules, importing/plausibility.py) need a written explanation
        # before a submission; the dry run is the importer's own check, nothing is written or recorded.
        preview = check_file(engine, file_name, data, type_key=type_key, allowed_region=school_id)
        if preview.status == "preview" and (preview.plan.warnings or open_warnings(engine, school_id, year, type_key)):
            warnings = preview.plan.warnings or open_warnings(engine, school_id, year, type_key)
            return SaveResult("needs_explanation", warnings=warnings_by_field(type_key, warnings))

    def move_state(conn: sa.Connection, batch_id: str, plan: ImportPlan) -> None:
        # Checked again under the import lock: the county may have locked the year since the form opened.
        if reason := lock_reason(conn, school, year, type_key):
            raise EntryLocked(reason)
        actor = principal.login or principal.display_name
        mine = [import_warnings.c.unit_id == school_id, import_warnings.c.year == year,
                import_warnings.c.report_type == type_key, import_warnings.c.explanation.is_(None),
                import_warnings.c.superseded_by.is_(None)]
        if explanation:  # the school's explanation answers its open warnings (this save's and earlier drafts')
            conn.execute(sa.update(import_warnings).where(*mine).values(
                explanation=explanation, explained_by=actor[:64], explained_at=now()))
        still_open = conn.execute(sa.select(sa.func.count()).select_from(import_warnings).where(*mine)).scalar()
        set_state(conn, school_id, year, type_key, target, actor, explanation=explanation, batch_id=batch_id,
                  open_warnings=int(still_open or 0))

    outcome = import_file(engine, file_name, data, principal=principal, type_key=type_key, action="enter",
                          record_rejection=False, within_transaction=move_state)
    if outcome.status == "rejected":
        fields, general = issues_by_field(type_key, outcome.issues)
        return SaveResult("rejected", fields, general)
    if outcome.status == "failed":
        return SaveResult("failed", general_issues=[outcome.error or "保存失败, 数据仓库保持原样"])
    return SaveResult("submitted" if submit else "saved", batch_id=outcome.batch_id, notices=outcome.notices,
                      warnings=warnings_by_field(type_key, outcome.plan.warnings))


def open_warnings(engine: sa.Engine, school_id: str, year: int, type_key: str) -> list:
    """The school's unexplained plausibility warnings of that report, from earlier saves (as stored rows)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(import_warnings).where(
            import_warnings.c.unit_id == school_id, import_warnings.c.year == year,
            import_warnings.c.report_type == type_key, import_warnings.c.explanation.is_(None),
            import_warnings.c.superseded_by.is_(None))).mappings().all()
    return [_StoredWarning(r["column_header"], r["message"], r["previous_year"], r["old_value"], r["new_value"])
            for r in rows]


@dataclass(frozen=True)
class _StoredWarning:
    column: str
    message: str
    previous_year: int | None
    old: str | None
    new: str


def warnings_by_field(type_key: str, warnings: list) -> dict[str, list[str]]:
    """Plausibility warnings beside the form's fields (by the header of the rule's first column)."""
    by_header = {column.header: column.field for column in entry_spec(type_key).columns}
    found: dict[str, list[str]] = {}
    for warning in warnings:
        shown = warning.message + (f" (上次 {warning.previous_year} 年: {warning.old}, 本次: {warning.new})"
                                   if warning.old is not None else f" (本次: {warning.new})")
        found.setdefault(by_header.get(warning.column, ""), []).append(shown)
    return found


def return_submission(engine: sa.Engine, principal: Principal, school_id: str, year: int, type_key: str,
                      reason: str) -> None:
    """The county sends a school's submission back with a required reason; the school may edit again."""
    reason = bounded_text(reason, "退回原因", required=True)
    entry_spec(type_key)
    try:
        with engine.begin() as conn:
            take_lock(conn, f"return {school_id}")
            school = _require_school(conn, principal, school_id, "review_schools")
            state = report_state(conn, school_id, year, type_key)
            if state.state != STATE_SUBMITTED:
                raise EntryLocked(f"{school['name']} {year} 年度的填报状态是「{STATE_ZH[state.state]}」: "
                                  "只能退回已提交的填报")
            set_state(conn, school_id, year, type_key, STATE_RETURNED, principal.login or principal.display_name,
                      reason=reason)
            bump_revision(conn)  # the returned figures leave the maps
    except ImportBusy as busy:
        raise EntryLocked(str(busy)) from busy


def entry_school(engine: sa.Engine, principal: Principal) -> dict:
    """The signed-in school's own row (a school principal's region is its 学校标识码); AccessDenied otherwise."""
    with engine.connect() as conn:
        return _require_school(conn, principal, principal.region, "enter")


def entry_years(school: dict) -> list[int]:
    """The years the school can report: the reportable years in which it was open."""
    opened, closed = school.get("opened_year"), school.get("closed_year")
    years = [y for y in reportable_years() if (opened is None or y >= opened) and (closed is None or y <= closed)]
    return years or list(reportable_years())


def state_of(engine: sa.Engine, principal: Principal, school_id: str, year: int, type_key: str) -> ReportState:
    """The state of one school's report, for someone who may fill or review it (AccessDenied otherwise)."""
    with engine.connect() as conn:
        school = school_row(conn, school_id)
        if school is None:
            raise AccessDenied(f"学校标识码 {school_id} 不在数据仓库中")
        if principal.role == "school":
            require(principal, "enter", school)
        else:
            require(principal, "view", school)
        return report_state(conn, school_id, year, type_key)


def entry_lock(engine: sa.Engine, school_id: str, year: int, type_key: str) -> str | None:
    """lock_reason on its own connection (the page shows it above a read-only form)."""
    with engine.connect() as conn:
        school = school_row(conn, school_id)
        return lock_reason(conn, school, year, type_key) if school else "学校不在数据仓库中"


def school_history(engine: sa.Engine, principal: Principal, school_id: str) -> pd.DataFrame:
    """The school's own state changes, newest first: 时间(北京), 报表, 年度, 原状态, 新状态, 操作人, 原因/说明."""
    with engine.connect() as conn:
        school = _require_school(conn, principal, school_id, "enter" if principal.role == "school" else "view")
        rows = conn.execute(sa.select(events).where(events.c.school_id == school["school_id"])
                            .order_by(events.c.occurred_at.desc()).limit(200)).mappings().all()
    return pd.DataFrame({
        "时间(北京)": [(pd.Timestamp(r["occurred_at"]) + pd.Timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
                     for r in rows],
        "报表": [report_type(r["report_type"]).name_zh for r in rows],
        "年度": [r["year"] for r in rows],
        "原状态": [STATE_ZH.get(r["from_state"], r["from_state"]) for r in rows],
        "新状态": [STATE_ZH.get(r["to_state"], r["to_state"]) for r in rows],
        "操作人": [r["actor"] for r in rows],
        "原因/说明": [r["reason"] or "" for r in rows],
    })


LIST_COLUMNS = ("school_id", "name", "school_state", "survey_state", "last_change", "last_actor", "open_warnings",
                "filled", "fields", "reason")


def county_schools(engine: sa.Engine, principal: Principal, county: str, year: int) -> pd.DataFrame:
    """The county's schools expected in `year`, one row each: school_id, name, the state of each report
    (school_state, survey_state: empty/draft/submitted/returned), the last change (UTC) and who made it, open
    plausibility warnings, how many of the school report's fields are filled (filled of fields), and the
    return reason. AccessDenied unless the principal may review the county's schools."""
    with engine.connect() as conn:
        row = region_row(conn, county)
        if row is None or row.get("level") != "county":
            raise AccessDenied(f"「{county[:12]}」不是县(区): 学校填报按县(区)查看")
        require(principal, "review_schools", row)
        listed = conn.execute(sa.select(schools.c.school_id, schools.c.name)
                              .where(schools.c.county_adcode == county, open_in(schools, year))
                              .order_by(schools.c.school_id)).all()
        ids = [sid for sid, _ in listed]
        states = conn.execute(sa.select(school_reports).where(
            school_reports.c.school_id.in_(ids), school_reports.c.year == year)).mappings().all() if ids else []
        spec = entry_spec("school")
        facts = existing_rows(conn, spec, [(sid, year) for sid in ids]) if ids else {}
    by_school: dict[str, dict[str, dict]] = {}
    for state in states:
        by_school.setdefault(state["school_id"], {})[state["report_type"]] = dict(state)
    value_fields = [column.field for column in spec.value_columns]
    rows = []
    for school_id, name in listed:
        mine = by_school.get(school_id, {})
        latest = max(mine.values(), key=lambda s: s["updated_at"], default=None)
        fact = facts.get((school_id, year), {})
        rows.append((school_id, name, mine.get("school", {}).get("state", STATE_EMPTY),
                     mine.get("survey", {}).get("state", STATE_EMPTY),
                     latest["updated_at"] if latest else None, latest["updated_by"] if latest else None,
                     sum(int(s["open_warnings"] or 0) for s in mine.values()),
                     sum(fact.get(f) is not None for f in value_fields), len(value_fields),
                     next((s["reason"] for s in mine.values() if s["state"] == STATE_RETURNED and s["reason"]), None)))
    return pd.DataFrame(rows, columns=list(LIST_COLUMNS))


def not_submitted(frame: pd.DataFrame) -> pd.DataFrame:
    """The schools of a county_schools frame whose school report is not submitted (who to call)."""
    return frame[frame["school_state"] != STATE_SUBMITTED]


def school_list_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """county_schools with Chinese headers and state labels (English labels with lang="en"; the page renames
    the headers), for the page and the CSV/XLSX download."""
    labels = STATE_EN if lang == "en" else STATE_ZH
    return pd.DataFrame({
        "学校标识码": frame["school_id"], "学校名称": frame["name"],
        "学校年报": frame["school_state"].map(labels), "知晓率调查": frame["survey_state"].map(labels),
        "最后修改(北京)": [(pd.Timestamp(v) + pd.Timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") if v is not None
                       and not pd.isna(v) else "" for v in frame["last_change"]],
        "修改人": frame["last_actor"].fillna(""), "未处理提示": frame["open_warnings"],
        "已填项": [f"{filled}/{total}" for filled, total in zip(frame["filled"], frame["fields"], strict=True)],
        "退回原因": frame["reason"].fillna(""),
    })


def reported_table(engine: sa.Engine, principal: Principal, school_id: str, year: int, type_key: str,
                   lang: str = "zh") -> pd.DataFrame:
    """One school's figures of a report as the county reads them: field, 项目 (the template's header and unit),
    数值 (blank = not reported). AccessDenied unless the principal may review the school."""
    with engine.connect() as conn:
        _require_school(conn, principal, school_id, "review_schools")
    texts = stored_texts(engine, school_id, year, type_key)
    missing = "not reported" if lang == "en" else "未上报"
    rows = [(c.field, f"{c.header} ({c.unit})" if c.unit else c.header, texts[c.field] or missing)
            for c in entry_columns(type_key)]
    return pd.DataFrame(rows, columns=["field", "项目", "数值"])


def waiting_schools(engine: sa.Engine, county: str, year: int, type_key: str) -> list[tuple[str, str]]:
    """The county's schools with their own account that have not submitted this report (what a county's
    submission has to give a reason for; review.submit checks it again under the lock)."""
    if type_key not in SCHOOL_REPORT_TYPES:
        return []
    with engine.connect() as conn:
        return unsubmitted_schools(conn, county, year, type_key)
