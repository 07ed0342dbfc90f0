"""The read model: a validated scope and, per indicator, the evaluated units plus everything printed beside them.

Pages, PNG export, meeting pack and CLI render from an `IndicatorView`; exports take the view the page already
holds instead of querying again. Texts are built here once (Chinese, or English through `lang`) so that a title,
a target or "n/N reported" reads the same on the page, in the PNG and in the pack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from data_access import catalog, vocab
from data_access.access import AccessDenied
from data_access.evaluation import evaluate
from data_access.formatting import deadline_label, format_shortfall, reported_text, shortfall_count, threshold_label
from data_access.meta import WarehouseInfo, warehouse_info
from data_access.regions import ALL_REGIONS, LEVEL_ORDER, RegionError, path_of, region_frame, within
from data_access.review_basis import ALL_DATA, Basis, basis_text
from data_access.status import BANDS, UNJUDGED_STATUSES, UNMET_STATUSES

# What a region's map shows: province -> its cities, city -> its counties, county -> its schools.
CHILD_LEVEL = {"province": "city", "city": "county", "county": "school"}


class UnknownRegion(RegionError):
    """The adcode is not in the warehouse."""


class UnknownLevel(RegionError):
    """A level that is not province/city/county/school, or not below the region."""


class NoDataForYear(RegionError):
    """The warehouse holds no report for the year."""


class UnknownIndicator(LookupError):
    """The indicator id is not declared in indicators.toml."""


class NoUnitsForIndicator(RegionError):
    """The scope holds no unit or no target of the indicator."""


@dataclass(frozen=True)
class Scope:
    """Where and when: a region inside the caller's allowed region, the level shown inside it, its plan, a year."""

    region: str
    region_name: str
    level: str
    child_level: str  # the units shown: a level below `level`, or `level` itself (the region's own row)
    jurisdiction: str | None
    plan_name: str | None
    year: int
    allowed: str = ALL_REGIONS
    stage: str = ""


def scope_for(regions: pd.DataFrame, region: str, year: int, *, allowed: str = ALL_REGIONS,
              years: Sequence[int] | None = None, child_level: str | None = None, stage: str = "") -> Scope:
    """Check a scope once against the region table (and the years with data, when given).

    Raises UnknownRegion, AccessDenied (the access rule's refusal), UnknownLevel or NoDataForYear, each a RegionError
    with a Chinese message.
    """
    match = regions[regions["adcode"] == region]
    if match.empty:
        raise UnknownRegion(f"行政区划代码 {region} 不在数据仓库中")
    row = match.iloc[0].to_dict()
    if not within(row, allowed):
        raise AccessDenied(f"无权查看 {row['name']}({region}): 超出允许范围 {allowed}")
    level = row["level"]
    child = child_level or CHILD_LEVEL.get(level)
    # A level below the region shows its units; the region's own level shows the region itself (the CLI's
    # `--level`, the final evaluation's own row).
    if child not in LEVEL_ORDER or LEVEL_ORDER.index(child) < LEVEL_ORDER.index(level):
        raise UnknownLevel(f"{row['name']}是{vocab.LEVELS.get(level, level)}级, 只能显示其本身或下级单位, "
                           f"不能是 {child}")
    if years is not None and int(year) not in set(years):
        available = "、".join(map(str, years)) or "无"
        raise NoDataForYear(f"{year} 年没有上报数据 (有数据的年份: {available})")
    if stage and stage not in vocab.STAGES:
        raise UnknownLevel(f"未知的学段 {stage}")
    plan = catalog.plan_for(path_of(row), int(year))
    return Scope(region=region, region_name=row["name"], level=level, child_level=child,
                 jurisdiction=getattr(plan, "adcode", None), plan_name=getattr(plan, "name_zh", None),
                 year=int(year), allowed=allowed, stage=stage)


def resolve_scope(engine: sa.Engine, region: str, year: int, *, allowed: str = ALL_REGIONS,
                  child_level: str | None = None, stage: str = "") -> Scope:
    """scope_for with the region table and years read from the warehouse (CLI and exports)."""
    return scope_for(region_frame(engine), region, year, allowed=allowed, years=warehouse_info(engine).years,
                     child_level=child_level, stage=stage)


def plan_name(plan_key: str | None) -> str:
    """Full Chinese title of a plan from its key (the `plan` column of an evaluation frame)."""
    plan = catalog.plan_by_key(plan_key) if plan_key else None
    return plan.name_zh if plan else (plan_key or "")


