"""The plans, their targets and the indicators they constrain, loaded from the declarative TOML files.

Each plan is one file in data_access/plans/ (a [plan] header, then its [[target]]s); indicators.toml declares
the indicators. This module turns them into frozen objects, checks them with small named rules (each returns
problems naming the file instead of raising at the first), and answers "which plan is in force for this
jurisdiction and year" and "which target applies to this unit, indicator and year".

Extra plan directories (test fixtures only) are read from MHMONITOR_EXTRA_PLANS (paths separated by
os.pathsep); the product never sets it.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from data_access import settings, vocab

HERE = Path(__file__).resolve().parent
PLANS_DIR = HERE / "plans"
INDICATORS_FILE = HERE / "indicators.toml"
EXTRA_PLANS_ENV = "MHMONITOR_EXTRA_PLANS"

EVERY_YEAR = "every_year"
# A plan may set a long-range goal beyond its own period ("到2035年"), but not further than this.
LONG_RANGE_YEARS = 10
UNIT_KINDS = ("school", "survey", "hospital", "community", "region")
ROLLUPS = ("share", "pooled")
SHORTFALL_KINDS = ("failing_units", "teachers_to_ratio", "pooled")
SCHOOL_GROUPS = ("all_schools", "enrollment_1000_plus", "boarding_200_plus")
POPULATION_CODES = frozenset(
    (*vocab.STAGES, *SCHOOL_GROUPS, *vocab.HOSPITAL_TYPES, *vocab.URBAN_RURAL, "guidance_station", "population")
)
# The level a jurisdiction's map first breaks into, when the plan wants another than the warehouse suggests.
DEFAULT_LEVELS = ("city", "county", "school")

# [plan] header fields and their TOML types; default_level is the one optional field.
HEADER_FIELDS: dict[str, type] = {
    "jurisdiction_adcode": str, "key": str, "name_zh": str, "short_zh": str, "short_en": str, "issued": str,
    "period_start": int, "period_end": int, "seed_file": str,
}
OPTIONAL_HEADER_FIELDS: dict[str, type] = {"default_level": str}
TARGET_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "indicator": str, "threshold": (int, float), "comparison": str, "unit": str,
    "deadline": (str, int), "applies_to": list, "clause_ref": str, "clause": str,
}
# Repeated from the header in each target so a target read alone says where it belongs; must match it.
OPTIONAL_TARGET_FIELDS: dict[str, type] = {"jurisdiction_adcode": str, "plan": str}


class CatalogError(Exception):
    """A plan file that cannot be read into plans and targets; the message names the file."""


@dataclass(frozen=True)
class Plan:
    adcode: str
    key: str
    name_zh: str
    short_zh: str
    short_en: str
    issued: str
    seed_file: str
    period_start: int
    period_end: int
    default_level: str | None = None
    source: str = field(default="", compare=False)  # the plan file's name, for messages

    def period_label(self) -> str:
        return f"{self.period_start}—{self.period_end}年"


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
    deadline: str  # a year ("2025") or "every_year"
    applies_to: tuple[str, ...]
    clause_ref: str
    clause: str
    source: str = field(default="", compare=False)  # the plan file's name, for messages

    @property
    def deadline_year(self) -> int | None:
        return None if self.deadline == EVERY_YEAR else int(self.deadline)


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


# --- reading plan files ---

def _field_problems(entry: Mapping, required: Mapping[str, type | tuple], optional: Mapping[str, type],
                    where: str) -> list[str]:
    problems = [f"{where}: 缺少字段 {name}" for name in required if name not in entry]
    expected = {**required, **optional}
    problems += [f"{where}: 未知字段 {name}" for name in entry if name not in expected]
    problems += [
        f"{where}: 字段 {name} 的值 {entry[name]!r} 类型不对"
        for name, kind in expected.items()
        if name in entry and (not isinstance(entry[name], kind) or isinstance(entry[name], bool))
    ]
    return problems


def header_problems(header: object, source: str) -> list[str]:
    """Rule: a plan file's [plan] header has every field, each of the right type, and no unknown ones."""
    if not isinstance(header, dict):
        return [f"{source}: 缺少 [plan] 表头 (辖区代码、规划代码、名称、印发日期、规划期、原文文件)"]
    return _field_problems(header, HEADER_FIELDS, OPTIONAL_HEADER_FIELDS, f"{source} [plan]")


