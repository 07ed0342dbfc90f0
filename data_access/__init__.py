"""Reporting warehouse: schema, engines, plan targets, indicators, imports. Never imports streamlit."""