def _number_or_nan(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def shortfall_total(frame: pd.DataFrame) -> tuple[float, str | None]:
    """Whole units still missing, summed over units (each unit's fraction rounded up first), and their noun."""
    if "shortfall" not in frame or "shortfall_unit" not in frame or frame.empty:
        return math.nan, None
    # Only the rows with a shortfall and its noun are counted (filtered first: a province's schools are thousands).
    shortfall = pd.to_numeric(frame["shortfall"], errors="coerce")
    nouns = frame["shortfall_unit"].fillna("").astype(str)
    countable = shortfall.notna() & (nouns != "")
    if not countable.any():
        return math.nan, None
    counted = [shortfall_count(value) for value in shortfall[countable].tolist()]
    return float(sum(counted)), nouns[countable].iloc[0]


def ranking(frame: pd.DataFrame, *, slipped_first: bool = False) -> pd.DataFrame:
    """Units furthest behind first (by shortfall, then gap), then met, then neutral statuses (not ranked).

    Adds `rank` (1..n over judged units, NA for neutral ones). With slipped_first, units marked 达标后回落
    come before every other unit.
    """
    ordered = frame.assign(
        _group=[(0 if slipped_first and s == "slipped" else 1) if s in UNMET_STATUSES
                else (2 if s not in UNJUDGED_STATUSES else 3) for s in frame["status"]],
        _shortfall=pd.to_numeric(frame["shortfall"], errors="coerce") if "shortfall" in frame else math.nan,
    ).sort_values(["_group", "_shortfall", "gap", "name"], ascending=[True, False, False, True],
                  na_position="last")
    judged = ~ordered["status"].isin(UNJUDGED_STATUSES)
    ordered["rank"] = pd.Series(pd.NA, index=ordered.index, dtype="Int64")
    ordered.loc[judged, "rank"] = range(1, int(judged.sum()) + 1)
    return ordered.drop(columns=["_group", "_shortfall"]).reset_index(drop=True)


@dataclass(frozen=True)
class IndicatorView:
    """One indicator in one scope: the evaluated units and everything printed beside them."""

    scope: Scope
    indicator_id: str
    indicator_name_zh: str
    indicator_name_en: str
    value_unit: str
    units: pd.DataFrame = field(repr=False)  # evaluate() rows of scope.child_level for scope.year
    overall: dict | None  # the region's own row, when evaluated
    target_label: str | None
    threshold: float
    comparison: str | None
    deadline_year: int | None
    clause: str | None
    clause_ref: str | None
    plan_name: str | None
    reported: int
    expected: int
    data_as_of: str | None
    is_demo: bool
    shortfall_total: float
    shortfall_unit: str | None
    # What the figures stand on (review_basis): the switch, and the counties approved of those expected.
    basis: Basis = ALL_DATA
    counties_approved: int | None = None  # None: evaluated without review information
    counties_total: int | None = None
    unapproved_shown: bool = False

    def basis_text(self, lang: str = "zh") -> str:
        """'已审核 8/10 县' or '含未审核数据'; empty when the frame carries no review information."""
        if self.counties_total is None or self.counties_approved is None:
            return ""
        return basis_text(self.counties_approved, self.counties_total, approved_only=self.basis.approved_only,
                          unapproved_shown=self.unapproved_shown, lang=lang)

    def indicator_name(self, lang: str = "zh") -> str:
        return self.indicator_name_en if lang == "en" else self.indicator_name_zh

    def title(self, lang: str = "zh") -> str:
        return f"{self.scope.region_name} {self.indicator_name(lang)}"

    def year_label(self, lang: str = "zh") -> str:
        return str(self.scope.year) if lang == "en" else f"{self.scope.year}年"

    def deadline(self, lang: str = "zh") -> str:
        return deadline_label(self.deadline_year, lang)

    def target_text(self, lang: str = "zh") -> str:
        if not self.target_label:
            return ""
        label = threshold_label(self.threshold, self.comparison, self.value_unit, lang)
        return f"Target {label} ({self.deadline(lang)})" if lang == "en" else f"目标 {label} ({self.deadline(lang)})"

    def completeness(self, lang: str = "zh") -> str:
        return reported_text(self.reported, self.expected, lang)

    def shortfall_text(self, lang: str = "zh") -> str:
        """'还需 12 名专职教师' summed over the units; empty when the indicator has no countable shortfall."""
        if self.shortfall_unit is None or math.isnan(self.shortfall_total):
            return ""
        return format_shortfall(self.shortfall_total, self.shortfall_unit, lang=lang)

    def subtitle(self, lang: str = "zh") -> str:
        """Target, reporting completeness, shortfall and the demo mark: one line under every map title."""
        demo = ("demo data" if lang == "en" else "演示数据") if self.is_demo else ""
        parts = (self.target_text(lang), self.completeness(lang), self.basis_text(lang), self.shortfall_text(lang),
                 demo)
        return " · ".join(part for part in parts if part)

    def source(self) -> str:
        """《plan》clause ref: where the target is written."""
        if not self.plan_name:
            return ""
        return f"《{self.plan_name}》{self.clause_ref or ''}"

    def quoted_clause(self) -> str:
        return f"「{self.clause}」 — {self.source()}" if self.clause else ""

    def counts(self) -> dict[str, int]:
        """Units per status, for every declared band (zero when none)."""
        found = self.units["status"].value_counts().to_dict() if not self.units.empty else {}
        return {band.status.value: int(found.get(band.status.value, 0)) for band in BANDS}

    def behind(self) -> int:
        """Units judged and short of the target (neutral statuses excluded)."""
        return int(self.units["status"].isin(UNMET_STATUSES).sum()) if not self.units.empty else 0

    def ranking(self, *, slipped_first: bool = False) -> pd.DataFrame:
        return ranking(self.units, slipped_first=slipped_first)


def _review_counts(mine: pd.DataFrame) -> tuple[int | None, int | None, bool]:
    """Approved and expected counties behind the units shown (a county's schools share their county's)."""
    if "counties_total" not in mine or mine.empty:
        return None, None, False
    if (mine["level"] == "school").all() and "county_adcode" in mine:
        per_county = mine.groupby("county_adcode")[["counties_approved", "counties_total", "unapproved_shown"]].max()
    else:
        per_county = mine[["counties_approved", "counties_total", "unapproved_shown"]]
    return (int(per_county["counties_approved"].sum()), int(per_county["counties_total"].sum()),
            bool(per_county["unapproved_shown"].sum()))


def indicator_view(scope: Scope, indicator_id: str, units: pd.DataFrame, info: WarehouseInfo,
                   overall: pd.DataFrame | None = None, basis: Basis | None = None) -> IndicatorView:
    """Build the view from frames already evaluated (the page's cached ones, or evaluate_views' own).

    `units` may hold other indicators and years: only this indicator in scope.year is kept. `basis` is the
    one the frames were evaluated on (their review columns give the approved counties).
    """
    indicators = catalog.indicators()
    if indicator_id not in indicators:
        raise UnknownIndicator(f"未知的指标 {indicator_id}: 可选 {', '.join(indicators)}")
    indicator = indicators[indicator_id]
    mine = units[(units["indicator"] == indicator_id) & (units["year"] == scope.year)].reset_index(drop=True) \
        if not units.empty else units
    own = None
    if overall is not None and not overall.empty:
        row = overall[(overall["indicator"] == indicator_id) & (overall["year"] == scope.year)]
        own = row.iloc[0].to_dict() if not row.empty else None
    judged = mine.dropna(subset=["target_id"]) if "target_id" in mine else mine.iloc[0:0]
    first = judged.iloc[0].to_dict() if not judged.empty else (own or {})
    total, noun = shortfall_total(pd.DataFrame([own]) if own is not None else mine)
    deadline_year = first.get("deadline_year")
    counties_approved, counties_total, unapproved_shown = _review_counts(mine)
    return IndicatorView(
        scope=scope, indicator_id=indicator_id, indicator_name_zh=indicator.name_zh,
        indicator_name_en=indicator.name_en, value_unit=indicator.value_unit, units=mine, overall=own,
        target_label=first.get("target_label"), threshold=_number_or_nan(first.get("threshold")),
        comparison=first.get("comparison"),
        deadline_year=None if deadline_year is None or pd.isna(deadline_year) else int(deadline_year),
        clause=first.get("clause"), clause_ref=first.get("clause_ref"),
        plan_name=plan_name(first.get("plan")) if first.get("plan") else scope.plan_name,
        reported=int(mine["reported"].sum()) if not mine.empty else 0,
        expected=int(mine["expected"].sum()) if not mine.empty else 0,
        data_as_of=info.data_as_of, is_demo=info.is_demo, shortfall_total=total, shortfall_unit=noun,
        basis=basis or ALL_DATA, counties_approved=counties_approved, counties_total=counties_total,
        unapproved_shown=unapproved_shown,
    )


def evaluate_views(engine: sa.Engine, scope: Scope, indicator_ids: Sequence[str], *,
                   with_overall: bool = True, basis: Basis | None = None) -> dict[str, IndicatorView]:
    """Every indicator's view, from one evaluation of the children (and one of the region itself)."""
    unknown = set(indicator_ids) - set(catalog.indicators())
    if unknown:
        raise UnknownIndicator(f"未知的指标: {', '.join(sorted(unknown))}")
    info = warehouse_info(engine)
    stage = scope.stage or None
    units = evaluate(engine, scope.region, scope.child_level, [scope.year], allowed_region=scope.allowed,
                     indicator_ids=list(indicator_ids), stage=stage, basis=basis)
    overall = evaluate(engine, scope.region, scope.level, [scope.year], allowed_region=scope.allowed,
                       indicator_ids=list(indicator_ids), stage=stage, basis=basis) if with_overall else None
    present = set(units["indicator"]) | (set(overall["indicator"]) if overall is not None else set())
    return {i: indicator_view(scope, i, units, info, overall, basis) for i in indicator_ids if i in present}
