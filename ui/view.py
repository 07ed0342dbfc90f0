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
from ui.streamlit_compat import run_entry_script_if_legacy_pages_mode


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


def _bound(key: str, options: list, default) -> dict:
    """Widget arguments tying a sidebar widget to the canonical view value `key`.

    The widget is seeded from the view value on every run: Streamlit gives a widget created by another
    page a new identity and would show its first option (a page switch reset the year to 2022 and the
    scope to Shaanxi). A change in the widget is copied back by its on_change callback, which runs before
    the script, so the seed never undoes what the user just chose.
    """
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    widget = keys.widget_key(key)
    st.session_state[widget] = st.session_state[key]
    return {"key": widget, "on_change": _copy_from_widget, "args": (key,)}


def _copy_from_widget(key: str) -> None:
    st.session_state[key] = st.session_state[keys.widget_key(key)]


def _store(key: str, value: object) -> object:
    st.session_state[key] = value
    return value


def _region_names(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["adcode"], frame["name"], strict=True))


def sidebar() -> View:
    """Render the filters (scope, city, county, year, indicator, stage, colouring, language)."""
    url = warehouse_url()
    info = resources.warehouse_info(url)
    regions = resources.regions(url)
    names = _region_names(regions)
    with st.sidebar:
        _store(keys.LANG, st.radio(t("language"), ["zh", "en"], **_bound(keys.LANG, ["zh", "en"], "zh"),
                                   horizontal=True, format_func=lambda code: "中文" if code == "zh" else "English"))

        scope = _store(keys.SCOPE, st.radio(t("scope"), list(keys.SCOPES), horizontal=True,
                                            **_bound(keys.SCOPE, list(keys.SCOPES), keys.DEFAULT_SCOPE),
                                            format_func=lambda code: keys.SCOPES[code]))
        _on_change(keys.SCOPE, scope, _scope_changed)

        cities = sorted(regions[(regions["level"] == "city") & (regions["province_adcode"] == scope)]["adcode"])
        if scope == "610000":
            city = _store(keys.CITY, st.selectbox(
                t("city"), ["", *cities], **_bound(keys.CITY, ["", *cities], ""),
                format_func=lambda code: names.get(code, t("whole_scope")) if code else "全省"))
            _on_change(keys.CITY, city, _city_changed)
        else:
            city = _store(keys.CITY, "")
        parent = city or (scope if scope != "610000" else "")
        counties = sorted(regions[(regions["level"] == "county") & (regions["parent_adcode"] == parent)]["adcode"]) \
            if parent else []
        county = _store(keys.COUNTY, st.selectbox(
            t("county"), ["", *counties], **_bound(keys.COUNTY, ["", *counties], ""),
            format_func=lambda code: names.get(code, code) if code else t("all"), disabled=not counties))
        _on_change(keys.COUNTY, county, _county_changed)

        years = list(info.years) or [keys.DEFAULT_YEAR[scope]]
        default_year = keys.DEFAULT_YEAR[scope] if keys.DEFAULT_YEAR[scope] in years else years[-1]
        year = _store(keys.YEAR, st.selectbox(t("year"), years, **_bound(keys.YEAR, years, default_year),
                                              format_func=lambda y: f"{y}年"))

        available = catalog.indicators_for(scope)
        ids = [ind.id for ind in available]
        headline = sorted((ind for ind in available if ind.headline), key=lambda ind: ind.headline)
        indicator = _store(keys.INDICATOR, st.selectbox(
            t("indicator"), ids, **_bound(keys.INDICATOR, ids, headline[0].id if headline else ids[0]),
            format_func=lambda code: catalog.indicators()[code].name(lang())))

        stages = ["", *vocab.STAGES]
        stage = _store(keys.STAGE, st.selectbox(t("stage"), stages, **_bound(keys.STAGE, stages, ""),
                                                format_func=lambda code: vocab.STAGES[code] if code else t("all")))

        mode = _store(keys.MODE, st.radio(
            t("mode"), ["status", "value"], **_bound(keys.MODE, ["status", "value"], "status"),
            horizontal=True, format_func=lambda m: t("mode_status") if m == "status" else t("mode_value")))
        st.caption(f"数据截至 {info.data_as_of or '—'} · {info.dialect}")
    st.session_state.setdefault(keys.SCHOOL, "")
    return View(scope=scope, city=city or "", county=county or "", school=st.session_state[keys.SCHOOL] or "",
                year=int(year), indicator=indicator, stage=stage or "", mode=mode, lang=lang(), url=url,
                allowed=resources.allowed_region(), is_demo=info.is_demo, data_as_of=info.data_as_of,
                years=info.years)


def _on_change(key: str, value: object, reset) -> None:
    """Run `reset` when a filter changed since the last run (widgets below it are not created yet).

    Done in the script rather than with on_change callbacks so that a value arriving from the URL or a
    map click is treated exactly like a change in the sidebar.
    """
    memo = f"_previous_{key}"
    if memo in st.session_state and st.session_state[memo] != value:
        reset()
    st.session_state[memo] = value


def _scope_changed() -> None:
    keys.drill_to(st.session_state, keys.SCOPE, None)
    keys.set_view(st.session_state, keys.YEAR, keys.DEFAULT_YEAR[st.session_state[keys.SCOPE]])


def _city_changed() -> None:
    # The city widget already exists in this run: only the levels below it are reset.
    keys.set_view(st.session_state, keys.COUNTY, "")
    keys.set_view(st.session_state, keys.SCHOOL, "")


def _county_changed() -> None:
    keys.set_view(st.session_state, keys.SCHOOL, "")


def demo_banner(view: View) -> None:
    if view.is_demo:
        st.warning(t("demo_banner"))


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
    """Render the shared sidebar filters and return the view; every page calls this exactly once.

    The page (not app.py) renders the sidebar so that a page run on its own (AppTest reruns a page file
    directly when a pages/ folder exists) shows the same filters. The URL is updated here as well.
    """
    run_entry_script_if_legacy_pages_mode()
    keys.seed_from_url(st.query_params.to_dict(), st.session_state)
    view = sidebar()
    st.query_params.from_dict(keys.url_params(st.session_state))
    return view
