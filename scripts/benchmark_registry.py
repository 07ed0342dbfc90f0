"""Measure a 50,000-row school registry import on the demo warehouse, on DuckDB and (when reachable) PostgreSQL.

The registry benchmark of issue 17 item 10 (the issue names scripts/benchmark_import.py, which measures the
yearly school report; registries are measured here only).

Usage: .venv/bin/python scripts/benchmark_registry.py [--rows 50000] [--postgres URL] [--engines duckdb,postgresql]
       [--format csv|xlsx]
Builds the demo warehouse, writes a 学校名录 of new schools spread over Shaanxi's counties (valid codes,
coordinates inside their county), then times: check + preview and the import of the new schools (the page's
flow: the import applies the preview's plan), then the same file with every school renamed (preview and
import: 50,000 changed rows), then a file renaming every school again imported without a preview (the
command line's flow: check and write in one call). During each of the last two imports another process reads
the warehouse in a loop (what a page does); its slowest read is printed. Prints a markdown table, with the
load average before and after each engine.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import shapely
import sqlalchemy as sa
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_access import migrate  # noqa: E402
from data_access.engine import make_engine  # noqa: E402
from data_access.importing import check_file, import_file, report_type  # noqa: E402
from data_access.schema import regions  # noqa: E402
from demo.generate import build_demo  # noqa: E402
from geo.containment import _boundary  # noqa: E402

PROVINCE = "610000"
STAGES = (("21", "小学"), ("31", "初中"), ("34", "普通高中"), ("36", "中职"))
READER = """
import json, sys, time
sys.path.insert(0, sys.argv[2])
import sqlalchemy as sa
from data_access.engine import make_engine
from data_access import meta
from pathlib import Path
engine = make_engine(sys.argv[1])
slowest, reads, stop = 0.0, 0, Path(sys.argv[3])
from data_access.engine import WarehouseBusy
print("ready", flush=True)
while not stop.exists():
    started = time.perf_counter()
    try:
        with engine.connect() as conn:
            meta.read_stamp(conn)
            conn.execute(sa.text("SELECT count(*) FROM schools WHERE county_adcode = '610102'")).scalar()
    except WarehouseBusy:
        pass  # gave up after 20 s: counted as that long
    slowest, reads = max(slowest, time.perf_counter() - started), reads + 1
    time.sleep(0.05)
print(json.dumps({"slowest": slowest, "reads": reads}))
"""


def registry_file(engine: sa.Engine, rows: int, fmt: str, suffix: str = "") -> bytes:
    """`rows` new schools over the province's counties, each at a point inside its county, as CSV or XLSX."""
    with engine.connect() as conn:
        counties = list(conn.execute(sa.select(regions.c.adcode).where(
            regions.c.province_adcode == PROVINCE, regions.c.level == "county").order_by(regions.c.adcode)).scalars())
    points = {}
    for county in counties:
        point = shapely.point_on_surface(_boundary(county))
        points[county] = (round(point.x, 5), round(point.y, 5))
    spec = report_type("school_registry")
    headers = [column.header for column in spec.columns]
    lines = []
    for number in range(rows):
        county = counties[number % len(counties)]
        category, stage = STAGES[number % len(STAGES)]
        longitude, latitude = points[county]
        values = {"学校标识码": f"{category}61{900000 + number // len(STAGES):06d}",
                  "学校名称": f"基准测试学校{number}{suffix}", "县区代码": county, "学段": stage, "是否寄宿制": "否",
                  "城乡": "城镇", "经度": longitude, "纬度": latitude, "开办年份": 2020, "停办年份": None}
        lines.append([values.get(header) for header in headers])
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([headers, *lines])
        return text.getvalue().encode("utf-8")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("填报")
    for line in [headers, *lines]:
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Printed(list):
    def append(self, line: str) -> None:
        print(line, flush=True)
        super().append(line)


def _timed(call):
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _while_reading(url: str, call):
    """(seconds, result of call, the reader's {slowest, reads}): another process reads the warehouse in a loop
    from before the call starts until it has returned."""
    root = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as folder:
        stop = Path(folder) / "stop"
        reader = subprocess.Popen([sys.executable, "-c", READER, url, root, str(stop)], stdout=subprocess.PIPE,
                                  text=True)
        assert reader.stdout.readline().strip() == "ready"
        time.sleep(1)  # a few reads before the import starts
        seconds, result = _timed(call)
        stop.touch()
        read = json.loads(reader.communicate(timeout=120)[0])
    return seconds, result, read


def _load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def measure(label: str, engine: sa.Engine, url: str, rows: int, fmt: str) -> list[str]:
    """Prints each line as soon as it is measured (and returns them)."""
    migrate.upgrade(engine)
    build_demo(engine)
    added, renamed = registry_file(engine, rows, fmt), registry_file(engine, rows, fmt, suffix="(更名)")
    again = registry_file(engine, rows, fmt, suffix="(再更名)")
    size = len(added) // 1024
    name = f"学校名录.{fmt}"
    lines = _Printed()
    lines.append(f"| {label} | ({_load()}) | |")
    seconds, outcome = _timed(lambda: check_file(engine, name, added))
    assert outcome.status == "preview", outcome.summary_lines()[:5]
    lines.append(f"| {label} | check + preview, {len(outcome.plan.added):,} new schools ({size} kB {fmt.upper()}) | "
                 f"{seconds:.1f} s |")
    seconds, outcome = _timed(lambda: import_file(engine, name, added, imported_by="benchmark"))
    assert outcome.status == "applied", outcome.summary_lines()[:5]
    lines.append(f"| {label} | import, {len(outcome.plan.added):,} schools added | {seconds:.1f} s |")
    seconds, outcome = _timed(lambda: check_file(engine, name, renamed))
    lines.append(f"| {label} | check + preview, every school renamed | {seconds:.1f} s |")
    seconds, outcome, read = _while_reading(url, lambda: import_file(engine, name, renamed, imported_by="benchmark"))
    assert outcome.status == "applied", outcome.summary_lines()[:5]
    lines.append(f"| {label} | import, {len(outcome.plan.changed):,} schools renamed | {seconds:.1f} s |")
    lines.append(f"| {label} | slowest read by another process during that import ({read['reads']} reads) | "
                 f"{read['slowest']:.2f} s |")
    seconds, outcome, read = _while_reading(url, lambda: import_file(engine, name, again, imported_by="benchmark"))
    assert outcome.status == "applied", outcome.summary_lines()[:5]
    lines.append(f"| {label} | import without a preview (check + write), {len(outcome.plan.changed):,} renamed | "
                 f"{seconds:.1f} s |")
    lines.append(f"| {label} | slowest read by another process during that import ({read['reads']} reads) | "
                 f"{read['slowest']:.2f} s |")
    lines.append(f"| {label} | ({_load()}) | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/mhm_benchmark_registry")
    parser.add_argument("--engines", default="duckdb,postgresql")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()
    print("| engine | what | time |\n|---|---|---|")
    if "duckdb" in args.engines:
        with tempfile.TemporaryDirectory() as folder:
            url = f"duckdb:///{folder}/bench.duckdb"
            measure("DuckDB", make_engine(url, create=True), url, args.rows, args.format)
    if "postgresql" not in args.engines:
        return
    admin_url, _, name = args.postgres.rpartition("/")
    try:
        admin = sa.create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        print(f"(PostgreSQL skipped: {error.orig})")
        return
    engine = make_engine(args.postgres)
    measure("PostgreSQL", engine, args.postgres, args.rows, args.format)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
