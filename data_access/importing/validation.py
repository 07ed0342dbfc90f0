"""Turn a RawTable into typed rows for one report type, collecting every problem (not only the first).

Three passes: headers, then each cell (type, sign, year range, duplicates), then rules across cells and
against the unit registers (unknown code, outside the importer's region). Blank means "not reported" and
becomes NULL, never 0.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import sqlalchemy as sa

from data_access.importing import registry_rules
from data_access.importing.facts import IN_CHUNK, existing_rows
from data_access.importing.issues import Issue
from data_access.importing.parsed import ParsedFile, ParsedRow
from data_access.importing.reading import RawTable
from data_access.importing.spec import (
    BLANK_MARKS,
    FLAG_FALSE,
    FLAG_TRUE,
    FULLTIME_MINIMUM_CAP,
    IGNORED_HEADERS,
    REGISTRY_EARLIEST_YEAR,
    REPORT_TYPES,
    STUDENTS_PER_FULLTIME_CAP,
    Column,
    ReportType,
)
from data_access.regions import ALL_REGIONS
from data_access.schema import regions, schools
from data_access.years import reportable_years

_UNIT_SUFFIX = re.compile(r"\((人|学时|年|个|所)\)$")


def normalise_header(text: str) -> str:
    """Compare headers ignoring spaces, full-width brackets and a trailing unit such as (人)."""
    text = re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")
    return _UNIT_SUFFIX.sub("", text)


def header_matches(spec: ReportType, headers: tuple[str, ...]) -> dict[int, Column]:
    """Position in the file -> template column, for headers equal to a header or documented alias."""
    names = {normalise_header(alias): column for column in spec.columns
             for alias in (column.header, *column.aliases)}
    return {position: names[normalise_header(text)] for position, text in enumerate(headers)
            if text and normalise_header(text) in names}


def detect_report_type(headers: tuple[str, ...]) -> ReportType | None:
    """The one report type whose id column and most headers match; None when none or a tie."""
    scores = []
    for spec in REPORT_TYPES.values():
        matched = header_matches(spec, headers).values()
        if any(column.kind == "id" for column in matched):
            # A name column is in yearly reports (as a label) and registries alike: it does not tell them apart.
            scores.append((sum(column.kind not in ("id", "year", "label", "text") for column in matched), spec))
    scores.sort(key=lambda pair: -pair[0])
    if not scores or (len(scores) > 1 and scores[0][0] == scores[1][0]):
        return None
    return scores[0][1]


def parse(table: RawTable, spec: ReportType, conn: sa.Connection, allowed_region: str = ALL_REGIONS) -> ParsedFile:
    """Typed rows and every issue; rows are only meaningful when issues is empty."""
    parsed, row_cells = convert(table, spec)
    if parsed.issues and not parsed.rows:
        return parsed
    if spec.registry:
        found, notices = registry_rules.check(parsed, conn, allowed_region, row_cells)
        add_registry_issues(parsed, found, notices)
    else:
        check_reports(parsed, conn, allowed_region, row_cells)
    return parsed


def check_reports(parsed: ParsedFile, conn: sa.Connection, allowed_region: str, row_cells: RowCells) -> None:
    """The rules of a yearly report against the unit registers and the stored rows, added to `parsed`."""
    located = _Locator(parsed.table)
    parsed.issues.extend(_register_issues(parsed, conn, allowed_region, located))
    parsed.issues.extend(_consistency_issues(parsed, conn, row_cells, located))
    sort_issues(parsed)


def add_registry_issues(parsed: ParsedFile, found: list[tuple], notices: list[str]) -> None:
    """Add what registry_rules found ((excel row, header, value, message) each) to `parsed`, in file order."""
    located = _Locator(parsed.table)
    parsed.issues.extend(located.at(number, header, raw, message) for number, header, raw, message in found)
    parsed.notices.extend(notices)
    sort_issues(parsed)


def sort_issues(parsed: ParsedFile) -> None:
    headers = parsed.table.headers
    parsed.issues.sort(key=lambda issue: (issue.row or 0, headers.index(issue.column)
                                          if issue.column in headers else 0))


RowCells = dict[int, dict[str, tuple[str, object]]]  # Excel row -> field -> (header, cell as read)


def convert(table: RawTable, spec: ReportType) -> tuple[ParsedFile, RowCells]:
    """Headers, then each cell (type, sign, year range, duplicates): everything that needs no warehouse, so
    that a check does this Python work with the warehouse closed (a DuckDB file is one process's at a time).
    Returns the parsed file and the cells of each kept row (for messages); a header problem stops before the
    rows (issues without rows)."""
    years = reportable_years()
    located = _Locator(table)
    issues: list[Issue] = []
    by_position = header_matches(spec, table.headers)
    seen: dict[str, int] = {}
    for position, text in enumerate(table.headers):
        column = by_position.get(position)
        if column is None:
            if text and normalise_header(text) not in IGNORED_HEADERS:
                known = "、".join(c.header for c in spec.columns)
                issues.append(located.at(table.header_row, text, None,
                                         f"无法识别的列名。{spec.name_zh}的列为: {known}; "
                                         "自己加的备注列请命名为「备注」"))
            continue
        if column.field in seen:
            issues.append(located.at(table.header_row, text, None,
                                     f"与第 {seen[column.field] + 1} 列重复, 都对应「{column.header}」: 请删去一列"))
        seen.setdefault(column.field, position)
    for column in spec.columns:
        if column.field not in seen and (column.required or column.kind in ("id", "year")):
            issues.append(located.at(table.header_row, column.header, None,
                                     f"缺少必填列「{column.header}」(也可写作: {'、'.join(column.aliases) or '无'})"))
    for number, values in table.rows:
        for position in range(len(values)):
            headless = position >= len(table.headers) or not table.headers[position]
            if headless and values[position] is not None:
                issues.append(located.at(number, f"第 {position + 1} 列", values[position],
                                         "该列没有表头, 数据无法归属: 请删除或补上表头"))
                break
    present = tuple(c.field for c in spec.value_columns if c.field in seen)
    # A registry also writes the fields it derives (a community's county and urban/rural).
    parsed = ParsedFile(spec, table, present + tuple(f for f, _ in spec.derived), issues=issues)
    parsed.notices = [f"文件中没有「{c.header}」列: 已有数据中的这一项保持不变" for c in spec.value_columns
                      if c.field not in seen and not c.required]
    if issues:  # a header problem makes every row suspect: report the headers first
        return parsed, {}

    first_row_of: dict[tuple[str, int], int] = {}
    untouched: list[int] = []
    row_cells: dict[int, dict[str, tuple[str, object]]] = {}
    converted = _converter(spec, years)
    read = [column for column in spec.columns if column.field in seen and column.kind != "label"]
    placed = [(column.field, table.headers[position], position) for position, column in by_position.items()]
    for number, values in table.rows:
        width = len(values)
        cells = {field: (header, values[position] if position < width else None) for field, header, position in placed}
        if all(_blank(cells[field][1]) for field in present):
            # A pre-filled template row the clerk left empty: not a report, so neither an error nor a row of
            # NULLs that would count the unit as reported (or clear what it reported before).
            untouched.append(number)
            continue
        row_values: dict[str, object] = {}
        for column in read:
            header, raw = cells[column.field]
            value, message = converted(column, raw)
            if message:
                # A bad cell becomes None and the row's other checks still run, so one upload lists every
                # problem; only a row without a usable code and year cannot be checked further.
                issues.append(located.at(number, header, raw, message))
            row_values[column.field] = value
        unit_id, year = row_values.pop("unit_id"), row_values.pop("year", None)
        if unit_id is None or (year is None and not spec.registry):
            continue
        key = (str(unit_id), None if spec.registry else int(year))
        if key in first_row_of:
            header = cells["unit_id"][0]
            repeated = (f"同一{spec.unit_noun}代码在一个文件中只能出现一次" if spec.registry
                        else f"同一{spec.unit_noun}同一年度 ({key[1]}) 只能填一行")
            issues.append(located.at(number, header, key[0], f"与第 {first_row_of[key]} 行重复: {repeated}"))
            continue
        first_row_of[key] = number
        row_cells[number] = cells
        parsed.rows.append(ParsedRow(number, key[0], key[1], row_values))
    if untouched:
        shown = "、".join(str(n) for n in untouched[:10]) + (" 等" if len(untouched) > 10 else "")
        parsed.notices.append(f"{len(untouched)} 行只有代码/名称/年度, 没有填写任何数值, 视为未上报, 不导入"
                              f" (第 {shown} 行)")
    if not parsed.rows and not issues:
        issues.append(located.at(table.header_row, None, None,
                                 "没有任何填写了数值的行: 请在模板中填写各单位的数据后再上传"))
    sort_issues(parsed)
    return parsed, row_cells


def _converter(spec: ReportType, years: tuple[int, ...]):
    """_convert with each column's answers remembered: most columns repeat a few values (学段, 县区代码, the
    years, coordinates of a county), so a 50,000-row file converts each distinct cell once. Codes and names are
    mostly unique and are converted directly. Keyed by type and value (1, 1.0 and True are equal keys)."""
    memo = {column.field: {} for column in spec.columns if column.kind not in ("id", "text", "label")}

    def converted(column: Column, raw: object) -> tuple[object, str | None]:
        answers = memo.get(column.field)
        if answers is None:
            return _convert(column, raw, years)
        key = (raw.__class__, raw)
        found = answers.get(key)
        if found is None:
            found = answers[key] = _convert(column, raw, years)
        return found

    return converted


class _Locator:
    def __init__(self, table: RawTable) -> None:
        self.table = table

    def at(self, row: int | None, column: str | None, value: object, message: str) -> Issue:
        return Issue(self.table.file_name, self.table.sheet, row, column, _show(value), message)


def _show(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


def _number(raw: object) -> float | None:
    """A finite number from a cell, or None when it is not one (text like "12人" included)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw) if math.isfinite(raw) else None
    if isinstance(raw, str):
        try:
            number = float(raw.replace(",", "").replace("，", ""))
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw in BLANK_MARKS)


