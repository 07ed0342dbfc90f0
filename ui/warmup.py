"""A warm first visit: what a process computes on start, before it answers its first request.

ui/server.py runs `warm()` in the st.App lifespan, so the server accepts connections only once it is done
(nginx and the browser wait; nobody sees a half-started page or the raw page list). For every plan scope:
the boundaries of its default map level (built, simplified and published as a content-named file), the
default views' figures: the map's first indicator for the latest year and the overview's headline
indicators over all years. They are computed for the deployment-wide region (every region, or
MHMONITOR_ALLOWED_REGION) and for the scope itself, which are the regions of a province or city viewer. On
the demo warehouse, the map figure an anonymous visitor opens first is drawn too. The caches are the
pages' own (ui/resources.py, same arguments), so the first visit reads them instead of computing.

A warehouse that cannot be read is not an error here: the visitor's page then says what is wrong
(ui/warehouse_guard.py). The failure is logged and the server starts anyway.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from data_access import catalog, settings
from data_access.regions import ALL_REGIONS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DefaultView:
    """What a scope's pages show first: its map level, the latest year and the first headline indicator."""

    scope: str
    scope_level: str
    child_level: str
    year: int
    years: tuple[int, ...]
    indicator: str
    headline: tuple[str, ...]


def default_views(regions, years: tuple[int, ...]) -> list[DefaultView]:
    """The first view of every plan scope the warehouse holds, as the sidebar opens it (ui/view.sidebar)."""
    from ui.view import plan_scopes, scope_levels

    views = []
    for scope in plan_scopes(regions):
        if scope not in set(regions["adcode"]):
            continue
        level, child = scope_levels(regions, scope)
        year = years[-1] if years else catalog.PLANS[scope].period_end
        available = catalog.indicators_for(scope, year)
        if not available:
            continue
        headline = sorted((ind for ind in available if ind.headline), key=lambda ind: (ind.headline, ind.id))
        first = sorted((ind for ind in available if ind.headline), key=lambda ind: ind.headline)
        views.append(DefaultView(scope, level, child, year, years, (first[0] if first else available[0]).id,
                                 tuple(ind.id for ind in headline)))
    return views


def deployment_region() -> str:
    """The widest region a session of this deployment can have (MHMONITOR_ALLOWED_REGION narrows it)."""
    from ui.auth import NARROW_ENV

    return settings.value(NARROW_ENV) or ALL_REGIONS


def warm(url: str) -> float:
    """Fill the shared caches for every scope's default views; seconds spent. Never raises."""
    started = time.perf_counter()
    # Cached calls outside a script run each warn "missing ScriptRunContext"; expected here.
    context_log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = context_log.level
    context_log.setLevel(logging.ERROR)
    try:
        _warm(url)
    except Exception:  # noqa: BLE001 - the page reports an unusable warehouse; starting must not fail
        log.exception("warm-up stopped early; the first visits compute what is missing")
    finally:
        context_log.setLevel(level)
    return time.perf_counter() - started


def _warm(url: str) -> None:
    # The modules the pages import: plotly, pydeck, the exports. A first visit would import them otherwise.
    import charts.deck  # noqa: F401
    import charts.figures  # noqa: F401
    import charts.maps  # noqa: F401
    import exports.tables  # noqa: F401
    from geo.published import prune
    from ui import resources

    prune()  # school-point files of processes that stopped days ago
    info = resources.warehouse_info(url)
    everything = resources.regions(url, ALL_REGIONS)
    wide = deployment_region()
    for view in default_views(everything, info.years):
        resources.boundary_url(view.scope, view.child_level)  # builds and publishes the boundary file
        for allowed in dict.fromkeys((wide, view.scope)):
            if allowed != ALL_REGIONS and allowed not in set(everything["adcode"]):
                continue
            resources.regions(url, allowed)
            resources.evaluation(url, view.scope, view.child_level, (view.year,), allowed, (view.indicator,), "")
            resources.evaluation(url, view.scope, view.scope_level, view.years, allowed, view.headline, "")
        if info.is_demo and view.years:
            _demo_map(url, view, wide, info)


def _demo_map(url: str, view: DefaultView, allowed: str, info) -> None:
    """The map figure and ranking of the demo's first view, as pages/map.py asks for them (anonymous visitors,
    Chinese)."""
    from data_access.read_model import scope_for
    from ui import resources

    regions = resources.regions(url, allowed)
    scope = scope_for(regions, view.scope, view.year, allowed=allowed, child_level=view.child_level, stage="")
    shown = resources.indicator_shown(url, scope, view.indicator)
    if shown is None:
        return
    resources.ranking_table(url, scope, view.indicator, "zh", slipped_first=False)
    resources.region_map(url, view.scope, view.child_level, view.year, allowed, view.indicator, "", "zh",
                         mode="status", title=f"{shown.title('zh')} ({view.year}年)", subtitle=shown.subtitle("zh"),
                         data_as_of=info.data_as_of)
