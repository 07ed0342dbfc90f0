"""审核: a county submits its yearly reports; the city (and, for Shaanxi, the province) approves, returns or
withdraws; deadlines, overdue counties and the reminder list. Every change goes through data_access.review."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import review
from data_access.access import AccessDenied
from data_access.reminders import OVERDUE_COLOUR, reminder_list, review_progress, today_in_beijing
from data_access.school_review import waiting_schools
from ui import auth, resources
from ui import state as keys
from ui.export_widgets import table_downloads
from ui.i18n import days_text, report_type_name, t, year_label
from ui.safe_text import escape
from ui.view import breadcrumb, current, demo_banner
from ui.wire import text_table

NOTICE = "_review_notice"

view = current()
st.title(f"{t('review')} · {year_label(view.year)}")
demo_banner(view)
breadcrumb(view)
if not any(auth.may(action) for action in ("submit", "approve", "set_deadline")):
    st.info(t("rv_needs_account"))
    st.stop()

principal = auth.principal()
engine = resources.cached_engine()
regions = resources.regions(view.url)
names = dict(zip(regions["adcode"], regions["name"], strict=True))
levels = dict(zip(regions["adcode"], regions["level"], strict=True))
notice = st.session_state.pop(NOTICE, None)
if notice:
    st.success(notice)


def state_label(state: str) -> str:
    return t(f"rv_state_{state}") if state in review.STATES else state


def chip(state: str, overdue: bool) -> str:
    colour = {"approved": "green", "submitted": "blue", "returned": "orange"}.get(state, "gray")
    return f":{colour}-background[{state_label(state)}]" + (" :violet-background[!]" if overdue else "")


def act(action, *args, done: str, **kwargs) -> None:
    """One transition; a refusal (state, level, own submission, a race lost) is shown as the module words it."""
    try:
        action(engine, principal, *args, **kwargs)
    except (review.ReviewRefused, AccessDenied) as error:
        st.error(str(error))
        return
    resources.clear_data_caches()  # approved-only maps and figures change with the state
    st.session_state[NOTICE] = t("rv_done").format(action=done)
    st.rerun()


def map_link(county: str, city: str | None) -> str:
    """The county's map on the same basis (a new tab: its own session reads the URL)."""
    params = {keys.SCOPE: view.scope, keys.YEAR: view.year, keys.INDICATOR: view.indicator,
              keys.COUNTY: county, keys.APPROVED_ONLY: "1" if view.approved_only else "0", keys.LANG: view.lang}
    if view.scope_level == "province" and city:
        params[keys.CITY] = city
    return "/map?" + "&".join(f"{key}={value}" for key, value in params.items())


progress = review_progress(engine, view.year, view.region, today=today_in_beijing())
if progress.empty:
    st.info(t("rv_no_counties"))
    st.stop()


def county_panel(county: str) -> None:
    """A county user's own reports: state, n/N, warnings, return reason, and 提交 with a confirmation."""
    st.subheader(t("rv_my_county").format(county=names.get(county, county), year=year_label(view.year)))
    mine = progress[progress["county_adcode"] == county]
    for row in mine.to_dict("records"):
        kind = row["report_type"]
        with st.container(border=True):
            st.markdown(f"**{report_type_name(kind)}** {chip(row['state'], row['overdue'])}")
            st.caption(f"{t('rv_completeness')} {row['reported']}/{row['expected']} · "
                       f"{t('rv_open_warnings')} {row['open_warnings']} · {t('rv_deadline')} "
                       f"{row['deadline'] or '—'} ({days_text(row['days_left'])})")
            if row["state"] == review.STATE_RETURNED and row["reason"]:
                st.text(t("rv_return_reason") + str(row["reason"]))  # typed by a reviewer: plain text
            if row["state"] in (review.STATE_OPEN, review.STATE_RETURNED) and auth.may("submit"):
                submit_form(county, kind)