def _convert(column: Column, raw: object, years: tuple[int, ...]) -> tuple[object, str | None]:
    """(value, None) or (None, Chinese message); `years` are the reportable years."""
    if _blank(raw):
        raw = None
    if raw is None:
        if column.required or column.kind in ("id", "year"):
            return None, f"必填项为空: 请填写{column.header}"
        return None, None
    if isinstance(raw, str) and raw.startswith("#"):
        return None, f"单元格是公式错误 {raw}: 请填写数值"
    kind = column.kind
    if kind == "id":
        number = _number(raw) if not isinstance(raw, str) else None
        if number is not None and number.is_integer():
            return str(int(number)), None
        if isinstance(raw, str):
            return raw, None
        return None, "代码应为文本或数字"
    if kind in ("year", "since"):
        text = raw.removesuffix("年") if isinstance(raw, str) else raw
        number = _number(text)
        low, high = (years[0], years[-1]) if kind == "year" else (REGISTRY_EARLIEST_YEAR, years[-1] + 1)
        if number is None or not number.is_integer():
            return None, f"{column.header}应为 {low}–{high} 的四位整数, 如 {years[-1]}"
        if kind == "year" and number > high:
            return None, (f"年度 {int(number)} 对应的 {int(number) - 1}–{int(number)} 学年尚未结束 (学年按结束年份计, "
                          f"7 月 31 日后才算结束): 目前只能导入 {low}–{high} 年度的数据")
        if kind == "year" and number < low:
            return None, f"年度 {int(number)} 早于最早的规划基线年 {low}: 请核对是否填错年份"
        if not low <= number <= high:
            return None, f"{column.header} {int(number)} 不在合理范围 {low}–{high} 内: 请核对是否填错年份"
        return int(number), None
    if kind in ("text", "county", "choice"):
        number = _number(raw) if not isinstance(raw, str) else None
        text = str(int(number)) if number is not None and number.is_integer() else str(raw)
        if kind == "text":
            return (text, None) if len(text) <= 64 else (None, f"{column.header}超过 64 字, 请核对")
        if kind == "county":
            return (text, None) if re.fullmatch(r"\d{6}", text) else (None, "县区代码应为 6 位数字, 如 620802")
        stored = {label.upper(): code for label, code in column.choices}.get(text.upper())
        if stored is None:
            return None, f"{column.header}应填以下之一: {'、'.join(column.shown_choices)}"
        return stored, None
    if kind == "coordinate":
        number = _number(raw)
        low, high = column.bounds
        if number is None or not low <= number <= high:
            return None, f"{column.header}应为 {low:g}–{high:g} 之间的小数 (度); 没有坐标请留空"
        return number, None
    if kind in ("count", "hours"):
        number = _number(raw)
        noun = "人数" if column.unit == "人" else column.header
        if number is None:
            return None, f"{noun}应为数字 (不要带单位或文字; 未上报请留空)"
        if number < 0:
            return None, f"{noun}不能为负数"
        if kind == "count":
            if not number.is_integer():
                return None, f"{noun}应为整数"
            return int(number), None
        return number, None
    if kind == "flag":
        text = str(int(raw)) if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw) in (0, 1) \
            else str(raw).upper()
        if isinstance(raw, bool):
            return raw, None
        if text in FLAG_TRUE:
            return True, None
        if text in FLAG_FALSE:
            return False, None
        return None, "应填「是」或「否」(未上报请留空)"
    raise ValueError(f"unknown column kind {kind}")