def _read_plan_file(path: Path) -> tuple[Plan | None, list[Target], list[str]]:
    """One plan file: its plan, its targets and every structural problem (each naming the file)."""
    try:
        data = _load_toml(path)
    except (OSError, tomllib.TOMLDecodeError) as error:
        return None, [], [f"{path.name}: 无法读取为 TOML: {error}"]
    problems = header_problems(data.get("plan"), path.name)
    entries = data.get("target", [])
    if not isinstance(entries, list) or not entries:
        problems.append(f"{path.name}: 没有 [[target]] 目标")
        entries = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"{path.name} 第 {index} 个目标: 应为 [[target]] 表")
            continue
        where = f"{path.name} 第 {index} 个目标 ({entry.get('id', '无编号')})"
        problems += _field_problems(entry, TARGET_FIELDS, OPTIONAL_TARGET_FIELDS, where)
    if problems:
        return None, [], problems
    header = data["plan"]
    plan = Plan(adcode=header["jurisdiction_adcode"], key=header["key"], name_zh=header["name_zh"],
                short_zh=header["short_zh"], short_en=header["short_en"], issued=header["issued"],
                seed_file=header["seed_file"], period_start=header["period_start"],
                period_end=header["period_end"], default_level=header.get("default_level"), source=path.name)
    found = [
        Target(**{"jurisdiction_adcode": plan.adcode, "plan": plan.key, **entry,
                  "threshold": float(entry["threshold"]), "deadline": str(entry["deadline"]),
                  "applies_to": tuple(entry["applies_to"]), "source": path.name})
        for entry in entries
    ]
    return plan, found, []


@cache
def read_plans(directories: tuple[Path, ...]) -> tuple[tuple[Plan, ...], tuple[Target, ...]]:
    """Every plan file (*.toml) of the directories, in directory then file-name order.

    Raises CatalogError listing every file that cannot be read as a plan (header or target fields).
    """
    found_plans: list[Plan] = []
    found_targets: list[Target] = []
    problems: list[str] = []
    for directory in directories:
        if not directory.is_dir():
            problems.append(f"规划目录不存在: {directory}")
            continue
        for path in sorted(directory.glob("*.toml")):
            plan, plan_targets, plan_problems = _read_plan_file(path)
            problems += plan_problems
            if plan is not None:
                found_plans.append(plan)
                found_targets += plan_targets
    if problems:
        raise CatalogError("规划文件有误:\n" + "\n".join(problems))
    return tuple(found_plans), tuple(found_targets)


def _directories(extra: str) -> tuple[Path, ...]:
    return (PLANS_DIR, *(Path(part) for part in extra.split(os.pathsep) if part))


def _scope_order(adcode: str) -> tuple[int, str]:
    # Provinces (xx0000) before cities (xxxx00) before counties, then by code: the widest scope comes first.
    return (0 if adcode.endswith("0000") else 1 if adcode.endswith("00") else 2, adcode)


@dataclass(frozen=True)
class _Index:
    plans: tuple[Plan, ...]
    targets: tuple[Target, ...]
    by_jurisdiction: dict[str, tuple[Plan, ...]]
    by_plan: dict[str, tuple[Target, ...]]


@cache
def _index(extra: str) -> _Index:
    # Keyed by the environment value: the lookups below run once per evaluated row.
    found_plans, found_targets = read_plans(_directories(extra))
    ordered = tuple(sorted(found_plans, key=lambda plan: (_scope_order(plan.adcode), plan.period_start)))
    by_jurisdiction: dict[str, tuple[Plan, ...]] = {}
    for plan in ordered:
        by_jurisdiction[plan.adcode] = (*by_jurisdiction.get(plan.adcode, ()), plan)
    by_plan = {plan.key: tuple(t for t in found_targets if t.plan == plan.key) for plan in ordered}
    return _Index(ordered, found_targets, by_jurisdiction, by_plan)


def _loaded() -> _Index:
    return _index(settings.value(EXTRA_PLANS_ENV))


def plans() -> tuple[Plan, ...]:
    """Every plan, by jurisdiction (widest first) and then period."""
    return _loaded().plans


