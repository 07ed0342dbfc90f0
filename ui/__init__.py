"""Streamlit-side helpers shared by pages: cached resources, state keys, language, filters."""
