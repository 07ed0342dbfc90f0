"""上报完整性: who reported what for the year, on the map and as a list to send to the laggards."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts.maps import reporting_points, status_choropleth
from data_access.completeness import (
    REPORT_KINDS,
    county_completeness,
    county_reporting_attainment,
    reporting_totals,
)
from data_access.formatting import format_percent, format_share, reported_text
from data_access.reminders import OVERDUE_COLOUR, review_progress
from geo.offline import PLOTLY_CONFIG
from ui import resources
from ui.export_widgets import table_downloads
from ui.i18n import days_text, report_type_name, t, year_label
from ui.view import breadcrumb, current, demo_banner

view = current()
st.title(f"{t('completeness')} · {year_label(view.year)}")
demo_banner(view)
breadcrumb(view)

kind = st.radio(t("report_type"), list(REPORT_KINDS), horizontal=True, key="completeness_kind",
                format_func=report_type_name)
kind_name = report_type_name(kind)
units = resources.unit_reports(view.url, view.region, view.year, kind, view.allowed)
if units.empty:
    st.info(t("no_units_of_kind"))
    st.stop()
counties = county_completeness(units)
reported, expected, share = reporting_totals(units)
st.metric(t("sent_report").format(kind=kind_name), format_share(reported, expected),
          t("report_rate").format(rate=format_percent(reported, expected)), delta_color="off", delta_arrow="off")

if not view.county:
    frame = county_reporting_attainment(counties).assign(
        target_label="100%", deadline=year_label(view.year), clause=t("report_on_time"))
    parent = view.city or view.scope
    st.plotly_chart(status_choropleth(resources.boundary(parent, "county"), frame, title=t("report_rate_title").format(
                                          kind=kind_name, year=year_label(view.year)),
                                      subtitle=t("report_rate_bands"), lang=view.lang, report=kind_name,
                                      geojson_url=resources.boundary_url(parent, "county")),
                    config=PLOTLY_CONFIG, key="completeness_map")
elif units["longitude"].notna().any():
    county_name = units["county_name"].iloc[0]
    st.plotly_chart(reporting_points(resources.outline(view.county), units,
                                     title=f"{county_name} {kind_name} ({year_label(view.year)})",
                                     subtitle=reported_text(reported, expected, view.lang, report=kind_name),
                                     lang=view.lang, geojson_url=resources.outline_url(view.county)),
                    config=PLOTLY_CONFIG, key="completeness_points")

# Review state and deadline per county (data_access.review): who has not submitted by the deadline.
states = review_progress(resources.cached_engine(), view.year, view.region)
states = states[states["report_type"] == kind].set_index("county_adcode")
counties = counties.assign(
    state=[t(f"rv_state_{states.at[c, 'state']}") if c in states.index else "—" for c in counties["county_adcode"]],
    deadline=[days_text(states.at[c, "days_left"]) if c in states.index else "—" for c in counties["county_adcode"]])
overdue = [bool(c in states.index and states.at[c, "overdue"]) for c in counties["county_adcode"]]
late = counties[overdue]
if not late.empty:
    st.markdown(f"#### {t('rv_overdue_title')} ({len(late)})")
    st.dataframe(pd.DataFrame({t("county"): late["county_name"], t("rv_completeness"):
                               [format_share(r, e) for r, e in zip(late["reported"], late["expected"], strict=True)],
                               t("status"): late["state"], t("rv_days_col"): late["deadline"]})
                 .style.apply(lambda column: [f"background-color: {OVERDUE_COLOUR}"] * len(column)),
                 hide_index=True, width="stretch")

st.markdown(f"#### {t('by_county')}")
# The share as the one formatter prints it (99.96% reported reads 99.9%, never 100.0% next to "close").
table = counties.assign(share=[format_percent(r, e) for r, e in zip(counties["reported"], counties["expected"],
                                                                    strict=True)])
table = table.rename(columns={"county_adcode": t("code"), "county_name": t("county"),
                              "reported": t("reported_n"), "expected": t("expected_n"),
                              "share": t("report_rate_pct"), "state": t("status"),
                              "deadline": t("rv_days_col")})
st.dataframe(table.style.apply(lambda column: [f"background-color: {OVERDUE_COLOUR}" if flag else ""
                                               for flag in overdue], axis=0),
             hide_index=True, width="stretch")

missing = units[~units["reported"]]
st.markdown(f"#### {t('not_reported_units')} ({len(missing)})")
if missing.empty:
    st.success(t("all_reported"))
else:
    laggards = pd.DataFrame({t("county"): missing["county_name"], t("unit_code"): missing["unit_id"],
                             t("unit_name"): missing["name"], t("report_type"): kind_name,
                             t("year"): view.year})
    st.dataframe(laggards, hide_index=True, width="stretch")
    table_downloads(laggards, file_stem=f"{t('not_reported_units')}_{kind_name}_{view.year}", key="laggards")
