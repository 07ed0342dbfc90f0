"""The indicator engine: one function turns reports into values, targets, gaps and statuses.

For any region and level (province, city, county, school), years and indicators, `evaluate` returns one
row per unit, indicator and year: numerator, denominator, value, the applicable target of the unit's own
plan, deadline, gap, status band and reporting completeness (units reported vs expected). All roll-ups
are done in one SQL statement (a UNION ALL of one GROUP BY per indicator), identical on both engines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from data_access import catalog, vocab
from data_access.catalog import Indicator
from data_access.regions import (
    ALL_REGIONS,
    LEVEL_ORDER,
    RegionError,
    path_of,
    region_frame,
    require_region,
    schools_in,
    scope_clause,
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
from data_access.status import status_for

Facts = sa.ColumnCollection  # the columns of one fact row (school_year, hospital_year, ...)


@dataclass(frozen=True)
class Rule:
    """What a single unit must satisfy, and when its report counts as given for this rule."""

    passes: Callable[[Facts], sa.ColumnElement[bool]]
    reported: Callable[[Facts], sa.ColumnElement[bool]]


def _flag(column: str) -> Rule:
    return Rule(lambda f: f[column].is_(True), lambda f: f[column].isnot(None))


def _teachers(f: Facts) -> sa.ColumnElement:
    return sa.func.coalesce(f.fulltime_teachers, 0) + sa.func.coalesce(f.parttime_teachers, 0)


RULES: dict[str, Rule] = {
    # One known teacher is enough to pass even if the other count was left blank.
    "has_mh_teacher": Rule(
        lambda f: _teachers(f) >= 1,
        lambda f: sa.or_(sa.and_(f.fulltime_teachers.isnot(None), f.parttime_teachers.isnot(None)),
                         _teachers(f) >= 1),
    ),
    "has_fulltime_teacher": Rule(lambda f: f.fulltime_teachers >= 1, lambda f: f.fulltime_teachers.isnot(None)),
    # 1:4000 and at least 2 per university (Shaanxi clause 16, Pingliang 四(一)2.5).
    "university_ratio": Rule(
        lambda f: sa.and_(f.fulltime_teachers >= 2, f.fulltime_teachers * 4000 >= f.enrollment),
        lambda f: sa.and_(f.fulltime_teachers.isnot(None), f.enrollment.isnot(None)),
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
          "years_left", "needed_per_year")


def _years_table(years: Sequence[int]) -> sa.Subquery:
    selects = [sa.select(sa.cast(sa.literal(int(y)), sa.Integer).label("year")) for y in years]
    combined = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    return combined.subquery("years")


def _unit_years(units: sa.Table, key: str, facts: sa.Table, county: sa.FromClause,
                years: sa.Subquery) -> sa.Join:
    """Every unit x every year, with that year's fact row when there is one (absent = not reported)."""
    return (units.join(county, units.c.county_adcode == county.c.adcode)
            .join(years, sa.true())
            .outerjoin(facts, sa.and_(facts.c[key] == units.c[key], facts.c.year == years.c.year)))


