"""Command line of the mental-health plan monitor (`mhmonitor`)."""
