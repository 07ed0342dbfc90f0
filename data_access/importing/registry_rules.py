"""Rules for the unit registries (学校名录, 医疗机构名录, 社区(村)名录), each a small named function.

A rule looks at one row as the unit will be after the import (the file's values over the stored ones, so a
file without 经度 keeps the stored coordinates) and returns (field to blame, Chinese message) pairs. The
field is the file's column where the clerk must look; a rule about the code blames the code column.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from data_access.codes import (
    community_code_problem,
    hospital_code_problem,
    school_category_problem,
    school_code_problem,
    school_province_problem,
    urban_rural_of,
)
from data_access.importing.facts import IN_CHUNK, SCAN_ABOVE, existing_rows
from data_access.importing.parsed import ParsedFile, ParsedRow
from data_access.regions import ALL_REGIONS
from data_access.schema import awareness_survey, community_year, hospital_year, regions, school_year
from data_access.vocab import STAGES
from geo.containment import KM_PER_DEGREE, TOLERANCE_DEGREES, degrees_outside, degrees_outside_many, has_boundary

# The yearly reports that refer to each register (for the "reports after closing" notice).
FACTS_OF = {"schools": (school_year, awareness_survey), "hospitals": (hospital_year,),
            "communities": (community_year,)}


@dataclass(frozen=True)
class RowView:
    row: ParsedRow
    values: dict[str, object]  # after the import: file over stored
    stored: dict | None  # the unit as it is now, None for a new unit
    from_file: frozenset[str]  # fields read from the file's columns (not derived, not stored)


@dataclass(frozen=True)
class Context:
    spec_key: str
    counties: dict[str, dict]  # adcode -> {name, level, path} of the regions named in the file or stored
    allowed_region: str
    # Excel row -> degrees outside its county, for every row with both coordinates (one spatial join).
    outside: dict[int, float] = dataclasses.field(default_factory=dict)


Rule = Callable[[Context, RowView], Iterable[tuple[str, str]]]


def code_format(ctx: Context, view: RowView) -> Iterable[tuple[str, str]]:
    check = {"school_registry": school_code_problem, "hospital_registry": hospital_code_problem,
             "community_registry": community_code_problem}[ctx.spec_key]
    if problem := check(view.row.unit_id):
        yield "unit_id", problem


def school_category_fits_stage(ctx: Context, view: RowView) -> Iterable[tuple[str, str]]:
    code, stage = view.row.unit_id, view.values.get("stage")
    if stage is None or school_code_problem(code):
        return
    if problem := school_category_problem(code, stage, STAGES[stage]):
        yield "unit_id", problem


def school_province_matches_county(ctx: Context, view: RowView) -> Iterable[tuple[str, str]]:
    code, county = view.row.unit_id, view.values.get("county_adcode")
    if county is None or school_code_problem(code) or county not in ctx.counties:
        return
    if problem := school_province_problem(code, county):
        yield "unit_id", problem


def county_known(ctx: Context, view: RowView) -> Iterable[tuple[str, str]]:
    county = view.values.get("county_adcode")
    if county is None:
        return
    blamed = "county_adcode" if "county_adcode" in view.from_file else "unit_id"
    where = "" if blamed == "county_adcode" else f"代码前 6 位 {county}: "
    region = ctx.counties.get(county)
    if region is None:
        yield blamed, (f"{where}县区代码 {county} 不在数据仓库的行政区划中: 请核对代码, "
                       "或先用 mhmonitor init --region 载入本省/市的行政区划")
    elif region["level"] != "county":
        yield blamed, f"{where}{region['name']} ({county}) 不是县(区)级行政区划: 请填写单位所在县(区)的代码"
    elif not has_boundary(county):
        yield blamed, f"{where}{region['name']} ({county}) 没有边界数据, 无法在地图上显示: 请核对县区代码"


def county_in_scope(ctx: Context, view: RowView) -> Iterable[tuple[str, str]]:
    if ctx.allowed_region == ALL_REGIONS:
        return
    county = view.values.get("county_adcode")
    region = ctx.counties.get(county)
    if region is not None and ctx.allowed_region not in region["path"]:
        blamed = "county_adcode" if "county_adcode" in view.from_file else "unit_id"
        yield blamed, f"{region['name']} 不在您的权限范围 ({ctx.allowed_region}) 内: 只能登记本地区的单位"
    if view.stored is not None:
        old = ctx.counties.get(view.stored["county_adcode"])
        if old is not None and ctx.allowed_region not in old["path"]:
            yield "unit_id", (f"{view.stored['name']} 现属 {old['name']}, 不在您的权限范围 ({ctx.allowed_region}) 内: "
                              "不能修改其他地区的单位")


def coordinates_in_pairs(ctx: Context, view: RowView) -> Iterable[tuple[str, str]]:
    longitude, latitude = view.values.get("longitude"), view.values.get("latitude")
    if (longitude is None) != (latitude is None):
        missing = "latitude" if latitude is None else "longitude"
        blamed = missing if missing in view.from_file else ("longitude" if missing == "latitude" else "latitude")
        yield blamed, "经度和纬度要么都填, 要么都留空"


def coordinates_inside_county(ctx: Context, view: RowView) -> Iterable[tuple[str, str]]:
    longitude, latitude = view.values.get("longitude"), view.values.get("latitude")
    county = view.values.get("county_adcode")
    region = ctx.counties.get(county)
    if longitude is None or latitude is None or region is None or not has_boundary(county):
        return
    outside = ctx.outside.get(view.row.excel_row)
    if outside is None:
        outside = degrees_outside(county, float(longitude), float(latitude))
    if outside > TOLERANCE_DEGREES:
        blamed = next((f for f in ("longitude", "latitude", "county_adcode") if f in view.from_file), "unit_id")
        yield blamed, (f"坐标 ({longitude:g}, {latitude:g}) 在 {region['name']} 边界外约 "
                       f"{outside * KM_PER_DEGREE:.0f} 公里 (允许误差约 {TOLERANCE_DEGREES * KM_PER_DEGREE:.0f} 公里): "
                       "请核对经纬度是否填反、是否用了其他县的坐标, 或县区代码是否有误")


def closes_after_opening(ctx: Context, view: RowView) -> Iterable[tuple[str, str]]:
    opened, closed = view.values.get("opened_year"), view.values.get("closed_year")
    if opened is not None and closed is not None and closed < opened:
        blamed = "closed_year" if "closed_year" in view.from_file else "opened_year"
        yield blamed, f"停办 (撤销) 年份 {closed} 早于开办 (开始) 年份 {opened}: 请核对"


COMMON_RULES: tuple[Rule, ...] = (code_format, county_known, county_in_scope, coordinates_in_pairs,
                                  coordinates_inside_county, closes_after_opening)
RULES: dict[str, tuple[Rule, ...]] = {
    "school_registry": (*COMMON_RULES, school_category_fits_stage, school_province_matches_county),
    "hospital_registry": COMMON_RULES,
    "community_registry": COMMON_RULES,
}


def derive(spec_key: str, unit_id: str, values: dict[str, object]) -> None:
    """Fill the fields a community registry row takes from its code (county) and 城乡分类代码 (urban/rural)."""
    if spec_key != "community_registry":
        return
    values["county_adcode"] = unit_id[:6]
    if values.get("urban_rural_code") is not None:
        values["urban_rural"] = urban_rural_of(str(values["urban_rural_code"]))


@dataclass(frozen=True)
class Stored:
    """What the rules need from the warehouse, read in one short connection (fetch) so that the rules run with
    the warehouse closed: the stored units the file names, the regions, and each unit's reported years."""
    units: dict[tuple[str, None], dict]  # (unit_id, None) -> the stored row (facts.existing_rows)
    regions: dict[str, dict]  # adcode -> {name, level, path} of every region
    spans: dict[str, tuple[int, int]]  # unit_id -> first and last year it has reports for (any yearly report)


