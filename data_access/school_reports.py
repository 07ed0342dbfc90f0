"""States of a school's own report (school, year, type): 未填 / 草稿 / 已提交 / 已退回, and what analytics count.

A school saves its figures through the entry form (data_access/school_review.py); the figures go to the
ordinary fact tables through the importer, and this module keeps the state beside them. Facts of a school
report that is a draft or was returned are left out of analytics (maps, rankings, completeness) unless the
warehouse setting SETTING_COUNT_DRAFTS is "1": `hidden_school_facts` is the one small filter the indicator
engine joins. Figures a county imported (no row here) always count.

Nothing here imports the importer, so the importer can ask which submitted school figures a county file
would overwrite.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from data_access.meta import bump_revision
from data_access.schema import school_report_events, school_reports, schools, users, warehouse_meta

STATE_EMPTY, STATE_DRAFT, STATE_SUBMITTED, STATE_RETURNED = "empty", "draft", "submitted", "returned"
STATES = (STATE_EMPTY, STATE_DRAFT, STATE_SUBMITTED, STATE_RETURNED)
STATE_ZH = {STATE_EMPTY: "未填", STATE_DRAFT: "草稿", STATE_SUBMITTED: "已提交", STATE_RETURNED: "已退回"}
STATE_EN = {STATE_EMPTY: "Not filled", STATE_DRAFT: "Draft", STATE_SUBMITTED: "Submitted", STATE_RETURNED: "Returned"}
# The two report types a school fills itself (keys of importing.spec.REPORT_TYPES).
SCHOOL_REPORT_TYPES = ("school", "survey")
UNCOUNTED_STATES = (STATE_DRAFT, STATE_RETURNED)
# warehouse_meta key: "1" lets draft figures count on the maps; anything else (the default) = submitted only.
SETTING_COUNT_DRAFTS = "school_drafts_count"
MAX_REASON = 500  # a return reason or an explanation, as stored and shown


@dataclass(frozen=True)
class ReportState:
    state: str
    reason: str | None = None
    explanation: str | None = None
    open_warnings: int = 0
    updated_by: str | None = None
    updated_at: datetime | None = None
    batch_id: str | None = None

    @property
    def label_zh(self) -> str:
        return STATE_ZH[self.state]


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def bounded_text(text: str | None, what: str, *, required: bool = False) -> str | None:
    """A reason or explanation, stripped and bounded; ValueError (Chinese) when required and empty or too long."""
    text = (text or "").strip()
    if required and not text:
        raise ValueError(f"请填写{what}")
    if len(text) > MAX_REASON:
        raise ValueError(f"{what}太长: 最多 {MAX_REASON} 个字")
    return text or None


def report_state(conn: sa.Connection, school_id: str, year: int, report_type: str) -> ReportState:
    row = conn.execute(sa.select(school_reports).where(
        school_reports.c.school_id == school_id, school_reports.c.year == year,
        school_reports.c.report_type == report_type)).mappings().first()
    if row is None:
        return ReportState(STATE_EMPTY)
    return ReportState(row["state"], row["reason"], row["explanation"], row["open_warnings"], row["updated_by"],
                       row["updated_at"], row["batch_id"])


def set_state(conn: sa.Connection, school_id: str, year: int, report_type: str, state: str, actor: str, *,
              reason: str | None = None, explanation: str | None = None, open_warnings: int | None = None,
              batch_id: str | None = None) -> None:
    """Move the report to `state` and record the transition (inside the caller's transaction)."""
    before = report_state(conn, school_id, year, report_type)
    at = now()
    values = {"state": state, "updated_by": actor[:64], "updated_at": at,
              "reason": reason if state == STATE_RETURNED else None,
              "explanation": explanation if explanation is not None else before.explanation,
              "open_warnings": before.open_warnings if open_warnings is None else open_warnings,
              "batch_id": batch_id or before.batch_id}
    key = {"school_id": school_id, "year": year, "report_type": report_type}
    if before.state == STATE_EMPTY:
        conn.execute(sa.insert(school_reports).values(**key, **values))
    else:
        conn.execute(sa.update(school_reports).where(*(school_reports.c[k] == v for k, v in key.items()))
                     .values(**values))
    conn.execute(sa.insert(school_report_events).values(
        event_id=str(uuid.uuid4()), **key, from_state=before.state, to_state=state, actor=actor[:64],
        occurred_at=at, reason=reason or explanation, batch_id=batch_id))


def drafts_count(conn: sa.Connection) -> bool:
    """The warehouse setting: do draft (and returned) school figures count in analytics?"""
    value = conn.execute(sa.select(warehouse_meta.c.value).where(warehouse_meta.c.key == SETTING_COUNT_DRAFTS)) \
        .scalar()
    return value == "1"


def set_drafts_count(engine: sa.Engine, count: bool) -> None:
    with engine.begin() as conn:
        done = conn.execute(sa.update(warehouse_meta).where(warehouse_meta.c.key == SETTING_COUNT_DRAFTS)
                            .values(value="1" if count else "0"))
        if done.rowcount == 0:
            conn.execute(sa.insert(warehouse_meta).values(key=SETTING_COUNT_DRAFTS, value="1" if count else "0"))
        bump_revision(conn)  # every map's figures may change


def hidden_school_facts(report_type: str, name: str) -> sa.Subquery:
    """(school_id, year) of school reports of `report_type` whose figures analytics leave out: drafts and
    returned reports, unless the warehouse setting counts drafts. The engine outer-joins it and keeps a fact
    row only where it finds no match, so such a school reads as not reported (never as zero)."""
    counted = sa.select(warehouse_meta.c.key).where(warehouse_meta.c.key == SETTING_COUNT_DRAFTS,
                                                    warehouse_meta.c.value == "1")
    return (sa.select(school_reports.c.school_id, school_reports.c.year)
            .where(school_reports.c.report_type == report_type, school_reports.c.state.in_(UNCOUNTED_STATES),
                   ~sa.exists(counted))
            .subquery(name))


def submitted_overwrites(conn: sa.Connection, report_type: str, rows: list[tuple[str, int]],
                         exclude_school: str | None = None) -> list[tuple[str, str, int]]:
    """(school_id, name, year) of the rows whose school submitted them itself: a county file that changes
    them overwrites a school's submission (named in the preview and recorded in the history)."""
    if report_type not in SCHOOL_REPORT_TYPES or not rows:
        return []
    wanted = {(str(unit), int(year)) for unit, year in rows if year is not None}
    found = conn.execute(
        sa.select(school_reports.c.school_id, schools.c.name, school_reports.c.year)
        .join_from(school_reports, schools, schools.c.school_id == school_reports.c.school_id)
        .where(school_reports.c.report_type == report_type, school_reports.c.state == STATE_SUBMITTED,
               school_reports.c.school_id.in_(sorted({unit for unit, _ in wanted})))
        .order_by(school_reports.c.school_id, school_reports.c.year)).all()
    return [(sid, name, int(year)) for sid, name, year in found
            if (sid, int(year)) in wanted and sid != exclude_school]


def unsubmitted_schools(conn: sa.Connection, county: str, year: int, report_type: str) -> list[tuple[str, str]]:
    """(school_id, name) of the county's schools open in `year` that have their own active account (they are
    expected to report through the form) but have not submitted this report: what a county's submission to
    the city has to give a reason for. A county whose schools have no accounts imports for them instead."""
    own_account = sa.exists(sa.select(users.c.login).where(
        users.c.role == "school", users.c.region_adcode == schools.c.school_id, users.c.active.is_(True)))
    submitted = sa.exists(sa.select(school_reports.c.school_id).where(
        school_reports.c.school_id == schools.c.school_id, school_reports.c.year == year,
        school_reports.c.report_type == report_type, school_reports.c.state == STATE_SUBMITTED))
    opened = sa.and_(sa.or_(schools.c.opened_year.is_(None), schools.c.opened_year <= year),
                     sa.or_(schools.c.closed_year.is_(None), schools.c.closed_year >= year))
    return [(sid, name) for sid, name in conn.execute(
        sa.select(schools.c.school_id, schools.c.name)
        .where(schools.c.county_adcode == county, opened, own_account, ~submitted)
        .order_by(schools.c.school_id)).all()]
