"""Plotly and pydeck figures (maps, the all-schools deck, trends, rankings) built from the read model. No streamlit."""
