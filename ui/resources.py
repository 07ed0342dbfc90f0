"""Expensive or shared things, built once per process (engine, boundaries) or cached per arguments.

Cached values are shared by every user, so the caller's allowed region is an argument of every cached
query. Every cached query and figure is also keyed by the warehouse's stamp (identity and revision, read once
at the start of each run by begin_run, never cached across runs): a change made by any process or command
(import, undo, registry change, review) bumps the revision, so every process shows it at its next click.
Entries therefore live long (CACHE_TTL_SECONDS); clear_data_caches() after an import only frees memory.
The wrappers on a map rerun's path pass their arguments by name: for each positional argument Streamlit's
cache key asks inspect.signature for its name, a measurable part of a rerun with a dozen arguments per call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import sqlalchemy as sa
import streamlit as st

from charts import deck as deck_figures  # resources.schools_deck is the cached one
from charts.maps import PreparedFigure, school_points_spec, status_map_spec
from data_access import completeness, meta
from data_access.engine import make_engine, warehouse_url
from data_access.evaluation import evaluate
from data_access.importing import REPORT_TYPES, prefill_units, reported_values, template_xlsx
from data_access.read_model import IndicatorView, Scope, indicator_view, scope_for
from data_access.regions import ALL_REGIONS, path_of, region_frame, require_region, schools_in
from data_access.review_basis import Basis
from data_access.school_facts import school_record, school_reports
from geo.layers import boundary_geojson, outline_geojson, toned_geojson, with_tones
from geo.published import published_points_url, published_url
from ui import auth
from ui.memory import kept
from ui.ranking_table import RankingTable, build_ranking_table

# Entries of older revisions are never read again; the TTL and max_entries only bound the memory they hold.
CACHE_TTL_SECONDS = 12 * 3600
CACHE_ENTRIES = 512
_RUN_STAMP = "_warehouse_stamp"
Kept = TypeVar("Kept")
_RUN_MEMO = "_run_memo"  # this run's values of regions() and warehouse_info() (_this_run)


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> sa.Engine:
    return make_engine(url)


def cached_engine() -> sa.Engine:
    """The warehouse engine for the configured URL, created once per process."""
    return _engine_for(warehouse_url())


def allowed_region() -> str:
    """The region of the signed-in user (narrowed by MHMONITOR_ALLOWED_REGION when set); stops the page when
    nobody is signed in on a warehouse that is not the demo. Every query below takes it as an argument."""
    return auth.allowed_region()


def begin_run(url: str) -> meta.Stamp:
    """Read the warehouse's identity and revision for this run (one small query, or on DuckDB only a stat of the
    file while it is unchanged) and keep it for the rest of the run. Called first by every run
    (ui.warehouse_guard.require_warehouse); raises what opening the warehouse raises."""
    stamp = meta.current_stamp(_engine_for(url))
    st.session_state[_RUN_STAMP] = (url, stamp)
    st.session_state[_RUN_MEMO] = {}
    return stamp


def _this_run(key: tuple, build: Callable[[], Kept]) -> Kept:
    """`build()` once per script run for `key`; later calls in the same run get the same object (read-only).

    regions() and warehouse_info() are asked for five times in a map rerun: each cached call hashed its
    arguments and unpickled a copy. The memo starts empty at every run (begin_run), and every key holds the
    revision and the allowed region its value depends on.
    """
    memo = st.session_state.get(_RUN_MEMO)
    if memo is None:
        return build()
    if key not in memo:
        memo[key] = build()
    return memo[key]


def _revision(url: str) -> str:
    """This run's cache key part for the warehouse at `url` (read on first use when the run did not start in
    app.py, e.g. a page under test)."""
    kept = st.session_state.get(_RUN_STAMP)
    stamp = kept[1] if kept is not None and kept[0] == url else begin_run(url)
    return f"{stamp.warehouse_id}:{stamp.revision}"


def warehouse_info(url: str) -> meta.WarehouseInfo:
    """Demo flag, data date, years with reports: facts about the warehouse, needed before anyone signs in."""
    revision = _revision(url)
    return _this_run(("warehouse_info", url, revision), lambda: _warehouse_info(url=url, revision=revision))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES)
def _warehouse_info(url: str, revision: str) -> meta.WarehouseInfo:
    return meta.warehouse_info(_engine_for(url))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES)
def _regions(url: str, revision: str, allowed: str) -> pd.DataFrame:
    frame = region_frame(_engine_for(url))
    if allowed == ALL_REGIONS:
        return frame
    own = frame[frame["adcode"] == allowed]
    ancestors = set(path_of(own.iloc[0])) if not own.empty else set()
    inside = (frame["city_adcode"] == allowed) | (frame["province_adcode"] == allowed)  # see regions.within
    return frame[inside | frame["adcode"].isin(ancestors)].reset_index(drop=True)


def regions(url: str, allowed: str | None = None) -> pd.DataFrame:
    """The regions a user may name: their region, everything inside it and its parents (for the scope and
    breadcrumb labels). `allowed` defaults to the signed-in user's region."""
    allowed = allowed_region() if allowed is None else allowed
    revision = _revision(url)
    return _this_run(("regions", url, revision, allowed), lambda: _regions(url=url, revision=revision, allowed=allowed))


