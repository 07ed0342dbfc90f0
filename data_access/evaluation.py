"""The indicator engine: one function turns reports into values, targets, gaps, statuses and shortfalls.

For any region and level (province, city, county, school), years and indicators, `evaluate` returns one
row per unit, indicator and year: numerator, denominator, value, the applicable target of the unit's own
plan, deadline, gap, status, shortfall in natural units and reporting completeness (units reported vs
expected).

How it runs: units are first restricted to the counties of the scope, then joined to that year's facts; one
SQL statement (a UNION ALL of one GROUP BY per indicator) sums them per school (school level) or per county
(every other level), identically on both engines. Cities and provinces are sums of their counties.

Time-correct: a figure for year Y reads only facts of years <= Y (a school's size group when it did not
report in Y is its largest enrollment up to Y; 达标后回落 looks back at the deadline year). Adding a later
year's data never changes an earlier year's output.

Shortfall (see indicators.toml): counted for a school or county from its own figures, the number of things
(teachers, rooms, clinics, students who would need to pass ...) that bring it to the target; only units that
reported count (the ones that did not are in `expected - reported`). A city or province shows the sum over
its counties: a county above its target does not offset another county's gap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access import catalog, vocab
from data_access.catalog import Indicator
from data_access.formatting import deadline_label, threshold_label
from data_access.regions import (
    ALL_REGIONS,
    LEVEL_ORDER,
    RegionError,
    path_of,
    region_frame,
    require_region,
    schools_in,
)
from data_access.review_basis import (
    APPROVED,
    PENDING,
    REPORT_TYPE_OF_KIND,
    UNAPPROVED,
    UNAPPROVED_SHOWN,
    Approvals,
    Basis,
    approvals,
)
from data_access.schema import (
    awareness_survey,
    communities,
    community_year,
    hospital_year,
    hospitals,
    region_year,
    regions,
    school_year,
    schools,
)
from data_access.school_reports import hidden_school_facts
from data_access.status import SMALL_SAMPLE_STUDENTS, Status, unit_status

Facts = sa.ColumnCollection  # the columns of one fact row (school_year, hospital_year, ...)


def _one(_: Facts) -> sa.ColumnElement:
    return sa.literal(1)


@dataclass(frozen=True)
class Rule:
    """What a single unit must satisfy, when its report counts as given for this rule, and what a failing
    unit needs to pass (in the indicator's shortfall unit; one teacher, room, clinic ... unless said)."""

    passes: Callable[[Facts], sa.ColumnElement[bool]]
    reported: Callable[[Facts], sa.ColumnElement[bool]]
    needs: Callable[[Facts], sa.ColumnElement] = _one


def _flag(column: str) -> Rule:
    return Rule(lambda f: f[column].is_(True), lambda f: f[column].isnot(None))


def _teachers(f: Facts) -> sa.ColumnElement:
    return sa.func.coalesce(f.fulltime_teachers, 0) + sa.func.coalesce(f.parttime_teachers, 0)


# 1:4000 and at least 2 per university (Shaanxi clause 16, Pingliang 四(一)2.5).
UNIVERSITY_STUDENTS_PER_TEACHER = 4000
UNIVERSITY_MIN_TEACHERS = 2


def _university_teachers_missing(f: Facts) -> sa.ColumnElement:
    required = sa.func.greatest(UNIVERSITY_MIN_TEACHERS,
                                sa.func.ceil(sa.cast(f.enrollment, sa.Double) / UNIVERSITY_STUDENTS_PER_TEACHER))
    return required - sa.func.coalesce(f.fulltime_teachers, 0)


RULES: dict[str, Rule] = {
    # One known teacher is enough to pass even if the other count was left blank.
    "has_mh_teacher": Rule(
        lambda f: _teachers(f) >= 1,
        lambda f: sa.or_(sa.and_(f.fulltime_teachers.isnot(None), f.parttime_teachers.isnot(None)),
                         _teachers(f) >= 1),
    ),
    "has_fulltime_teacher": Rule(lambda f: f.fulltime_teachers >= 1, lambda f: f.fulltime_teachers.isnot(None)),
    "university_ratio": Rule(
        lambda f: sa.and_(f.fulltime_teachers >= UNIVERSITY_MIN_TEACHERS,
                          f.fulltime_teachers * UNIVERSITY_STUDENTS_PER_TEACHER >= f.enrollment),
        lambda f: sa.and_(f.fulltime_teachers.isnot(None), f.enrollment.isnot(None)),
        _university_teachers_missing,
    ),
    "counseling_room": _flag("counseling_room"),
    "mh_in_school_plan": _flag("mh_in_school_plan"),
    "mh_course": _flag("mh_course"),
    "screening_done": _flag("screening_done"),
    "clinic_open": _flag("clinic_open"),
    "parent_school": _flag("parent_school"),
    "station_mh_education": _flag("station_mh_education"),
}

# Large schools: Shaanxi "200人以上寄宿制学校和1000人以上的中小学校(含中职)", Pingliang alike.
LARGE_SCHOOL_ENROLLMENT = 1000
LARGE_BOARDING_ENROLLMENT = 200

HEADER = ("unit_id", "name", "level", "year", "indicator", "indicator_name", "value_unit", "numerator",
          "denominator", "value", "target_id", "threshold", "comparison", "target_label", "deadline",
          "deadline_year", "clause", "clause_ref", "plan", "gap", "status", "reported", "expected",
          "years_left", "needed_per_year", "shortfall", "shortfall_unit")

# Columns a region anchor of each level is matched on in the county table.
_SCOPE_COLUMN = {"province": "province_adcode", "city": "city_adcode", "county": "adcode"}
_SUMMED = ("expected", "reported", "numerator", "denominator", "shortfall")


def _years_table(years: Sequence[int]) -> sa.Subquery:
    selects = [sa.select(sa.cast(sa.literal(int(y)), sa.Integer).label("year")) for y in years]
    combined = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    return combined.subquery("years")


def _open_in(units: sa.ColumnCollection, year: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """A registered unit is expected in the school years it was open (first and last inclusive)."""
    return sa.and_(sa.or_(units.opened_year.is_(None), units.opened_year <= year),
                   sa.or_(units.closed_year.is_(None), year <= units.closed_year))


def _unit_years(units: sa.Table, key: str, facts: sa.Table, county: sa.FromClause,
                years: sa.Subquery) -> sa.Join:
    """Every unit x every year, with that year's fact row when there is one (absent = not reported)."""
    return (units.join(county, units.c.county_adcode == county.c.adcode)
            .join(years, sa.true())
            .outerjoin(facts, sa.and_(facts.c[key] == units.c[key], facts.c.year == years.c.year)))


def _in_scope(county: sa.FromClause, scope: Sequence[tuple[str, str]]) -> list[sa.ColumnElement[bool]]:
    return [county.c[_SCOPE_COLUMN[level]] == adcode for level, adcode in scope]


def _largest_enrollment_so_far(years: Sequence[int], scope: Sequence[tuple[str, str]]) -> sa.Subquery:
    """Per school of the scope and year Y: its largest enrollment reported in years <= Y (the size of a school
    that did not report in Y), computed once per school and year."""
    yrs = _years_table(years)
    county = regions.alias("size_county")
    earlier = school_year.alias("earlier")
    hidden = hidden_school_facts("school", "hidden_earlier")
    return (sa.select(schools.c.school_id, yrs.c.year, sa.func.max(earlier.c.enrollment).label("enrollment"))
            .select_from(schools.join(county, schools.c.county_adcode == county.c.adcode)
                         .join(yrs, sa.true())
                         .join(earlier, sa.and_(earlier.c.school_id == schools.c.school_id,
                                                earlier.c.year <= yrs.c.year))
                         .outerjoin(hidden, sa.and_(hidden.c.school_id == earlier.c.school_id,
                                                    hidden.c.year == earlier.c.year)))
            .where(*_in_scope(county, scope), schools.c.stage != "university", hidden.c.school_id.is_(None))
            .group_by(schools.c.school_id, yrs.c.year)
            .subquery("known_size"))


def _scoped_schools(years: Sequence[int], scope: Sequence[tuple[str, str]], stage: str | None,
                    with_size: bool) -> sa.CTE:
    """Schools of the scope x years with that year's report and survey (absent = not reported), and, when a
    size group is asked for, the largest enrollment reported up to that year."""
    yrs = _years_table(years)
    county = regions.alias("county")
    # A school's own draft (or returned) report is not counted: its facts read as not reported.
    hidden_report = hidden_school_facts("school", "hidden_report")
    hidden_survey = hidden_school_facts("survey", "hidden_survey")
    joined = (schools.join(county, schools.c.county_adcode == county.c.adcode)
              .join(yrs, sa.true())
              .outerjoin(hidden_report, sa.and_(hidden_report.c.school_id == schools.c.school_id,
                                                hidden_report.c.year == yrs.c.year))
              .outerjoin(hidden_survey, sa.and_(hidden_survey.c.school_id == schools.c.school_id,
                                                hidden_survey.c.year == yrs.c.year))
              .outerjoin(school_year, sa.and_(school_year.c.school_id == schools.c.school_id,
                                              school_year.c.year == yrs.c.year, hidden_report.c.school_id.is_(None)))
              .outerjoin(awareness_survey, sa.and_(awareness_survey.c.school_id == schools.c.school_id,
                                                   awareness_survey.c.year == yrs.c.year,
                                                   hidden_survey.c.school_id.is_(None))))
    size: list[sa.ColumnElement] = []
    if with_size:
        known = _largest_enrollment_so_far(years, scope)
        joined = joined.outerjoin(known, sa.and_(known.c.school_id == schools.c.school_id,
                                                 known.c.year == yrs.c.year))
        size = [known.c.enrollment.label("known_enrollment")]
    reports = [column for column in school_year.c if column.name not in ("school_id", "year")]
    return (sa.select(schools.c.school_id, yrs.c.year, county.c.adcode.label("county_adcode"), county.c.city_adcode,
                      county.c.province_adcode, schools.c.stage, schools.c.boarding, schools.c.opened_year,
                      schools.c.closed_year,
                      sa.case((school_year.c.school_id.isnot(None), 1), else_=0).label("school_row"),
                      sa.case((awareness_survey.c.school_id.isnot(None), 1), else_=0).label("survey_row"),
                      *reports, awareness_survey.c.surveyed, awareness_survey.c.passed, *size)
            .select_from(joined)
            .where(*_in_scope(county, scope), *([schools.c.stage == stage] if stage else []))
            .cte("scoped_schools")
            .prefix_with("MATERIALIZED"))  # computed once, read by every school indicator (both engines)


def _source(indicator: Indicator, years: Sequence[int], scope: Sequence[tuple[str, str]],
            scoped: sa.CTE | None) -> sa.Select:
    """One row per unit and year inside the scope: its place, whether it is expected, reported, its
    contribution and (failing a share rule) what it needs to pass."""
    yrs = _years_table(years)
    county = regions.alias("county")
    population = set(indicator.population)
    # Filter first: only the scope's counties are joined to facts.
    static: list[sa.ColumnElement[bool]] = _in_scope(county, scope)
    condition: sa.ColumnElement[bool] = sa.true()
    place = [yrs.c.year, county.c.adcode.label("county_adcode"), county.c.city_adcode, county.c.province_adcode]

    if indicator.unit_kind in ("school", "survey"):
        # Every school indicator reads the same scoped schools x years x reports, computed once per statement.
        facts = scoped.c
        joined = scoped
        unit_id = facts.school_id
        place = [facts.year, facts.county_adcode, facts.city_adcode, facts.province_adcode]
        static = []
        row_exists = (facts.school_row if indicator.unit_kind == "school" else facts.survey_row) == 1
        condition = _open_in(facts, facts.year)
        stages = population & set(vocab.STAGES)
        if stages:
            static.append(facts.stage.in_(sorted(stages)))
        if population & {"enrollment_1000_plus", "boarding_200_plus"}:
            # A school that did not report this year is placed by its largest enrollment reported up to
            # this year, never by a later one (a closed year's figures must not move).
            size = sa.func.coalesce(facts.enrollment, facts.known_enrollment)
            static.append(facts.stage != "university")
            condition = sa.and_(condition, sa.or_(
                size >= LARGE_SCHOOL_ENROLLMENT,
                sa.and_(facts.boarding.is_(True), size >= LARGE_BOARDING_ENROLLMENT)))
    elif indicator.unit_kind == "hospital":
        facts_table = hospital_year
        facts = facts_table.c
        row_exists = next(iter(facts_table.primary_key.columns)).isnot(None)
        joined = _unit_years(hospitals, "hospital_id", facts_table, county, yrs)
        unit_id = hospitals.c.hospital_id
        condition = _open_in(hospitals.c, yrs.c.year)
        static.append(hospitals.c.hospital_type.in_(sorted(population & set(vocab.HOSPITAL_TYPES))))
    elif indicator.unit_kind == "community":
        facts_table = community_year
        facts = facts_table.c
        row_exists = next(iter(facts_table.primary_key.columns)).isnot(None)
        joined = _unit_years(communities, "community_id", facts_table, county, yrs)
        unit_id = communities.c.community_id
        condition = _open_in(communities.c, yrs.c.year)
        settings = population & set(vocab.URBAN_RURAL)
        if settings:
            static.append(communities.c.urban_rural.in_(sorted(settings)))
        if "guidance_station" in population:
            condition = sa.and_(condition, facts_table.c.guidance_station.is_(True))
    elif indicator.unit_kind == "region":
        facts_table = region_year
        facts = facts_table.c
        row_exists = facts.adcode.isnot(None)
        joined = county.join(yrs, sa.true()).outerjoin(
            facts_table, sa.and_(facts_table.c.adcode == county.c.adcode, facts_table.c.year == yrs.c.year))
        unit_id = county.c.adcode
        static.append(county.c.level == "county")
    else:
        raise ValueError(f"unknown unit kind {indicator.unit_kind}")

    if indicator.condition == "has_fulltime":
        condition = sa.and_(condition, facts.fulltime_teachers >= 1)
    elif indicator.condition == "has_parttime":
        condition = sa.and_(condition, facts.parttime_teachers >= 1)

    # Inner: each condition once per unit and year (flags 1/0); outer: the contribution built from the flags.
    if indicator.rollup == "share":
        rule = RULES[indicator.rule]
        has_report = sa.and_(row_exists, rule.reported(facts))
        measures = [sa.case((rule.passes(facts), 1), else_=0).label("passes"),
                    rule.needs(facts).label("needs_if_failing")]
    else:
        num_col, den_col = facts[indicator.numerator], facts[indicator.denominator]
        has_report = sa.and_(row_exists, num_col.isnot(None), den_col.isnot(None))
        measures = [num_col.label("amount"), den_col.label("base")]
    flags = sa.select(
        unit_id.label("unit_id"),
        *place,
        sa.case((condition, 1), else_=0).label("expected"),
        sa.case((has_report, 1), else_=0).label("has_report"),
        *measures,
    ).select_from(joined).where(*static).subquery(f"flags_{indicator.id}")

    reported = sa.and_(flags.c.expected == 1, flags.c.has_report == 1)
    if indicator.rollup == "share":
        numerator = sa.case((sa.and_(reported, flags.c.passes == 1), 1), else_=0)
        denominator = sa.case((reported, 1), else_=0)
        needs = sa.case((sa.and_(reported, flags.c.passes == 0), flags.c.needs_if_failing), else_=None)
    else:
        numerator = sa.case((reported, flags.c.amount), else_=None)
        denominator = sa.case((reported, flags.c.base), else_=None)
        needs = sa.cast(sa.null(), sa.Double)
    return sa.select(
        flags.c.unit_id, flags.c.year, flags.c.county_adcode, flags.c.city_adcode, flags.c.province_adcode,
        flags.c.expected,
        sa.case((reported, 1), else_=0).label("reported"),
        numerator.label("numerator"),
        denominator.label("denominator"),
        needs.label("needs"),
    )


def _rollup(indicator: Indicator, years: Sequence[int], grain: str, scope: Sequence[tuple[str, str]],
            scoped: sa.CTE | None) -> sa.Select:
    """Sums per school or per county (`grain`) and year, with the place of each group."""
    facts = _source(indicator, years, scope, scoped).subquery(f"facts_{indicator.id}_{grain}")
    key = facts.c.unit_id if grain == "school" else facts.c.county_adcode
    return (
        sa.select(
            sa.cast(sa.literal(indicator.id), sa.String).label("indicator"),
            sa.cast(sa.literal(grain), sa.String).label("grain"),
            key.label("unit_id"),
            facts.c.county_adcode,
            facts.c.city_adcode,
            facts.c.province_adcode,
            facts.c.year,
            sa.cast(sa.func.sum(facts.c.expected), sa.Integer).label("expected"),
            sa.cast(sa.func.sum(facts.c.reported), sa.Integer).label("reported"),
            sa.cast(sa.func.sum(facts.c.numerator), sa.Double).label("numerator"),
            sa.cast(sa.func.sum(facts.c.denominator), sa.Double).label("denominator"),
            sa.cast(sa.func.sum(facts.c.needs), sa.Double).label("needs"),
        )
        .group_by(key, facts.c.county_adcode, facts.c.city_adcode, facts.c.province_adcode, facts.c.year)
    )


def units_at(engine: sa.Engine, region: str, level: str, allowed_region: str = ALL_REGIONS) -> pd.DataFrame:
    """The units of a level inside a region: unit_id, name, level, path (self..province) and plan key.

    Raises RegionError for an unknown level or region, or one outside the allowed region.
    """
    if level not in LEVEL_ORDER:
        raise RegionError(f"未知的层级 {level}: 应为 province/city/county/school 之一")
    anchor = require_region(engine, region, allowed_region)
    if LEVEL_ORDER.index(level) < LEVEL_ORDER.index(anchor["level"]):
        raise RegionError(f"{anchor['name']}是{vocab.LEVELS[anchor['level']]}级, 无法按更高层级 {level} 展开")
    if level == "school":
        found = schools_in(engine, region, allowed_region)
        found = found.rename(columns={"school_id": "unit_id"})
        found["path"] = [(c, ci, p) for c, ci, p in zip(found["county_adcode"], found["city_adcode"],
                                                         found["province_adcode"], strict=True)]
        found["stage_name"] = found["stage"].map(vocab.STAGES)
    else:
        frame = region_frame(engine)
        found = frame[frame["level"] == level].copy()
        found["path"] = [path_of(row) for row in found.to_dict("records")]
        found = found[[region in path for path in found["path"]]].rename(columns={"adcode": "unit_id"})
    found["level"] = level
    found["jurisdiction"] = [getattr(catalog.plan_for(path), "adcode", None) for path in found["path"]]
    return found.reset_index(drop=True)


def _indicators_for_level(level: str, jurisdictions: set[str], wanted: Sequence[str] | None) -> list[Indicator]:
    chosen = {ind.id: ind for j in jurisdictions if j for ind in catalog.indicators_for(j)}
    found = [ind for ind in catalog.indicators().values() if ind.id in chosen]
    if level == "school":
        found = [ind for ind in found if ind.unit_kind in ("school", "survey")]
    if wanted is not None:
        unknown = set(wanted) - set(catalog.indicators())
        if unknown:
            raise RegionError(f"未知的指标: {', '.join(sorted(unknown))}")
        found = [ind for ind in found if ind.id in set(wanted)]
    return found


def _scope(engine: sa.Engine, region: str, allowed_region: str) -> list[tuple[str, str]]:
    """(level, adcode) pairs every counted county must match: the region and the caller's allowed region."""
    levels = region_frame(engine).set_index("adcode")["level"]
    return [(levels[adcode], adcode) for adcode in dict.fromkeys((region, allowed_region))
            if adcode != ALL_REGIONS]


def _deadline_years(chosen: Sequence[Indicator], jurisdictions: set[str], years: Sequence[int]) -> set[int]:
    """Deadline years before a requested year (达标后回落 compares with them)."""
    found = set()
    for jurisdiction in jurisdictions:
        for ind in chosen:
            for year in years:
                target = catalog.applicable_target(jurisdiction, ind.id, year)
                if target is not None and target.deadline_year is not None and target.deadline_year < year:
                    found.add(target.deadline_year)
    return found


def evaluate(engine: sa.Engine, region: str, level: str, years: Sequence[int], *,
             allowed_region: str = ALL_REGIONS, indicator_ids: Sequence[str] | None = None,
             stage: str | None = None, basis: Basis | None = None) -> pd.DataFrame:
    """Values, targets, statuses and shortfalls of every unit of `level` inside `region`, per indicator and year.

    Only indicators with a target in the unit's plan are evaluated (and, at school level, only those
    reported by schools); `indicator_ids` narrows them further. `stage` narrows school-reported indicators to
    one school stage (others, such as hospitals, are then left out). Columns: see HEADER (plus school details
    at school level). Labels (indicator_name, target_label, deadline) are the catalog's Chinese data.

    With a `basis` (review_basis.Basis) each row also says what it stands on: `review` (a county's or school's
    approved / pending / unapproved_shown / unapproved), `counties_approved` and `counties_total` (counties
    expected to report, and how many of them are approved). With `basis.approved_only` a county whose report
    of that year and type is not approved counts as not reported and is 待审核 (pending_review), never zero;
    an area sums only its approved counties.
    """
    years = sorted({int(y) for y in years})
    if not years:
        raise RegionError("未指定年份")
    units = units_at(engine, region, level, allowed_region)
    jurisdictions = set(units["jurisdiction"].dropna())
    chosen = _indicators_for_level(level, jurisdictions, indicator_ids)
    if stage:
        if stage not in vocab.STAGES:
            raise RegionError(f"未知的学段 {stage}")
        chosen = [ind for ind in chosen if ind.unit_kind in ("school", "survey")]
    if level == "school" and stage:
        units = units[units["stage"] == stage]
    if units.empty or not chosen:
        return pd.DataFrame(columns=list(HEADER))

    grain = "school" if level == "school" else "county"
    query_years = sorted(set(years) | _deadline_years(chosen, jurisdictions, years))
    scope = _scope(engine, region, allowed_region)
    scoped = None
    if any(ind.unit_kind in ("school", "survey") for ind in chosen):
        sized = any({"enrollment_1000_plus", "boarding_200_plus"} & set(ind.population) for ind in chosen)
        scoped = _scoped_schools(query_years, scope, stage, with_size=sized)
    statements = [_rollup(ind, query_years, grain, scope, scoped) for ind in chosen]
    if grain == "county":
        # A county's shortfall in teachers for the university ratio adds up its failing universities.
        statements += [_rollup(ind, query_years, "school", scope, scoped)
                       for ind in chosen if ind.shortfall == "teachers_to_ratio"]
    query = statements[0] if len(statements) == 1 else sa.union_all(*statements)
    with engine.connect() as conn:
        sums = pd.read_sql(query, conn)
    sums["year"] = sums["year"].astype(int)
    review_columns: list[str] = []
    if basis is not None:
        kinds = {REPORT_TYPE_OF_KIND[ind.unit_kind] for ind in chosen}
        sums = _apply_basis(sums, chosen, basis, approvals(engine, query_years, kinds))
        review_columns = list(_REVIEW_COUNTS)

    base = sums[sums["grain"] == grain].drop(columns="grain")
    needs = _needs_by_group(sums[sums["grain"] == "school"], grain)
    base = base.assign(jurisdiction=[
        getattr(catalog.plan_for(path), "adcode", None)
        for path in zip(base["unit_id"] if grain == "county" else base["county_adcode"],
                        base["city_adcode"], base["province_adcode"], strict=True)])
    base = _judge(base, needs)
    if level in ("city", "province"):
        key = f"{level}_adcode"
        base = (base.dropna(subset=[key]).groupby([key, "indicator", "year"], as_index=False)[
            list(_SUMMED) + review_columns].sum(min_count=1).rename(columns={key: "unit_id"}))

    grid = units.merge(pd.DataFrame({"indicator": [ind.id for ind in chosen]}), how="cross")
    grid = grid.merge(pd.DataFrame({"year": query_years}), how="cross")
    marks = ["review"] if basis is not None and level not in ("city", "province") else []
    merged = grid.merge(base[["unit_id", "indicator", "year", *_SUMMED, *review_columns, *marks]],
                        on=["indicator", "unit_id", "year"], how="left")
    if level == "school":
        # A school outside an indicator's population (a primary school for the university rule) has no row:
        # the indicator is not listed for it at all; one inside it but too small that year is 不适用. A school
        # not open in a year is not listed in that year (DHIS2 drops a closed unit after its closing date): it
        # was never expected then, so no count above it changes.
        opened, closed = (pd.to_numeric(merged[c], errors="coerce") for c in ("opened_year", "closed_year"))
        open_then = (opened.isna() | (opened <= merged["year"])) & (closed.isna() | (merged["year"] <= closed))
        merged = merged[merged["expected"].notna() & open_then]
    for column in ("expected", "reported"):
        merged[column] = merged[column].fillna(0).astype(int)
    result = _judge(merged, shortfall_given=True)
    result = _mark_slipped(result)
    if basis is not None:
        result = _mark_pending(result, level, basis)
    # Drop indicators that have no target in this unit's plan (units of both plans can share a frame).
    result = result[result["target_id"].notna() & result["year"].isin(years)].reset_index(drop=True)
    result["deadline_year"] = result["deadline_year"].astype("Int64")
    if level == "school":
        result = result.merge(_enrollments(engine, result["unit_id"].unique().tolist(), years),
                              on=["unit_id", "year"], how="left")
    extra = [c for c in ("longitude", "latitude", "stage", "stage_name", "county_adcode", "county_name",
                         "boarding", "urban_rural", "enrollment") if c in result.columns]
    review = ["review", "counties_approved", "counties_total", "counties_pending", "unapproved_shown"] \
        if basis is not None else []
    for column in review[1:]:
        if column in result:
            result[column] = result[column].fillna(0).astype(int)
        else:
            result[column] = 0
    if basis is not None and "review" not in result:
        result["review"] = None
    return result[list(HEADER) + extra + review]


# Per-county counts a city or province sums: counties expected to report, approved, pending, shown unapproved.
_REVIEW_COUNTS = ("counties_total", "counties_approved", "counties_pending", "unapproved_shown")


def _apply_basis(sums: pd.DataFrame, chosen: Sequence[Indicator], basis: Basis, approved: Approvals) -> pd.DataFrame:
    """Mark every county (and school) row with its review state; with approved_only, blank what is not approved.

    A blanked row looks exactly like one whose units sent nothing: reported 0, a share's numerator and
    denominator 0, a pooled rate's NULL, nothing needed. Its units stay expected.
    """
    kind = {ind.id: REPORT_TYPE_OF_KIND[ind.unit_kind] for ind in chosen}
    rollup = {ind.id: ind.rollup for ind in chosen}
    is_approved = pd.Series([county in approved.get((int(year), kind[indicator]), frozenset())
                             for county, year, indicator in zip(sums["county_adcode"], sums["year"],
                                                                sums["indicator"], strict=True)],
                            index=sums.index, dtype=bool)
    own = sums["county_adcode"] == basis.own_county if basis.own_county else pd.Series(False, index=sums.index)
    hidden = basis.approved_only & ~is_approved & ~own
    shown_unapproved = basis.approved_only & ~is_approved & own
    sums = sums.copy()
    share = sums["indicator"].map(rollup) == "share"
    sums.loc[hidden, "reported"] = 0
    sums.loc[hidden & share, ["numerator", "denominator"]] = 0.0
    sums.loc[hidden & ~share, ["numerator", "denominator"]] = np.nan
    sums.loc[hidden, "needs"] = np.nan
    sums["review"] = np.select([is_approved, hidden, shown_unapproved], [APPROVED, PENDING, UNAPPROVED_SHOWN],
                               default=UNAPPROVED)
    expecting = sums["expected"] > 0
    sums["counties_total"] = expecting.astype(int)
    sums["counties_approved"] = (expecting & is_approved).astype(int)
    sums["counties_pending"] = (expecting & hidden).astype(int)
    sums["unapproved_shown"] = (expecting & shown_unapproved).astype(int)
    return sums


def _mark_pending(result: pd.DataFrame, level: str, basis: Basis) -> pd.DataFrame:
    """待审核: a county (or its school) blanked for want of approval, or an area none of whose counties is
    approved while some await review. An area with some approved counties is judged on those."""
    if not basis.approved_only:
        return result
    if level in ("city", "province"):
        pending = (result["counties_pending"].fillna(0) > 0) & (result["reported"] == 0)
    else:
        pending = (result["review"] == PENDING) & (result["expected"] > 0)
    result.loc[pending, "status"] = Status.PENDING_REVIEW.value
    result.loc[pending, ["shortfall", "gap", "needed_per_year"]] = np.nan
    return result


def _needs_by_group(school_rows: pd.DataFrame, grain: str) -> dict[tuple[str, str, int], list[float]]:
    """What each failing school needs, smallest first, per (indicator, school or county, year)."""
    failing = school_rows[school_rows["needs"].notna() & (school_rows["needs"] > 0)]
    key = "unit_id" if grain == "school" else "county_adcode"
    return {(ind, unit, int(year)): sorted(group.tolist())
            for (ind, unit, year), group in failing.groupby(["indicator", key, "year"])["needs"]}


def _enrollments(engine: sa.Engine, school_ids: list[str], years: Sequence[int]) -> pd.DataFrame:
    """Reported enrollment per school and year (for sizing school points); absent when not reported."""
    query = (sa.select(school_year.c.school_id.label("unit_id"), school_year.c.year, school_year.c.enrollment)
             .where(school_year.c.school_id.in_(school_ids), school_year.c.year.in_(list(years))))
    with engine.connect() as conn:
        found = pd.read_sql(query, conn)
    found["year"] = found["year"].astype(int)
    return found


_TARGET_COLUMNS = ("target_id", "threshold", "comparison", "target_label", "deadline", "deadline_year", "clause",
                   "clause_ref", "plan")


def _targets(frame: pd.DataFrame) -> pd.DataFrame:
    """The applicable target of each (jurisdiction, indicator, year) present in the frame."""
    keys = frame[["jurisdiction", "indicator", "year"]].drop_duplicates()
    rows = []
    for jurisdiction, indicator_id, year in keys.itertuples(index=False):
        target = catalog.applicable_target(jurisdiction, indicator_id, int(year)) \
            if isinstance(jurisdiction, str) else None
        fields = dict.fromkeys(_TARGET_COLUMNS)
        if target is not None:
            fields.update(target_id=target.id, threshold=target.threshold, comparison=target.comparison,
                          target_label=threshold_label(target.threshold, target.comparison, target.unit),
                          deadline=deadline_label(target.deadline_year),
                          deadline_year=target.deadline_year, clause=target.clause, clause_ref=target.clause_ref,
                          plan=target.plan)
        rows.append({"jurisdiction": jurisdiction, "indicator": indicator_id, "year": year, **fields})
    found = pd.DataFrame(rows, columns=["jurisdiction", "indicator", "year", *_TARGET_COLUMNS])
    found["jurisdiction"] = found["jurisdiction"].astype(object)
    found["threshold"] = found["threshold"].astype(float)
    found["deadline_year"] = found["deadline_year"].astype(float)
    return found


def _judge(frame: pd.DataFrame, needs: dict | None = None, shortfall_given: bool = False) -> pd.DataFrame:
    """Value, target, gap, status and shortfall of each row (one unit, indicator and year).

    With `shortfall_given` the shortfall column already holds it (a school's or county's own, judged first,
    or a city's or province's sum over its counties).
    """
    # No unit of a plan in the frame leaves the column all-NaN (float): keys must stay comparable text.
    frame = frame.assign(jurisdiction=frame["jurisdiction"].astype(object))
    frame = frame.merge(_targets(frame), on=["jurisdiction", "indicator", "year"], how="left")
    indicators = catalog.indicators()
    declared = [indicators[i] for i in frame["indicator"]]
    scale = np.array([100.0 if ind.rollup == "share" else ind.scale for ind in declared])
    numerator = frame["numerator"].astype(float)
    denominator = frame["denominator"].astype(float)
    countable = (frame["reported"] > 0) & (denominator > 0)
    value = np.where(countable, scale * numerator.fillna(0.0) / denominator.where(countable, 1.0), np.nan)
    frame["numerator"] = numerator.where(~countable, numerator.fillna(0.0))
    frame["value"] = value
    frame["indicator_name"] = [ind.name_zh for ind in declared]
    frame["value_unit"] = [ind.value_unit for ind in declared]
    frame["shortfall_unit"] = [ind.shortfall_unit for ind in declared]
    threshold = frame["threshold"]
    at_least = frame["comparison"] == ">="
    frame["gap"] = np.where(at_least, threshold - value, value - threshold)
    years_left = frame["deadline_year"] - frame["year"]
    frame["years_left"] = years_left
    frame["needed_per_year"] = np.where((frame["gap"] > 0) & (years_left >= 1), frame["gap"] / years_left, np.nan)
    frame["status"] = [
        unit_status(None if math.isnan(v) else v, None if math.isnan(t) else t, c if isinstance(c, str) else None,
                    expected=e, denominator=d, min_denominator=SMALL_SAMPLE_STUDENTS if ind.student_sample else None
                    ).value
        for v, t, c, e, d, ind in zip(value, threshold, frame["comparison"], frame["expected"], denominator,
                                      declared, strict=True)
    ]
    if not shortfall_given:
        frame["shortfall"] = [
            _shortfall(ind, status, thr, comp, rep, num, den, (needs or {}).get((ind.id, unit, int(year)), []))
            for ind, status, thr, comp, rep, num, den, unit, year in zip(
                declared, frame["status"], threshold, frame["comparison"], frame["reported"], frame["numerator"],
                denominator, frame["unit_id"], frame["year"], strict=True)
        ]
    frame.loc[frame["target_id"].isna(), "shortfall"] = np.nan
    return frame


_UNCOUNTABLE = {Status.NO_DATA.value, Status.NOT_APPLICABLE.value, Status.SMALL_SAMPLE.value}


def _whole_up(amount: float) -> float:
    """Things are counted whole; float noise (90% of 10 = 9.000000000000002) must not add one."""
    return float(max(0, math.ceil(round(amount, 9))))


def _shortfall(ind: Indicator, status: str, threshold: float, comparison: object, reported: int,
               numerator: float, denominator: float, needs: list[float]) -> float:
    """What one school or county lacks to meet its target, in the indicator's shortfall unit (NaN: not countable)."""
    if ind.shortfall is None or comparison != ">=" or status in _UNCOUNTABLE:
        return math.nan
    if ind.shortfall == "pooled":
        return _whole_up(threshold * denominator / ind.scale - numerator)
    units_to_fix = int(_whole_up(threshold / 100.0 * reported - numerator))
    if ind.shortfall == "failing_units":
        return float(units_to_fix)
    # teachers_to_ratio: the cheapest failing units that bring the share to the threshold.
    return float(sum(needs[:units_to_fix]))


def _mark_slipped(frame: pd.DataFrame) -> pd.DataFrame:
    """达标后回落: after its target's deadline, a unit below a target it had met in the deadline year."""
    at_deadline = frame[["unit_id", "indicator", "year", "status", "target_id"]].rename(
        columns={"year": "deadline_year", "status": "deadline_status", "target_id": "deadline_target"})
    at_deadline["deadline_year"] = at_deadline["deadline_year"].astype(float)
    joined = frame.merge(at_deadline, on=["unit_id", "indicator", "deadline_year"], how="left")
    below_now = joined["status"].isin([Status.CLOSE.value, Status.BEHIND.value])
    met_then = (joined["deadline_status"] == Status.MET.value) & (joined["deadline_target"] == joined["target_id"])
    slipped = (joined["deadline_year"] < joined["year"]) & below_now & met_then
    joined.loc[slipped, "status"] = Status.SLIPPED.value
    return joined.drop(columns=["deadline_status", "deadline_target"])
