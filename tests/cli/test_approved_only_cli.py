"""--approved-only on the command line: all data unless asked, the basis said every time (both engines)."""

from __future__ import annotations

import csv
import io

from data_access import review
from data_access.access import Principal
from tests.cli.test_cli import run, warehouse_env  # noqa: F401


def _status(out: str, unit: str, indicator: str = "counseling_room_coverage") -> str:
    rows = list(csv.DictReader(io.StringIO(out)))
    return next(r["status"] for r in rows if r["adcode_or_school_id"] == unit and r["indicator"] == indicator)


def test_indicators_show_all_data_unless_approved_only(capsys, warehouse_env):  # noqa: F811
    args = ("indicators", "--region", "620800", "--year", "2024", "--level", "county")
    code, out, err = run(capsys, *args)
    assert code == 0 and _status(out, "620802") == "behind"  # P2 has no counseling room
    assert "含未审核数据" in err
    code, out, err = run(capsys, *args, "--approved-only")
    assert code == 0 and _status(out, "620802") == "pending_review"
    assert "仅计已审核数据" in err

    review.submit(warehouse_env, Principal("ktq", "崆峒区填报员", "reporter", "620802"), "620802", 2024, "school")
    review.approve(warehouse_env, Principal("pl.rev", "平凉市审核员", "reviewer", "620800"), "620802", 2024,
                   "school")
    code, out, _ = run(capsys, *args, "--approved-only")
    assert code == 0 and _status(out, "620802") == "behind"