def targets() -> tuple[Target, ...]:
    """Every target of every plan, in plan-file order."""
    return _loaded().targets


# --- catalog rules: each returns a list of problems (empty = fine), each naming the file ---

def _repeated(items: Sequence, key_of, what: str) -> list[str]:
    """One problem per item whose key an earlier item already had, naming both files."""
    first_seen: dict[str, object] = {}
    problems = []
    for item in items:
        key = key_of(item)
        if key in first_seen:
            problems.append(f"{item.source}: {what}重复: {key} (已见于 {first_seen[key].source})")
        first_seen.setdefault(key, item)
    return problems


def _unique_ids(plans_: Sequence[Plan], found: Sequence[Target], known: Mapping[str, Indicator]) -> list[str]:
    return _repeated(found, lambda target: target.id, "目标编号")


def _unique_plan_keys(plans_: Sequence[Plan], found: Sequence[Target], known: Mapping[str, Indicator]) -> list[str]:
    return _repeated(plans_, lambda plan: plan.key, "规划代码")


def _known_indicator(plans_: Sequence[Plan], found: Sequence[Target], known: Mapping[str, Indicator]) -> list[str]:
    return [f"{t.source}: {t.id}: 未声明的指标 {t.indicator}" for t in found if t.indicator not in known]


def _target_inside_its_plan(plans_: Sequence[Plan], found: Sequence[Target],
                            known: Mapping[str, Indicator]) -> list[str]:
    """A target names a loaded plan, and the plan's jurisdiction."""
    by_key = {plan.key: plan for plan in plans_}
    problems = []
    for t in found:
        plan = by_key.get(t.plan)
        if plan is None:
            problems.append(f"{t.source}: {t.id}: 未知的规划 {t.plan}")
        elif t.jurisdiction_adcode != plan.adcode:
            problems.append(f"{t.source}: {t.id}: 辖区代码 {t.jurisdiction_adcode} 与规划 {plan.key} 的辖区 "
                            f"{plan.adcode} 不一致")
    return problems


def _deadline_form(plans_: Sequence[Plan], found: Sequence[Target], known: Mapping[str, Indicator]) -> list[str]:
    """A deadline is every_year or a year from the plan's start to LONG_RANGE_YEARS after its end."""
    by_key = {plan.key: plan for plan in plans_}
    problems = []
    for t in found:
        if t.deadline == EVERY_YEAR:
            continue
        plan = by_key.get(t.plan)
        if not (t.deadline.isdigit() and len(t.deadline) == 4):
            problems.append(f"{t.source}: {t.id}: 期限应为四位年份或 every_year, 而不是 {t.deadline}")
        elif plan is not None and not plan.period_start <= int(t.deadline) <= plan.period_end + LONG_RANGE_YEARS:
            problems.append(f"{t.source}: {t.id}: 期限 {t.deadline} 不在规划期 {plan.period_label()} "
                            f"(至多延后 {LONG_RANGE_YEARS} 年) 内")
    return problems


def _period_sanity(plans_: Sequence[Plan], found: Sequence[Target], known: Mapping[str, Indicator]) -> list[str]:
    """A period runs forward, the plan is issued in its period or the year before, and plans of one
    jurisdiction do not overlap (a successor starts after its predecessor ends)."""
    problems = []
    for plan in plans_:
        if plan.period_start > plan.period_end:
            problems.append(f"{plan.source}: 规划期 {plan.period_start}—{plan.period_end} 起止颠倒")
            continue
        try:
            issued = dt.date.fromisoformat(plan.issued)
        except ValueError:
            problems.append(f"{plan.source}: 印发日期 {plan.issued} 应为 YYYY-MM-DD")
            continue
        if not plan.period_start - 1 <= issued.year <= plan.period_end:
            problems.append(f"{plan.source}: 印发日期 {plan.issued} 与规划期 {plan.period_label()} 不符")
    for adcode in {plan.adcode for plan in plans_}:
        ordered = sorted((p for p in plans_ if p.adcode == adcode), key=lambda p: p.period_start)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if later.period_start <= earlier.period_end:
                problems.append(f"{later.source}: 规划期 {later.period_label()} 与同一辖区的 {earlier.source} "
                                f"({earlier.period_label()}) 重叠")
    return problems


