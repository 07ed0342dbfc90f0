"""The plan-period final evaluation (终期评估): every target of a plan judged at its deadline, area by area.

For one plan and one area inside its jurisdiction: each target's value in its deadline year (recurring
"every_year" targets: the plan's last year) for the area and for every city/county below it, met or missed
and by how much, the shortfall (teachers, rooms, clinics) wherever `evaluate` counts one, completeness at
the deadline, and what happened since (the latest year with data after it). Every value comes from
the read model (`evaluate_views`, the same rows the pages and `mhmonitor indicators --year <deadline>
--level <level>` print), and the headline maps are drawn from the rows held here. The summary paragraphs are
built from these numbers only.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_access import catalog
from data_access.catalog import Plan, Target
from data_access.formatting import deadline_label, prints_no_rate, threshold_label
from data_access.meta import warehouse_info
from data_access.read_model import CHILD_LEVEL, IndicatorView, evaluate_views, scope_for
from data_access.regions import ALL_REGIONS, LEVEL_ORDER, RegionError, path_of, region_frame, require_region
from data_access.review_basis import ALL_DATA, Basis, row_basis_text
from data_access.status import UNJUDGED_STATUSES, Status, status_for

GROUPS_FILE = Path(__file__).resolve().parent / "evaluation_groups.toml"
# Lowest level the report breaks an area down to (schools belong in the school pages, not a plan review).
DETAIL_FLOOR = "county"
LEVEL_LABELS = {"province": "省", "city": "市", "county": "县区"}

# Outcome at the deadline, and what happened after it (words of the report, keyed for tests and tables).
MET, MISSED, NO_VALUE, NOT_APPLICABLE, SMALL_SAMPLE = "达标", "未达标", "无数据", "不适用", "样本不足"
SUSTAINED, SLIPPED, LATE_MET, STILL_MISSED = "保持达标", "达标后回落", "期后达标", "仍未达标"
NO_LATER_YEAR = "无后续年度数据"


@dataclass(frozen=True)
class TargetGroup:
    key: str
    name_zh: str
    indicators: tuple[str, ...]


@cache
def target_groups() -> tuple[TargetGroup, ...]:
    """The report's target groups (staffing, rooms, ...), in report order, from evaluation_groups.toml."""
    with GROUPS_FILE.open("rb") as handle:
        declared = tomllib.load(handle)["group"]
    return tuple(TargetGroup(entry["key"], entry["name_zh"], tuple(entry["indicators"])) for entry in declared)


def group_of(indicator_id: str) -> TargetGroup:
    """The group an indicator is reported under; KeyError names an indicator missing from the groups file."""
    for group in target_groups():
        if indicator_id in group.indicators:
            return group
    raise KeyError(f"指标 {indicator_id} 未归入终期评估的任何分组 ({GROUPS_FILE.name})")


def require_plan(key: str) -> Plan:
    """The plan with this key (e.g. pingliang_2023); RegionError listing the known keys otherwise."""
    plan = catalog.plan_by_key(key)
    if plan is None:
        raise RegionError(f"未知的规划 {key}: 可选 {', '.join(p.key for p in catalog.plans())}")
    return plan


def evaluation_year(target: Target, plan: Plan) -> int:
    """The year a target is judged in: its deadline, or the plan's last year for a recurring duty."""
    return target.deadline_year if target.deadline_year is not None else plan.period_end


@dataclass(frozen=True)
class FinalEvaluation:
    """The evaluation of one plan over one area. `units` has one row per target and unit (see UNIT_COLUMNS)."""

    plan: Plan
    area: dict
    period: tuple[int, int]
    levels: tuple[str, ...]  # the area's own level first, then the levels it is broken down into
    latest_year: int | None  # the latest year with reports (what "since" is measured at)
    data_as_of: str | None
    is_demo: bool
    targets: tuple[Target, ...]
    units: pd.DataFrame
    basis: Basis = ALL_DATA  # every report, or only approved ones (仅显示已审核数据)
    # target id -> the view its map draws (the area's children at the evaluation year; a county's schools),
    # or why there is none, for the headline indicators: the report's maps are drawn from these rows.
    map_views: dict[str, IndicatorView | str] = field(default_factory=dict, repr=False)

    def basis_summary(self) -> str:
        """The report's basis for its cover: 仅计已审核数据 / 数据均已审核 / 含未审核数据."""
        texts = set(self.units["basis"].dropna()) if "basis" in self.units else set()
        if self.basis.approved_only:
            return "仅计已审核数据 (未经上级审核的县区按未上报计, 记为待审核)"
        return "含未审核数据" if not texts or "含未审核数据" in texts or "未审核" in texts else "数据均已审核"

    def rows_for(self, target_id: str, level: str) -> pd.DataFrame:
        found = self.units[(self.units["target_id"] == target_id) & (self.units["level"] == level)]
        return found.reset_index(drop=True)