def submit_form(county: str, kind: str) -> None:
    box = st.expander(t("rv_submit_title").format(kind=report_type_name(kind)), key=f"rv_open_{kind}",
                      on_change="rerun")
    if not box.open:
        return
    with box:
        st.caption(t("rv_submit_note"))
        warnings = review.county_warnings(engine, county, view.year, kind)
        open_warnings = warnings[warnings["open"]] if not warnings.empty else warnings
        explanations: dict[str, str] = {}
        if not warnings.empty:
            st.markdown(f"**{t('rv_warning_table')}**")
            shown = warnings[["unit_id", "column_header", "old_value", "new_value", "message", "explanation"]]
            st.dataframe(text_table(shown), hide_index=True, width="stretch")
        for number, warning in enumerate(open_warnings.to_dict("records"), start=1):
            explanations[warning["warning_id"]] = st.text_area(
                t("rv_explain_each").format(n=number), key=f"rv_explain_{kind}_{number}", max_chars=1000,
                help=str(warning["message"])[:200])
        common = st.text_area(t("rv_explain_all"), key=f"rv_explain_{kind}_all", max_chars=1000) \
            if not open_warnings.empty else ""
        # Schools with their own account that have not submitted (学校填报): the county says why it submits anyway.
        waiting = waiting_schools(engine, county, int(view.year), kind)
        schools_reason = ""
        if waiting:
            shown = "、".join(name for _, name in waiting[:10]) + (" …" if len(waiting) > 10 else "")
            st.warning(escape(t("rv_schools_waiting").format(n=len(waiting), names=shown)))
            schools_reason = st.text_area(t("rv_schools_reason"), key=f"rv_schools_reason_{kind}", max_chars=1000)
        confirmed = st.checkbox(t("rv_confirm"), key=f"rv_confirm_{kind}")
        if st.button(t("rv_submit"), key=f"rv_submit_{kind}", type="primary"):
            if not confirmed:
                st.warning(t("rv_confirm_needed"))
                return
            act(review.submit, county, view.year, kind, common.strip() or None, done=t("rv_submit"),
                explanations={key: text.strip() for key, text in explanations.items() if text.strip()},
                schools_reason=schools_reason.strip() or None)


def county_table() -> None:
    """Counties x report types: state, completeness, warnings, days to the deadline, map link; overdue rows in
    their own colour."""
    st.subheader(t("rv_counties_title"))
    rows = progress.to_dict("records")
    table = pd.DataFrame({
        t("county"): [row["county_name"] for row in rows],
        t("report_type"): [report_type_name(row["report_type"]) for row in rows],
        t("status"): [state_label(row["state"]) for row in rows],
        t("rv_completeness"): [f"{row['reported']}/{row['expected']}" for row in rows],
        t("rv_warnings"): [str(row["open_warnings"]) for row in rows],
        t("rv_deadline"): [str(row["deadline"] or "—") for row in rows],
        t("rv_days_col"): [days_text(row["days_left"]) for row in rows],
        t("rv_reason"): [str(row["reason"] or "") for row in rows],
        t("rv_open_map"): [map_link(row["county_adcode"], row["city_adcode"]) for row in rows],
    })
    overdue = list(progress["overdue"])
    styled = table.style.apply(lambda column: [f"background-color: {OVERDUE_COLOUR}" if late else ""
                                               for late in overdue], axis=0)
    st.dataframe(styled, hide_index=True, width="stretch", height=min(600, 38 * (len(table) + 1)),
                 column_config={t("rv_open_map"): st.column_config.LinkColumn(display_text=t("rv_open_map_link"))})
    late = progress[progress["overdue"]]
    st.caption(t("rv_overdue_counties").format(n=late["county_adcode"].nunique()))


def review_actions() -> None:
    """审核通过 / 退回 (reason required) / 取消审核 on one county and report type."""
    if not auth.may("approve"):
        return
    st.markdown(f"#### {t('rv_act')}")
    counties = list(dict.fromkeys(progress["county_adcode"]))
    left, middle, right = st.columns(3)
    county = left.selectbox(t("county"), counties, key="rv_county", format_func=lambda c: names.get(c, c))
    kind = middle.selectbox(t("report_type"), list(review.REPORT_TYPES), key="rv_kind", format_func=report_type_name)
    actions = {"approve": t("rv_approve"), "return": t("rv_return"), "withdraw": t("rv_withdraw")}
    action = right.radio(t("rv_action"), list(actions), key="rv_action", format_func=actions.get, horizontal=True)
    row = progress[(progress["county_adcode"] == county) & (progress["report_type"] == kind)]
    if not row.empty:
        current_row = row.iloc[0]
        st.caption(f"{names.get(county, county)} · {report_type_name(kind)}: {state_label(current_row['state'])} · "
                   f"{t('rv_completeness')} {current_row['reported']}/{current_row['expected']} · "
                   f"{t('rv_open_warnings')} {current_row['open_warnings']}")
    reason = st.text_area(t("rv_reason"), key="rv_reason", max_chars=500) if action != "approve" else ""
    if st.button(t("rv_run"), key="rv_run", type="primary"):
        if action == "approve":
            act(review.approve, county, view.year, kind, done=actions[action])
        elif not reason.strip():
            st.error(t("rv_reason_required"))
        elif action == "return":
            act(review.return_, county, view.year, kind, reason=reason.strip(), done=actions[action])
        else:
            act(review.withdraw, county, view.year, kind, reason=reason.strip(), done=actions[action])


