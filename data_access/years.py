"""Which years the warehouse can hold: from the earliest plan baseline to the school year that last ended.

A school year counts as the calendar year it ends in (the 2025–2026 school year is 2026) and has ended
after July 31 of that year: on 2026-07-31 the latest reportable year is 2025, on 2026-08-01 it is 2026.
"""

from __future__ import annotations

from datetime import date

# The baseline year of the earliest plan (both 2023 plans compare against 2022).
EARLIEST_BASELINE_YEAR = 2022
# Month and day on which a school year is over (the summer break has begun).
SCHOOL_YEAR_LAST_DAY = (7, 31)


def last_ended_school_year(today: date | None = None) -> int:
    """The latest school year that has ended on `today` (default: the current date), by its ending year."""
    today = today or date.today()
    return today.year if (today.month, today.day) > SCHOOL_YEAR_LAST_DAY else today.year - 1


def reportable_years(today: date | None = None) -> tuple[int, ...]:
    """Every year a report may be imported for: the earliest baseline up to the last ended school year."""
    return tuple(range(EARLIEST_BASELINE_YEAR, last_ended_school_year(today) + 1))
