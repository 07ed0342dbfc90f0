"""View state: session-state keys, kept in the URL so a pasted link reopens the same view.

Streamlit's own widget binding writes the option *label* into the URL; we want adcodes and ids, and
drill-down clicks must update the URL too, so state is synced by hand: read once from the URL at the
start of a session, written back at the end of every run.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

SCOPE = "scope"
CITY = "city"
COUNTY = "county"
YEAR = "year"
INDICATOR = "indicator"
STAGE = "stage"
MODE = "mode"
SCHOOL = "school"
LANG = "lang"
APPROVED_ONLY = "approved"  # 仅显示已审核数据: "1" or "0" in the URL

URL_KEYS: tuple[str, ...] = (SCOPE, CITY, COUNTY, YEAR, INDICATOR, STAGE, MODE, SCHOOL, LANG, APPROVED_ONLY)
INT_KEYS = frozenset({YEAR})
_SEEDED = "_url_seeded"


def take_unknown_scope(session: MutableMapping, scopes: Mapping[str, str]) -> str | None:
    """Remove a scope no plan covers (from a pasted or outdated link) and return it, so the page can say so
    instead of silently showing another scope; None when the session's scope is a plan scope or unset."""
    scope = session.get(SCOPE)
    if scope in (None, "") or scope in scopes:
        return None
    del session[SCOPE]
    drill_to(session, SCOPE, None)  # its city, county or school belong to no plan scope either
    return str(scope)


def seed_from_url(query: Mapping[str, str], session: MutableMapping) -> None:
    """Copy the URL's view state into the session once per session (the URL wins on first load)."""
    if session.get(_SEEDED):
        return
    for key in URL_KEYS:
        raw = query.get(key)
        if raw in (None, ""):
            continue
        if key in INT_KEYS:
            try:
                session[key] = int(raw)
            except ValueError:
                continue
        else:
            session[key] = str(raw)
    session[_SEEDED] = True


def url_params(session: Mapping) -> dict[str, str]:
    """The URL parameters describing the current view (empty values left out)."""
    params = {}
    for key in URL_KEYS:
        value = session.get(key)
        if value not in (None, ""):
            params[key] = str(value)
    return params


def sync_url(query_params, session: Mapping) -> None:
    """Write the view into the URL (st.query_params) when it differs: every write sends the browser a message."""
    wanted = url_params(session)
    if query_params.to_dict() != wanted:
        query_params.from_dict(wanted)


def widget_key(key: str) -> str:
    """Widgets use their own keys: Streamlit forgets a widget's state when a page without it runs, so the
    canonical view state lives under the plain keys and each widget is re-seeded from it."""
    return f"w_{key}"


def set_view(session: MutableMapping, key: str, value: object) -> None:
    """Change a view value and the widget showing it (only before that widget is created in a run)."""
    session[key] = value
    session[widget_key(key)] = value


def drill_to(session: MutableMapping, level: str, code: str | None) -> None:
    """Set the drill state for a click or breadcrumb: choosing a level clears everything below it."""
    order = (CITY, COUNTY, SCHOOL)
    if level == SCOPE:
        below = order
    elif level in order:
        set_view(session, level, code or "")
        below = order[order.index(level) + 1:]
    else:
        raise ValueError(level)
    for key in below:
        set_view(session, key, "")


def clicked_unit(event: Mapping | None, child_level: str) -> str | None:
    """The unit a map click selected: a region's adcode (choropleth location) or a school id (customdata[0])."""
    if not event:
        return None
    selection = event.get("selection") or {}
    points = selection.get("points") or []
    if not points:
        return None
    point = points[0]
    if child_level == "school":
        data = point.get("customdata")
        if isinstance(data, (list, tuple)) and data:
            return str(data[0])
        return None
    location = point.get("location")
    return str(location) if location else None


def drill_from_click(session: MutableMapping, event: Mapping | None, child_level: str) -> str | None:
    """Apply a map click to the view state; returns the level drilled into (or None)."""
    code = clicked_unit(event, child_level)
    if code is None:
        return None
    target = {"city": CITY, "county": COUNTY, "school": SCHOOL}[child_level]
    drill_to(session, target, code)
    return target