def _source(indicator: Indicator, years: Sequence[int], stage: str | None = None) -> sa.Select:
    """One row per unit and year: its place, whether it is expected, reported, and its contribution."""
    yrs = _years_table(years)
    county = regions.alias("county")
    population = set(indicator.population)
    static: list[sa.ColumnElement[bool]] = []
    condition: sa.ColumnElement[bool] = sa.true()

    if indicator.unit_kind in ("school", "survey"):
        facts_table = school_year if indicator.unit_kind == "school" else awareness_survey
        joined = _unit_years(schools, "school_id", facts_table, county, yrs)
        unit_id = schools.c.school_id
        stages = population & set(vocab.STAGES)
        if stages:
            static.append(schools.c.stage.in_(sorted(stages)))
        if stage:
            static.append(schools.c.stage == stage)
        if population & {"enrollment_1000_plus", "boarding_200_plus"}:
            # A school that did not report this year is placed by its largest reported enrollment.
            known = (sa.select(school_year.c.school_id, sa.func.max(school_year.c.enrollment).label("enrollment"))
                     .group_by(school_year.c.school_id).subquery("known_enrollment"))
            joined = joined.outerjoin(known, known.c.school_id == schools.c.school_id)
            size = sa.func.coalesce(facts_table.c.enrollment, known.c.enrollment)
            static.append(schools.c.stage != "university")
            condition = sa.or_(size >= LARGE_SCHOOL_ENROLLMENT,
                               sa.and_(schools.c.boarding.is_(True), size >= LARGE_BOARDING_ENROLLMENT))
    elif indicator.unit_kind == "hospital":
        facts_table = hospital_year
        joined = _unit_years(hospitals, "hospital_id", facts_table, county, yrs)
        unit_id = hospitals.c.hospital_id
        static.append(hospitals.c.hospital_type.in_(sorted(population & set(vocab.HOSPITAL_TYPES))))
    elif indicator.unit_kind == "community":
        facts_table = community_year
        joined = _unit_years(communities, "community_id", facts_table, county, yrs)
        unit_id = communities.c.community_id
        settings = population & set(vocab.URBAN_RURAL)
        if settings:
            static.append(communities.c.urban_rural.in_(sorted(settings)))
        if "guidance_station" in population:
            condition = facts_table.c.guidance_station.is_(True)
    elif indicator.unit_kind == "region":
        facts_table = region_year
        joined = county.join(yrs, sa.true()).outerjoin(
            facts_table, sa.and_(facts_table.c.adcode == county.c.adcode, facts_table.c.year == yrs.c.year))
        unit_id = county.c.adcode
        static.append(county.c.level == "county")
    else:
        raise ValueError(f"unknown unit kind {indicator.unit_kind}")

    facts = facts_table.c
    if indicator.condition == "has_fulltime":
        condition = facts.fulltime_teachers >= 1
    elif indicator.condition == "has_parttime":
        condition = facts.parttime_teachers >= 1

    key_column = next(iter(facts_table.primary_key.columns))
    row_exists = key_column.isnot(None)
    if indicator.rollup == "share":
        rule = RULES[indicator.rule]
        reported = sa.and_(condition, row_exists, rule.reported(facts))
        numerator = sa.case((sa.and_(reported, rule.passes(facts)), 1), else_=0)
        denominator = sa.case((reported, 1), else_=0)
    else:
        num_col, den_col = facts[indicator.numerator], facts[indicator.denominator]
        reported = sa.and_(condition, row_exists, num_col.isnot(None), den_col.isnot(None))
        numerator = sa.case((reported, num_col), else_=None)
        denominator = sa.case((reported, den_col), else_=None)

    return sa.select(
        unit_id.label("unit_id"),
        yrs.c.year,
        county.c.adcode.label("county_adcode"),
        county.c.city_adcode,
        county.c.province_adcode,
        sa.case((condition, 1), else_=0).label("expected"),
        sa.case((reported, 1), else_=0).label("reported"),
        numerator.label("numerator"),
        denominator.label("denominator"),
    ).select_from(joined).where(*static)


