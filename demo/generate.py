"""Build the demo warehouse: deterministic (seeded), on the real units of Shaanxi and Pingliang, 2022-2026.

Progress towards the plans' targets improves year by year to 2025 (the plans' last year); each county has its
own "effort" so some are clearly ahead and some behind; some schools, hospitals and communities did not report
(no row), some left a single figure blank (NULL), and real zeros exist. 2026 is a reporting round in progress:
most units have reported, more have not yet, and a few counties slipped back below what they reached in 2025.
Units carry official-format codes (学校标识码, 统一社会信用代码, 统计用区划代码 with 城乡分类代码) that pass the
registry importer's checks; a few schools closed after 2024 and a few opened in 2025. Everything here is
random: the warehouse is marked demo.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

from data_access import meta, migrate, schema
from data_access.codes import STAGE_CATEGORIES, organization_code_check, usci_check_character
from data_access.engine import checkpoint, transaction
from demo import names
from demo.review_story import jump_enrolment, write_story
from demo.school_story import STORY_YEAR, SchoolStory, add_story_account, plan_story
from demo.school_story import write_story as write_school_story
from geo.admin_units import raw_boundary, units_within

YEARS = (2022, 2023, 2024, 2025, 2026)
PLAN_END = 2025  # progress runs to the plans' last year; later years hold that level (or slip back)
CURRENT = 2026  # the round being reported now: more units have not reported yet
# Share of units (schools, primary and rural first) that closed after the 2024 school year / opened in 2025.
CLOSED_AFTER, CLOSED_SHARE = 2024, 0.006
OPENED_IN, OPENED_SHARE = 2025, 0.004
SLIPPING_COUNTIES = 2  # per plan: counties whose effort drops in 2026
POPULATION = {"610000": 39_500_000, "620800": 1_800_000}
# Approximate real school counts by stage (Shaanxi province / Pingliang city).
SCHOOL_TOTALS = {
    "610000": {"primary": 4000, "junior_secondary": 1600, "nine_year": 300, "senior_high": 350,
               "complete_secondary": 120, "twelve_year": 20, "secondary_vocational": 230},
    "620800": {"primary": 330, "junior_secondary": 90, "nine_year": 20, "senior_high": 15,
               "secondary_vocational": 8},
}
UNIVERSITIES_BY_CITY = {"610100": 60, "610400": 8, "610300": 4, "610500": 4, "610700": 4, "610600": 3,
                        "610800": 3, "610900": 2, "611000": 2, "610200": 2, "620800": 2}
# Median enrollment (urban, rural) by stage.
ENROLLMENT = {"primary": (1500, 260), "junior_secondary": (1400, 600), "nine_year": (900, 500),
              "senior_high": (2600, 1800), "complete_secondary": (2200, 1500), "twelve_year": (2600, 2000),
              "secondary_vocational": (1300, 900), "university": (15000, 15000)}
BOARDING_SHARE = {"primary": (0.05, 0.2), "junior_secondary": (0.2, 0.65), "nine_year": (0.2, 0.6),
                  "senior_high": (0.35, 0.8), "complete_secondary": (0.3, 0.7), "twelve_year": (0.4, 0.6),
                  "secondary_vocational": (0.5, 0.6), "university": (0.0, 0.0)}
BASIC = {"primary", "junior_secondary", "nine_year"}
DEMO_SOURCE = "演示数据（随机生成，非真实统计）"
DEMO_DATA_AS_OF = "2026-11-20"


@dataclass(frozen=True)
class DemoSummary:
    counts: dict[str, int]
    seconds: float
    seed: int
    school_story: SchoolStory | None = None

    def describe(self) -> str:
        rows = ", ".join(f"{table} {count}" for table, count in self.counts.items())
        story = f"\n{self.school_story.describe()}" if self.school_story else ""
        return f"种子 {self.seed}, 用时 {self.seconds:.1f} 秒: {rows}{story}"

    def __str__(self) -> str:
        return self.describe()


def _logistic(x: np.ndarray | float) -> np.ndarray | float:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _progress(start: float, end: float, year: int, effort: np.ndarray | float, noise=0.0):
    """Probability for a year on a path from `start` (2022) to `end` (2025), shifted by county effort; years
    after 2025 stay at the 2025 level."""
    share = start + (end - start) * (min(year, PLAN_END) - YEARS[0]) / (PLAN_END - YEARS[0])
    return _logistic(_logit(share) + 0.9 * effort + noise)


def _points_in(adcode: str, count: int, urban: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random points inside a county; urban ones cluster around the county's centre."""
    polygon = raw_boundary(adcode)
    lon0, lat0, lon1, lat1 = polygon.bounds
    centre = polygon.representative_point()
    shapely.prepare(polygon)
    points = np.empty((count, 2))
    for index in range(count):
        for _ in range(200):
            if urban[index]:
                lon = rng.normal(centre.x, (lon1 - lon0) * 0.08)
                lat = rng.normal(centre.y, (lat1 - lat0) * 0.08)
            else:
                lon, lat = rng.uniform(lon0, lon1), rng.uniform(lat0, lat1)
            if shapely.contains_xy(polygon, lon, lat):
                break
        else:
            lon, lat = centre.x, centre.y
        points[index] = (round(lon, 5), round(lat, 5))
    return points