def region_names(url: str) -> dict[str, str]:
    frame = regions(url)
    return dict(zip(frame["adcode"], frame["name"], strict=True))


def evaluation(url: str, region: str, level: str, years: tuple[int, ...], allowed: str,
               indicator_ids: tuple[str, ...] | None = None, stage: str | None = None, *,
               approved_only: bool = False, own_county: str | None = None) -> pd.DataFrame:
    """evaluate() on a basis (仅显示已审核数据 and the user's own county are plain values of the cache key)."""
    return _evaluation(url=url, revision=_revision(url), region=region, level=level, years=years, allowed=allowed,
                       indicator_ids=indicator_ids, stage=stage, approved_only=approved_only, own_county=own_county)


@st.cache_data(show_spinner="计算指标…", ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES)
def _evaluation(url: str, revision: str, region: str, level: str, years: tuple[int, ...], allowed: str,
                indicator_ids: tuple[str, ...] | None, stage: str | None, approved_only: bool,
                own_county: str | None) -> pd.DataFrame:
    return evaluate(_engine_for(url), region, level, years, allowed_region=allowed,
                    indicator_ids=indicator_ids, stage=stage or None,
                    basis=Basis(approved_only=approved_only, own_county=own_county))


def indicator_shown(url: str, scope: Scope, indicator_id: str, *, approved_only: bool = False,
                    own_county: str | None = None) -> IndicatorView | None:
    """The map page's view of one indicator in `scope` on a basis (None: no unit evaluated), built once for
    every session: keyed like the figures (scope, year, indicator, stage, the user's allowed region, basis and
    the warehouse revision). Read-only."""
    return _indicator_shown(url=url, revision=_revision(url), region=scope.region, level=scope.child_level,
                            year=scope.year, allowed=scope.allowed, stage=scope.stage, indicator_id=indicator_id,
                            approved_only=approved_only, own_county=own_county, _scope=scope)


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def _indicator_shown(url: str, revision: str, region: str, level: str, year: int, allowed: str, stage: str,
                     indicator_id: str, approved_only: bool, own_county: str | None, *,
                     _scope: Scope) -> IndicatorView | None:
    # _scope is not hashed: scope_for derives it from the regions at this revision and the keyed values.
    frame = evaluation(url, region, level, (year,), allowed, (indicator_id,), stage, approved_only=approved_only,
                       own_county=own_county)
    if frame.empty:
        return None
    return indicator_view(_scope, indicator_id, frame, warehouse_info(url),
                          basis=Basis(approved_only=approved_only, own_county=own_county))


def ranking_table(url: str, scope: Scope, indicator_id: str, lang: str, *, slipped_first: bool,
                  approved_only: bool = False, own_county: str | None = None) -> RankingTable | None:
    """The ranking under the map, as st.dataframe receives it (ui/ranking_table.py), built once per view for
    every session; keyed like indicator_shown plus the language and the order. None: no unit evaluated."""
    return _ranking_table(url=url, revision=_revision(url), region=scope.region, level=scope.child_level,
                          year=scope.year, allowed=scope.allowed, stage=scope.stage, indicator_id=indicator_id,
                          lang=lang, slipped_first=slipped_first, approved_only=approved_only, own_county=own_county,
                          _scope=scope)


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def _ranking_table(url: str, revision: str, region: str, level: str, year: int, allowed: str, stage: str,
                   indicator_id: str, lang: str, slipped_first: bool, approved_only: bool, own_county: str | None,
                   *, _scope: Scope) -> RankingTable | None:
    shown = _indicator_shown(url=url, revision=revision, region=region, level=level, year=year, allowed=allowed,
                             stage=stage, indicator_id=indicator_id, approved_only=approved_only,
                             own_county=own_county, _scope=_scope)
    if shown is None:
        return None
    return build_ranking_table(shown, lang=lang, slipped_first=slipped_first, approved_only=approved_only)


def basis_keys(basis: Basis) -> dict:
    """A view's basis as the keyword arguments of the cached queries and figures."""
    return {"approved_only": basis.approved_only, "own_county": basis.own_county}


