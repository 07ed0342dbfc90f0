"""Review of yearly reports, level by level (逐级审核): states, transitions, history, deadlines, open warnings.

Every county, year and yearly report type has a state:

    填报中 open ──submit──▶ 已上报 submitted ──approve (city)──▶ 已审核 approved
        ▲                    │   ▲                                  │
        └──── 已退回 returned ◀┘   └──────── withdraw (取消审核) ───────┘
              (return, reason)

A county's chain runs up to the jurisdiction of the plan that governs it (catalog.plan_for): where that is a
city (Pingliang) the city's approval is final; where it is a province (Shaanxi) the province then confirms the
city (approve on the city's adcode) once every county of the city is approved. Returned behaves like open
(imports and undos are accepted, the county sees the reason); submitted and approved lock the county's
figures of that year and type (`ensure_editable`).

Who: `access.can` decides the role (submit: reporter/admin; approve/return/withdraw: reviewer/admin) and the
region; this module adds the level. Approving and returning belong to the level that acts (the county's
city; for the confirmation, the province); withdrawing to the approver's level or any level above it, and only
while no higher level has approved on top of it. Nobody approves their own submission. Every transition needs
a signed-in account (a login), takes the importer's lock row first (so a transition and an import never
interleave) and checks the state inside it, so of two reviewers acting at once one wins and the other is told
what happened. Every transition bumps the warehouse revision (meta.bump_revision), so caches forget it.

Functions that change something take an Engine (their own transaction, retried while DuckDB reports a
concurrent writer) or a Connection (joining the caller's transaction; the caller commits).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from data_access import catalog
from data_access.access import ACTION_ZH, Principal, can
from data_access.engine import checkpoint, transaction
from data_access.import_lock import ImportBusy, take_lock
from data_access.meta import bump_revision
from data_access.regions import ALL_REGIONS, path_of
from data_access.schema import (
    awareness_survey,
    communities,
    community_year,
    hospital_year,
    hospitals,
    import_batches,
    import_warnings,
    region_year,
    regions,
    review_deadlines,
    review_events,
    review_states,
    school_year,
    schools,
)
from data_access.school_reports import SCHOOL_REPORT_TYPES, unsubmitted_schools

REPORT_TYPES = ("school", "survey", "hospital", "community", "region")  # keys of importing.spec report types
STATE_OPEN, STATE_SUBMITTED, STATE_RETURNED, STATE_APPROVED = "open", "submitted", "returned", "approved"
STATES = (STATE_OPEN, STATE_SUBMITTED, STATE_RETURNED, STATE_APPROVED)
STATE_ZH = {STATE_OPEN: "填报中", STATE_SUBMITTED: "已上报", STATE_RETURNED: "已退回", STATE_APPROVED: "已审核"}
TRANSITION_ZH = {"submit": "上报", "approve": "审核通过", "return": "退回", "withdraw": "取消审核"}
STATE_EN = {STATE_OPEN: "open", STATE_SUBMITTED: "submitted", STATE_RETURNED: "returned", STATE_APPROVED: "approved"}
# The yearly report types as importing.spec names them (not imported from there: importing imports this module;
# tests/data_access/test_review.py checks both declarations agree).
REPORT_NAMES_ZH = {"school": "学校年报", "survey": "核心知识知晓率调查", "hospital": "医院门诊情况",
                   "community": "社区家长学校/指导站点", "region": "区县人口与精神科医师"}
# Where each report's rows live: (fact table, unit table or None when the unit is the county itself, unit key).
REPORT_TABLES: dict[str, tuple[sa.Table, sa.Table | None, str]] = {
    "school": (school_year, schools, "school_id"),
    "survey": (awareness_survey, schools, "school_id"),
    "hospital": (hospital_year, hospitals, "hospital_id"),
    "community": (community_year, communities, "community_id"),
    "region": (region_year, None, "adcode"),
}
REASON_CHARS = 500  # a return or withdrawal reason
EXPLANATION_CHARS = 1_000  # one explanation of a plausibility warning (or of all of them)
HISTORY_EXPLANATION_CHARS = 4_000
BEIJING = timedelta(hours=8)
# DuckDB refuses a second writer at once instead of waiting: a transition retries this long.
DUCKDB_RETRY_SECONDS = 20.0


class ReviewRefused(Exception):
    """A transition that is not allowed now; the message (Chinese, one line) says why."""


class ReviewLocked(ReviewRefused):
    """The county's figures of that year and type are submitted or approved; the message names the state and
    who can send them back."""


@dataclass(frozen=True)
class Chain:
    """The review chain of one county in one year: the levels above it, nearest first, up to the jurisdiction
    of the plan in force (at least one level: the county's city, or its province when it has none)."""

    county: dict
    levels: tuple[str, ...]

    @property
    def approver(self) -> str:
        """The level that approves or returns the county's submission."""
        return self.levels[0]

    @property
    def confirmer(self) -> str | None:
        """The level that confirms the approver's unit (Shaanxi: the province confirms the city), if any."""
        return self.levels[1] if len(self.levels) > 1 else None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _bounded(text: str | None, limit: int) -> str:
    """User text: stripped, NUL-free, cut to `limit` characters (never rendered as markdown by anyone)."""
    cleaned = (text or "").replace("\x00", "").strip()
    return cleaned if len(cleaned) <= limit else cleaned[:limit - 1] + "…"


def _check_type(report_type: str) -> None:
    if report_type not in REPORT_TYPES:
        choices = "、".join(f"{k} ({REPORT_NAMES_ZH[k]})" for k in REPORT_TYPES)
        raise ReviewRefused(f"未知的上报类型 {report_type!r}: 审核只针对年度上报 {choices}")


@contextmanager
def _connected(engine_or_conn: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    if isinstance(engine_or_conn, sa.Engine):
        with engine_or_conn.connect() as conn:
            yield conn
    else:
        yield engine_or_conn


def _region(conn: sa.Connection, adcode: str) -> dict:
    row = conn.execute(sa.select(regions).where(regions.c.adcode == adcode)).mappings().first()
    if row is None:
        raise ReviewRefused(f"行政区划代码 {str(adcode)[:12]} 不在数据仓库中")
    return dict(row)


def _name(conn: sa.Connection, adcode: str | None) -> str:
    if not adcode or adcode == ALL_REGIONS:
        return "全部地区"
    found = conn.execute(sa.select(regions.c.name).where(regions.c.adcode == adcode)).scalar()
    return f"{found}" if found else adcode


def chain_of(county: dict, year: int) -> Chain:
    """The chain of a county row; ReviewRefused when no plan governs the county."""
    plan = catalog.plan_for(path_of(county), year)
    if plan is None:
        raise ReviewRefused(f"{county['name']}({county['adcode']}) 不在任何已录入规划的辖区内, 没有审核流程")
    above = [code for code in (county.get("city_adcode"), county.get("province_adcode"))
             if isinstance(code, str) and code and code != county["adcode"]]
    levels: list[str] = []
    for code in above:
        levels.append(code)
        if code == plan.adcode:
            break
    return Chain(county, tuple(levels[:1] if plan.adcode == county["adcode"] else levels))


def _county(conn: sa.Connection, adcode: str) -> dict:
    row = _region(conn, adcode)
    if row["level"] != "county":
        raise ReviewRefused(f"{row['name']}({adcode}) 不是县(区): 只有县(区)上报, 市、省审核")
    return row


def _counties_of(conn: sa.Connection, city: str) -> list[dict]:
    query = sa.select(regions).where(regions.c.city_adcode == city, regions.c.level == "county") \
        .order_by(regions.c.adcode)
    return [dict(row) for row in conn.execute(query).mappings()]


def _state_row(conn: sa.Connection, unit: str, year: int, report_type: str) -> dict | None:
    row = conn.execute(sa.select(review_states).where(
        review_states.c.unit_adcode == unit, review_states.c.year == year,
        review_states.c.report_type == report_type)).mappings().first()
    return dict(row) if row else None


def _state(row: dict | None) -> str:
    return row["state"] if row else STATE_OPEN


def _when(moment: datetime | None) -> str:
    return (moment + BEIJING).strftime("%Y-%m-%d %H:%M") if moment else ""


def _what(county: dict, year: int, report_type: str) -> str:
    return f"{county['name']} {year} 年{REPORT_NAMES_ZH[report_type]}"


# --- locks: what imports and undos ask ------------------------------------------------------------------------


def lock_message(conn: sa.Connection, county_adcode: str, year: int, report_type: str) -> str | None:
    """Why the county's figures of that year and type cannot change now (one Chinese line), or None."""
    if report_type not in REPORT_TYPES:
        return None  # registries are master data outside the chain
    row = _state_row(conn, county_adcode, year, report_type)
    if _state(row) not in (STATE_SUBMITTED, STATE_APPROVED):
        return None
    county = _county(conn, county_adcode)
    chain = chain_of(county, year)
    approver = _name(conn, chain.approver)
    what = _what(county, year, report_type)
    if row["state"] == STATE_SUBMITTED:
        return (f"{what}已上报 ({row['submitted_by']}, {_when(row['submitted_at'])}), 不能再导入或撤销: "
                f"需要修改请联系{approver}审核人员退回")
    if chain.confirmer and _state(_state_row(conn, chain.approver, year, report_type)) == STATE_APPROVED:
        confirmer = _name(conn, chain.confirmer)
        return (f"{what}已由{approver}审核、{confirmer}确认, 数据已锁定: 需要修改请联系{confirmer}取消确认, "
                f"再由{approver}取消审核并退回")
    return (f"{what}已由{approver}审核通过 ({row['approved_by']}, {_when(row['approved_at'])}), 数据已锁定: "
            f"需要修改请联系{approver}审核人员取消审核并退回")


def ensure_editable(conn: sa.Connection, county_adcode: str, year: int, report_type: str) -> None:
    """ReviewLocked when the county's figures of that year and type are submitted or approved."""
    message = lock_message(conn, county_adcode, year, report_type)
    if message:
        raise ReviewLocked(message)


def locked_candidates(conn: sa.Connection, report_type: str, years: set[int]) -> set[tuple[str, int]]:
    """(unit, year) of that type and those years in a locking state (one small query; usually empty)."""
    if report_type not in REPORT_TYPES or not years:
        return set()
    rows = conn.execute(sa.select(review_states.c.unit_adcode, review_states.c.year).where(
        review_states.c.report_type == report_type, review_states.c.state.in_((STATE_SUBMITTED, STATE_APPROVED)),
        review_states.c.year.in_(sorted(years)))).all()
    return {(unit, int(year)) for unit, year in rows}


def locked_reports(conn: sa.Connection, report_type: str,
                   county_years: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """(county, year) -> lock message, for those of `county_years` that are locked (one query when none is)."""
    if not county_years:
        return {}
    found = {}
    for county, year in sorted(locked_candidates(conn, report_type, {y for _, y in county_years}) & county_years):
        if message := lock_message(conn, county, year, report_type):
            found[(county, year)] = message
    return found


# --- transitions -----------------------------------------------------------------------------------------------


@contextmanager
def _locked(engine_or_conn: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    """A transaction holding the import lock row. With an Engine: DuckDB conflicts are retried for up to
    DUCKDB_RETRY_SECONDS (the other writer's transaction is short), then refused."""
    holder = str(uuid.uuid4())  # import_locks.holder is 36 characters
    if not isinstance(engine_or_conn, sa.Engine):
        with transaction(engine_or_conn) as conn:
            try:
                take_lock(conn, holder)
            except ImportBusy as busy:
                raise ReviewRefused(str(busy)) from busy
            yield conn
            bump_revision(conn)
        return
    deadline = time.monotonic() + DUCKDB_RETRY_SECONDS
    while True:
        conn = engine_or_conn.connect()
        try:
            conn.begin()
            take_lock(conn, holder)
        except ImportBusy as busy:
            conn.rollback()
            conn.close()
            if engine_or_conn.dialect.name != "duckdb" or time.monotonic() >= deadline:
                raise ReviewRefused(str(busy)) from busy
            time.sleep(0.1)
            continue
        break
    try:
        yield conn
        bump_revision(conn)  # last: other writers queue on the counter only until this commit
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
    checkpoint(engine_or_conn)


def _require_login(principal: Principal, action: str) -> None:
    if not principal.login:
        raise ReviewRefused(f"{ACTION_ZH[action]}须以账号身份执行 (命令行加 --as 账号), 才能记入审核记录")


def _require_action(principal: Principal, action: str, region: dict) -> None:
    if not can(principal, action, region):
        who = principal.display_name or principal.login
        raise ReviewRefused(f"无权{ACTION_ZH[action]}: {who} (角色 {principal.role}, 范围 {principal.region}) "
                            f"不能对 {region['name']}({region['adcode']}) {ACTION_ZH[action]}")


def _acts_as_level(conn: sa.Connection, principal: Principal, action: str, level: str, what: str) -> None:
    """Approving and returning belong to the level that acts, not to a wider or narrower one."""
    _require_action(principal, action, _region(conn, level))
    if principal.region != level:
        who = principal.display_name or principal.login
        raise ReviewRefused(f"{what}由{_name(conn, level)}{ACTION_ZH[action]}: {who} "
                            f"(范围 {_name(conn, principal.region)}) 不是这一级的审核人员")


def _above_or_at(conn: sa.Connection, principal: Principal, action: str, level: str, what: str) -> None:
    """Withdrawing belongs to the approving level or any level above it."""
    row = _region(conn, level)
    if not can(principal, action, row):
        raise ReviewRefused(f"无权{ACTION_ZH[action]}: {what}只能由{row['name']}或更高一级的审核人员取消 "
                            f"({principal.display_name or principal.login} 的范围是 {_name(conn, principal.region)})")


def rows_reported(conn: sa.Connection, county_adcode: str, year: int, report_type: str) -> int:
    """Fact rows the county holds for that year and type (a county report: 0 or 1)."""
    facts, units, key = REPORT_TABLES[report_type]
    if units is None:
        query = sa.select(sa.func.count()).select_from(facts).where(facts.c[key] == county_adcode,
                                                                    facts.c.year == year)
    else:
        query = (sa.select(sa.func.count()).select_from(facts)
                 .join(units, units.c[key] == facts.c[key])
                 .where(units.c.county_adcode == county_adcode, facts.c.year == year))
    return int(conn.execute(query).scalar_one())


def _open_warning_clause() -> sa.ColumnElement[bool]:
    return sa.and_(import_warnings.c.explanation.is_(None), import_warnings.c.superseded_by.is_(None),
                   import_batches.c.status == "applied")


def _warnings_query(county_adcode: str, year: int, report_type: str) -> sa.Select:
    return (sa.select(import_warnings)
            .join(import_batches, import_batches.c.batch_id == import_warnings.c.batch_id)
            .where(import_warnings.c.county_adcode == county_adcode, import_warnings.c.year == year,
                   import_warnings.c.report_type == report_type, import_warnings.c.superseded_by.is_(None),
                   import_batches.c.status == "applied"))


def warning_id(row: Mapping) -> str:
    """The id a page or the command line names one warning by: batch id and number."""
    return f"{row['batch_id']}:{row['warning_no']}"


def county_warnings(engine_or_conn: sa.Engine | sa.Connection, county_adcode: str, year: int,
                    report_type: str) -> pd.DataFrame:
    """The county's current plausibility warnings of that year and type (open and explained): warning_id,
    rule_id, unit_id, file_name, excel_row, column_header, previous_year, old_value, new_value, message,
    explanation, explained_by, explained_at, open."""
    with _connected(engine_or_conn) as conn:
        rows = [dict(r) for r in conn.execute(_warnings_query(county_adcode, year, report_type)
                                              .order_by(import_warnings.c.batch_id, import_warnings.c.warning_no))
                .mappings()]
    columns = ["warning_id", "rule_id", "unit_id", "file_name", "excel_row", "column_header", "previous_year",
               "old_value", "new_value", "message", "explanation", "explained_by", "explained_at", "open"]
    return pd.DataFrame([{**r, "warning_id": warning_id(r), "open": r["explanation"] is None} for r in rows],
                        columns=columns)


def _record(conn: sa.Connection, principal: Principal, unit: str, year: int, report_type: str, action: str,
            before: str, after: str, *, county: str | None, reason: str | None = None,
            explanation: str | None = None, open_warnings: int = 0) -> None:
    rows = rows_reported(conn, county, year, report_type) if county else _city_rows(conn, unit, year, report_type)
    conn.execute(sa.insert(review_events).values(
        event_id=str(uuid.uuid4()), unit_adcode=unit, year=year, report_type=report_type, action=action,
        from_state=before, to_state=after, actor=principal.login[:64],
        actor_name=(principal.display_name or principal.login)[:64], actor_region=principal.region,
        occurred_at=_now(), reason=reason, explanation=explanation, rows_reported=rows,
        open_warnings=open_warnings))


def _city_rows(conn: sa.Connection, city: str, year: int, report_type: str) -> int:
    return sum(rows_reported(conn, c["adcode"], year, report_type) for c in _counties_of(conn, city))


def _write_state(conn: sa.Connection, principal: Principal, unit: str, year: int, report_type: str,
                 existing: dict | None, **values: object) -> None:
    values = {**values, "updated_by": principal.login[:64], "updated_at": _now()}
    if existing is None:
        conn.execute(sa.insert(review_states).values(unit_adcode=unit, year=year, report_type=report_type,
                                                     **values))
    else:
        conn.execute(sa.update(review_states).where(
            review_states.c.unit_adcode == unit, review_states.c.year == year,
            review_states.c.report_type == report_type).values(**values))


def _told(conn: sa.Connection, what: str, row: dict | None) -> str:
    """What happened to a unit: its state and who put it there (for the loser of two reviewers)."""
    state = _state(row)
    if row is None:
        return f"{what}目前为「{STATE_ZH[state]}」"
    by = row["updated_by"]
    return f"{what}目前为「{STATE_ZH[state]}」({by} 于 {_when(row['updated_at'])} 操作)"


def submit(engine_or_conn: sa.Engine | sa.Connection, principal: Principal, county_adcode: str, year: int,
           report_type: str, explanation: str | None = None, *,
           explanations: Mapping[str, str] | None = None, schools_reason: str | None = None) -> None:
    """The county submits its figures of that year and type (open or returned -> submitted).

    Open plausibility warnings need a written explanation: one for each (`explanations`, by warning id) or one
    for all (`explanation`); both are stored with the warnings and kept in the history. For the school
    report and the survey, every school with its own account must have submitted its form, otherwise
    `schools_reason` says why the county submits anyway (kept in the history)."""
    _check_type(report_type)
    _require_login(principal, "submit")
    with _locked(engine_or_conn) as conn:
        county = _county(conn, county_adcode)
        chain_of(county, year)
        _require_action(principal, "submit", county)
        row = _state_row(conn, county_adcode, year, report_type)
        before = _state(row)
        what = _what(county, year, report_type)
        if before not in (STATE_OPEN, STATE_RETURNED):
            raise ReviewRefused(f"不能上报: {_told(conn, what, row)}, 只有填报中或已退回的才能上报")
        open_rows = [dict(r) for r in conn.execute(_warnings_query(county_adcode, year, report_type)
                                                   .where(_open_warning_clause())).mappings()]
        given = {key: _bounded(text, EXPLANATION_CHARS) for key, text in (explanations or {}).items()}
        common = _bounded(explanation, EXPLANATION_CHARS)
        missing = [r for r in open_rows if not given.get(warning_id(r)) and not common]
        if missing:
            raise ReviewRefused(f"不能上报: {what}有 {len(missing)} 条经验校验提示尚未说明, 请逐条填写说明或填写一条"
                                "总说明 (命令行 --explain) 后再上报")
        waiting = unsubmitted_schools(conn, county_adcode, year, report_type) \
            if report_type in SCHOOL_REPORT_TYPES else []
        schools_reason = _bounded(schools_reason, EXPLANATION_CHARS)
        if waiting and not schools_reason:
            shown = "、".join(name for _, name in waiting[:10]) + (" 等" if len(waiting) > 10 else "")
            raise ReviewRefused(f"不能上报: {what}还有 {len(waiting)} 所学校未提交自己的填报 ({shown}): 请等学校提交, "
                                "或填写未全部提交的原因 (命令行 --schools-reason) 后再上报")
        lines = []
        if waiting:
            lines.append(f"{len(waiting)} 所学校未提交填报即上报, 原因: {schools_reason}")
        for r in open_rows:
            text = given.get(warning_id(r)) or common
            conn.execute(sa.update(import_warnings).where(
                import_warnings.c.batch_id == r["batch_id"], import_warnings.c.warning_no == r["warning_no"])
                .values(explanation=text, explained_by=principal.login[:64], explained_at=_now()))
            if given.get(warning_id(r)):
                lines.append(f"{r['unit_id']} {r['column_header']}: {text}")
        if common:
            lines.insert(1 if waiting else 0, common)
        _write_state(conn, principal, county_adcode, year, report_type, row, state=STATE_SUBMITTED,
                     submitted_by=principal.login[:64], submitted_at=_now(), approved_by=None, approved_at=None,
                     approver_region=None, reason=None)
        _record(conn, principal, county_adcode, year, report_type, "submit", before, STATE_SUBMITTED,
                county=county_adcode, explanation=_bounded("\n".join(lines), HISTORY_EXPLANATION_CHARS) or None,
                open_warnings=len(open_rows))


def _count_open(conn: sa.Connection, county_adcode: str, year: int, report_type: str) -> int:
    query = sa.select(sa.func.count()).select_from(
        _warnings_query(county_adcode, year, report_type).where(_open_warning_clause()).subquery())
    return int(conn.execute(query).scalar_one())


def approve(engine_or_conn: sa.Engine | sa.Connection, principal: Principal, unit_adcode: str, year: int,
            report_type: str) -> None:
    """A county: its city (the level that acts) approves the submission. A city whose plan is the province's:
    the province confirms it, once every county of the city is approved."""
    _check_type(report_type)
    _require_login(principal, "approve")
    with _locked(engine_or_conn) as conn:
        unit = _region(conn, unit_adcode)
        if unit["level"] == "county":
            _approve_county(conn, principal, unit, year, report_type)
        else:
            _confirm_city(conn, principal, unit, year, report_type)


def _approve_county(conn: sa.Connection, principal: Principal, county: dict, year: int, report_type: str) -> None:
    chain = chain_of(county, year)
    what = _what(county, year, report_type)
    _acts_as_level(conn, principal, "approve", chain.approver, what)
    row = _state_row(conn, county["adcode"], year, report_type)
    if _state(row) != STATE_SUBMITTED:
        raise ReviewRefused(f"不能审核通过: {_told(conn, what, row)}, 只有已上报的才能审核")
    if row["submitted_by"] == principal.login:
        raise ReviewRefused(f"不能审核通过: {what}由您本人 ({principal.login}) 上报, 不能审核自己的上报")
    _write_state(conn, principal, county["adcode"], year, report_type, row, state=STATE_APPROVED,
                 approved_by=principal.login[:64], approved_at=_now(), approver_region=chain.approver, reason=None)
    _record(conn, principal, county["adcode"], year, report_type, "approve", STATE_SUBMITTED, STATE_APPROVED,
            county=county["adcode"], open_warnings=_count_open(conn, county["adcode"], year, report_type))


def _confirmed_unit_chain(conn: sa.Connection, unit: dict, year: int, action: str) -> tuple[list[dict], Chain]:
    """The counties of a city and their chain, when the province confirms this city; else ReviewRefused."""
    counties = _counties_of(conn, unit["adcode"]) if unit["level"] == "city" else []
    if not counties:
        raise ReviewRefused(f"{unit['name']}({unit['adcode']}) 不是有县(区)的市: {ACTION_ZH[action]}针对县(区), "
                            "或由省级确认市")
    chain = chain_of(counties[0], year)
    if chain.confirmer is None:
        raise ReviewRefused(f"{unit['name']} {year} 年的审核由{unit['name']}完成即为最终, 没有更高一级的确认")
    return counties, chain


def _confirm_city(conn: sa.Connection, principal: Principal, city: dict, year: int, report_type: str) -> None:
    counties, chain = _confirmed_unit_chain(conn, city, year, "approve")
    what = _what(city, year, report_type)
    _acts_as_level(conn, principal, "approve", chain.confirmer, what)
    row = _state_row(conn, city["adcode"], year, report_type)
    if _state(row) == STATE_APPROVED:
        raise ReviewRefused(f"不能确认: {_told(conn, what, row)}")
    pending = [c["name"] for c in counties
               if _state(_state_row(conn, c["adcode"], year, report_type)) != STATE_APPROVED]
    if pending:
        shown = "、".join(pending[:5]) + (f" 等 {len(pending)} 个" if len(pending) > 5 else "")
        raise ReviewRefused(f"不能确认{what}: 还有县(区)未经{city['name']}审核通过 ({shown})")
    before = _state(row)
    _write_state(conn, principal, city["adcode"], year, report_type, row, state=STATE_APPROVED,
                 approved_by=principal.login[:64], approved_at=_now(), approver_region=chain.confirmer, reason=None)
    _record(conn, principal, city["adcode"], year, report_type, "approve", before, STATE_APPROVED, county=None,
            open_warnings=sum(_count_open(conn, c["adcode"], year, report_type) for c in counties))


def return_(engine_or_conn: sa.Engine | sa.Connection, principal: Principal, unit_adcode: str, year: int,
            report_type: str, reason: str = "") -> None:
    """The approving level sends a county's submission back (submitted -> returned); the reason is required and
    shown to the county. An approved county is first withdrawn (取消审核), then returned."""
    _check_type(report_type)
    _require_login(principal, "return")
    text = _bounded(reason, REASON_CHARS)
    if not text:
        raise ReviewRefused("退回须填写原因 (命令行 --reason), 县(区)将看到这一原因")
    with _locked(engine_or_conn) as conn:
        unit = _region(conn, unit_adcode)
        if unit["level"] != "county":
            raise ReviewRefused(f"{unit['name']}({unit_adcode}) 不是县(区): 退回针对县(区)的上报; "
                                "省级确认可以取消 (withdraw), 再由市级对县(区)取消审核并退回")
        chain = chain_of(unit, year)
        what = _what(unit, year, report_type)
        _acts_as_level(conn, principal, "return", chain.approver, what)
        row = _state_row(conn, unit_adcode, year, report_type)
        if _state(row) != STATE_SUBMITTED:
            hint = ", 已审核的请先取消审核再退回" if _state(row) == STATE_APPROVED else ""
            raise ReviewRefused(f"不能退回: {_told(conn, what, row)}, 只有已上报的才能退回{hint}")
        _write_state(conn, principal, unit_adcode, year, report_type, row, state=STATE_RETURNED, reason=text,
                     approved_by=None, approved_at=None, approver_region=None)
        _record(conn, principal, unit_adcode, year, report_type, "return", STATE_SUBMITTED, STATE_RETURNED,
                county=unit_adcode, reason=text, open_warnings=_count_open(conn, unit_adcode, year, report_type))


def withdraw(engine_or_conn: sa.Engine | sa.Connection, principal: Principal, unit_adcode: str, year: int,
             report_type: str, reason: str = "") -> None:
    """取消审核: an approval is withdrawn by the approving level or above, with a reason, only while no higher
    level has approved on top of it. A county goes back to submitted (still locked; the city may then return
    it); a confirmed city goes back to unconfirmed."""
    _check_type(report_type)
    _require_login(principal, "withdraw")
    text = _bounded(reason, REASON_CHARS)
    if not text:
        raise ReviewRefused("取消审核须填写原因 (命令行 --reason)")
    with _locked(engine_or_conn) as conn:
        unit = _region(conn, unit_adcode)
        what = _what(unit, year, report_type)
        row = _state_row(conn, unit_adcode, year, report_type)
        if unit["level"] == "county":
            chain = chain_of(unit, year)
            _above_or_at(conn, principal, "withdraw", chain.approver, what)
            if _state(row) != STATE_APPROVED:
                raise ReviewRefused(f"不能取消审核: {_told(conn, what, row)}, 只有已审核的才能取消")
            if chain.confirmer and _state(_state_row(conn, chain.approver, year, report_type)) == STATE_APPROVED:
                raise ReviewRefused(f"不能取消审核: {_name(conn, chain.confirmer)}已确认{_name(conn, chain.approver)}"
                                    f" {year} 年{REPORT_NAMES_ZH[report_type]}, 请先由{_name(conn, chain.confirmer)}"
                                    "取消确认")
            after, county = STATE_SUBMITTED, unit_adcode
            warnings = _count_open(conn, unit_adcode, year, report_type)
        else:
            counties, chain = _confirmed_unit_chain(conn, unit, year, "withdraw")
            _above_or_at(conn, principal, "withdraw", chain.confirmer, what)
            if _state(row) != STATE_APPROVED:
                raise ReviewRefused(f"不能取消确认: {_told(conn, what, row)}, 尚未确认")
            after, county = STATE_OPEN, None
            warnings = sum(_count_open(conn, c["adcode"], year, report_type) for c in counties)
        _write_state(conn, principal, unit_adcode, year, report_type, row, state=after, reason=text,
                     approved_by=None, approved_at=None, approver_region=None)
        _record(conn, principal, unit_adcode, year, report_type, "withdraw", STATE_APPROVED, after, county=county,
                reason=text, open_warnings=warnings)


def explain_warning(engine_or_conn: sa.Engine | sa.Connection, principal: Principal, warning: str,
                    text: str) -> None:
    """Write (or rewrite) the explanation of one plausibility warning before the county submits."""
    body = _bounded(text, EXPLANATION_CHARS)
    if not body:
        raise ReviewRefused("说明不能为空")
    batch_id, _, number = warning.partition(":")
    if not number.isdigit():
        raise ReviewRefused(f"没有经验校验提示 {warning[:80]}")
    _require_login(principal, "submit")
    with _locked(engine_or_conn) as conn:
        row = conn.execute(sa.select(import_warnings).where(import_warnings.c.batch_id == batch_id,
                                                            import_warnings.c.warning_no == int(number))) \
            .mappings().first()
        if row is None:
            raise ReviewRefused(f"没有经验校验提示 {warning[:80]}")
        county = _county(conn, row["county_adcode"])
        _require_action(principal, "submit", county)
        ensure_editable(conn, row["county_adcode"], row["year"], row["report_type"])
        conn.execute(sa.update(import_warnings).where(import_warnings.c.batch_id == batch_id,
                                                      import_warnings.c.warning_no == int(number))
                     .values(explanation=body, explained_by=principal.login[:64], explained_at=_now()))


# --- deadlines -------------------------------------------------------------------------------------------------


def set_deadline(engine_or_conn: sa.Engine | sa.Connection, principal: Principal, region_adcode: str, year: int,
                 report_type: str, due: date | None) -> None:
    """An administrator sets (or with None removes) the deadline of a year and report type for a region in
    theirs; a county follows the nearest deadline on its path (itself, its city, its province)."""
    _check_type(report_type)
    _require_login(principal, "set_deadline")
    with _locked(engine_or_conn) as conn:
        region = _region(conn, region_adcode)
        _require_action(principal, "set_deadline", region)
        key = (review_deadlines.c.region_adcode == region_adcode, review_deadlines.c.year == year,
               review_deadlines.c.report_type == report_type)
        conn.execute(sa.delete(review_deadlines).where(*key))
        if due is not None:
            conn.execute(sa.insert(review_deadlines).values(region_adcode=region_adcode, year=year,
                                                            report_type=report_type, due_date=due,
                                                            set_by=principal.login[:64], set_at=_now()))


def deadlines(engine_or_conn: sa.Engine | sa.Connection, year: int, allowed_region: str = ALL_REGIONS) -> pd.DataFrame:
    """Deadlines of a year set for regions inside, or above, `allowed_region`: region_adcode, report_type,
    due_date, set_by, set_at."""
    with _connected(engine_or_conn) as conn:
        rows = [dict(r) for r in conn.execute(sa.select(review_deadlines).where(review_deadlines.c.year == year)
                                              .order_by(review_deadlines.c.region_adcode,
                                                        review_deadlines.c.report_type)).mappings()]
        if allowed_region != ALL_REGIONS:
            visible = _scope_codes(conn, allowed_region) | set(path_of(_region(conn, allowed_region)))
            rows = [r for r in rows if r["region_adcode"] in visible]
    return pd.DataFrame(rows, columns=["region_adcode", "year", "report_type", "due_date", "set_by", "set_at"])


# --- reading the state ------------------------------------------------------------------------------------------


def _scope_codes(conn: sa.Connection, allowed_region: str) -> set[str]:
    query = sa.select(regions.c.adcode)
    if allowed_region != ALL_REGIONS:
        query = query.where(sa.or_(regions.c.adcode == allowed_region, regions.c.city_adcode == allowed_region,
                                   regions.c.province_adcode == allowed_region))
    return set(conn.execute(query).scalars())


def _counties_in(conn: sa.Connection, allowed_region: str) -> list[dict]:
    query = sa.select(regions).where(regions.c.level == "county").order_by(regions.c.adcode)
    if allowed_region != ALL_REGIONS:
        query = query.where(sa.or_(regions.c.adcode == allowed_region, regions.c.city_adcode == allowed_region,
                                   regions.c.province_adcode == allowed_region))
    return [dict(r) for r in conn.execute(query).mappings()]


REVIEW_COLUMNS = ("county_adcode", "county_name", "city_adcode", "year", "report_type", "state", "approved_levels",
                  "final", "last_actor", "last_at", "reason", "open_warnings", "deadline", "submitted_by",
                  "submitted_at", "approver", "confirmer")


def review_table(engine_or_conn: sa.Engine | sa.Connection, year: int, allowed_region: str) -> pd.DataFrame:
    """One row per county in scope (governed by a plan) x REPORT_TYPES: county_adcode, county_name, city_adcode,
    year, report_type, state, approved_levels (adcodes that approved: the city, then for a province's plan the
    province), final, last_actor, last_at (UTC), reason (the return reason while returned), open_warnings,
    deadline (date or None), submitted_by, submitted_at, approver and confirmer (the chain's level adcodes)."""
    with _connected(engine_or_conn) as conn:
        counties = _counties_in(conn, allowed_region)
        states = {(r["unit_adcode"], r["report_type"]): dict(r) for r in conn.execute(
            sa.select(review_states).where(review_states.c.year == year)).mappings()}
        warnings = dict(((c, t), int(n)) for c, t, n in conn.execute(
            sa.select(import_warnings.c.county_adcode, import_warnings.c.report_type, sa.func.count())
            .join(import_batches, import_batches.c.batch_id == import_warnings.c.batch_id)
            .where(import_warnings.c.year == year, _open_warning_clause())
            .group_by(import_warnings.c.county_adcode, import_warnings.c.report_type)))
        due = {(r.region_adcode, r.report_type): r.due_date for r in conn.execute(
            sa.select(review_deadlines).where(review_deadlines.c.year == year))}
    lines = []
    for county in counties:
        try:
            chain = chain_of(county, year)
        except ReviewRefused:
            continue  # outside every plan: no review chain
        for report_type in REPORT_TYPES:
            row = states.get((county["adcode"], report_type))
            state = _state(row)
            levels: tuple[str, ...] = ()
            if state == STATE_APPROVED:
                levels = (chain.approver,)
                if chain.confirmer and _state(states.get((chain.approver, report_type))) == STATE_APPROVED:
                    levels += (chain.confirmer,)
            deadline = next((due[(code, report_type)] for code in path_of(county) if (code, report_type) in due),
                            None)
            lines.append({
                "county_adcode": county["adcode"], "county_name": county["name"],
                "city_adcode": county.get("city_adcode"), "year": year, "report_type": report_type,
                "state": state, "approved_levels": levels, "final": len(levels) == len(chain.levels),
                "last_actor": row["updated_by"] if row else None, "last_at": row["updated_at"] if row else None,
                "reason": row["reason"] if row and state == STATE_RETURNED else None,
                "open_warnings": warnings.get((county["adcode"], report_type), 0), "deadline": deadline,
                "submitted_by": row["submitted_by"] if row else None,
                "submitted_at": row["submitted_at"] if row else None,
                "approver": chain.approver, "confirmer": chain.confirmer})
    return pd.DataFrame(lines, columns=list(REVIEW_COLUMNS))


def city_table(engine_or_conn: sa.Engine | sa.Connection, year: int, allowed_region: str) -> pd.DataFrame:
    """The cities the province confirms (a province's plan), x REPORT_TYPES: city_adcode, city_name, year,
    report_type, counties, counties_approved, ready (every county approved), state (open / approved),
    approved_by, approved_at, confirmer."""
    table = review_table(engine_or_conn, year, allowed_region)
    confirmed = table[table["confirmer"].notna()]
    columns = ["city_adcode", "city_name", "year", "report_type", "counties", "counties_approved", "ready", "state",
               "approved_by", "approved_at", "confirmer"]
    if confirmed.empty:
        return pd.DataFrame(columns=columns)
    with _connected(engine_or_conn) as conn:
        states = {(r["unit_adcode"], r["report_type"]): dict(r) for r in conn.execute(
            sa.select(review_states).where(review_states.c.year == year)).mappings()}
        names = {code: _name(conn, code) for code in confirmed["city_adcode"].unique()}
    lines = []
    for (city, report_type), group in confirmed.groupby(["city_adcode", "report_type"], sort=True):
        row = states.get((city, report_type))
        approved = int((group["state"] == STATE_APPROVED).sum())
        lines.append({"city_adcode": city, "city_name": names[city], "year": year, "report_type": report_type,
                      "counties": len(group), "counties_approved": approved, "ready": approved == len(group),
                      "state": _state(row), "approved_by": row["approved_by"] if row else None,
                      "approved_at": row["approved_at"] if row else None,
                      "confirmer": group["confirmer"].iloc[0]})
    return pd.DataFrame(lines, columns=columns)


def approved_counties(engine_or_conn: sa.Engine | sa.Connection, year: int, report_type: str) -> frozenset[str]:
    """Counties whose figures count as 已审核 for analytics: approved by at least the level above the county."""
    with _connected(engine_or_conn) as conn:
        return frozenset(conn.execute(sa.select(review_states.c.unit_adcode).join(
            regions, regions.c.adcode == review_states.c.unit_adcode).where(
            review_states.c.year == year, review_states.c.report_type == report_type,
            review_states.c.state == STATE_APPROVED, regions.c.level == "county")).scalars())


HISTORY_COLUMNS = ("occurred_at", "unit_adcode", "unit_name", "year", "report_type", "action", "from_state",
                   "to_state", "actor", "actor_name", "actor_region", "reason", "explanation", "rows_reported",
                   "open_warnings")


def review_history(engine_or_conn: sa.Engine | sa.Connection, allowed_region: str, year: int | None = None,
                   limit: int = 500) -> pd.DataFrame:
    """Transitions of units inside `allowed_region` (and the cities above its counties), newest first:
    occurred_at (Beijing time), unit_adcode, unit_name, year, report_type, action, from_state, to_state, actor,
    actor_name, actor_region, reason, explanation, rows_reported, open_warnings."""
    with _connected(engine_or_conn) as conn:
        query = (sa.select(review_events, regions.c.name.label("unit_name"))
                 .join(regions, regions.c.adcode == review_events.c.unit_adcode, isouter=True)
                 .order_by(review_events.c.occurred_at.desc()).limit(limit))
        if year is not None:
            query = query.where(review_events.c.year == year)
        if allowed_region != ALL_REGIONS:
            visible = _scope_codes(conn, allowed_region) | set(path_of(_region(conn, allowed_region)))
            query = query.where(review_events.c.unit_adcode.in_(sorted(visible)))
        rows = [dict(r) for r in conn.execute(query).mappings()]
    frame = pd.DataFrame(rows, columns=[c for c in HISTORY_COLUMNS if c != "unit_name"] + ["unit_name"])
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"]) + BEIJING
    return frame[list(HISTORY_COLUMNS)]
