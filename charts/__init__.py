"""Plotly figures that are not maps (trends, rankings), shared by pages and exports. No streamlit."""