def _default_level_form(plans_: Sequence[Plan], found: Sequence[Target],
                        known: Mapping[str, Indicator]) -> list[str]:
    return [f"{plan.source}: default_level 应为 {'/'.join(DEFAULT_LEVELS)} 之一, 而不是 {plan.default_level}"
            for plan in plans_ if plan.default_level is not None and plan.default_level not in DEFAULT_LEVELS]


def _comparison_form(plans_: Sequence[Plan], found: Sequence[Target], known: Mapping[str, Indicator]) -> list[str]:
    return [f"{t.source}: {t.id}: 比较方式 {t.comparison} 不受支持" for t in found if t.comparison not in (">=", "<=")]


def _applies_to_population(plans_: Sequence[Plan], found: Sequence[Target],
                           known: Mapping[str, Indicator]) -> list[str]:
    return [
        f"{t.source}: {t.id}: 适用范围 {list(t.applies_to)} 与指标 {t.indicator} 的统计范围 "
        f"{list(known[t.indicator].population)} 不一致"
        for t in found
        if t.indicator in known and set(t.applies_to) != set(known[t.indicator].population)
    ]


def _unit_matches(plans_: Sequence[Plan], found: Sequence[Target], known: Mapping[str, Indicator]) -> list[str]:
    return [f"{t.source}: {t.id}: 单位 {t.unit} 与指标单位 {known[t.indicator].value_unit} 不一致"
            for t in found if t.indicator in known and t.unit != known[t.indicator].value_unit]


def _one_target_per_deadline(plans_: Sequence[Plan], found: Sequence[Target],
                             known: Mapping[str, Indicator]) -> list[str]:
    seen: set[tuple[str, str, str]] = set()
    problems = []
    for t in found:
        key = (t.plan, t.indicator, t.deadline)
        if key in seen:
            problems.append(f"{t.source}: {t.id}: 同一规划、指标、期限出现两个目标")
        seen.add(key)
    return problems


def _indicator_declaration(plans_: Sequence[Plan], found: Sequence[Target],
                           known: Mapping[str, Indicator]) -> list[str]:
    problems = []
    for ind in known.values():
        if ind.unit_kind not in UNIT_KINDS:
            problems.append(f"{INDICATORS_FILE.name}: 指标 {ind.id}: 未知单位类型 {ind.unit_kind}")
        if ind.rollup not in ROLLUPS:
            problems.append(f"{INDICATORS_FILE.name}: 指标 {ind.id}: 未知汇总方式 {ind.rollup}")
        if ind.rollup == "share" and not ind.rule:
            problems.append(f"{INDICATORS_FILE.name}: 指标 {ind.id}: 比例型指标需要 rule")
        if ind.rollup == "pooled" and not (ind.numerator and ind.denominator):
            problems.append(f"{INDICATORS_FILE.name}: 指标 {ind.id}: 合并比值型指标需要 numerator 和 denominator")
        if ind.shortfall is not None and (ind.shortfall not in SHORTFALL_KINDS or not ind.shortfall_unit
                                          or (ind.shortfall == "pooled") != (ind.rollup == "pooled")):
            problems.append(f"{INDICATORS_FILE.name}: 指标 {ind.id}: 缺口计算方式 {ind.shortfall} 与汇总方式 "
                            f"{ind.rollup} 不符或缺少单位")
        unknown = set(ind.population) - POPULATION_CODES
        if unknown:
            problems.append(f"{INDICATORS_FILE.name}: 指标 {ind.id}: 未知统计范围 {sorted(unknown)}")
    return problems


CatalogRule = Callable[[Sequence[Plan], Sequence[Target], Mapping[str, Indicator]], list[str]]
CATALOG_RULES: tuple[CatalogRule, ...] = (
    _unique_ids, _unique_plan_keys, _known_indicator, _target_inside_its_plan, _deadline_form, _period_sanity,
    _default_level_form, _comparison_form, _applies_to_population, _unit_matches, _one_target_per_deadline,
    _indicator_declaration,
)


def catalog_problems(found: Sequence[Target] | None = None, known: Mapping[str, Indicator] | None = None,
                     plans_: Sequence[Plan] | None = None) -> list[str]:
    """Every problem of the catalog at once (empty list = consistent)."""
    found = targets() if found is None else found
    known = indicators() if known is None else known
    plans_ = plans() if plans_ is None else plans_
    return [problem for rule in CATALOG_RULES for problem in rule(plans_, found, known)]