# (part, whole): a count that can never exceed another count of the same unit and year.
PART_OF_WHOLE = (("boarding_students", "enrollment"), ("students_screened", "enrollment"), ("passed", "surveyed"))


def _consistency_issues(parsed: ParsedFile, conn: sa.Connection, row_cells: dict[int, dict[str, tuple[str, object]]],
                        located: _Locator) -> list[Issue]:
    """Values that cannot all be true together, judged on what the unit's row will hold after the import:
    the file's values over the stored ones (a file without 在校生数 keeps the stored enrollment)."""
    spec = parsed.spec
    value_fields = {c.field for c in spec.value_columns}
    if not value_fields & {field for pair in PART_OF_WHOLE for field in pair}:
        return []
    stored = existing_rows(conn, spec, [(row.unit_id, row.year) for row in parsed.rows])
    found = []
    for row in parsed.rows:
        kept = {f: v for f, v in stored.get((row.unit_id, row.year), {}).items() if f in value_fields}
        cells = row_cells[row.excel_row]
        for blamed, message in _row_rules(spec, {**kept, **row.values}, set(row.values)):
            found.append(located.at(row.excel_row, cells[blamed][0], cells[blamed][1], message))
    return found


def _row_rules(spec: ReportType, values: dict[str, object], from_file: set[str]) -> list[tuple[str, str]]:
    """(column of the file to blame, message) for each rule broken; a rule whose values all come from the
    warehouse is not the file's fault and is not reported."""
    headers = {c.field: c.header for c in spec.columns}
    found = []

    def shown(field: str) -> str:
        return f"{headers[field]} {values[field]:g}" + ("" if field in from_file else " (数据仓库中已有)")

    def blame(*fields: str) -> str | None:
        return next((f for f in fields if f in from_file), None)

    for part, whole in PART_OF_WHOLE:
        if values.get(part) is None or values.get(whole) is None or values[part] <= values[whole]:
            continue
        if blamed := blame(part, whole):
            found.append((blamed, f"{shown(part)} 多于{shown(whole)}: 请核对"))
    teachers, enrollment = values.get("fulltime_teachers"), values.get("enrollment")
    if teachers is not None and enrollment is not None:
        cap = max(FULLTIME_MINIMUM_CAP, math.ceil(enrollment / STUDENTS_PER_FULLTIME_CAP))
        blamed = blame("fulltime_teachers", "enrollment")
        if teachers > cap and blamed:
            stored = "" if "enrollment" in from_file else " (数据仓库中已有)"
            found.append((blamed, f"专职心理健康教师 {teachers} 人, 对在校生 {enrollment} 人{stored}的学校明显偏多 "
                                  f"(合理上限约 {cap} 人): 是否填入了全校教师数或兼职教师数?"))
    return found


