"""仅显示已审核数据: figures of a city with 3 counties, 2 approved, computed by hand.

Pingliang (620800) with 崆峒区 (two schools, both with a counseling room), 泾川县 (one school with a room) and
灵台县 (two schools, neither has a room). Counseling-room coverage against the Pingliang target (100 %):

- all data:  city 3/5 = 60.0 % -> behind; 灵台县 0/2 = 0 % -> behind.
- 崆峒区 and 泾川县 approved, 灵台县 not: the city counts 3/3 = 100 % -> met; 灵台县 is 待审核 (its two schools
  expected, none counted as reported: 0/2, never 0 %); the city's basis reads 已审核 2/3 县.
- 灵台县's own users (own_county) still see its 0/2 = 0 % -> behind, marked unapproved_shown.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access import evaluation, read_model, schema
from data_access.meta import warehouse_info
from data_access.review_basis import Basis, row_basis_text

REGIONS = [
    ("620000", "甘肃省", "province", None, None, "620000"),
    ("620800", "平凉市", "city", "620000", "620800", "620000"),
    ("620802", "崆峒区", "county", "620800", "620800", "620000"),
    ("620821", "泾川县", "county", "620800", "620800", "620000"),
    ("620822", "灵台县", "county", "620800", "620800", "620000"),
]
SCHOOLS = [("K1", "崆峒一小", "620802", True), ("K2", "崆峒二小", "620802", True), ("J1", "泾川一小", "620821", True),
           ("L1", "灵台一小", "620822", False), ("L2", "灵台二小", "620822", False)]
YEAR = 2025
INDICATOR = "counseling_room_coverage"
APPROVED = {(YEAR, "school"): frozenset({"620802", "620821"})}


def _populate(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.regions), [
            dict(zip(("adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode"), row,
                     strict=True)) for row in REGIONS])
        conn.execute(sa.insert(schema.schools), [
            {"school_id": sid, "name": name, "county_adcode": county, "stage": "primary", "boarding": False,
             "urban_rural": "urban"} for sid, name, county, _ in SCHOOLS])
        conn.execute(sa.insert(schema.school_year), [
            {"school_id": sid, "year": YEAR, "enrollment": 300, "fulltime_teachers": 1, "counseling_room": room}
            for sid, _, _, room in SCHOOLS])
        conn.execute(sa.insert(schema.warehouse_meta), [{"key": "is_demo", "value": "0"}])


@pytest.fixture
def approved(monkeypatch):
    """The review chain's answer for this warehouse: 崆峒区 and 泾川县 approved for 2025's school report."""
    monkeypatch.setattr(evaluation, "approvals", lambda engine, years, kinds: {
        (int(year), kind): APPROVED.get((int(year), kind), frozenset()) for year in years for kind in kinds})


def _rows(engine, level, basis):
    frame = evaluation.evaluate(engine, "620800", level, [YEAR], indicator_ids=[INDICATOR], basis=basis)
    return {row["unit_id"]: row for row in frame.to_dict("records")}


def test_all_data_counts_every_report(engine, approved):
    _populate(engine)
    city = _rows(engine, "city", Basis(approved_only=False))["620800"]
    assert (city["numerator"], city["denominator"], city["status"]) == (3, 5, "behind")
    assert city["value"] == pytest.approx(60.0)
    assert (city["counties_approved"], city["counties_total"]) == (2, 3)
    assert row_basis_text(city, approved_only=False) == "含未审核数据"
    lingtai = _rows(engine, "county", Basis(approved_only=False))["620822"]
    assert (lingtai["status"], lingtai["review"]) == ("behind", "unapproved")


def test_approved_only_counts_approved_counties_and_marks_the_rest_pending(engine, approved):
    _populate(engine)
    basis = Basis(approved_only=True)
    city = _rows(engine, "city", basis)["620800"]
    assert (city["numerator"], city["denominator"], city["reported"], city["expected"]) == (3, 3, 3, 5)
    assert city["value"] == pytest.approx(100.0)
    assert city["status"] == "met"  # 60 % behind with 灵台县's unapproved figures, met without them
    assert row_basis_text(city, approved_only=True) == "已审核 2/3 县"
    counties = _rows(engine, "county", basis)
    assert counties["620822"]["status"] == "pending_review"
    assert (counties["620822"]["reported"], counties["620822"]["expected"]) == (0, 2)  # not reported, not zero
    assert counties["620822"]["value"] != counties["620822"]["value"]  # NaN
    assert [counties[c]["status"] for c in ("620802", "620821")] == ["met", "met"]
    assert row_basis_text(counties["620822"], approved_only=True) == "待审核"
    schools = _rows(engine, "school", basis)
    assert {sid: schools[sid]["status"] for sid in ("K1", "L1", "L2")} == {
        "K1": "met", "L1": "pending_review", "L2": "pending_review"}


def test_view_states_its_basis(engine, approved):
    _populate(engine)
    basis = Basis(approved_only=True)
    scope = read_model.resolve_scope(engine, "620800", YEAR)
    view = read_model.evaluate_views(engine, scope, [INDICATOR], basis=basis)[INDICATOR]
    assert view.basis_text() == "已审核 2/3 县"
    assert view.basis_text("en") == "approved 2/3 counties"
    assert "已审核 2/3 县" in view.subtitle()
    assert (view.reported, view.expected) == (3, 5)
    assert view.counts()["pending_review"] == 1
    assert view.behind() == 0  # 待审核 is neutral: never behind
    ranked = view.ranking()
    assert ranked.loc[ranked["unit_id"] == "620822", "rank"].isna().all()  # listed, not ranked
    everything = read_model.evaluate_views(engine, scope, [INDICATOR], basis=Basis())[INDICATOR]
    assert everything.basis_text() == "含未审核数据"
    info = warehouse_info(engine)
    assert not info.is_demo


def test_own_county_sees_its_unapproved_figures_marked(engine, approved):
    _populate(engine)
    basis = Basis(approved_only=True, own_county="620822")
    frame = evaluation.evaluate(engine, "620822", "school", [YEAR], allowed_region="620822",
                                indicator_ids=[INDICATOR], basis=basis)
    assert set(frame["status"]) == {"behind"}
    assert set(frame["review"]) == {"unapproved_shown"}
    assert row_basis_text(frame.iloc[0].to_dict(), approved_only=True) == "未审核"
    scope = read_model.resolve_scope(engine, "620822", YEAR, allowed="620822")
    view = read_model.evaluate_views(engine, scope, [INDICATOR], basis=basis)[INDICATOR]
    assert view.basis_text() == "含未审核数据"


def test_the_review_chain_decides_what_counts(engine):
    """The same figures through the real state machine: only the city's approval makes a county count."""
    from data_access import review
    from data_access.access import Principal

    _populate(engine)
    city = Principal("pl.rev", "平凉市审核员", "reviewer", "620800")
    for county in ("620802", "620821", "620822"):
        review.submit(engine, Principal(f"rep.{county}", "填报员", "reporter", county), county, YEAR, "school")
    basis = Basis(approved_only=True)
    before = _rows(engine, "city", basis)["620800"]
    assert (before["status"], before["reported"], before["counties_approved"]) == ("pending_review", 0, 0)
    for county in ("620802", "620821"):
        review.approve(engine, city, county, YEAR, "school")
    after = _rows(engine, "city", basis)["620800"]
    assert (after["status"], after["numerator"], after["denominator"]) == ("met", 3, 3)
    assert row_basis_text(after, approved_only=True) == "已审核 2/3 县"
    review.approve(engine, city, "620822", YEAR, "school")
    everything = _rows(engine, "city", basis)["620800"]
    assert (everything["status"], everything["numerator"], everything["denominator"]) == ("behind", 3, 5)
    assert row_basis_text(everything, approved_only=True) == "已审核 3/3 县"
    assert row_basis_text(_rows(engine, "city", Basis())["620800"], approved_only=False) == "已审核 3/3 县"
