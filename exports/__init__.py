"""Slide- and spreadsheet-ready outputs: PNG images, CSV/XLSX tables, the PPTX meeting pack. No streamlit."""