def _rollup(indicator: Indicator, years: Sequence[int], level: str, region: str,
            allowed_region: str, stage: str | None) -> sa.Select:
    facts = _source(indicator, years, stage).subquery(f"facts_{indicator.id}")
    key = {"school": facts.c.unit_id, "county": facts.c.county_adcode, "city": facts.c.city_adcode,
           "province": facts.c.province_adcode}[level]
    return (
        sa.select(
            sa.literal(indicator.id).label("indicator"),
            key.label("unit_id"),
            facts.c.year,
            sa.cast(sa.func.sum(facts.c.expected), sa.Integer).label("expected"),
            sa.cast(sa.func.sum(facts.c.reported), sa.Integer).label("reported"),
            sa.cast(sa.func.sum(facts.c.numerator), sa.Double).label("numerator"),
            sa.cast(sa.func.sum(facts.c.denominator), sa.Double).label("denominator"),
        )
        .where(scope_clause(facts.c, region), scope_clause(facts.c, allowed_region), key.isnot(None))
        .group_by(key, facts.c.year)
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


def evaluate(engine: sa.Engine, region: str, level: str, years: Sequence[int], *,
             allowed_region: str = ALL_REGIONS, indicator_ids: Sequence[str] | None = None,
             stage: str | None = None, lang: str = "zh") -> pd.DataFrame:
    """Values, targets and statuses of every unit of `level` inside `region`, per indicator and year.

    Only indicators with a target in the unit's plan are evaluated (and, at school level, only those
    reported by schools). `stage` narrows school-reported indicators to one school stage (others, such
    as hospitals, are then left out). Columns: see HEADER (plus school details at school level).
    """
    years = sorted({int(y) for y in years})
    if not years:
        raise RegionError("未指定年份")
    units = units_at(engine, region, level, allowed_region)
    chosen = _indicators_for_level(level, set(units["jurisdiction"].dropna()), indicator_ids)
    if stage:
        if stage not in vocab.STAGES:
            raise RegionError(f"未知的学段 {stage}")
        chosen = [ind for ind in chosen if ind.unit_kind in ("school", "survey")]
    if level == "school" and stage:
        units = units[units["stage"] == stage]
    if units.empty or not chosen:
        return pd.DataFrame(columns=list(HEADER))
    statements = [_rollup(ind, years, level, region, allowed_region, stage) for ind in chosen]
    query = statements[0] if len(statements) == 1 else sa.union_all(*statements)
    with engine.connect() as conn:
        sums = pd.read_sql(query, conn)
    sums["year"] = sums["year"].astype(int)

    grid = units.merge(pd.DataFrame({"indicator": [ind.id for ind in chosen]}), how="cross")
    grid = grid.merge(pd.DataFrame({"year": years}), how="cross")
    merged = grid.merge(sums, on=["indicator", "unit_id", "year"], how="left")
    for column in ("expected", "reported"):
        merged[column] = merged[column].fillna(0).astype(int)
    rows = [_judge(row, lang) for row in merged.to_dict("records")]
    result = pd.DataFrame(rows)
    # Drop indicators that have no target in this unit's plan (units of both plans can share a frame).
    result = result[result["target_id"].notna()]
    if level == "school":
        # A school outside an indicator's population (a primary school for the university rule) is not
        # "no data": the indicator does not apply to it.
        result = result[result["expected"] > 0]
    result = result.reset_index(drop=True)
    result["deadline_year"] = result["deadline_year"].astype("Int64")
    if level == "school":
        result = result.merge(_enrollments(engine, result["unit_id"].unique().tolist(), years),
                              on=["unit_id", "year"], how="left")
    extra = [c for c in ("longitude", "latitude", "stage", "stage_name", "county_adcode", "county_name",
                         "boarding", "urban_rural", "enrollment") if c in result.columns]
    return result[list(HEADER) + extra]


def _enrollments(engine: sa.Engine, school_ids: list[str], years: Sequence[int]) -> pd.DataFrame:
    """Reported enrollment per school and year (for sizing school points); absent when not reported."""
    query = (sa.select(school_year.c.school_id.label("unit_id"), school_year.c.year, school_year.c.enrollment)
             .where(school_year.c.school_id.in_(school_ids), school_year.c.year.in_(list(years))))
    with engine.connect() as conn:
        found = pd.read_sql(query, conn)
    found["year"] = found["year"].astype(int)
    return found


def _judge(row: dict, lang: str) -> dict:
    indicator = catalog.indicators()[row["indicator"]]
    target = catalog.applicable_target(row["jurisdiction"], indicator.id, row["year"]) \
        if row["jurisdiction"] else None
    numerator, denominator = row.get("numerator"), row.get("denominator")
    value = math.nan
    if row["reported"] > 0 and denominator is not None and not pd.isna(denominator) and denominator > 0:
        numerator = 0.0 if numerator is None or pd.isna(numerator) else numerator
        scale = 100.0 if indicator.rollup == "share" else indicator.scale
        value = scale * numerator / denominator
    row.update(indicator_name=indicator.name(lang), value_unit=indicator.value_unit, value=value,
               numerator=numerator, denominator=denominator)
    if target is None:
        row.update(target_id=None, threshold=math.nan, comparison=None, target_label=None, deadline=None,
                   deadline_year=None, clause=None, clause_ref=None, plan=None, gap=math.nan,
                   status=status_for(None, None, None).value, years_left=math.nan, needed_per_year=math.nan)
        return row
    gap = math.nan
    if not math.isnan(value):
        gap = target.threshold - value if target.comparison == ">=" else value - target.threshold
    years_left = math.nan if target.deadline_year is None else target.deadline_year - row["year"]
    needed = math.nan
    if not math.isnan(gap) and gap > 0 and not math.isnan(years_left) and years_left >= 1:
        needed = gap / years_left
    row.update(
        target_id=target.id, threshold=target.threshold, comparison=target.comparison,
        target_label=target.threshold_label(), deadline=target.deadline_label(lang),
        deadline_year=target.deadline_year, clause=target.clause, clause_ref=target.clause_ref,
        plan=target.plan, gap=gap,
        status=status_for(None if math.isnan(value) else value, target.threshold, target.comparison).value,
        years_left=years_left, needed_per_year=needed,
    )
    return row
