"""学校: one school's reports by year against every target that applies to its stage and size."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import catalog
from data_access.formatting import deadline_label, missing_text, target_text, value_text
from data_access.regions import RegionError, open_in_year
from data_access.status import UNMET_STATUSES
from exports.tables import indicator_table
from ui import resources
from ui import state as keys
from ui.export_widgets import table_downloads
from ui.i18n import stage_name, t, year_label
from ui.safe_text import escape
from ui.view import breadcrumb, current, demo_banner

REPORT_COLUMNS = {
    "zh": {"year": "年度", "enrollment": "在校生", "boarding_students": "寄宿生", "fulltime_teachers": "专职教师",
           "parttime_teachers": "兼职教师", "counseling_room": "心理辅导室达标", "mh_in_school_plan": "纳入规划",
           "mh_course": "必修课", "screening_done": "已测评", "students_screened": "测评人数",
           "fulltime_training_hours": "专职培训总学时", "parttime_training_hours": "兼职培训总学时",
           "surveyed": "知晓率调查人数", "passed": "合格人数"},
    "en": {"year": "Year", "enrollment": "Students", "boarding_students": "Boarders",
           "fulltime_teachers": "Full-time MH teachers", "parttime_teachers": "Part-time MH teachers",
           "counseling_room": "Counseling room up to standard", "mh_in_school_plan": "In school plan",
           "mh_course": "Compulsory course", "screening_done": "Screening done",
           "students_screened": "Students screened", "fulltime_training_hours": "Full-time training hours",
           "parttime_training_hours": "Part-time training hours", "surveyed": "Awareness surveyed",
           "passed": "Passed"},
}

view = current()
st.title(t("school"))
demo_banner(view)
breadcrumb(view)

# Schools not open in the chosen year are not listed for it (their earlier years stay on their page).
candidates = open_in_year(resources.schools(view.url, view.region, view.allowed), view.year)
if view.stage:
    candidates = candidates[candidates["stage"] == view.stage]
if candidates.empty:
    st.info(t("no_schools"))
    st.stop()
ids = list(candidates["school_id"])
labels = dict(zip(candidates["school_id"], candidates["name"] + " · " + candidates["county_name"], strict=True))
current_school = st.session_state.get(keys.SCHOOL) or ""
if current_school not in ids:
    current_school = ids[0] if len(ids) == 1 else ""
widget = keys.widget_key(keys.SCHOOL)
if st.session_state.get(widget) not in ["", *ids]:
    st.session_state[widget] = current_school
chosen = st.selectbox(t("choose_school"), ["", *ids], key=widget,
                      format_func=lambda sid: labels.get(sid, t("please_choose")) if sid else t("please_choose"))
st.session_state[keys.SCHOOL] = chosen
keys.sync_url(st.query_params, st.session_state)
if not chosen:
    st.info(t("school_count").format(n=len(ids)))
    st.stop()

try:
    record, reports = resources.school(view.url, chosen, view.allowed)
except RegionError as error:
    st.error(escape(str(error)))
    st.stop()

# A registry name is user-supplied text: escaped, and no anchor link made from it.
st.subheader(escape(record["name"]), anchor=False)
boarding = t("boarding") if record["boarding"] else t("day_school")
setting = t(record["urban_rural"]) if record["urban_rural"] in ("urban", "rural") else ""
st.caption(f"{stage_name(record['stage'])} · {record['county_name']} · {boarding} · {setting} · "
           f"{t('school_code')} {record['school_id']}")

evaluation = resources.evaluation(view.url, record["county_adcode"], "school", view.years or (view.year,),
                                  view.allowed, None, "", **resources.basis_keys(view.basis))
mine = evaluation[evaluation["unit_id"] == chosen]
if mine.empty:
    st.info(t("school_no_targets"))
else:
    # A school is not a percentage: yes/no rules read 达标 / 未达标 and what is missing ("缺 1 名专(兼)职教师").
    rows = mine.to_dict("records")
    cells = mine.assign(
        indicator_label=[catalog.indicators()[r["indicator"]].name(view.lang) for r in rows],
        deadline_label=[deadline_label(r["deadline_year"], view.lang) for r in rows],
        target_text=[target_text(r, view.lang) for r in rows],
        year_label=[year_label(int(y)) for y in mine["year"]],
        cell=[value_text(r, view.lang) + (f" · {missing_text(r, view.lang)}" if r["status"] in UNMET_STATUSES else "")
              for r in rows],
    )
    table = cells.pivot_table(index=["indicator_label", "target_text", "deadline_label"], columns="year_label",
                              values="cell", aggfunc="first")
    table.index = table.index.set_names([t("indicator"), t("target"), t("deadline")])
    st.markdown(f"#### {t('school_by_year')}")
    st.dataframe(table, width="stretch")
    table_downloads(indicator_table(mine, view.lang), file_stem=f"{record['name']}_{chosen}", key="school_table")
    now = mine[mine["year"] == view.year]
    behind = now[now["status"].isin(UNMET_STATUSES)]
    if not behind.empty:
        st.markdown(f"#### {t('school_not_met').format(year=year_label(view.year))}")
        for row in behind.to_dict("records"):
            name = catalog.indicators()[row["indicator"]].name(view.lang)
            deadline = deadline_label(row["deadline_year"], view.lang)
            st.markdown(f"- **{name}**: {value_text(row, view.lang)} · {missing_text(row, view.lang)} · "
                        f"{t('target')} {target_text(row, view.lang)} ({deadline})  \n  > {row['clause']}")

st.markdown(f"#### {t('school_reports')}")
if reports.empty:
    st.info(t("school_no_reports"))
else:
    shown = reports.drop(columns=["school_id"]).rename(columns=REPORT_COLUMNS["en" if view.lang == "en" else "zh"])
    missing = sorted(set(view.years) - set(reports["year"]))
    st.dataframe(shown.astype(object).where(pd.notna(shown), t("not_reported")), hide_index=True, width="stretch")
    if missing:
        st.caption(t("years_not_reported") + ", ".join(year_label(y) for y in missing))
