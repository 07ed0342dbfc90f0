"""填报: a school's own entry form for a year — the school report or the awareness survey.

Fields, labels, units and help come from the importer's declarations (importing/spec.py); a save goes through
the importer (data_access/school_review.py), whose problems are shown beside their fields. One column, no
wide layout: usable at a phone's width. Clicks are on_click callbacks (they run before the script), and what
was typed is kept in session state, so a rejected save or a rerun never loses it.
"""

from __future__ import annotations

import streamlit as st

from data_access.access import AccessDenied, is_school_principal
from data_access.school_reports import STATE_RETURNED
from data_access.school_review import (
    MAX_FIELD_CHARS,
    EntryLocked,
    entry_columns,
    entry_lock,
    entry_school,
    entry_years,
    field_help,
    save_entry,
    school_history,
    state_of,
    stored_texts,
)
from ui import auth, resources
from ui import state as keys
from ui.i18n import ENTRY_FIELDS_EN, UNITS_EN, headers, lang, report_type_name, t, year_label
from ui.safe_text import escape
from ui.streamlit_compat import run_entry_script_if_legacy_pages_mode
from ui.view import language_switch

TYPE = "entry_type"
TYPED = "_entry_typed"  # (school, year, type) -> field -> text: what was typed, kept across reruns
PROBLEMS = "_entry_problems"  # (school, year, type) -> (field problems, general problems)
RESULT = "_entry_result"  # (kind, message) of the last save

# Run through app.py, which decides who is signed in, even on a first /entry request.
run_entry_script_if_legacy_pages_mode()
language_switch()
st.title(t("entry"))
principal = auth.principal()
if not is_school_principal(principal):
    st.info(t("entry_needs_school"))
    st.stop()
engine = resources.cached_engine()
school_id = principal.region
requested = st.session_state.get(keys.SCHOOL)
if requested and requested != school_id:  # a link naming another school is refused, not followed
    st.error(escape(t("entry_other_school").format(school=str(requested)[:32])))
    st.session_state[keys.SCHOOL] = school_id
    st.stop()
st.session_state[keys.SCHOOL] = school_id
school = entry_school(engine, principal)
st.subheader(escape(school["name"]))  # a registry name is user-supplied text
st.caption(f"{school['school_id']}")

years = entry_years(school)
if st.session_state.get(keys.YEAR) not in years:
    st.session_state[keys.YEAR] = years[-1]
year = st.selectbox(t("year"), years, index=years.index(st.session_state[keys.YEAR]), format_func=year_label,
                    key="entry_year")
st.session_state[keys.YEAR] = year
type_key = st.radio(t("entry_report_type"), ["school", "survey"], format_func=report_type_name, key=TYPE,
                    horizontal=True)
slot = (school_id, int(year), type_key)


def _label(column) -> str:
    if lang() == "en":
        name = ENTRY_FIELDS_EN.get(column.field, (column.field, ""))[0]
        return f"{name} ({UNITS_EN.get(column.unit, column.unit)})" if column.unit else name
    return f"{column.header} ({column.unit})" if column.unit else column.header


def _help(column) -> str:
    return ENTRY_FIELDS_EN.get(column.field, ("", ""))[1] if lang() == "en" else field_help(column)


def _widget(field: str) -> str:
    return f"entry:{school_id}:{year}:{type_key}:{field}"


def _typed() -> dict[str, str]:
    return {column.field: str(st.session_state.get(_widget(column.field)) or "") for column in entry_columns(type_key)}


def _save(submit: bool) -> None:
    texts = _typed()
    st.session_state.setdefault(TYPED, {})[slot] = texts
    acting = auth.establish(engine, False)
    if acting is None:
        st.session_state[RESULT] = ("error", "请先登录。")
        return
    try:
        result = save_entry(engine, acting, school_id, int(year), type_key, texts, submit=submit,
                            explanation=st.session_state.get(f"entry_explain:{school_id}:{year}:{type_key}"))
    except (EntryLocked, AccessDenied, ValueError) as refused:
        st.session_state[RESULT] = ("error", str(refused))
        return
    if result.status == "needs_explanation":
        st.session_state.setdefault(PROBLEMS, {})[slot] = ({}, [], result.warnings)
        count = sum(len(v) for v in result.warnings.values())
        st.session_state[RESULT] = ("warning", t("entry_needs_explanation").format(n=count))
        return
    if not result.ok:
        st.session_state.setdefault(PROBLEMS, {})[slot] = (result.field_issues, result.general_issues, {})
        count = sum(len(v) for v in result.field_issues.values()) + len(result.general_issues)
        st.session_state[RESULT] = ("error", t("entry_rejected").format(n=count))
        return
    st.session_state.setdefault(PROBLEMS, {})[slot] = ({}, [], result.warnings)
    message = t("entry_submitted" if submit else "entry_saved").format(batch=result.batch_id[:8])
    st.session_state[RESULT] = ("success", message)
    resources.clear_data_caches()


state = state_of(engine, principal, school_id, int(year), type_key)
st.markdown(f"**{t('entry_state').format(state=t('state_' + state.state))}**")
if state.state == STATE_RETURNED and state.reason:
    st.warning(t("entry_returned"))
    st.text(state.reason)  # the county's words: plain text, never markdown
locked = entry_lock(engine, school_id, int(year), type_key)
if locked:
    st.info(f"{t('entry_locked')} {escape(locked)}")
result = st.session_state.pop(RESULT, None)
if result:
    getattr(st, result[0])(escape(result[1]))

field_problems, general_problems, field_warnings = st.session_state.get(PROBLEMS, {}).get(slot, ({}, [], {}))
for problem in general_problems:
    st.error(escape(problem))

stored = stored_texts(engine, school_id, int(year), type_key)
kept = st.session_state.get(TYPED, {}).get(slot, {})
st.caption(t("entry_intro"))
with st.form(f"entry_form:{school_id}:{year}:{type_key}", border=False):
    for column in entry_columns(type_key):
        key = _widget(column.field)
        if key not in st.session_state:  # first draw: what was typed before, else what the school reported
            st.session_state[key] = kept.get(column.field, stored.get(column.field, ""))
        if column.kind == "flag":
            options = ["", "是", "否"]
            if st.session_state[key] not in options:
                options.append(st.session_state[key])  # an odd value stays visible until it is fixed
            st.selectbox(_label(column), options, key=key, help=_help(column), disabled=bool(locked),
                         format_func=lambda v: t("entry_blank_choice") if v == "" else
                         ({"是": "Yes", "否": "No"}.get(v, v) if lang() == "en" else v))
        else:
            st.text_input(_label(column), key=key, help=_help(column), max_chars=MAX_FIELD_CHARS,
                          disabled=bool(locked))
        for problem in field_problems.get(column.field, []):
            st.error(escape(problem))
        for warning in field_warnings.get(column.field, []):  # plausibility (经验校验): explain before submitting
            st.warning(escape(warning))
    st.text_area(t("entry_explanation"), key=f"entry_explain:{school_id}:{year}:{type_key}", max_chars=500,
                 disabled=bool(locked))
    st.form_submit_button(t("entry_save"), on_click=_save, args=(False,), disabled=bool(locked))
    st.form_submit_button(t("entry_submit"), on_click=_save, args=(True,), type="primary", disabled=bool(locked))

st.markdown(f"#### {t('entry_history')}")
history = school_history(engine, principal, school_id)
if history.empty:
    st.caption(t("entry_no_history"))
else:
    st.dataframe(headers(history), hide_index=True, width="stretch")