def _register_issues(parsed: ParsedFile, conn: sa.Connection, allowed_region: str,
                     located: _Locator) -> list[Issue]:
    """Unknown codes, codes outside the importer's region, region reports for non-county codes."""
    spec = parsed.spec
    known = unit_paths(conn, spec, sorted({row.unit_id for row in parsed.rows}))
    header = next(h for h in parsed.table.headers if header_matches(spec, (h,)).get(0) is spec.id_column)
    found = []
    for row in parsed.rows:
        unit = known.get(row.unit_id)
        if unit is None:
            found.append(located.at(row.excel_row, header, row.unit_id,
                                    f"{spec.unit_noun}代码不在名录中: 请核对代码 (可从模板或看板中复制); "
                                    "新设单位请先联系市级管理员登记"))
        elif spec.key == "region" and unit["level"] != "county":
            found.append(located.at(row.excel_row, header, row.unit_id,
                                    f"{unit['name']} 不是县(区)级: 本表只按县(区)填报, 市、省数据由县(区)汇总"))
        elif allowed_region != ALL_REGIONS and allowed_region not in _reach(spec, row.unit_id, unit):
            found.append(located.at(row.excel_row, header, row.unit_id,
                                    f"{unit['name']} 不在您的权限范围 ({allowed_region}) 内: 只能导入本地区的单位"))
        elif reason := _outside_lifecycle(unit, row.year):
            found.append(located.at(row.excel_row, header, row.unit_id, reason))
    return found