UNIT_COLUMNS = ("target_id", "group", "indicator", "indicator_name", "clause_ref", "clause", "deadline",
                "evaluation_year", "target_label", "threshold", "comparison", "value_unit", "level", "unit_id",
                "name", "numerator", "denominator", "value", "status", "outcome", "gap", "shortfall",
                "shortfall_unit", "reported", "expected", "later_year", "later_value", "since", "basis")


def _detail_levels(area_level: str) -> tuple[str, ...]:
    first = LEVEL_ORDER.index(area_level) + 1
    return LEVEL_ORDER[first:LEVEL_ORDER.index(DETAIL_FLOOR) + 1]


def _outcome(status: str, value: float, expected: int, target: Target) -> str:
    """达标 / 未达标 against this target; 不适用 where no unit falls under it (a county without a university);
    样本不足 with too few students surveyed to judge; 无数据 without a value (the statuses that judge nothing)."""
    if expected == 0 or status == Status.NOT_APPLICABLE:
        return NOT_APPLICABLE
    if status == Status.SMALL_SAMPLE:
        return SMALL_SAMPLE
    if math.isnan(value) or status in UNJUDGED_STATUSES:
        return NO_VALUE
    # Judged against this target itself: a later status of evaluate (回落 after an earlier deadline of the
    # same indicator) must not decide whether this deadline was met.
    return MET if status_for(value, target.threshold, target.comparison) == Status.MET else MISSED


def _since(outcome: str, later_value: float, target: Target, later_year: int | None) -> str:
    """What happened between the deadline and the latest year, judged against this same target."""
    if later_year is None:
        return NO_LATER_YEAR
    if outcome == NOT_APPLICABLE:
        return NOT_APPLICABLE
    if later_value is None or math.isnan(later_value):
        return NO_VALUE
    met_now = status_for(later_value, target.threshold, target.comparison) == Status.MET
    if outcome == MET:
        return SUSTAINED if met_now else SLIPPED
    return LATE_MET if met_now else STILL_MISSED


def _views_at(engine: sa.Engine, regions: pd.DataFrame, region: str, levels: Iterable[str], year: int,
              indicator_ids: list[str], allowed_region: str, basis: Basis) -> dict[tuple[str, str], IndicatorView]:
    """(indicator, level) -> the read model's view of the units of `level` inside `region` in `year`."""
    views = {}
    for level in levels:
        scope = scope_for(regions, region, year, allowed=allowed_region, child_level=level)
        for indicator_id, view in evaluate_views(engine, scope, indicator_ids, with_overall=False,
                                                 basis=basis).items():
            views[(indicator_id, level)] = view
    return views


