"""The plans, their targets and the indicators they constrain, loaded from the declarative TOML files.

targets.toml and indicators.toml are the single source; this module turns them into frozen objects,
checks them with small named rules (each returns problems instead of raising at the first), and answers
"which target applies to this unit, indicator and year".
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from data_access import vocab

HERE = Path(__file__).resolve().parent
TARGETS_FILE = HERE / "targets.toml"
INDICATORS_FILE = HERE / "indicators.toml"

EVERY_YEAR = "every_year"
UNIT_KINDS = ("school", "survey", "hospital", "community", "region")
ROLLUPS = ("share", "pooled")
SHORTFALL_KINDS = ("failing_units", "teachers_to_ratio", "pooled")
SCHOOL_GROUPS = ("all_schools", "enrollment_1000_plus", "boarding_200_plus")
POPULATION_CODES = frozenset(
    (*vocab.STAGES, *SCHOOL_GROUPS, *vocab.HOSPITAL_TYPES, *vocab.URBAN_RURAL, "guidance_station", "population")
)


@dataclass(frozen=True)
class Plan:
    adcode: str
    key: str
    name_zh: str
    short_zh: str
    short_en: str
    issued: str
    seed_file: str


PLANS: dict[str, Plan] = {
    "610000": Plan("610000", "shaanxi_2024", "全面加强和改进新时代陕西省学生心理健康工作专项行动计划",
                   "陕西省", "Shaanxi", "2024-05-06", "003_4ed7793cc4e5da90.txt"),
    "620800": Plan("620800", "pingliang_2023",
                   "平凉市全面加强和改进新时代学生心理健康工作专项行动方案(2023—2025年)",
                   "平凉市", "Pingliang", "2023-06-22", "000_91d18b83a8f51708.txt"),
}


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    unit_kind: str
    population: tuple[str, ...]
    rollup: str
    value_unit: str
    description_zh: str
    rule: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 100.0
    condition: str | None = None
    headline: int | None = None
    shortfall: str | None = None  # how the shortfall is counted (see indicators.toml); None = not countable
    shortfall_unit: str | None = None
    student_sample: bool = False

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Target:
    id: str
    jurisdiction_adcode: str
    plan: str
    indicator: str
    threshold: float
    comparison: str
    unit: str
    deadline: str  # "2023" / "2024" / "2025" / "every_year"
    applies_to: tuple[str, ...]
    clause_ref: str
    clause: str

    @property
    def deadline_year(self) -> int | None:
        return None if self.deadline == EVERY_YEAR else int(self.deadline)

    def deadline_label(self, lang: str = "zh") -> str:
        if self.deadline == EVERY_YEAR:
            return "每学年" if lang == "zh" else "every school year"
        return f"{self.deadline}年底" if lang == "zh" else f"end of {self.deadline}"

    def threshold_label(self) -> str:
        number = f"{self.threshold:g}"
        return f"{self.comparison.replace('>=', '≥').replace('<=', '≤')}{number}{self.unit}"


def _load_toml(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


@cache
def indicators() -> dict[str, Indicator]:
    """Every declared indicator by id, in file order."""
    declared = _load_toml(INDICATORS_FILE)["indicator"]
    return {
        entry["id"]: Indicator(**{**entry, "population": tuple(entry["population"])})
        for entry in declared
    }


@cache
def targets() -> tuple[Target, ...]:
    """Every target of both plans, in file order."""
    declared = _load_toml(TARGETS_FILE)["target"]
    return tuple(
        Target(**{**entry, "threshold": float(entry["threshold"]), "applies_to": tuple(entry["applies_to"])})
        for entry in declared
    )


# --- catalog rules: each returns a list of problems (empty = fine) ---

def _unique_ids(found: Iterable[Target], known: dict[str, Indicator]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for target in found:
        if target.id in seen:
            problems.append(f"目标编号重复: {target.id}")
        seen.add(target.id)
    return problems


def _known_indicator(found: Iterable[Target], known: dict[str, Indicator]) -> list[str]:
    return [f"{t.id}: 未声明的指标 {t.indicator}" for t in found if t.indicator not in known]


def _known_jurisdiction(found: Iterable[Target], known: dict[str, Indicator]) -> list[str]:
    return [f"{t.id}: 未知的规划辖区 {t.jurisdiction_adcode}" for t in found if t.jurisdiction_adcode not in PLANS]


def _deadline_form(found: Iterable[Target], known: dict[str, Indicator]) -> list[str]:
    return [f"{t.id}: 期限应为 2023/2024/2025 或 every_year, 而不是 {t.deadline}"
            for t in found if t.deadline not in (EVERY_YEAR, "2023", "2024", "2025")]


def _comparison_form(found: Iterable[Target], known: dict[str, Indicator]) -> list[str]:
    return [f"{t.id}: 比较方式 {t.comparison} 不受支持" for t in found if t.comparison not in (">=", "<=")]


def _applies_to_population(found: Iterable[Target], known: dict[str, Indicator]) -> list[str]:
    return [
        f"{t.id}: 适用范围 {list(t.applies_to)} 与指标 {t.indicator} 的统计范围 "
        f"{list(known[t.indicator].population)} 不一致"
        for t in found
        if t.indicator in known and set(t.applies_to) != set(known[t.indicator].population)
    ]


def _unit_matches(found: Iterable[Target], known: dict[str, Indicator]) -> list[str]:
    return [f"{t.id}: 单位 {t.unit} 与指标单位 {known[t.indicator].value_unit} 不一致"
            for t in found if t.indicator in known and t.unit != known[t.indicator].value_unit]


def _one_target_per_deadline(found: Iterable[Target], known: dict[str, Indicator]) -> list[str]:
    seen: set[tuple[str, str, str]] = set()
    problems = []
    for t in found:
        key = (t.jurisdiction_adcode, t.indicator, t.deadline)
        if key in seen:
            problems.append(f"{t.id}: 同一辖区、指标、期限出现两个目标")
        seen.add(key)
    return problems


def _indicator_declaration(found: Iterable[Target], known: dict[str, Indicator]) -> list[str]:
    problems = []
    for ind in known.values():
        if ind.unit_kind not in UNIT_KINDS:
            problems.append(f"指标 {ind.id}: 未知单位类型 {ind.unit_kind}")
        if ind.rollup not in ROLLUPS:
            problems.append(f"指标 {ind.id}: 未知汇总方式 {ind.rollup}")
        if ind.rollup == "share" and not ind.rule:
            problems.append(f"指标 {ind.id}: 比例型指标需要 rule")
        if ind.rollup == "pooled" and not (ind.numerator and ind.denominator):
            problems.append(f"指标 {ind.id}: 合并比值型指标需要 numerator 和 denominator")
        if ind.shortfall is not None and (ind.shortfall not in SHORTFALL_KINDS or not ind.shortfall_unit
                                          or (ind.shortfall == "pooled") != (ind.rollup == "pooled")):
            problems.append(f"指标 {ind.id}: 缺口计算方式 {ind.shortfall} 与汇总方式 {ind.rollup} 不符或缺少单位")
        unknown = set(ind.population) - POPULATION_CODES
        if unknown:
            problems.append(f"指标 {ind.id}: 未知统计范围 {sorted(unknown)}")
    return problems


CATALOG_RULES: tuple[Callable[[Iterable[Target], dict[str, Indicator]], list[str]], ...] = (
    _unique_ids, _known_indicator, _known_jurisdiction, _deadline_form, _comparison_form,
    _applies_to_population, _unit_matches, _one_target_per_deadline, _indicator_declaration,
)


def catalog_problems(found: tuple[Target, ...] | None = None,
                     known: dict[str, Indicator] | None = None) -> list[str]:
    """Every problem of the catalog at once (empty list = consistent)."""
    found = targets() if found is None else found
    known = indicators() if known is None else known
    return [problem for rule in CATALOG_RULES for problem in rule(found, known)]


# --- lookups ---

def plan_for(unit_path: Iterable[str | None]) -> Plan | None:
    """The plan whose jurisdiction contains a unit, given the unit's adcode path (self, city, province)."""
    for adcode in unit_path:
        if adcode in PLANS:
            return PLANS[adcode]
    return None


def targets_for(jurisdiction_adcode: str) -> tuple[Target, ...]:
    return tuple(t for t in targets() if t.jurisdiction_adcode == jurisdiction_adcode)


def indicators_for(jurisdiction_adcode: str) -> list[Indicator]:
    """Indicators that carry at least one target of the jurisdiction, in declaration order."""
    wanted = {t.indicator for t in targets_for(jurisdiction_adcode)}
    return [ind for ind in indicators().values() if ind.id in wanted]


def applicable_target(jurisdiction_adcode: str, indicator_id: str, year: int) -> Target | None:
    """The target a year is judged against: the nearest deadline not yet passed, else the latest one.

    Targets stay in force after their deadline, so 2025 data in Pingliang is judged against the 2024
    staffing target when no later one exists. Recurring (every_year) targets apply every year.
    """
    candidates = [t for t in targets_for(jurisdiction_adcode) if t.indicator == indicator_id]
    if not candidates:
        return None
    recurring = [t for t in candidates if t.deadline_year is None]
    if recurring:
        return recurring[0]
    upcoming = sorted((t for t in candidates if t.deadline_year >= year), key=lambda t: t.deadline_year)
    if upcoming:
        return upcoming[0]
    return max(candidates, key=lambda t: t.deadline_year)
