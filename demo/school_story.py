"""The demo's schools reporting for themselves (issue 19): in 2026 the schools of 灵台县 are in every state of
their own report — submitted, draft, returned with the county's reason, not filled — and one school has an
account whose sign-in the demo prints.

Runs inside build_demo's transaction, on the rows it is about to insert; the states are written through
school_reports.set_state, as the entry form would.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from data_access.school_reports import STATE_DRAFT, STATE_RETURNED, STATE_SUBMITTED, set_state

STORY_COUNTY = "620822"  # 灵台县 (平凉市): returned by the city in the review story, its schools correcting
STORY_YEAR = 2026
# Demo only (the data is generated): printed by `mhmonitor demo` so anyone can try the entry form.
DEMO_SCHOOL_PASSWORD = "Demo-School-2026"
RETURN_REASON = "专职心理健康教师数与县教育局人事台账不一致 (台账为 1 人), 请核对后重新提交"
SUBMITTED, DRAFTS = 6, 3  # how many schools of the county submitted / saved a draft


@dataclass(frozen=True)
class SchoolStory:
    county: str
    submitted: tuple[str, ...]
    drafts: tuple[str, ...]
    returned: str
    account_login: str
    account_name: str

    def describe(self) -> str:
        return (f"学校填报演示 ({STORY_YEAR}, 崆峒区): 已提交 {len(self.submitted)} 所, 草稿 {len(self.drafts)} 所, "
                f"已退回 1 所, 其余未填。以学校身份登录: 账号 {self.account_login} ({self.account_name}, 已被退回), "
                f"密码 {DEMO_SCHOOL_PASSWORD}, 打开「填报」页面")


def plan_story(schools: list[dict], school_years: list[dict]) -> dict[str, str] | None:
    """school_id -> state for the county's schools that reported 2026 (at least one reporting school is left
    without a state, and the county keeps schools that did not report): None when the county has too few."""
    in_county = [s["school_id"] for s in schools if s["county_adcode"] == STORY_COUNTY]
    reported = sorted({r["school_id"] for r in school_years if r["year"] == STORY_YEAR} & set(in_county))
    if len(reported) < SUBMITTED + DRAFTS + 2:
        return None
    story = {sid: STATE_SUBMITTED for sid in reported[:SUBMITTED]}
    story.update({sid: STATE_DRAFT for sid in reported[SUBMITTED:SUBMITTED + DRAFTS]})
    story[reported[SUBMITTED + DRAFTS]] = STATE_RETURNED
    return story


def write_story(conn: sa.Connection, story: dict[str, str], surveyed: set[str]) -> None:
    """The states of the school report (and the survey, where the school has one), as the form writes them."""
    for school_id, state in story.items():
        for type_key in ("school", "survey") if school_id in surveyed else ("school",):
            if state == STATE_RETURNED:
                set_state(conn, school_id, STORY_YEAR, type_key, STATE_SUBMITTED, school_id)
                set_state(conn, school_id, STORY_YEAR, type_key, STATE_RETURNED, "demo.kongtong", reason=RETURN_REASON)
            else:
                set_state(conn, school_id, STORY_YEAR, type_key, state, school_id)


def add_story_account(engine: sa.Engine, story: dict[str, str], names: dict[str, str]) -> SchoolStory:
    """The returned school's own account (after the demo's transaction: accounts.add_user opens its own)."""
    from data_access.accounts import add_user

    returned = next(sid for sid, state in story.items() if state == STATE_RETURNED)
    add_user(engine, returned, role="school", region=returned, password=DEMO_SCHOOL_PASSWORD,
             display_name=names[returned][:64])
    return SchoolStory(STORY_COUNTY, tuple(s for s, v in story.items() if v == STATE_SUBMITTED),
                       tuple(s for s, v in story.items() if v == STATE_DRAFT), returned, returned, names[returned])