# --- lookups ---

def plans_of(jurisdiction_adcode: str) -> tuple[Plan, ...]:
    """The plans of one jurisdiction, oldest period first."""
    return _loaded().by_jurisdiction.get(jurisdiction_adcode, ())


def jurisdictions() -> dict[str, str]:
    """The plan scopes: jurisdiction adcode -> short Chinese name (of its latest plan), widest first."""
    return {adcode: own[-1].short_zh for adcode, own in _loaded().by_jurisdiction.items()}


def plan_in_force(jurisdiction_adcode: str, year: int) -> Plan | None:
    """The plan a jurisdiction's year is judged against: the latest one started by then.

    A year between two plans stays with the last one (its targets remain in force), and baseline years
    before the first plan are judged against that first plan. None for a jurisdiction without a plan.
    """
    own = plans_of(jurisdiction_adcode)
    if not own:
        return None
    started = [plan for plan in own if plan.period_start <= year]
    return started[-1] if started else own[0]


def plan_by_key(key: str) -> Plan | None:
    return next((plan for plan in plans() if plan.key == key), None)


class _CurrentPlans(Mapping[str, Plan]):
    """Read-only jurisdiction adcode -> its latest plan, read from the catalog on every access."""

    def _current(self) -> dict[str, Plan]:
        return {adcode: plans_of(adcode)[-1] for adcode in jurisdictions()}

    def __getitem__(self, adcode: str) -> Plan:
        return self._current()[adcode]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


# Kept for callers that predate successor plans; new code asks plan_in_force(adcode, year).
PLANS: Mapping[str, Plan] = _CurrentPlans()


def plan_for(unit_path: Iterable[str | None], year: int | None = None) -> Plan | None:
    """The plan of the innermost jurisdiction containing a unit, given its adcode path (self, city, province):
    the plan in force in `year`, or the jurisdiction's latest plan when no year is given."""
    by_jurisdiction = _loaded().by_jurisdiction
    for adcode in unit_path:
        if adcode in by_jurisdiction:
            return plan_in_force(adcode, year) if year is not None else by_jurisdiction[adcode][-1]
    return None


def targets_of(plan: Plan) -> tuple[Target, ...]:
    return _loaded().by_plan.get(plan.key, ())


def targets_for(jurisdiction_adcode: str) -> tuple[Target, ...]:
    """Every target of every plan of a jurisdiction."""
    return tuple(t for t in targets() if t.jurisdiction_adcode == jurisdiction_adcode)


def indicators_of(plan: Plan) -> list[Indicator]:
    """Indicators carrying a target of the plan, in declaration order."""
    wanted = {t.indicator for t in targets_of(plan)}
    return [ind for ind in indicators().values() if ind.id in wanted]


def indicators_for(jurisdiction_adcode: str, year: int | None = None) -> list[Indicator]:
    """Indicators carrying a target of the jurisdiction, in declaration order: of the plan in force in `year`,
    or of any of its plans when no year is given."""
    if year is not None:
        plan = plan_in_force(jurisdiction_adcode, year)
        return indicators_of(plan) if plan else []
    wanted = {t.indicator for t in targets_for(jurisdiction_adcode)}
    return [ind for ind in indicators().values() if ind.id in wanted]


def applicable_target(jurisdiction_adcode: str, indicator_id: str, year: int) -> Target | None:
    """The target a year is judged against, within the plan in force that year: the nearest deadline not yet
    passed, else the latest one.

    Targets stay in force after their deadline, so 2025 data in Pingliang is judged against the 2024
    staffing target when no later one exists. Recurring (every_year) targets apply every year.
    """
    plan = plan_in_force(jurisdiction_adcode, year)
    if plan is None:
        return None
    candidates = [t for t in targets_of(plan) if t.indicator == indicator_id]
    if not candidates:
        return None
    recurring = [t for t in candidates if t.deadline_year is None]
    if recurring:
        return recurring[0]
    upcoming = sorted((t for t in candidates if t.deadline_year >= year), key=lambda t: t.deadline_year)
    if upcoming:
        return upcoming[0]
    return max(candidates, key=lambda t: t.deadline_year)
