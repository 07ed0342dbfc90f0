"""Test-only plans and regions: invented plans in fixture_plans/ and a synthetic third jurisdiction.

Never used by the product: the catalog reads these plan directories only when MHMONITOR_EXTRA_PLANS names them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access import catalog, schema

FIXTURE_PLANS = Path(__file__).resolve().parent / "fixture_plans"
PINGLIANG_SUCCESSOR = FIXTURE_PLANS / "pingliang_successor"  # fixture_pingliang_2026, 2026–2030
THIRD_JURISDICTION = FIXTURE_PLANS / "third_jurisdiction"  # fixture_ningxia_2024, 640000

# A synthetic Ningxia beside the fixture warehouse: one city, one county, two schools reporting for 2025.
NINGXIA_REGIONS = [
    ("640000", "宁夏回族自治区", "province", None, None, "640000"),
    ("640100", "银川市", "city", "640000", "640100", "640000"),
    ("640104", "兴庆区", "county", "640100", "640100", "640000"),
]
NINGXIA_SCHOOLS = [
    ("N1", "兴庆一小", "640104", "primary", False, "urban", 106.28, 38.47),
    ("N2", "兴庆二中", "640104", "junior_secondary", False, "urban", 106.29, 38.47),
]
# N1 has a part-time mental-health teacher, N2 none: counselor_coverage 1/2 = 50%.
NINGXIA_SCHOOL_YEARS = [
    {"school_id": "N1", "year": 2025, "enrollment": 600, "boarding_students": 0, "fulltime_teachers": 0,
     "parttime_teachers": 1},
    {"school_id": "N2", "year": 2025, "enrollment": 400, "boarding_students": 0, "fulltime_teachers": 0,
     "parttime_teachers": 0},
]


def enable_plans(monkeypatch: pytest.MonkeyPatch, *directories: Path) -> None:
    """Add fixture plan directories to the catalog for one test."""
    monkeypatch.setenv(catalog.EXTRA_PLANS_ENV, os.pathsep.join(str(d) for d in directories))


def populate_ningxia(engine: sa.Engine) -> None:
    """Add the synthetic Ningxia regions and schools to a populated fixture warehouse."""
    columns = ("adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode")
    school_columns = ("school_id", "name", "county_adcode", "stage", "boarding", "urban_rural", "longitude",
                      "latitude")
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.regions), [dict(zip(columns, row, strict=True)) for row in NINGXIA_REGIONS])
        conn.execute(sa.insert(schema.schools),
                     [dict(zip(school_columns, row, strict=True)) for row in NINGXIA_SCHOOLS])
        conn.execute(sa.insert(schema.school_year), NINGXIA_SCHOOL_YEARS)