def _number(row: Mapping, column: str) -> float:
    value = row.get(column)
    return math.nan if value is None or pd.isna(value) else float(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def final_evaluation(engine: sa.Engine, region: str, plan_key: str, *,
                     allowed_region: str = ALL_REGIONS, basis: Basis = ALL_DATA) -> FinalEvaluation:
    """Every target of the plan at its deadline, for `region` and its cities/counties, from the read model.

    `basis`: every report, or only approved ones; each row's `basis` says 已审核 n/N 县 or 含未审核数据.

    `region` must lie inside the plan's jurisdiction and inside `allowed_region` (RegionError otherwise).
    """
    plan = require_plan(plan_key)
    area = require_region(engine, region, allowed_region)
    if plan.adcode not in path_of(area):
        raise RegionError(f"{area['name']}({region}) 不在《{plan.name_zh}》的辖区内")
    info = warehouse_info(engine)
    regions = region_frame(engine)
    targets = catalog.targets_of(plan)
    levels = (area["level"], *_detail_levels(area["level"]))
    latest_year = max(info.years) if info.years else None

    by_year: dict[int, list[Target]] = {}
    for target in targets:
        by_year.setdefault(evaluation_year(target, plan), []).append(target)
    evaluated = {year: _views_at(engine, regions, region, levels, year, sorted({t.indicator for t in chosen}),
                                 allowed_region, basis)
                 for year, chosen in by_year.items()}
    later: dict[tuple[str, str], IndicatorView] = {}
    if latest_year is not None and any(latest_year > year for year in by_year):
        later = _views_at(engine, regions, region, levels, latest_year, sorted({t.indicator for t in targets}),
                          allowed_region, basis)
    later_values = {(indicator_id, r["unit_id"]): math.nan if prints_no_rate(r["status"]) else _number(r, "value")
                    for (indicator_id, _), view in later.items() for r in view.units.to_dict("records")}

    rows = []
    for target in targets:
        year = evaluation_year(target, plan)
        since_year = latest_year if latest_year is not None and latest_year > year else None
        for level in levels:
            view = evaluated[year].get((target.indicator, level))
            for record in (view.units.to_dict("records") if view is not None else []):
                rows.append({**_unit_row(target, year, record, later_values, since_year),
                             "basis": row_basis_text(record, approved_only=basis.approved_only)})
    units = pd.DataFrame(rows, columns=list(UNIT_COLUMNS))
    return FinalEvaluation(plan=plan, area=area, period=(plan.period_start, plan.period_end), levels=levels,
                           latest_year=latest_year, data_as_of=info.data_as_of, is_demo=info.is_demo,
                           targets=targets, units=units, basis=basis,
                           map_views=_map_views(engine, regions, area, plan, targets, evaluated, info.years,
                                                allowed_region, basis))


def _unit_row(target: Target, year: int, record: dict, later_values: Mapping[tuple[str, str], float],
              since_year: int | None) -> dict:
    """One target and unit. A status that prints no rate (样本不足 ...) keeps no rate, pass count, gap or shortfall
    in the row, so no table or file made from it can print them."""
    withheld = prints_no_rate(record["status"])
    if withheld:
        record = {**record, "numerator": math.nan, "value": math.nan, "gap": math.nan, "shortfall": math.nan}
    value = _number(record, "value")
    outcome = _outcome(record["status"], value, int(record["expected"]), target)
    later_value = later_values.get((target.indicator, record["unit_id"]), math.nan)
    return {
        "target_id": target.id, "group": group_of(target.indicator).key, "indicator": target.indicator,
        "indicator_name": record["indicator_name"], "clause_ref": target.clause_ref, "clause": target.clause,
        "deadline": deadline_label(target.deadline_year), "evaluation_year": year,
        "target_label": threshold_label(target.threshold, target.comparison, target.unit),
        "threshold": target.threshold, "comparison": target.comparison, "value_unit": record["value_unit"],
        "level": record["level"], "unit_id": record["unit_id"], "name": record["name"],
        "numerator": _number(record, "numerator"), "denominator": _number(record, "denominator"), "value": value,
        "status": record["status"], "outcome": outcome, "gap": _number(record, "gap"),
        # shortfall/shortfall_unit: counted by evaluate where it can (teachers, rooms, clinics).
        "shortfall": _number(record, "shortfall"), "shortfall_unit": _text(record.get("shortfall_unit")),
        "reported": int(record["reported"]), "expected": int(record["expected"]),
        "later_year": since_year, "later_value": later_value if since_year else math.nan,
        "since": _since(outcome, later_value, target, since_year),
    }


def _map_views(engine: sa.Engine, regions: pd.DataFrame, area: dict, plan: Plan, targets: Sequence[Target],
               evaluated: dict[int, dict[tuple[str, str], IndicatorView]], years: Sequence[int],
               allowed_region: str, basis: Basis) -> dict[str, IndicatorView | str]:
    """The view each headline target's map draws (the area's children at its evaluation year, as already
    evaluated for the report; a county's schools, below the report's levels, evaluated once here), or why
    there is no map."""
    child = CHILD_LEVEL[area["level"]]
    headline = [t for t in targets if catalog.indicators()[t.indicator].headline]
    chosen: dict[str, IndicatorView | str] = {}
    for target in headline:
        year = evaluation_year(target, plan)
        if year not in years:
            chosen[target.id] = f"{year} 年没有上报数据"
            continue
        view = evaluated[year].get((target.indicator, child))
        if view is None and child == "school" and catalog.indicators()[target.indicator].unit_kind in ("school",
                                                                                                       "survey"):
            scope = scope_for(regions, area["adcode"], year, allowed=allowed_region, child_level=child)
            view = evaluate_views(engine, scope, [target.indicator], with_overall=False,
                                  basis=basis).get(target.indicator)
        name = catalog.indicators()[target.indicator].name_zh
        chosen[target.id] = view if view is not None and view.target_label is not None else \
            f"{area['name']} 没有适用指标「{name}」的单位或目标"
    return chosen


@dataclass(frozen=True)
class LevelTally:
    """One target at one level: how many units met it, missed it, had no value; their shortfall and reports."""

    units: int
    met: int
    missed: int
    no_value: int
    not_applicable: int
    small_sample: int
    shortfall: float  # sum over units that missed (NaN when evaluate counts no shortfall for the indicator)
    shortfall_unit: str | None
    reported: int
    expected: int
    slipped: int  # met at the deadline, below the target in the latest year
    sustained: int
    late_met: int


def tally(rows: pd.DataFrame) -> LevelTally:
    """Counts over the rows of one target and level (FinalEvaluation.rows_for)."""
    missed = rows[rows["outcome"] == MISSED]
    counted = missed["shortfall"].dropna()
    units = [u for u in rows["shortfall_unit"].dropna().unique() if u]
    return LevelTally(
        units=len(rows), met=int((rows["outcome"] == MET).sum()), missed=len(missed),
        no_value=int((rows["outcome"] == NO_VALUE).sum()),
        not_applicable=int((rows["outcome"] == NOT_APPLICABLE).sum()),
        small_sample=int((rows["outcome"] == SMALL_SAMPLE).sum()),
        shortfall=float(counted.sum()) if not counted.empty else math.nan,
        shortfall_unit=units[0] if units else None,
        reported=int(rows["reported"].sum()), expected=int(rows["expected"].sum()),
        slipped=int((rows["since"] == SLIPPED).sum()), sustained=int((rows["since"] == SUSTAINED).sum()),
        late_met=int((rows["since"] == LATE_MET).sum()),
    )
