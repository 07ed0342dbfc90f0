"""Measure report import on the demo warehouse, on DuckDB and (when reachable) PostgreSQL.

Usage: .venv/bin/python scripts/benchmark_import.py [--postgres URL]
Registries (a 50,000-row 学校名录, issue 17 item 10) are measured by scripts/benchmark_registry.py.
Builds the demo warehouse, writes the school yearly report of every Shaanxi school for 2025 as XLSX (values
shifted so every row changes), then times: reading + validation + preview, the applying import, the same
file again (nothing changes), and undo. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_access import migrate  # noqa: E402
from data_access.engine import make_engine  # noqa: E402
from data_access.importing import check_file, import_file, report_type, template_xlsx, undo_import  # noqa: E402
from data_access.schema import school_year, schools  # noqa: E402
from demo.generate import build_demo  # noqa: E402

REGION = "610000"
YEAR = 2025


def _report(engine: sa.Engine) -> bytes:
    """A full school report for every school with a 2025 row, enrollment and teachers nudged."""
    spec = report_type("school")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(school_year, schools.c.name).join(schools)
                            .where(school_year.c.year == YEAR).order_by(school_year.c.school_id)).mappings().all()
    workbook = load_workbook(io.BytesIO(template_xlsx(spec)))
    sheet = workbook["填报"]
    for number, row in enumerate(rows, start=2):
        values = {"unit_id": row["school_id"], "name": row["name"], "year": YEAR, **dict(row)}
        if values["enrollment"] is not None:
            values["enrollment"] += 1
        for position, column in enumerate(spec.columns, start=1):
            value = values.get(column.field)
            sheet.cell(number, position, ("是" if value else "否") if isinstance(value, bool) else value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _timed(call):
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def measure(label: str, engine: sa.Engine) -> list[str]:
    migrate.upgrade(engine)
    build_demo(engine)
    data = _report(engine)
    lines = []
    seconds, outcome = _timed(lambda: check_file(engine, "学校年报.xlsx", data))
    rows = outcome.plan.rows_total
    lines.append(f"| {label} | check + preview, {rows:,} schools ({len(data) // 1024} kB XLSX) | {seconds:.2f} s |")
    seconds, outcome = _timed(lambda: import_file(engine, "学校年报.xlsx", data, imported_by="benchmark"))
    assert outcome.status == "applied", outcome.summary_lines()
    lines.append(f"| {label} | import, {len(outcome.plan.changed):,} rows changed | {seconds:.2f} s |")
    seconds, again = _timed(lambda: import_file(engine, "学校年报.xlsx", data, imported_by="benchmark"))
    lines.append(f"| {label} | same file again ({again.plan.unchanged:,} unchanged) | {seconds:.2f} s |")
    seconds, _ = _timed(lambda: undo_import(engine, outcome.batch_id, imported_by="benchmark"))
    lines.append(f"| {label} | undo the import | {seconds:.2f} s |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/mhm_benchmark")
    args = parser.parse_args()
    print("| engine | what | time |\n|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for line in measure("DuckDB", make_engine(f"duckdb:///{folder}/bench.duckdb", create=True)):
            print(line, flush=True)
    admin_url, _, name = args.postgres.rpartition("/")
    try:
        admin = sa.create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        print(f"(PostgreSQL skipped: {error.orig})")
        return
    engine = make_engine(args.postgres, create=True)
    for line in measure("PostgreSQL", engine):
        print(line, flush=True)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
