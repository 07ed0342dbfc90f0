"""The sidebar filters and the view they describe; shared by every page through app.py."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_access import catalog, vocab
from data_access.engine import warehouse_url
from ui import resources
from ui import state as keys
from ui.i18n import lang, t


@dataclass(frozen=True)
class View:
    scope: str
    city: str
    county: str
    school: str
    year: int
    indicator: str
    stage: str
    mode: str
    lang: str
    url: str
    allowed: str
    is_demo: bool
    data_as_of: str | None
    years: tuple[int, ...]

    @property
    def region(self) -> str:
        """The deepest region chosen: county, else city, else the plan scope."""
        return self.county or self.city or self.scope

    @property
    def child_level(self) -> str:
        """What the map shows inside `region`."""
        if self.county:
            return "school"
        if self.city or self.scope != "610000":
            return "county"
        return "city"

    @property
    def region_level(self) -> str:
        return "county" if self.county else ("city" if self.city or self.scope != "610000" else "province")


def _keep_valid(key: str, options: list, default) -> None:
    """Reset a state value (from the URL or an older view) that is not among the current options."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def _region_names(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["adcode"], frame["name"], strict=True))


def sidebar() -> View:
    """Render the filters (scope, city, county, year, indicator, stage, colouring, language)."""
    url = warehouse_url()
    info = resources.warehouse_info(url)
    regions = resources.regions(url)
    names = _region_names(regions)
    with st.sidebar:
        _keep_valid(keys.LANG, ["zh", "en"], "zh")
        st.radio(t("language"), ["zh", "en"], key=keys.LANG, horizontal=True,
                 format_func=lambda code: "中文" if code == "zh" else "English")

        _keep_valid(keys.SCOPE, list(keys.SCOPES), keys.DEFAULT_SCOPE)
        scope = st.radio(t("scope"), list(keys.SCOPES), key=keys.SCOPE, horizontal=True,
                         format_func=lambda code: keys.SCOPES[code], on_change=_scope_changed)

        cities = sorted(regions[(regions["level"] == "city") & (regions["province_adcode"] == scope)]["adcode"])
        if scope == "610000":
            _keep_valid(keys.CITY, ["", *cities], "")
            city = st.selectbox(t("city"), ["", *cities], key=keys.CITY, on_change=_city_changed,
                                format_func=lambda code: names.get(code, t("whole_scope")) if code else "全省")
        else:
            st.session_state[keys.CITY] = ""
            city = ""
        parent = city or (scope if scope != "610000" else "")
        counties = sorted(regions[(regions["level"] == "county") & (regions["parent_adcode"] == parent)]["adcode"]) \
            if parent else []
        _keep_valid(keys.COUNTY, ["", *counties], "")
        county = st.selectbox(t("county"), ["", *counties], key=keys.COUNTY, on_change=_county_changed,
                              format_func=lambda code: names.get(code, code) if code else t("all"),
                              disabled=not counties)

        years = list(info.years) or [keys.DEFAULT_YEAR[scope]]
        default_year = keys.DEFAULT_YEAR[scope] if keys.DEFAULT_YEAR[scope] in years else years[-1]
        _keep_valid(keys.YEAR, years, default_year)
        year = st.selectbox(t("year"), years, key=keys.YEAR, format_func=lambda y: f"{y}年")

        available = catalog.indicators_for(scope)
        ids = [ind.id for ind in available]
        headline = sorted((ind for ind in available if ind.headline), key=lambda ind: ind.headline)
        _keep_valid(keys.INDICATOR, ids, headline[0].id if headline else ids[0])
        indicator = st.selectbox(t("indicator"), ids, key=keys.INDICATOR,
                                 format_func=lambda code: catalog.indicators()[code].name(lang()))

        stages = ["", *vocab.STAGES]
        _keep_valid(keys.STAGE, stages, "")
        stage = st.selectbox(t("stage"), stages, key=keys.STAGE,
                             format_func=lambda code: vocab.STAGES[code] if code else t("all"))

        _keep_valid(keys.MODE, ["status", "value"], "status")
        mode = st.radio(t("mode"), ["status", "value"], key=keys.MODE, horizontal=True,
                        format_func=lambda m: t("mode_status") if m == "status" else t("mode_value"))
        st.caption(f"数据截至 {info.data_as_of or '—'} · {info.dialect}")
    st.session_state.setdefault(keys.SCHOOL, "")
    return View(scope=scope, city=city or "", county=county or "", school=st.session_state[keys.SCHOOL] or "",
                year=int(year), indicator=indicator, stage=stage or "", mode=mode, lang=lang(), url=url,
                allowed=resources.allowed_region(), is_demo=info.is_demo, data_as_of=info.data_as_of,
                years=info.years)


def _scope_changed() -> None:
    keys.drill_to(st.session_state, keys.SCOPE, None)
    st.session_state[keys.YEAR] = keys.DEFAULT_YEAR[st.session_state[keys.SCOPE]]


def _city_changed() -> None:
    keys.drill_to(st.session_state, keys.CITY, st.session_state[keys.CITY])


def _county_changed() -> None:
    keys.drill_to(st.session_state, keys.COUNTY, st.session_state[keys.COUNTY])


def demo_banner(view: View) -> None:
    if view.is_demo:
        st.warning(t("demo_banner"), icon="⚠️")


def breadcrumb(view: View) -> None:
    """省 > 市 > 县 > 校: each crumb goes back up to that level."""
    names = _region_names(resources.regions(view.url))
    crumbs: list[tuple[str, str | None, str]] = [(keys.SCOPE, None, keys.SCOPES[view.scope])]
    if view.city:
        crumbs.append((keys.CITY, view.city, names.get(view.city, view.city)))
    if view.county:
        crumbs.append((keys.COUNTY, view.county, names.get(view.county, view.county)))
    if view.school:
        crumbs.append((keys.SCHOOL, view.school, view.school))
    columns = st.columns([1] * len(crumbs) + [max(1, 8 - len(crumbs))])
    for index, (level, code, label) in enumerate(crumbs):
        last = index == len(crumbs) - 1
        columns[index].button(
            ("› " if index else "") + label, key=f"crumb_{level}", disabled=last, type="tertiary",
            on_click=keys.drill_to, args=(st.session_state, level, code),
        )


def no_data_guard(view: View) -> None:
    """Stop the page with a plain message when the chosen year holds no report at all."""
    if view.year not in view.years:
        st.info(t("no_data_year"))
        st.stop()


def status_chip(status: str) -> str:
    from data_access.status import BAND_BY_STATUS, Status

    band = BAND_BY_STATUS[Status(status)]
    label = band.label_zh if lang() == "zh" else band.label_en
    return f":{_colour_name(band.status.value)}-background[{label}]"


def _colour_name(status: str) -> str:
    return {"met": "green", "close": "orange", "behind": "red", "no_data": "gray"}[status]


def format_value(value: float, unit: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:.2f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def current() -> View:
    """The view app.py computed for this run (or the sidebar rendered now, for a page run on its own)."""
    view = st.session_state.get("view")
    return view if isinstance(view, View) else sidebar()
