"""The sidebar filters and the view they describe; shared by every page through app.py."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_access import catalog, vocab
from data_access.engine import warehouse_url
from data_access.formatting import status_label
from data_access.regions import ALL_REGIONS, LEVEL_ORDER, within
from data_access.review_basis import Basis
from ui import resources
from ui import state as keys
from ui.i18n import lang, stage_name, t, year_label
from ui.streamlit_compat import run_entry_script_if_legacy_pages_mode
from ui.warehouse_guard import require_warehouse


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
    scope_level: str  # the plan scope's own level: province, city or county
    scope_child: str  # the level the scope's map breaks into (the plan's default_level, else the next level)
    approved_only: bool = False  # 仅显示已审核数据
    own_county: str | None = None  # a county user's county: its unapproved figures stay visible, marked 未审核

    @property
    def basis(self) -> Basis:
        """What the figures count (a cache key of every query and figure)."""
        return Basis(approved_only=self.approved_only, own_county=self.own_county if self.approved_only else None)

    @property
    def region(self) -> str:
        """The deepest region chosen: county, else city, else the plan scope."""
        return self.county or self.city or self.scope

    @property
    def child_level(self) -> str:
        """What the map shows inside `region`."""
        if self.county:
            return "school"
        if self.city:
            return "county"
        return self.scope_child

    @property
    def region_level(self) -> str:
        return "county" if self.county else ("city" if self.city else self.scope_level)


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


OUTSIDE_SCOPE = "链接或所选的地区不在您的权限范围内, 已改为显示您有权查看的地区。"


def _keep_inside(key: str, options: list[str], names: dict[str, str]) -> bool:
    """Drop a scope/city/county value (from the URL or an old session) that the user may not see.

    True when something was dropped: the caller says so. `names` holds only regions the user may name.
    """
    value = st.session_state.get(key)
    if value and value not in options and value not in names:
        st.session_state[key] = ""
        return True
    return False


def language_switch() -> None:
    """The 中文 / English switch alone, for pages without the map filters (the school's entry form)."""
    with st.sidebar:
        _store(keys.LANG, st.radio(t("language"), ["zh", "en"], **_bound(keys.LANG, ["zh", "en"], "zh"),
                                   horizontal=True, format_func=lambda code: "中文" if code == "zh" else "English"))


def sidebar() -> View:
    """Render the filters (scope, city, county, year, indicator, stage, colouring, language).

    The scope, city and county lists hold only what the signed-in user may see; "whole area" options are
    offered only where the user may see all of it, so a county reporter is pinned to their county.
    """
    url = warehouse_url()
    info = resources.warehouse_info(url)
    allowed = resources.allowed_region()
    regions = resources.regions(url)  # the user's region, what lies inside it, and its parents
    names = _region_names(regions)

    def sees_whole(adcode: str) -> bool:
        row = regions[regions["adcode"] == adcode]
        return allowed == ALL_REGIONS or (not row.empty and within(row.iloc[0], allowed))

    scopes = plan_scopes(regions)
    if allowed != ALL_REGIONS:  # never fall back to every plan scope for a user with a region
        scopes = {code: name for code, name in scopes.items() if code in names}
    if not scopes:
        st.warning("您的权限范围内没有可显示的规划地区。")
        st.stop()
    dropped = _keep_inside(keys.SCOPE, list(scopes), names)
    with st.sidebar:
        _store(keys.LANG, st.radio(t("language"), ["zh", "en"], **_bound(keys.LANG, ["zh", "en"], "zh"),
                                   horizontal=True, format_func=lambda code: "中文" if code == "zh" else "English"))

        scope = _store(keys.SCOPE, st.radio(t("scope"), list(scopes), horizontal=True,
                                            **_bound(keys.SCOPE, list(scopes), next(iter(scopes))),
                                            format_func=lambda code: scopes[code] if lang() == "zh"
                                            else catalog.PLANS[code].short_en))
        _on_change(keys.SCOPE, scope, _scope_changed)
        scope_level, scope_child = scope_levels(regions, scope)

        cities = sorted(regions[(regions["level"] == "city") & (regions["province_adcode"] == scope)]["adcode"])
        if scope_level == "province":
            city_options = ([""] if sees_whole(scope) else []) + cities
            dropped |= _keep_inside(keys.CITY, city_options, names)
            city = _store(keys.CITY, st.selectbox(
                t("city"), city_options, **_bound(keys.CITY, city_options, city_options[0]),
                format_func=lambda code: names.get(code, t("whole_scope")) if code else t("whole_province")))
            _on_change(keys.CITY, city, _city_changed)
        else:
            city = _store(keys.CITY, "")
        parent = city or (scope if scope_level == "city" else "")
        counties = sorted(regions[(regions["level"] == "county") & (regions["parent_adcode"] == parent)]["adcode"]) \
            if parent else []
        county_options = ([""] if not parent or sees_whole(parent) else []) + counties
        dropped |= _keep_inside(keys.COUNTY, county_options, names)
        county = _store(keys.COUNTY, st.selectbox(
            t("county"), county_options, **_bound(keys.COUNTY, county_options, county_options[0]),
            format_func=lambda code: names.get(code, code) if code else t("all"),
            disabled=len(county_options) < 2))
        _on_change(keys.COUNTY, county, _county_changed)

        # The latest year with data opens first; an empty warehouse offers the end of the scope's plan period.
        years = list(info.years) or [catalog.PLANS[scope].period_end]
        year = _store(keys.YEAR, st.selectbox(t("year"), years, **_bound(keys.YEAR, years, years[-1]),
                                              format_func=year_label))

        available = catalog.indicators_for(scope, int(year))
        ids = [ind.id for ind in available]
        headline = sorted((ind for ind in available if ind.headline), key=lambda ind: ind.headline)
        indicator = _store(keys.INDICATOR, st.selectbox(
            t("indicator"), ids, **_bound(keys.INDICATOR, ids, headline[0].id if headline else ids[0]),
            format_func=lambda code: catalog.indicators()[code].name(lang())))

        stages = ["", *vocab.STAGES]
        stage = _store(keys.STAGE, st.selectbox(t("stage"), stages, **_bound(keys.STAGE, stages, ""),
                                                format_func=lambda code: stage_name(code) if code else t("all")))

        mode = _store(keys.MODE, st.radio(
            t("mode"), ["status", "value"], **_bound(keys.MODE, ["status", "value"], "status"),
            horizontal=True, format_func=lambda m: t("mode_status") if m == "status" else t("mode_value")))
        approved_only = approved_only_toggle(info.approved_only_default)
        st.caption(f"{t('data_as_of')} {info.data_as_of or '—'} · {info.dialect}")
    if dropped:
        st.warning(OUTSIDE_SCOPE)
    st.session_state.setdefault(keys.SCHOOL, "")
    return View(scope=scope, city=city or "", county=county or "", school=st.session_state[keys.SCHOOL] or "",
                year=int(year), indicator=indicator, stage=stage or "", mode=mode, lang=lang(), url=url,
                allowed=allowed, is_demo=info.is_demo, data_as_of=info.data_as_of,
                years=info.years, scope_level=scope_level, scope_child=scope_child, approved_only=approved_only,
                own_county=_own_county(regions, allowed))


def approved_only_toggle(default: bool) -> bool:
    """The 仅显示已审核数据 switch. The URL carries it only when it differs from the warehouse's default
    (`approved=1` / `approved=0`), so a link reopens the same basis and ordinary links stay short."""
    chosen = st.session_state.get(keys.APPROVED_ONLY)
    value = default if chosen not in ("1", "0") else chosen == "1"
    widget = keys.widget_key(keys.APPROVED_ONLY)
    st.session_state[widget] = value
    return bool(st.toggle(t("approved_only"), key=widget, help=t("approved_only_help"),
                          on_change=_copy_approved_only, args=(default,)))


def _copy_approved_only(default: bool) -> None:
    chosen = bool(st.session_state[keys.widget_key(keys.APPROVED_ONLY)])
    st.session_state[keys.APPROVED_ONLY] = "" if chosen == default else ("1" if chosen else "0")


def _own_county(regions: pd.DataFrame, allowed: str) -> str | None:
    """The signed-in user's county when their region is one county (they see its unapproved figures)."""
    level = regions.loc[regions["adcode"] == allowed, "level"]
    return allowed if not level.empty and level.iloc[0] == "county" else None


def plan_scopes(regions: pd.DataFrame) -> dict[str, str]:
    """The scopes offered: jurisdictions with a plan (adcode -> short name) whose region the warehouse holds.

    While the warehouse holds no regions at all, every plan scope is offered (pages then say there is no data).
    """
    scopes = catalog.jurisdictions()
    held = set(regions["adcode"])
    return {code: name for code, name in scopes.items() if code in held} or scopes


def scope_levels(regions: pd.DataFrame, scope: str) -> tuple[str, str]:
    """The scope's level in the warehouse and the level its map breaks into: a province shows its cities and
    a city its counties, unless the plan file names another default_level."""
    found = regions.loc[regions["adcode"] == scope, "level"]
    # An empty warehouse has no levels yet: read it from the code's form (GB/T 2260: xx0000 province, xxxx00 city).
    level = str(found.iloc[0]) if not found.empty else \
        "province" if scope.endswith("0000") else "city" if scope.endswith("00") else "county"
    below = LEVEL_ORDER[min(LEVEL_ORDER.index(level) + 1, len(LEVEL_ORDER) - 1)]
    return level, catalog.PLANS[scope].default_level or below


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
    crumbs: list[tuple[str, str | None, str]] = [(keys.SCOPE, None, catalog.jurisdictions()[view.scope])]
    if view.city:
        crumbs.append((keys.CITY, view.city, names.get(view.city, view.city)))
    if view.county:
        crumbs.append((keys.COUNTY, view.county, names.get(view.county, view.county)))
    if view.school:
        crumbs.append((keys.SCHOOL, view.school, view.school))
    if len(crumbs) == 1:
        return  # at the top there is nowhere to go back to: the title already names the scope
    columns = st.columns([1] * len(crumbs) + [max(1, 8 - len(crumbs))])
    for index, (level, code, label) in enumerate(crumbs):
        last = index == len(crumbs) - 1
        columns[index].button(
            ("› " if index else "") + label, key=f"crumb_{level}", disabled=last, type="tertiary",
            on_click=keys.drill_to, args=(st.session_state, level, code),
        )


def no_data_guard(view: View) -> None:
    """Stop the page with a plain message when the chosen year holds no report at all; a warehouse without any
    report says what to import next (a new warehouse after `mhmonitor init`)."""
    if not view.years:
        from data_access.init_warehouse import next_step, next_step_text

        step = next_step(resources.cached_engine())
        if step:
            st.info("数据仓库中还没有任何上报数据。" + next_step_text(step))
            st.stop()
    if view.year not in view.years:
        st.info(t("no_data_year"))
        st.stop()


def status_chip(status: str) -> str:
    """A status label (from status.BANDS) on the nearest Streamlit background colour; neutral ones grey."""
    colour = {"met": "green", "close": "orange", "behind": "red", "slipped": "violet"}.get(status, "gray")
    return f":{colour}-background[{status_label(status, lang())}]"


def current() -> View:
    """Render the shared sidebar filters and return the view; every page calls this exactly once.

    The page (not app.py) renders the sidebar so that a page run on its own (AppTest reruns a page file
    directly when a pages/ folder exists) shows the same filters. The URL is updated here as well.
    """
    run_entry_script_if_legacy_pages_mode()
    keys.seed_from_url(st.query_params.to_dict(), st.session_state)
    require_warehouse(warehouse_url())
    known = plan_scopes(resources.regions(warehouse_url()))
    if resources.allowed_region() != ALL_REGIONS:
        # A plan scope outside the user's region is not "unknown": the sidebar drops it and says so.
        known = {**catalog.jurisdictions(), **known}
    unknown_scope = keys.take_unknown_scope(st.session_state, known)
    view = sidebar()
    if unknown_scope is not None:
        _stop_for_unknown_scope(view, unknown_scope)
    keys.sync_url(st.query_params, st.session_state)
    return view


def _stop_for_unknown_scope(view: View, requested: str) -> None:
    """Say that the link names a scope without a plan (the URL keeps it) instead of showing another scope."""
    names = _region_names(resources.regions(view.url))
    # The value comes from the URL: shown only when it is a plain code, never as markdown.
    code = requested if requested.isdigit() and len(requested) <= 12 else "(无效代码)"
    area = f"{names[code]}({code})" if code in names else code
    offered = "、".join(f"{name}({adcode})" for adcode, name in plan_scopes(resources.regions(view.url)).items())
    problem = "有规划, 但数据仓库中没有其行政区划" if code in catalog.jurisdictions() else "没有已录入的规划"
    st.error(f"链接中的范围 {area} {problem}, 无法显示其目标。可选的规划范围: {offered}。请在左侧选择范围。")
    st.stop()