def city_panel() -> None:
    """The province confirms a city once all its counties are approved (plans whose jurisdiction is a province)."""
    cities = review.city_table(engine, view.year, view.region)
    if cities.empty:
        return
    st.subheader(t("rv_cities_title"))
    rows = cities.to_dict("records")
    st.dataframe(text_table(pd.DataFrame({
        t("city"): [row["city_name"] for row in rows],
        t("report_type"): [report_type_name(row["report_type"]) for row in rows],
        t("rv_cities_counties"): [f"{row['counties_approved']}/{row['counties']}" for row in rows],
        t("status"): [state_label(row["state"]) for row in rows],
    })), hide_index=True, width="stretch", height=min(400, 38 * (len(rows) + 1)))
    if not auth.may("approve") or levels.get(principal.region) not in ("province", None):
        return
    left, middle, right = st.columns(3)
    city = left.selectbox(t("city"), list(dict.fromkeys(cities["city_adcode"])), key="rv_city",
                          format_func=lambda c: names.get(c, c))
    kind = middle.selectbox(t("report_type"), list(review.REPORT_TYPES), key="rv_city_kind",
                            format_func=report_type_name)
    actions = {"approve": t("rv_confirm_city"), "withdraw": t("rv_withdraw_city")}
    action = right.radio(t("rv_action"), list(actions), key="rv_city_action", format_func=actions.get)
    reason = st.text_area(t("rv_reason"), key="rv_city_reason", max_chars=500) if action == "withdraw" else ""
    if st.button(t("rv_run"), key="rv_city_run", type="primary"):
        if action == "approve":
            act(review.approve, city, view.year, kind, done=actions[action])
        elif not reason.strip():
            st.error(t("rv_reason_required"))
        else:
            act(review.withdraw, city, view.year, kind, reason=reason.strip(), done=actions[action])


def deadline_panel() -> None:
    """An administrator sets the deadline of a year and report type for the chosen area."""
    if not auth.may("set_deadline"):
        return
    box = st.expander(t("rv_deadlines_title"), key="rv_deadlines_open", on_change="rerun")
    if not box.open:
        return
    with box:
        st.caption(t("rv_deadline_for").format(region=names.get(view.region, view.region)))
        left, right = st.columns(2)
        kind = left.selectbox(t("report_type"), list(review.REPORT_TYPES), key="rv_deadline_kind",
                              format_func=report_type_name)
        due = right.date_input(t("rv_deadline"), key="rv_deadline_date", value=None)
        if st.button(t("rv_set_deadline"), key="rv_deadline_set") and due is not None:
            act(review.set_deadline, view.region, view.year, kind, due, done=t("rv_set_deadline"))
        if st.button(t("rv_remove_deadline"), key="rv_deadline_remove"):
            act(review.set_deadline, view.region, view.year, kind, None, done=t("rv_remove_deadline"))


def reminders() -> None:
    """催报: overdue counties, what they owe and whom to call; CSV/XLSX through the neutralising helpers."""
    st.subheader(t("rv_reminders_title"))
    st.caption(t("rv_reminders_note"))
    found = reminder_list(engine, view.year, view.region, progress=progress)
    if found.empty:
        st.success(t("rv_none_overdue"))
        return
    table = pd.DataFrame({
        t("county"): found["county_name"], t("code"): found["county_adcode"],
        t("report_type"): [report_type_name(kind) for kind in found["report_type"]],
        t("rv_missing"): found["missing"] if view.lang == "zh" else [
            f"{report_type_name(row['report_type'])} not submitted ({state_label(row['state'])}, "
            f"{row['reported']}/{row['expected']} units reported)" for row in found.to_dict("records")],
        t("rv_reporters"): found["reporters"],
        t("rv_reporter_names"): found["reporter_names"], t("rv_deadline"): found["deadline"].astype(str),
        t("rv_days_overdue"): found["days_overdue"],
    })
    st.dataframe(text_table(table), hide_index=True, width="stretch")
    table_downloads(table, file_stem=f"{t('rv_reminders_title')}_{view.region}_{view.year}", key="rv_reminders")


def history() -> None:
    box = st.expander(t("rv_history_title"), key="rv_history_open", on_change="rerun")
    if not box.open:
        return
    found = review.review_history(engine, view.region, view.year)
    if found.empty:
        box.info(t("rv_no_history"))
        return
    box.dataframe(text_table(found.assign(occurred_at=found["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"))),
                  hide_index=True, width="stretch")


own_county = principal.region if levels.get(principal.region) == "county" else None
if own_county:
    county_panel(own_county)
else:
    city_panel()
    county_table()
    review_actions()
    deadline_panel()
reminders()
history()