def schools(url: str, region: str, allowed: str) -> pd.DataFrame:
    return _schools(url, _revision(url), region, allowed)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES)
def _schools(url: str, revision: str, region: str, allowed: str) -> pd.DataFrame:
    return schools_in(_engine_for(url), region, allowed)


def unit_reports(url: str, region: str, year: int, kind: str, allowed: str) -> pd.DataFrame:
    """Who of `kind` reported for `year` inside `region` (the completeness page)."""
    return _unit_reports(url, _revision(url), region, year, kind, allowed)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES)
def _unit_reports(url: str, revision: str, region: str, year: int, kind: str, allowed: str) -> pd.DataFrame:
    return completeness.unit_reports(_engine_for(url), region, year, kind, allowed_region=allowed)


def school(url: str, school_id: str, allowed: str) -> tuple[dict, pd.DataFrame]:
    return _school(url, _revision(url), school_id, allowed)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES)
def _school(url: str, revision: str, school_id: str, allowed: str) -> tuple[dict, pd.DataFrame]:
    engine = _engine_for(url)
    return school_record(engine, school_id, allowed), school_reports(engine, school_id, allowed)


@st.cache_resource(show_spinner="加载行政区划边界…")
def boundary(parent_adcode: str, child_level: str) -> dict:
    """Simplified children boundaries of a unit; read-only, shared by all sessions."""
    return kept(boundary_geojson(parent_adcode, child_level))


@st.cache_resource(show_spinner=False)
def outline(adcode: str) -> dict:
    return kept(outline_geojson(adcode))


@st.cache_resource(show_spinner=False)
def boundary_url(parent_adcode: str, child_level: str) -> str | None:
    """Where the browser fetches the children boundaries of a unit (None: send them inline)."""
    return published_url(boundary(parent_adcode, child_level), f"{parent_adcode}_{child_level}")


@st.cache_resource(show_spinner=False)
def deck_backdrop(region: str, is_county: bool) -> dict:
    """The all-schools deck's backdrop: a county's own outline, or the counties of a city or province, each in a
    grey no neighbour shares (geo.layers.with_tones). Read-only, shared by all sessions."""
    return kept(with_tones(outline_geojson(region)) if is_county else toned_geojson(region, "county"))


@st.cache_resource(show_spinner=False)
def deck_backdrop_url(region: str, is_county: bool) -> str | None:
    """Where deck.gl fetches deck_backdrop (None: not written, sent inline)."""
    return published_url(deck_backdrop(region, is_county), f"{region}_{'outline' if is_county else 'county'}_toned")


@st.cache_resource(show_spinner=False)
def outline_url(adcode: str) -> str | None:
    return published_url(outline(adcode), f"{adcode}_outline")


def region_map(url: str, region: str, level: str, year: int, allowed: str, indicator_id: str, stage: str, lang: str,
               *, mode: str, title: str, subtitle: str, data_as_of: str | None, approved_only: bool = False,
               own_county: str | None = None) -> go.Figure:
    """The finished choropleth of a region's children for one indicator (see _region_map), at this run's
    warehouse revision, on the view's basis."""
    return _region_map(url=url, revision=_revision(url), region=region, level=level, year=year, allowed=allowed,
                       indicator_id=indicator_id, stage=stage, lang=lang, mode=mode,
                       title=title, subtitle=subtitle, data_as_of=data_as_of, approved_only=approved_only,
                       own_county=own_county)


@st.cache_resource(show_spinner=False, max_entries=256)
def _region_map(url: str, revision: str, region: str, level: str, year: int, allowed: str, indicator_id: str,
                stage: str, lang: str, *, mode: str, title: str, subtitle: str, data_as_of: str | None,
                approved_only: bool, own_county: str | None) -> go.Figure:
    """The finished choropleth of a region's children for one indicator, shared by every session; its
    boundaries are a URL the browser fetches once (boundary_url), so a rerun never resends them.

    Keyed by plain values (hashing the evaluated frame on each rerun cost ~50 ms): the scope, year,
    indicator, stage, allowed region, language, colouring, texts, basis and the warehouse revision. A warm rerun does no
    query, no geometry work and no copy of the GeoJSON; clear_data_caches forgets the figures.
    """
    frame = evaluation(url, region, level, (year,), allowed, (indicator_id,), stage, approved_only=approved_only,
                       own_county=own_county)
    return kept(PreparedFigure(status_map_spec(boundary(region, level), frame, title=title, subtitle=subtitle,
                                                mode=mode, lang=lang, geojson_url=boundary_url(region, level),
                                                approved_only=approved_only)))


