"""The review chain (data_access/review.py) on both engines: every allowed and refused transition for each role
and level, the history it leaves, locks on import and undo, and the table the review page reads.

Fixture regions: Shaanxi (610000, plan jurisdiction: the province confirms) > Xi'an 610100 > 新城区 610102,
碑林区 610103; Pingliang (620800, plan jurisdiction: the city is final) > 崆峒区 620802.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from data_access import review
from data_access.access import SHELL_OPERATOR, Principal
from data_access.importing import REPORT_TYPES, UndoRefused, import_file, undo_import
from data_access.importing.spec import YEARLY_TYPES
from data_access.meta import read_stamp
from data_access.schema import import_batches, review_events, review_states
from tests.data_access.fixture_warehouse import populate

YEAR = 2025
P = {
    "rep_xc": Principal("rep_xc", "新城区填报员", "reporter", "610102"),
    "rep_xc2": Principal("rep_xc2", "新城区填报员二", "reporter", "610102"),
    "rep_bl": Principal("rep_bl", "碑林区填报员", "reporter", "610103"),
    "admin_xc": Principal("admin_xc", "新城区管理员", "admin", "610102"),
    "rev_xa": Principal("rev_xa", "西安市审核员", "reviewer", "610100"),
    "admin_xa": Principal("admin_xa", "西安市管理员", "admin", "610100"),
    "viewer_xa": Principal("viewer_xa", "西安市查看", "viewer", "610100"),
    "rev_sx": Principal("rev_sx", "陕西省审核员", "reviewer", "610000"),
    "admin_sx": Principal("admin_sx", "陕西省管理员", "admin", "610000"),
    "rep_kt": Principal("rep_kt", "崆峒区填报员", "reporter", "620802"),
    "rev_pl": Principal("rev_pl", "平凉市审核员", "reviewer", "620800"),
    "admin_gs": Principal("admin_gs", "甘肃省管理员", "admin", "620000"),
    "admin_all": Principal("admin_all", "全国管理员", "admin", "000000"),
    "operator": SHELL_OPERATOR,
}


@pytest.fixture
def warehouse(engine: sa.Engine) -> sa.Engine:
    populate(engine)
    return engine


def state(engine: sa.Engine, unit: str, report_type: str = "school") -> str:
    with engine.connect() as conn:
        found = conn.execute(sa.select(review_states.c.state).where(
            review_states.c.unit_adcode == unit, review_states.c.year == YEAR,
            review_states.c.report_type == report_type)).scalar()
    return found or review.STATE_OPEN


def reset(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(review_events))
        conn.execute(sa.delete(review_states))


# Ways to reach a starting state with real transitions (so the history and the submitter are real too).
def reach(engine: sa.Engine, start: str) -> None:
    reset(engine)
    steps = {
        "open": [],
        "submitted": [("submit", "rep_xc", "610102")],
        "submitted_by_city_admin": [("submit", "admin_xa", "610102")],
        "returned": [("submit", "rep_xc", "610102"), ("return", "rev_xa", "610102")],
        "approved": [("submit", "rep_xc", "610102"), ("approve", "rev_xa", "610102")],
        "one_of_two_approved": [("submit", "rep_xc", "610102"), ("approve", "rev_xa", "610102")],
        "both_approved": [("submit", "rep_xc", "610102"), ("approve", "rev_xa", "610102"),
                          ("submit", "rep_bl", "610103"), ("approve", "rev_xa", "610103")],
        "confirmed": [("submit", "rep_xc", "610102"), ("approve", "rev_xa", "610102"),
                      ("submit", "rep_bl", "610103"), ("approve", "rev_xa", "610103"),
                      ("approve", "rev_sx", "610100")],
        "kt_submitted": [("submit", "rep_kt", "620802")],
        "kt_approved": [("submit", "rep_kt", "620802"), ("approve", "rev_pl", "620802")],
    }[start]
    with engine.begin() as conn:  # the steps join one transaction (the Connection form of every transition)
        for action, who, unit in steps:
            act(conn, action, who, unit)


def act(engine: sa.Engine | sa.Connection, action: str, who: str, unit: str, reason: str = "数据需核实") -> None:
    principal = P[who]
    if action == "submit":
        review.submit(engine, principal, unit, YEAR, "school")
    elif action == "approve":
        review.approve(engine, principal, unit, YEAR, "school")
    elif action == "return":
        review.return_(engine, principal, unit, YEAR, "school", reason=reason)
    else:
        review.withdraw(engine, principal, unit, YEAR, "school", reason=reason)


# (start, action, actor, unit, expected state of unit afterwards or None = refused)
CASES = [
    # submit: a reporter or admin whose region holds the county, from open or returned
    ("open", "submit", "rep_xc", "610102", "submitted"),
    ("open", "submit", "admin_xc", "610102", "submitted"),
    ("open", "submit", "admin_xa", "610102", "submitted"),
    ("open", "submit", "admin_sx", "610102", "submitted"),
    ("open", "submit", "admin_all", "610102", "submitted"),
    ("open", "submit", "rep_bl", "610102", None),  # another county
    ("open", "submit", "rev_xa", "610102", None),  # reviewers review, they do not submit
    ("open", "submit", "viewer_xa", "610102", None),
    ("open", "submit", "rep_kt", "610102", None),
    ("open", "submit", "operator", "610102", None),  # no login: nobody to record
    ("open", "submit", "rep_xc", "610100", None),  # a city does not submit
    ("returned", "submit", "rep_xc", "610102", "submitted"),
    ("returned", "submit", "rep_xc2", "610102", "submitted"),
    ("submitted", "submit", "rep_xc", "610102", None),
    ("approved", "submit", "rep_xc", "610102", None),
    ("kt_submitted", "submit", "rep_kt", "620802", None),
    ("open", "submit", "rep_kt", "620802", "submitted"),
    # approve a county: the city (the level that acts), only a submission, never one's own
    ("submitted", "approve", "rev_xa", "610102", "approved"),
    ("submitted", "approve", "admin_xa", "610102", "approved"),
    ("submitted", "approve", "rev_sx", "610102", None),  # the province confirms cities, not counties
    ("submitted", "approve", "admin_sx", "610102", None),
    ("submitted", "approve", "admin_all", "610102", None),
    ("submitted", "approve", "admin_xc", "610102", None),  # the county itself
    ("submitted", "approve", "rep_xc", "610102", None),
    ("submitted", "approve", "viewer_xa", "610102", None),
    ("submitted", "approve", "rev_pl", "610102", None),
    ("submitted_by_city_admin", "approve", "admin_xa", "610102", None),  # own submission
    ("submitted_by_city_admin", "approve", "rev_xa", "610102", "approved"),
    ("open", "approve", "rev_xa", "610102", None),
    ("returned", "approve", "rev_xa", "610102", None),
    ("approved", "approve", "rev_xa", "610102", None),  # the second reviewer is told it is approved
    ("kt_submitted", "approve", "rev_pl", "620802", "approved"),
    ("kt_submitted", "approve", "admin_gs", "620802", None),  # Gansu is outside Pingliang's chain
    ("kt_submitted", "approve", "rev_xa", "620802", None),
    # return: the approving level, a submission, with a reason
    ("submitted", "return", "rev_xa", "610102", "returned"),
    ("submitted", "return", "admin_xa", "610102", "returned"),
    ("submitted", "return", "rev_sx", "610102", None),
    ("submitted", "return", "rep_xc", "610102", None),
    ("submitted", "return", "viewer_xa", "610102", None),
    ("open", "return", "rev_xa", "610102", None),
    ("returned", "return", "rev_xa", "610102", None),
    ("approved", "return", "rev_xa", "610102", None),  # withdraw first
    ("confirmed", "return", "rev_sx", "610100", None),  # a city is not returned
    ("kt_submitted", "return", "rev_pl", "620802", "returned"),
    # withdraw a county's approval: the approver's level or above, while no higher level approved on top
    ("approved", "withdraw", "rev_xa", "610102", "submitted"),
    ("approved", "withdraw", "admin_xa", "610102", "submitted"),
    ("approved", "withdraw", "rev_sx", "610102", "submitted"),
    ("approved", "withdraw", "admin_all", "610102", "submitted"),
    ("approved", "withdraw", "rep_xc", "610102", None),
    ("approved", "withdraw", "admin_xc", "610102", None),  # below the approver
    ("approved", "withdraw", "viewer_xa", "610102", None),
    ("approved", "withdraw", "rev_pl", "610102", None),
    ("submitted", "withdraw", "rev_xa", "610102", None),
    ("open", "withdraw", "rev_xa", "610102", None),
    ("confirmed", "withdraw", "rev_xa", "610102", None),  # the province confirmed on top of it
    ("confirmed", "withdraw", "rev_sx", "610102", None),  # ... even for the province: unconfirm first
    ("kt_approved", "withdraw", "rev_pl", "620802", "submitted"),
    ("kt_approved", "withdraw", "admin_gs", "620802", "submitted"),  # above the approver
    ("kt_approved", "withdraw", "rev_xa", "620802", None),
    # the province confirms a city once every county is approved; withdraws its confirmation
    ("both_approved", "approve", "rev_sx", "610100", "approved"),
    ("both_approved", "approve", "admin_sx", "610100", "approved"),
    ("both_approved", "approve", "rev_xa", "610100", None),
    ("both_approved", "approve", "admin_all", "610100", None),
    ("one_of_two_approved", "approve", "rev_sx", "610100", None),
    ("confirmed", "approve", "rev_sx", "610100", None),
    ("confirmed", "withdraw", "rev_sx", "610100", "open"),
    ("confirmed", "withdraw", "admin_all", "610100", "open"),
    ("confirmed", "withdraw", "rev_xa", "610100", None),
    ("confirmed", "withdraw", "admin_xa", "610100", None),
    ("both_approved", "withdraw", "rev_sx", "610100", None),
    ("kt_approved", "approve", "admin_gs", "620800", None),  # Pingliang's approval is final
    ("kt_approved", "approve", "rev_pl", "620800", None),
]


def test_every_transition_for_each_role_and_level(warehouse):
    failures = []
    for start, action, who, unit, expected in CASES:
        reach(warehouse, start)
        before = state(warehouse, unit)
        with warehouse.connect() as conn:
            events_before = conn.execute(sa.select(sa.func.count()).select_from(review_events)).scalar_one()
        try:
            act(warehouse, action, who, unit)
            outcome = state(warehouse, unit)
        except review.ReviewRefused as refused:
            message = str(refused)
            if "\n" in message or not message:
                failures.append((start, action, who, unit, "message not one line", message))
            outcome = None
            if state(warehouse, unit) != before:
                failures.append((start, action, who, unit, "state changed although refused"))
        if outcome != expected:
            failures.append((start, action, who, unit, expected, outcome))
        if outcome is not None:
            with warehouse.connect() as conn:
                last = conn.execute(sa.select(review_events).order_by(review_events.c.occurred_at.desc())
                                    .limit(1)).mappings().first()
                count = conn.execute(sa.select(sa.func.count()).select_from(review_events)).scalar_one()
            if count != events_before + 1 or (last["action"], last["from_state"], last["to_state"],
                                              last["actor"]) != (action, before, expected, who):
                failures.append((start, action, who, unit, "history", dict(last)))
    assert not failures, failures


def test_refusals_say_why_in_one_chinese_line(warehouse):
    reach(warehouse, "submitted_by_city_admin")
    with pytest.raises(review.ReviewRefused, match="不能审核自己的上报"):
        act(warehouse, "approve", "admin_xa", "610102")
    with pytest.raises(review.ReviewRefused, match="退回须填写原因"):
        act(warehouse, "return", "rev_xa", "610102", reason="   ")
    reach(warehouse, "approved")
    with pytest.raises(review.ReviewRefused, match=r"不能审核通过: 新城区 2025 年学校年报目前为「已审核」\(rev_xa 于 "):
        act(warehouse, "approve", "admin_xa", "610102")
    with pytest.raises(review.ReviewRefused, match="取消审核须填写原因"):
        act(warehouse, "withdraw", "rev_xa", "610102", reason="")
    reach(warehouse, "one_of_two_approved")
    with pytest.raises(review.ReviewRefused, match=r"还有县\(区\)未经西安市审核通过 \(碑林区\)"):
        act(warehouse, "approve", "rev_sx", "610100")
    reach(warehouse, "confirmed")
    with pytest.raises(review.ReviewRefused, match="请先由陕西省取消确认"):
        act(warehouse, "withdraw", "rev_xa", "610102")


def test_history_keeps_who_when_why_and_the_counts(warehouse):
    with warehouse.connect() as conn:
        revision = read_stamp(conn).revision
    act(warehouse, "submit", "rep_xc", "610102")
    with warehouse.connect() as conn:
        assert read_stamp(conn).revision == revision + 1  # every transition is a write the caches must see
    act(warehouse, "return", "rev_xa", "610102", reason="四中未上报, 请补报")
    act(warehouse, "submit", "rep_xc", "610102")
    act(warehouse, "approve", "rev_xa", "610102")
    history = review.review_history(warehouse, "610102", YEAR)
    assert list(history["action"]) == ["approve", "submit", "return", "submit"]
    assert list(history["to_state"]) == ["approved", "submitted", "returned", "submitted"]
    assert history["reason"].iloc[2] == "四中未上报, 请补报"
    # 新城区 holds S1, S2, S3 and the universities U1-U3 in 2025 (S4 reported 2024 only): 6 rows
    assert set(history["rows_reported"]) == {6}
    assert list(history["actor_name"])[:2] == ["西安市审核员", "新城区填报员"]
    assert review.review_history(warehouse, "620800", YEAR).empty
    assert len(review.review_history(warehouse, "610000", YEAR)) == 4


def test_a_reason_is_bounded_user_text(warehouse):
    act(warehouse, "submit", "rep_xc", "610102")
    act(warehouse, "return", "rev_xa", "610102", reason="**粗体** <b>x</b>" + "长" * 2000)
    table = review.review_table(warehouse, YEAR, "610102").set_index("report_type")
    reason = table.loc["school", "reason"]
    assert reason.startswith("**粗体** <b>x</b>") and len(reason) == review.REASON_CHARS and reason.endswith("…")


def test_review_table_rows_levels_and_deadlines(warehouse):
    act(warehouse, "submit", "rep_xc", "610102")
    act(warehouse, "approve", "rev_xa", "610102")
    act(warehouse, "submit", "rep_bl", "610103")
    act(warehouse, "approve", "rev_xa", "610103")
    act(warehouse, "approve", "rev_sx", "610100")
    act(warehouse, "submit", "rep_kt", "620802")
    act(warehouse, "return", "rev_pl", "620802", reason="人数有误")
    review.set_deadline(warehouse, P["admin_sx"], "610000", YEAR, "school", date(2025, 9, 30))
    review.set_deadline(warehouse, P["admin_xa"], "610100", YEAR, "school", date(2025, 9, 15))
    with pytest.raises(review.ReviewRefused, match="无权设置截止日期"):
        review.set_deadline(warehouse, P["rev_xa"], "610100", YEAR, "school", date(2025, 9, 1))
    with pytest.raises(review.ReviewRefused, match="无权设置截止日期"):
        review.set_deadline(warehouse, P["admin_xa"], "610000", YEAR, "school", date(2025, 9, 1))

    table = review.review_table(warehouse, YEAR, review.ALL_REGIONS)
    assert len(table) == 3 * len(review.REPORT_TYPES)
    school = table[table["report_type"] == "school"].set_index("county_adcode")
    assert school.loc["610102", "approved_levels"] == ("610100", "610000") and school.loc["610102", "final"]
    assert school.loc["620802", "state"] == "returned" and school.loc["620802", "reason"] == "人数有误"
    assert school.loc["620802", "approved_levels"] == () and not school.loc["620802", "final"]
    assert school.loc["610102", "deadline"] == date(2025, 9, 15)  # the city's, nearer than the province's
    assert school.loc["620802", "deadline"] is None
    assert review.approved_counties(warehouse, YEAR, "school") == frozenset({"610102", "610103"})
    assert review.approved_counties(warehouse, YEAR, "survey") == frozenset()
    cities = review.city_table(warehouse, YEAR, "610000").set_index("report_type")
    assert cities.loc["school", ["counties", "counties_approved", "ready", "state"]].tolist() == [2, 2, True,
                                                                                                  "approved"]
    assert review.review_table(warehouse, YEAR, "620802")["county_adcode"].unique().tolist() == ["620802"]

    act(warehouse, "withdraw", "rev_sx", "610100")
    school = review.review_table(warehouse, YEAR, "610100").query("report_type == 'school'").set_index(
        "county_adcode")
    assert school.loc["610102", "approved_levels"] == ("610100",) and not school.loc["610102", "final"]


def test_declarations_agree_with_the_importer():
    assert set(review.REPORT_TYPES) == set(YEARLY_TYPES)
    for key in review.REPORT_TYPES:
        spec = REPORT_TYPES[key]
        facts, units, unit_key = review.REPORT_TABLES[key]
        assert review.REPORT_NAMES_ZH[key] == spec.name_zh
        assert facts is spec.facts and unit_key == spec.unit_key
        assert (units is None) == (spec.units.name == "regions") and (units is None or units is spec.units)


# --- locks: import and undo -----------------------------------------------------------------------------------

def school_csv(*lines: str) -> bytes:
    return ("学校代码,年度,在校生数\n" + "".join(f"{line}\n" for line in lines)).encode()


def test_import_and_undo_refused_while_submitted_or_approved_and_accepted_after_return(warehouse):
    first = import_file(warehouse, "一.csv", school_csv("S1,2025,1210"), principal=P["rep_xc"])
    assert first.status == "applied", first.summary_lines()
    act(warehouse, "submit", "rep_xc", "610102")

    preview = import_file(warehouse, "二.csv", school_csv("S1,2025,1220", "S5,2025,2100"), principal=P["admin_sx"],
                          dry_run=True)
    assert preview.status == "rejected"
    [issue] = preview.issues  # 碑林区 (S5) is open: only 新城区 is named, at its row
    assert (issue.row, issue.column, issue.value) == (2, "学校代码", "S1")
    assert issue.message.startswith("新城区 2025 年学校年报已上报 (rep_xc, ")
    assert issue.message.endswith("不能再导入或撤销: 需要修改请联系西安市审核人员退回")
    refused = import_file(warehouse, "二.csv", school_csv("S1,2025,1220"), principal=P["rep_xc"])
    assert refused.status == "rejected" and "已上报" in refused.issues[0].message
    with pytest.raises(UndoRefused, match="已上报"):
        undo_import(warehouse, first.batch_id, principal=P["rep_xc"])
    other_year = import_file(warehouse, "三.csv", school_csv("S1,2024,900"), principal=P["rep_xc"])
    assert other_year.status == "applied"  # another year is not locked
    survey = import_file(warehouse, "四.csv", "学校代码,年度,调查人数,知晓人数\nS1,2025,100,95\n".encode(),
                         principal=P["rep_xc"])
    assert survey.status == "applied"  # nor another report type

    act(warehouse, "approve", "rev_xa", "610102")
    refused = import_file(warehouse, "二.csv", school_csv("S1,2025,1220"), principal=P["rep_xc"])
    assert "已由西安市审核通过 (rev_xa, " in refused.issues[0].message
    assert "请联系西安市审核人员取消审核并退回" in refused.issues[0].message
    act(warehouse, "submit", "rep_bl", "610103")
    act(warehouse, "approve", "rev_xa", "610103")
    act(warehouse, "approve", "rev_sx", "610100")
    refused = check_refused(warehouse)
    assert "已由西安市审核、陕西省确认, 数据已锁定: 需要修改请联系陕西省取消确认, 再由西安市取消审核并退回" in refused

    act(warehouse, "withdraw", "rev_sx", "610100")
    act(warehouse, "withdraw", "rev_xa", "610102")
    assert "已上报" in check_refused(warehouse)
    act(warehouse, "return", "rev_xa", "610102", reason="请更正在校生数")
    again = import_file(warehouse, "二.csv", school_csv("S1,2025,1220"), principal=P["rep_xc"])
    assert again.status == "applied", again.summary_lines()
    undo_import(warehouse, again.batch_id, principal=P["rep_xc"])
    with warehouse.connect() as conn:
        statuses = dict(conn.execute(sa.select(import_batches.c.file_name, import_batches.c.status)).all())
    assert statuses["一.csv"] == "applied" and statuses["二.csv"] == "undone"


def check_refused(engine: sa.Engine) -> str:
    outcome = import_file(engine, "五.csv", school_csv("S2,2025,333"), principal=P["rep_xc"])
    assert outcome.status == "rejected"
    return outcome.issues[0].message


def test_ensure_editable_and_registries_stay_outside_the_chain(warehouse):
    with warehouse.connect() as conn:
        review.ensure_editable(conn, "610102", YEAR, "school")
    act(warehouse, "submit", "rep_xc", "610102")
    with warehouse.connect() as conn:
        with pytest.raises(review.ReviewLocked, match="已上报"):
            review.ensure_editable(conn, "610102", YEAR, "school")
        review.ensure_editable(conn, "610102", YEAR, "hospital")
        review.ensure_editable(conn, "610102", YEAR, "school_registry")
    registry = import_file(warehouse, "名录.csv", "学校标识码,学校名称,县区代码,学段,是否寄宿制,城乡\n"
                           "2161000001,新城七小,610102,小学,否,城镇\n".encode(), imported_by="admin")
    assert registry.status == "applied", registry.summary_lines()
