"""Rewrite the quoted text of plan files in simplified characters with OpenCC (t2s), not by hand.

Usage: .venv/bin/python scripts/convert_clauses.py [PLAN_FILE ...]   (default: every data_access/plans/*.toml)
Converts the values of name_zh, clause_ref and clause in place and leaves every other line untouched, so the
diff shows only changed characters. Idempotent: simplified text stays as it is. The fidelity test
(tests/data_access/test_catalog.py) converts the plan texts the same way and finds every clause in them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from opencc_purepy import OpenCC

PLANS = Path(__file__).resolve().parents[1] / "data_access" / "plans"
QUOTED_KEYS = re.compile(r'^(name_zh|clause_ref|clause) = "(.*)"$')


def convert_file(path: Path, converter: OpenCC) -> int:
    """Convert one plan file in place; returns the number of lines changed."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    for index, line in enumerate(lines):
        found = QUOTED_KEYS.match(line.rstrip("\n"))
        if not found:
            continue
        key, value = found.groups()
        converted = f'{key} = "{converter.convert(value)}"\n'
        if converted != line:
            lines[index] = converted
            changed += 1
    path.write_text("".join(lines), encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    converter = OpenCC("t2s")
    files = [Path(arg) for arg in argv] or sorted(PLANS.glob("*.toml"))
    for path in files:
        print(f"{path.name}: {convert_file(path, converter)} lines converted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