def school_map(url: str, county: str, year: int, allowed: str, indicator_id: str, stage: str, lang: str,
               *, mode: str, title: str, subtitle: str, data_as_of: str | None, approved_only: bool = False,
               own_county: str | None = None) -> go.Figure:
    """The finished map of a county's schools over its outline; cached like region_map."""
    return _school_map(url=url, revision=_revision(url), county=county, year=year, allowed=allowed,
                       indicator_id=indicator_id, stage=stage, lang=lang, mode=mode,
                       title=title, subtitle=subtitle, data_as_of=data_as_of, approved_only=approved_only,
                       own_county=own_county)


@st.cache_resource(show_spinner=False, max_entries=256)
def _school_map(url: str, revision: str, county: str, year: int, allowed: str, indicator_id: str, stage: str,
                lang: str, *, mode: str, title: str, subtitle: str, data_as_of: str | None, approved_only: bool,
                own_county: str | None) -> go.Figure:
    frame = evaluation(url, county, "school", (year,), allowed, (indicator_id,), stage, approved_only=approved_only,
                       own_county=own_county)
    return kept(PreparedFigure(school_points_spec(outline(county), frame, title=title, subtitle=subtitle, mode=mode,
                                                   lang=lang, geojson_url=outline_url(county),
                                                   approved_only=approved_only)))


def schools_deck(url: str, region: str, year: int, indicator_id: str, stage: str, allowed: str, lang: str,
                 data_as_of: str | None, approved_only: bool = False, own_county: str | None = None) -> pdk.Deck:
    """The deck.gl map of every school in `region` (a county, city or province), built and serialised once.

    Cached for every session with the same arguments, at this run's warehouse revision (clear_data_caches also
    forgets it).
    """
    return _schools_deck(url, _revision(url), region, year, indicator_id, stage, allowed, lang, data_as_of,
                         approved_only, own_county)


def schools_view(url: str, region: str, year: int, indicator_id: str, stage: str, allowed: str,
                 approved_only: bool = False, own_county: str | None = None) -> IndicatorView:
    """The read model of every school in `region` for one indicator: the rows the map's ranking and hover print,
    from the same cached evaluation. Raises RegionError (scope_for) for a region outside `allowed`."""
    scope = scope_for(regions(url, allowed), region, year, allowed=allowed, child_level="school", stage=stage)
    frame = evaluation(url, region, "school", (year,), allowed, (indicator_id,), stage, approved_only=approved_only,
                       own_county=own_county)
    return indicator_view(scope, indicator_id, frame, warehouse_info(url),
                          basis=Basis(approved_only=approved_only, own_county=own_county))


@st.cache_resource(show_spinner="加载全部学校…", max_entries=64)
def _schools_deck(url: str, revision: str, region: str, year: int, indicator_id: str, stage: str, allowed: str,
                  lang: str, data_as_of: str | None, approved_only: bool, own_county: str | None) -> pdk.Deck:
    view = schools_view(url, region, year, indicator_id, stage, allowed, approved_only, own_county)
    is_county = view.scope.level == "county"
    boundaries = deck_backdrop(region, is_county)
    layer_url = deck_backdrop_url(region, is_county)
    points = deck_figures.school_points(view.units, lang)
    # The schools by URL, fetched once by deck.gl (inline only when the file cannot be written).
    points_url = published_points_url(points.rows, f"{region}_{year}")
    return kept(deck_figures.PreparedDeck(
        deck_figures.schools_deck(boundaries, points, boundaries_url=layer_url, points_url=points_url),
        points.ids))


def import_template(url: str, type_key: str, region: str | None, year: int | None, with_values: bool = False, *,
                    allowed: str) -> bytes:
    """The XLSX template of a report type, pre-filled with the units of `region` when given (and, with
    `with_values`, with what they already reported for `year`). `region` must lie inside `allowed`.

    Not cached: the page hands this to a deferred download button, so it only runs when clicked.
    """
    spec = REPORT_TYPES[type_key]
    units: list[tuple[str, str]] = []
    values: dict[str, dict] = {}
    if region:
        require_region(_engine_for(url), region, allowed)
        with _engine_for(url).connect() as conn:
            units = prefill_units(conn, spec, region)
            if with_values and year is not None:
                values = reported_values(conn, spec, [unit_id for unit_id, _ in units], year)
    return template_xlsx(spec, units=units, year=year, values=values)


def clear_data_caches() -> None:
    """Forget cached query results and the figures drawn from them (after an import changed the warehouse).

    Not needed for correctness (the next run reads the new revision); it frees the memory of the old entries.
    """
    st.cache_data.clear()
    _region_map.clear()
    _school_map.clear()
    _indicator_shown.clear()
    _ranking_table.clear()
    _schools_deck.clear()