def _regions() -> pd.DataFrame:
    frames = [units_within(root) for root in ("610000", "620800")]
    regions = pd.concat(frames).drop_duplicates("adcode").sort_values("adcode").reset_index(drop=True)
    return regions.astype(object).where(regions.notna(), None)


def _counties(regions: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    counties = regions[regions["level"] == "county"].copy()
    counties["plan"] = np.where(counties["province_adcode"] == "610000", "610000", "620800")
    counties["district"] = counties["name"].str.endswith("区")
    weight = rng.lognormal(0, 0.45, len(counties)) * np.where(counties["district"], 1.8, 1.0)
    counties["population"] = 0
    for plan, total in POPULATION.items():
        mask = counties["plan"] == plan
        counties.loc[mask, "population"] = np.round(total * weight[mask] / weight[mask].sum()).astype(int)
    counties["effort"] = rng.normal(0, 0.8, len(counties))
    # Non-reporting is mostly low, with a couple of clear laggards in each plan.
    counties["silence"] = rng.uniform(0.02, 0.07, len(counties))
    for plan in POPULATION:
        laggards = counties[counties["plan"] == plan].sample(2, random_state=int(rng.integers(1 << 31))).index
        counties.loc[laggards, "silence"] = 0.3
    counties["slip"] = 0.0  # subtracted from the effort in 2026 only
    for plan in POPULATION:
        ahead = counties[(counties["plan"] == plan) & (counties["effort"] > 0)]
        slipping = ahead.sample(SLIPPING_COUNTIES, random_state=int(rng.integers(1 << 31))).index
        counties.loc[slipping, "slip"] = 2.5
    return counties.reset_index(drop=True)


def _schools(counties: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for plan, totals in SCHOOL_TOTALS.items():
        in_plan = counties[counties["plan"] == plan]
        share = in_plan["population"] / in_plan["population"].sum()
        for stage, total in totals.items():
            counts = rng.poisson(total * share.to_numpy())
            if stage == "primary":
                counts = np.maximum(counts, 3)
            for county, count in zip(in_plan.to_dict("records"), counts, strict=True):
                rows += [(county, stage, i + 1) for i in range(int(count))]
    for city, count in UNIVERSITIES_BY_CITY.items():
        hosts = counties[(counties["city_adcode"] == city) & counties["district"]]
        hosts = hosts if not hosts.empty else counties[counties["city_adcode"] == city]
        picks = rng.choice(len(hosts), size=count, p=(hosts["population"] / hosts["population"].sum()).to_numpy())
        for pick in sorted(picks):
            rows.append((hosts.iloc[pick].to_dict(), "university", 0))
    records, college_names = [], set()
    per_key: dict[tuple[str, str], int] = {}
    names_in_county: dict[str, set[str]] = {}
    serials: dict[tuple[str, str], int] = {}  # (category, province digits) -> last serial handed out
    for county, stage, _ in rows:
        key = (county["adcode"], stage)
        per_key[key] = per_key.get(key, 0) + 1
        index = per_key[key]
        urban_share = 0.7 if county["district"] else 0.25
        urban = stage == "university" or rng.random() < urban_share
        if stage == "university":
            name = names.college_name(rng)
            while name in college_names:
                name = names.college_name(rng)
            college_names.add(name)
        else:
            taken = names_in_county.setdefault(county["adcode"], set())
            name = _unique_school_name(county["name"], stage, index, taken, rng)
        boarding_p = BOARDING_SHARE[stage][0 if urban else 1]
        median = ENROLLMENT[stage][0 if urban else 1]
        category, province = STAGE_CATEGORIES[stage][0], county["adcode"][:2]
        serials[(category, province)] = serials.get((category, province), 0) + int(rng.integers(1, 40))
        records.append({
            "school_id": f"{category}{province}{serials[(category, province)]:06d}", "name": name,
            "county_adcode": county["adcode"], "stage": stage, "boarding": bool(rng.random() < boarding_p),
            "urban_rural": "urban" if urban else "rural",
            "_enrollment": int(np.clip(rng.lognormal(math.log(median), 0.45), 30, 45000)),
            "_effort": county["effort"], "_slip": county["slip"], "_silence": county["silence"],
        })
    schools = pd.DataFrame(records).sort_values("school_id").reset_index(drop=True)
    coordinates = np.empty((len(schools), 2))
    for adcode, group in schools.groupby("county_adcode", sort=True):
        coordinates[group.index] = _points_in(adcode, len(group), (group["urban_rural"] == "urban").to_numpy(), rng)
    schools["longitude"], schools["latitude"] = coordinates[:, 0], coordinates[:, 1]
    _lifecycle(schools, rng, candidates=schools["stage"].isin(["primary", "nine_year"]).to_numpy())
    return schools


def _unique_school_name(county: str, stage: str, index: int, taken: set[str], rng: np.random.Generator) -> str:
    """A school name not yet used in its county (a town name drawn twice falls back to the numbered name)."""
    name = names.school_name(county, stage, index, rng)
    if name in taken:
        name = f"{names.short_name(county)}第{names.chinese_ordinal(index)}{names.STAGE_SUFFIX[stage]}"
    taken.add(name)
    return name


def _lifecycle(units: pd.DataFrame, rng: np.random.Generator, candidates: np.ndarray) -> None:
    """opened_year/closed_year: a few candidate units closed after 2024, a few opened in 2025, the rest open."""
    draw = rng.random(len(units))
    units["opened_year"] = np.where(candidates & (draw < OPENED_SHARE), OPENED_IN, None)
    units["closed_year"] = np.where(candidates & (draw > 1 - CLOSED_SHARE), CLOSED_AFTER, None)


def _open_in(unit: dict, year: int) -> bool:
    return ((unit["opened_year"] is None or unit["opened_year"] <= year)
            and (unit["closed_year"] is None or year <= unit["closed_year"]))


def _silence(base: np.ndarray | float, year: int) -> np.ndarray | float:
    """Chance of no report: the plans' last year a little higher, the round in progress much higher."""
    if year == CURRENT:
        return base * 1.3 + 0.12
    return base * (1.3 if year == PLAN_END else 1.0)


def _school_years(schools: pd.DataFrame, rng: np.random.Generator) -> tuple[list[dict], list[dict]]:
    n = len(schools)
    adopt_fulltime = rng.random(n)  # one draw per school: adoption only moves forward over the years
    adopt_room, adopt_plan, adopt_course = rng.random(n), rng.random(n), rng.random(n)
    parttime_draw = rng.random(n)
    ratio_factor = rng.uniform(0.55, 1.35, n)
    years_rows, surveys = [], []
    for year in YEARS:
        growth = 1 + 0.02 * (year - YEARS[0])
        silent = rng.random(n) < _silence(schools["_silence"].to_numpy(), year)
        for i, school in enumerate(schools.to_dict("records")):
            if silent[i] or not _open_in(school, year):
                continue
            stage = school["stage"]
            effort = school["_effort"] - (school["_slip"] if year == CURRENT else 0.0)
            enrollment = int(school["_enrollment"] * growth * rng.uniform(0.97, 1.03))
            large = enrollment >= 1000 or (school["boarding"] and enrollment >= 200)
            if stage == "university":
                fulltime = max(0, int(round(enrollment / 4000 * (ratio_factor[i] + 0.08 * (year - YEARS[0])))))
                fulltime = fulltime if adopt_fulltime[i] < _progress(0.85, 0.97, year, effort) else 0
            else:
                start, end = (0.22, 0.58) if stage in BASIC else (0.55, 0.9)
                if large:
                    start, end = start + 0.2, min(0.97, end + 0.1)
                has = adopt_fulltime[i] < _progress(start, end, year, effort)
                fulltime = (1 + int(enrollment > 2500)) if has else 0
            parttime = int(rng.integers(1, 4)) if parttime_draw[i] < _progress(0.55, 0.85, year, effort) else 0
            screening = bool(rng.random() < _progress(0.75, 0.96, year, effort))
            hours = (36, 44, 16, 22) if stage == "university" else (26, 33, 10, 14)
            shift = (min(year, PLAN_END) - YEARS[0]) / (PLAN_END - YEARS[0])
            row = {
                "school_id": school["school_id"], "year": year, "enrollment": enrollment,
                "boarding_students": int(enrollment * rng.uniform(0.4, 0.9)) if school["boarding"] else 0,
                "fulltime_teachers": fulltime, "parttime_teachers": parttime,
                "counseling_room": bool(adopt_room[i] < _progress(0.6, 0.95, year, effort)),
                "mh_in_school_plan": bool(adopt_plan[i] < _progress(0.72, 0.98, year, effort)),
                "mh_course": bool(adopt_course[i] < _progress(0.85, 0.99, year, effort))
                if stage == "university" else None,
                "screening_done": screening,
                "students_screened": int(enrollment * rng.uniform(0.5, 1.0)) if screening else 0,
                "fulltime_training_hours": round(fulltime * max(0.0, rng.normal(
                    hours[0] + (hours[1] - hours[0]) * shift + 3 * effort, 7)), 1) if fulltime else None,
                "parttime_training_hours": round(parttime * max(0.0, rng.normal(
                    hours[2] + (hours[3] - hours[2]) * shift + 2 * effort, 4)), 1) if parttime else None,
            }
            if rng.random() < 0.015:  # one figure left blank on the form: not reported, not zero
                row[rng.choice(["fulltime_teachers", "parttime_teachers", "counseling_room", "screening_done"])] = None
            years_rows.append(row)
            if rng.random() < 0.92:
                surveyed = int(min(enrollment, rng.integers(30, 301)))
                rate = float(np.clip(_progress(0.74, 0.9, year, 0.6 * effort, rng.normal(0, 0.3)), 0.3, 1.0))
                surveys.append({"school_id": school["school_id"], "year": year, "surveyed": surveyed,
                                "passed": int(rng.binomial(surveyed, rate))})
    return years_rows, surveys


def _hospitals(counties: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for county in counties.to_dict("records"):
        county_name = county["name"]
        generals = 1 + int(county["population"] > 500_000) + int(rng.random() < 0.3)
        for i in range(generals):
            label = "人民医院" if i == 0 else f"第{names.chinese_ordinal(i + 1)}人民医院"
            rows.append((county["adcode"], "general", f"{county_name}{label}", county["effort"]))
        rows.append((county["adcode"], "maternal_child", f"{county_name}妇幼保健院", county["effort"]))
    for city, group in counties.groupby("city_adcode", sort=True):
        seat = group.sort_values("adcode").iloc[0]
        city_name = {"620800": "平凉市"}.get(city, None) or seat["name"]
        psychiatric = 1 if city == "620800" else 1 + int(len(group) > 10)
        for i in range(psychiatric):
            rows.append((seat["adcode"], "psychiatric",
                         f"{city_name}{'精神卫生中心' if i == 0 else '第二精神病医院'}", seat["effort"]))
        if city in ("610100", "610300", "610400", "610700"):
            rows += [(seat["adcode"], "children", f"{seat['name']}儿童医院", seat["effort"])]
    frame = pd.DataFrame(rows, columns=["county_adcode", "hospital_type", "name", "_effort"])
    frame = frame.sort_values(["county_adcode", "hospital_type", "name"]).reset_index(drop=True)
    frame["hospital_id"] = [_hospital_code(adcode, rng) for adcode in frame["county_adcode"]]
    frame["opened_year"], frame["closed_year"] = None, None
    return frame


def _hospital_code(county_adcode: str, rng: np.random.Generator) -> str:
    """An 18-character 统一社会信用代码 of a public institution (事业单位, 12) registered in the county: the
    9-character 组织机构代码 with its GB 11714 check, then the GB 32100-2015 check character."""
    body = f"{int(rng.integers(0, 10**8)):08d}"
    first17 = f"12{county_adcode}{body}{organization_code_check(body)}"
    return first17 + usci_check_character(first17)


def _hospital_years(hospitals: pd.DataFrame, rng: np.random.Generator) -> list[dict]:
    adopt = rng.random(len(hospitals))
    rows = []
    for year in YEARS:
        for i, hospital in enumerate(hospitals.to_dict("records")):
            if rng.random() < (0.2 if year == CURRENT else 0.05):
                continue
            start, end = (0.45, 0.85) if hospital["hospital_type"] == "psychiatric" else (0.2, 0.56)
            rows.append({"hospital_id": hospital["hospital_id"], "year": year,
                         "clinic_open": bool(adopt[i] < _progress(start, end, year, hospital["_effort"]))})
    return rows


def _communities(counties: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for county in counties.to_dict("records"):
        count = int(rng.integers(20, 41))
        urban_share = 0.7 if county["district"] else 0.3
        numbered = {True: 0, False: 0}
        for i in range(count):
            urban = bool(rng.random() < urban_share)
            code, urban_rural_code = _community_code(county["adcode"], urban, numbered[urban], county["district"], rng)
            numbered[urban] += 1
            rows.append({"community_id": code, "name": names.community_name(county["name"], urban, i),
                         "county_adcode": county["adcode"], "urban_rural": "urban" if urban else "rural",
                         "urban_rural_code": urban_rural_code, "_effort": county["effort"], "_slip": county["slip"]})
    frame = pd.DataFrame(rows)
    _lifecycle(frame, rng, candidates=(frame["urban_rural"] == "rural").to_numpy())
    return frame


def _community_code(county_adcode: str, urban: bool, number: int, district: bool,
                    rng: np.random.Generator) -> tuple[str, str]:
    """统计用区划代码 and 城乡分类代码: a 居委会 (village 001-199) under a 街道 (township 001-099) of a district or
    a 镇 (100-199) of a county; a 村委会 (200-399) under a 镇. Ten units per township keep codes unique."""
    township, village = divmod(number, 10)
    if urban:
        code = f"{county_adcode}{(1 if district else 100) + township:03d}{1 + village:03d}"
        return code, ("111" if district else "121") if rng.random() < 0.8 else "112"
    code = f"{county_adcode}{100 + township:03d}{200 + village:03d}"
    return code, "220" if rng.random() < 0.85 else "210"


def _community_years(communities: pd.DataFrame, rng: np.random.Generator) -> list[dict]:
    n = len(communities)
    adopt_school, adopt_station, adopt_mh = rng.random(n), rng.random(n), rng.random(n)
    rows = []
    for year in YEARS:
        for i, community in enumerate(communities.to_dict("records")):
            if rng.random() < (0.2 if year == CURRENT else 0.05) or not _open_in(community, year):
                continue
            effort = community["_effort"] - (community["_slip"] if year == CURRENT else 0.0)
            start, end = (0.7, 0.93) if community["urban_rural"] == "urban" else (0.55, 0.83)
            station = bool(adopt_station[i] < _progress(0.4, 0.7, year, effort))
            rows.append({
                "community_id": community["community_id"], "year": year,
                "parent_school": bool(adopt_school[i] < _progress(start, end, year, effort)),
                "guidance_station": station,
                "station_mh_education": bool(adopt_mh[i] < _progress(0.45, 0.8, year, effort)) if station else None,
            })
    return rows


def _region_years(counties: pd.DataFrame, rng: np.random.Generator) -> list[dict]:
    zero = set(counties.sample(2, random_state=int(rng.integers(1 << 31)))["adcode"])
    rows = []
    for year in YEARS:
        for county in counties.to_dict("records"):
            if rng.random() < (0.15 if year == CURRENT else 0.02):
                continue
            population = int(county["population"] * (1 + 0.003 * (year - YEARS[0])))
            effort = county["effort"] - (county["slip"] if year == CURRENT else 0.0)
            per_100k = max(0.0, rng.normal(3.1 + 0.35 * (min(year, PLAN_END) - YEARS[0]) + 0.6 * effort, 0.4))
            psychiatrists = 0 if county["adcode"] in zero else int(round(population / 100_000 * per_100k))
            rows.append({"adcode": county["adcode"], "year": year, "population": population,
                         "psychiatrists": psychiatrists})
    return rows


def _records(frame: pd.DataFrame, table: sa.Table) -> list[dict]:
    # Columns the demo does not generate (opened_year, closed_year, urban_rural_code of migration 0003) stay NULL.
    columns = [c.name for c in table.columns if c.name in frame.columns]
    subset = frame[columns].astype(object)
    return subset.where(subset.notna(), None).to_dict("records")


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    # executemany: measured 5x faster than compiling multi-row VALUES statements, on both engines.
    if rows:
        conn.execute(sa.insert(table), rows)


def build_demo(engine: sa.Engine, seed: int = 2024) -> DemoSummary:
    """Replace the warehouse's contents with the demo data (in one transaction) and mark it as demo."""
    started = time.perf_counter()
    migrate.upgrade(engine)
    rng = np.random.default_rng(seed)
    regions = _regions()
    counties = _counties(regions, rng)
    schools = _schools(counties, rng)
    school_years, surveys = _school_years(schools, rng)
    warning = jump_enrolment(school_years, schools)  # the plausibility warning 崇信县 explains in 2026
    hospitals = _hospitals(counties, rng)
    communities = _communities(counties, rng)
    with engine.connect() as conn:
        stamp = meta.read_stamp(conn)
    content = {
        schema.regions: regions.to_dict("records"),
        schema.region_year: _region_years(counties, rng),
        schema.schools: _records(schools, schema.schools),
        schema.school_year: school_years,
        schema.awareness_survey: surveys,
        schema.hospitals: _records(hospitals, schema.hospitals),
        schema.hospital_year: _hospital_years(hospitals, rng),
        schema.communities: _records(communities, schema.communities),
        schema.community_year: _community_years(communities, rng),
        schema.warehouse_meta: [{"key": "is_demo", "value": "1"}, {"key": "data_as_of", "value": DEMO_DATA_AS_OF},
                                {"key": "demo_seed", "value": str(seed)}, {"key": "source", "value": DEMO_SOURCE},
                                # Rebuilt in place: the same warehouse (its identity kept), one revision later.
                                {"key": meta.WAREHOUSE_ID_KEY, "value": stamp.warehouse_id or str(uuid.uuid4())},
                                {"key": meta.REVISION_KEY, "value": str(stamp.revision + 1)}],
    }
    # DuckDB rejects deleting a parent row whose children were deleted in the same transaction (a
    # documented foreign-key limitation), so tables are cleared children first, one transaction each; the
    # new content then goes in as one transaction.
    for table in reversed(schema.metadata.sorted_tables):
        with transaction(engine) as conn:
            conn.execute(sa.delete(table))
    school_rows = content[schema.schools]
    school_plan = plan_story(school_rows, school_years)
    with transaction(engine) as conn:
        for table in schema.metadata.sorted_tables:
            if table in content:
                _insert(conn, table, content[table])
        story = write_story(conn, regions, warning)
        if school_plan:  # after the review story: its county submissions come before any school account
            write_school_story(conn, school_plan, {r["school_id"] for r in surveys if r["year"] == STORY_YEAR})
    told = add_story_account(engine, school_plan, {r["school_id"]: r["name"] for r in school_rows}) \
        if school_plan else None
    checkpoint(engine)
    counts = {table.name: len(rows) for table, rows in content.items()} | story
    return DemoSummary(counts=counts, seconds=time.perf_counter() - started, seed=seed, school_story=told)