def fetch(conn: sa.Connection, parsed: ParsedFile) -> Stored:
    """Everything check() reads, for the units of `parsed`: one scan per table for a big file."""
    spec = parsed.spec
    units = existing_rows(conn, spec, [(r.unit_id, None) for r in parsed.rows])
    found: dict[str, dict] = {}
    for row in conn.execute(sa.select(regions.c.adcode, regions.c.name, regions.c.level, regions.c.city_adcode,
                                      regions.c.province_adcode)).mappings():
        path = tuple(c for c in (row["adcode"], row["city_adcode"], row["province_adcode"]) if c)
        found[row["adcode"]] = {"name": row["name"], "level": row["level"], "path": path}
    return Stored(units, found, _spans(conn, spec.units, sorted({r.unit_id for r in parsed.rows})))


def _spans(conn: sa.Connection, units: sa.Table, ids: list[str]) -> dict[str, tuple[int, int]]:
    wanted, spans = set(ids), {}
    for facts in FACTS_OF[units.name]:
        key = facts.c[units.primary_key.columns.values()[0].name]
        # Each unit's first and last reported year, one group per unit: a big file is one scan, not 100 lists.
        query = sa.select(key, sa.func.min(facts.c.year), sa.func.max(facts.c.year)).group_by(key)
        queries = [query] if len(ids) > SCAN_ABOVE else [query.where(key.in_(ids[start:start + IN_CHUNK]))
                                                         for start in range(0, len(ids), IN_CHUNK)]
        for chunk in queries:
            for unit_id, first, last in conn.execute(chunk):
                if unit_id in wanted:
                    known = spans.get(unit_id)
                    spans[unit_id] = (int(first), int(last)) if known is None else (
                        min(known[0], int(first)), max(known[1], int(last)))
    return spans