def _reach(spec: ReportType, unit_id: str, unit: dict) -> tuple[str, ...]:
    """The regions whose importer may write this unit: its path, and for a school the school itself (a
    school's own reporter's region is its 学校标识码, access.unit_path)."""
    return (unit_id, *unit["path"]) if spec.units is schools else unit["path"]


def unit_paths(conn: sa.Connection, spec: ReportType, unit_ids: list[str]) -> dict[str, dict]:
    """unit_id -> {name, level, path (own county/city/province adcodes)} for the ids that exist."""
    county = regions.alias("county")
    unit_key = spec.units.c[spec.unit_key]
    county_of = unit_key if spec.units is regions else spec.units.c.county_adcode
    level = spec.units.c.level if spec.units is regions else sa.literal("unit")
    lifecycle = [spec.units.c[name] if name in spec.units.c else sa.cast(sa.null(), sa.Integer).label(name)
                 for name in ("opened_year", "closed_year")]
    query = (sa.select(unit_key.label("unit_id"), spec.units.c.name, level.label("level"), county.c.adcode,
                       county.c.city_adcode, county.c.province_adcode, *lifecycle)
             .join_from(spec.units, county, county_of == county.c.adcode))
    found: dict[str, dict] = {}
    for start in range(0, len(unit_ids), IN_CHUNK):
        chunk = unit_ids[start:start + IN_CHUNK]
        for row in conn.execute(query.where(unit_key.in_(chunk))).mappings():
            path = tuple(code for code in (row["adcode"], row["city_adcode"], row["province_adcode"]) if code)
            found[row["unit_id"]] = {"name": row["name"], "level": row["level"], "path": path,
                                     "opened_year": row["opened_year"], "closed_year": row["closed_year"]}
    return found


def _outside_lifecycle(unit: dict, year: int) -> str | None:
    """Why a unit cannot report for `year` (it had not opened or had closed), or None.

    Refused rather than warned: a report for a year the unit was closed would count it as reported where it
    is not expected, and the registry is where such a mistake is fixed."""
    opened, closed = unit["opened_year"], unit["closed_year"]
    if opened is not None and year < opened:
        return (f"{unit['name']} 的开办年份为 {opened}, 不应有 {year} 年度的上报: 请核对年度, "
                "或先在名录中更正开办年份")
    if closed is not None and year > closed:
        return (f"{unit['name']} 已于 {closed} 年度后停办, 不应有 {year} 年度的上报: 请核对年度, "
                "或先在名录中更正停办年份")
    return None
