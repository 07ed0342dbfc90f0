"""A generated national-scale warehouse for benchmarks: synthetic regions and units, random reports.

Synthetic (never shown in the product): 31 provinces with adcodes like real ones (so 610000 Shaanxi and the
city 620800 Pingliang exist and their plans apply), 2,875 counties, 500,000 schools, hospitals, communities
and four years of reports at scale 1.0. Loaded in bulk: DuckDB reads pandas frames directly, PostgreSQL
through COPY.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access import migrate, schema

PROVINCES = (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53,
             54, 61, 62, 63, 64, 65)
FULL_COUNTIES = 2_875
FULL_SCHOOLS = 500_000
HOSPITALS_PER_COUNTY = 8
COMMUNITIES_PER_COUNTY = 40
COUNTIES_PER_CITY = 10
YEARS = (2022, 2023, 2024, 2025)
STAGE_WEIGHTS = {"primary": 0.55, "junior_secondary": 0.2, "nine_year": 0.08, "senior_high": 0.06,
                 "complete_secondary": 0.03, "twelve_year": 0.01, "secondary_vocational": 0.05, "university": 0.02}
HOSPITAL_WEIGHTS = {"general": 0.6, "maternal_child": 0.2, "psychiatric": 0.15, "children": 0.05}


@dataclass(frozen=True)
class Built:
    counties: int
    schools: int
    rows: int
    seconds: float

    def describe(self) -> str:
        return f"{self.counties:,} counties, {self.schools:,} schools, {self.rows:,} rows in {self.seconds:.0f} s"


def _regions(counties: int) -> pd.DataFrame:
    rows = []
    per_province = np.full(len(PROVINCES), counties // len(PROVINCES))
    per_province[: counties % len(PROVINCES)] += 1
    for province, count in zip(PROVINCES, per_province, strict=True):
        pcode = f"{province}0000"
        rows.append((pcode, f"合成省{province}", "province", None, None, pcode))
        cities = max(8, -(-int(count) // COUNTIES_PER_CITY))  # at least 8 cities, so 620800 exists
        for city in range(1, cities + 1):
            ccode = f"{province}{city:02d}00"
            rows.append((ccode, f"合成市{province}{city:02d}", "city", pcode, ccode, pcode))
        for index in range(int(count)):
            city = index % cities + 1
            code = f"{province}{city:02d}{index // cities + 1:02d}"
            rows.append((code, f"合成县{code}", "county", f"{province}{city:02d}00", f"{province}{city:02d}00", pcode))
    return pd.DataFrame(rows, columns=["adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode"])


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    return rng.choice(list(weights), size=size, p=list(weights.values()))


def _maybe(rng: np.random.Generator, values: np.ndarray, missing: float) -> pd.Series:
    """Values with a share of them NULL (a figure left blank)."""
    found = pd.Series(values, dtype="boolean" if values.dtype.kind == "b" else "Float64")
    return found.mask(rng.random(len(values)) < missing).to_numpy()


def frames(scale: float = 1.0, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Every table of the synthetic warehouse as a frame, in load order."""
    rng = np.random.default_rng(seed)
    regions = _regions(max(len(PROVINCES), round(FULL_COUNTIES * scale)))
    county_codes = regions.loc[regions["level"] == "county", "adcode"].to_numpy()
    n_schools = max(1000, round(FULL_SCHOOLS * scale))
    stage = _choice(rng, STAGE_WEIGHTS, n_schools)
    schools = pd.DataFrame({
        "school_id": [f"S{i:07d}" for i in range(n_schools)],
        "name": [f"合成学校{i}" for i in range(n_schools)],
        "county_adcode": rng.choice(county_codes, n_schools),
        "stage": stage,
        "boarding": rng.random(n_schools) < 0.2,
        "urban_rural": np.where(rng.random(n_schools) < 0.5, "urban", "rural"),
        "longitude": rng.uniform(75, 134, n_schools),
        "latitude": rng.uniform(18, 53, n_schools),
        "opened_year": pd.array(np.where(rng.random(n_schools) < 0.02, 2024, None), dtype="Int64"),
        "closed_year": pd.array(np.where(rng.random(n_schools) < 0.02, 2023, None), dtype="Int64"),
    })
    base_enrollment = np.where(stage == "university", rng.integers(2000, 30000, n_schools),
                               rng.integers(50, 2500, n_schools))
    school_years, surveys = [], []
    for year in YEARS:
        reported = rng.random(n_schools) < 0.9
        ids = schools["school_id"].to_numpy()[reported]
        n = int(reported.sum())
        fulltime = rng.integers(0, 4, n).astype(float)
        parttime = rng.integers(0, 3, n).astype(float)
        school_years.append(pd.DataFrame({
            "school_id": ids, "year": year,
            "enrollment": pd.array(base_enrollment[reported] + rng.integers(-50, 50, n), dtype="Int64"),
            "boarding_students": pd.array(rng.integers(0, 300, n), dtype="Int64"),
            "fulltime_teachers": pd.array(_maybe(rng, fulltime, 0.02), dtype="Int64"),
            "parttime_teachers": pd.array(_maybe(rng, parttime, 0.02), dtype="Int64"),
            "counseling_room": _maybe(rng, rng.random(n) < 0.8, 0.02),
            "mh_in_school_plan": _maybe(rng, rng.random(n) < 0.9, 0.02),
            "mh_course": _maybe(rng, rng.random(n) < 0.7, 0.3),
            "screening_done": _maybe(rng, rng.random(n) < 0.85, 0.02),
            "students_screened": pd.array(rng.integers(0, 2000, n), dtype="Int64"),
            "fulltime_training_hours": _maybe(rng, fulltime * rng.uniform(10, 50, n), 0.05),
            "parttime_training_hours": _maybe(rng, parttime * rng.uniform(5, 25, n), 0.05),
        }))
        surveyed = rng.random(n) < 0.5
        counts = rng.integers(5, 200, int(surveyed.sum()))
        surveys.append(pd.DataFrame({"school_id": ids[surveyed], "year": year, "surveyed": counts,
                                     "passed": (counts * rng.uniform(0.6, 1.0, len(counts))).astype(int)}))
    n_hospitals = len(county_codes) * HOSPITALS_PER_COUNTY
    hospitals = pd.DataFrame({
        "hospital_id": [f"H{i:07d}" for i in range(n_hospitals)], "name": [f"合成医院{i}" for i in range(n_hospitals)],
        "county_adcode": np.repeat(county_codes, HOSPITALS_PER_COUNTY),
        "hospital_type": _choice(rng, HOSPITAL_WEIGHTS, n_hospitals),
        "opened_year": pd.array([None] * n_hospitals, dtype="Int64"),
        "closed_year": pd.array([None] * n_hospitals, dtype="Int64"),
    })
    n_communities = len(county_codes) * COMMUNITIES_PER_COUNTY
    communities = pd.DataFrame({
        "community_id": [f"C{i:07d}" for i in range(n_communities)],
        "name": [f"合成社区{i}" for i in range(n_communities)],
        "county_adcode": np.repeat(county_codes, COMMUNITIES_PER_COUNTY),
        "urban_rural": np.where(rng.random(n_communities) < 0.4, "urban", "rural"),
        "opened_year": pd.array([None] * n_communities, dtype="Int64"),
        "closed_year": pd.array([None] * n_communities, dtype="Int64"),
        "urban_rural_code": pd.array([None] * n_communities, dtype="string"),
    })
    hospital_years = pd.concat([pd.DataFrame({
        "hospital_id": hospitals["hospital_id"], "year": year,
        "clinic_open": _maybe(rng, rng.random(n_hospitals) < 0.6, 0.05)}) for year in YEARS])
    community_years = pd.concat([pd.DataFrame({
        "community_id": communities["community_id"], "year": year,
        "parent_school": _maybe(rng, rng.random(n_communities) < 0.8, 0.05),
        "guidance_station": _maybe(rng, rng.random(n_communities) < 0.5, 0.05),
        "station_mh_education": _maybe(rng, rng.random(n_communities) < 0.7, 0.05)}) for year in YEARS])
    region_years = pd.concat([pd.DataFrame({
        "adcode": county_codes, "year": year,
        "population": rng.integers(50_000, 1_500_000, len(county_codes)),
        "psychiatrists": rng.integers(0, 80, len(county_codes))}) for year in YEARS])
    return {"regions": regions, "schools": schools, "school_year": pd.concat(school_years),
            "awareness_survey": pd.concat(surveys), "hospitals": hospitals, "hospital_year": hospital_years,
            "communities": communities, "community_year": community_years, "region_year": region_years,
            "warehouse_meta": pd.DataFrame({"key": ["is_demo", "source"], "value": ["1", "synthetic benchmark"]})}


def _load_duckdb(engine: sa.Engine, name: str, frame: pd.DataFrame) -> None:
    raw = engine.raw_connection()
    try:
        duck = raw.driver_connection
        duck.register("incoming", frame)
        columns = ", ".join(frame.columns)
        duck.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM incoming")
        duck.unregister("incoming")
        raw.commit()
    finally:
        raw.close()


def _load_postgres(engine: sa.Engine, name: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False)
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {name} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()


def build(engine: sa.Engine, scale: float = 1.0) -> Built:
    """Migrate an empty warehouse and fill it with the synthetic national data."""
    started = time.perf_counter()
    migrate.upgrade(engine)
    loader = _load_duckdb if engine.dialect.name == "duckdb" else _load_postgres
    tables = frames(scale)
    unknown = set(tables) - {table.name for table in schema.metadata.sorted_tables}
    if unknown:
        raise ValueError(f"not warehouse tables: {sorted(unknown)}")
    for name, frame in tables.items():
        loader(engine, name, frame)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
            conn.commit()
    return Built(counties=int((tables["regions"]["level"] == "county").sum()), schools=len(tables["schools"]),
                 rows=sum(len(frame) for frame in tables.values()), seconds=time.perf_counter() - started)