def check(parsed: ParsedFile, conn: sa.Connection, allowed_region: str,
          row_cells: dict[int, dict[str, tuple[str, object]]]) -> tuple[list[tuple], list[str]]:
    """(excel row, header, cell value, message) for every broken rule, and notices for the clerk: fetch, then
    evaluate, then the years behind a lifecycle notice (only read when some unit has reports outside)."""
    found, outside = evaluate(parsed, fetch(conn, parsed), allowed_region, row_cells)
    return found, lifecycle_notices(conn, parsed.spec.units, outside)


def evaluate(parsed: ParsedFile, stored: Stored, allowed_region: str,
             row_cells: dict[int, dict[str, tuple[str, object]]]) -> tuple[list[tuple], dict[str, tuple]]:
    """Every broken rule as (excel row, header, cell value, message), and the units that will have reports
    outside their opening and closing years (unit_id -> (opened, closed)); no warehouse needed."""
    spec = parsed.spec
    for row in parsed.rows:
        derive(spec.key, row.unit_id, row.values)
    units = {unit_id: row for (unit_id, _), row in stored.units.items()}
    fields = {c.field for c in spec.value_columns} | {f for f, _ in spec.derived}
    derived = {f for f, _ in spec.derived}
    views = [RowView(row, {**{f: v for f, v in units.get(row.unit_id, {}).items() if f in fields}, **row.values},
                     units.get(row.unit_id), frozenset(row.values) - derived) for row in parsed.rows]
    ctx = Context(spec.key, stored.regions, allowed_region, _outside(views))
    found = []
    rules = RULES[spec.key]
    for view in views:
        cells = row_cells[view.row.excel_row]
        for rule in rules:
            for field, message in rule(ctx, view):
                header, raw = cells.get(field, cells["unit_id"])
                found.append((view.row.excel_row, header, raw, message))
    return found, _outside_years(views, stored.spans)


def _outside(views: list[RowView]) -> dict[int, float]:
    """Degrees outside the named county of every row with a known county and both coordinates, at once."""
    placed = [v for v in views if v.values.get("longitude") is not None and v.values.get("latitude") is not None
              and isinstance(v.values.get("county_adcode"), str)]
    if not placed:
        return {}
    distances = degrees_outside_many([v.values["county_adcode"] for v in placed],
                                     [float(v.values["longitude"]) for v in placed],
                                     [float(v.values["latitude"]) for v in placed])
    return {v.row.excel_row: d for v, d in zip(placed, distances, strict=True) if d == d}  # NaN: no boundary


def _outside_years(views: list[RowView], spans: dict[str, tuple[int, int]]) -> dict[str, tuple]:
    """unit_id -> (opened, closed) of the units whose stored reports start before opening or end after closing."""
    found = {}
    for view in views:
        opened, closed = view.values.get("opened_year"), view.values.get("closed_year")
        first, last = spans.get(view.row.unit_id, (None, None))
        if first is not None and ((opened is not None and first < opened) or (closed is not None and last > closed)):
            found[view.row.unit_id] = (opened, closed)
    return found


def lifecycle_notices(conn: sa.Connection, units: sa.Table, bounds: dict[str, tuple]) -> list[str]:
    """Reports already stored for years a unit will be outside its opening and closing years (`bounds`, from
    evaluate): kept (closing never deletes history) but no longer counted; the clerk is told so."""
    if not bounds:
        return []
    outside: set[tuple[str, int]] = set()
    ids = sorted(bounds)
    for facts in FACTS_OF[units.name]:
        key = facts.c[units.primary_key.columns.values()[0].name]
        for start in range(0, len(ids), IN_CHUNK):
            query = sa.select(key, facts.c.year).where(key.in_(ids[start:start + IN_CHUNK])).distinct()
            for unit_id, year in conn.execute(query):
                opened, closed = bounds[unit_id]
                if (opened is not None and year < opened) or (closed is not None and year > closed):
                    outside.add((unit_id, int(year)))
    if not outside:
        return []
    shown = "、".join(f"{unit} ({year})" for unit, year in sorted(outside)[:10]) + (" 等" if len(outside) > 10 else "")
    return [f"{len({u for u, _ in outside})} 个单位在开办年份之前或停办年份之后有上报数据: {shown}。"
            "这些数据保留在数据仓库中, 但这些年度不再计入应报单位"]
