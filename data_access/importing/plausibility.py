"""Plausibility checks (经验校验): the rules of data_access/plausibility.toml, evaluated on what an import writes
against each unit's previous reported year.

A rule's `value` and `condition` are small expressions, parsed with Python's `ast` and accepted only when they
consist of numbers, booleans, the row's figures, the four arithmetic operators, comparisons, and/or/not and
abs(); they are then compiled once and evaluated without builtins, so a rule file cannot run anything else.
Warnings never stop an import; they are stored with the batch (`record_warnings`), counted as open until
explained, and a county explains them when it submits (data_access/review.py).
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import CodeType, SimpleNamespace

import pandas as pd
import sqlalchemy as sa

from data_access.formatting import format_value as format_rate
from data_access.formatting import stored_value_text
from data_access.importing.facts import IN_CHUNK
from data_access.importing.issues import FILE_NAME_CHARS, MESSAGE_CHARS, VALUE_CHARS, shorten
from data_access.importing.plan import ImportPlan
from data_access.importing.reading import RawTable
from data_access.importing.review_locks import counties_of
from data_access.importing.spec import YEARLY_TYPES, ReportType
from data_access.importing.validation import header_matches
from data_access.schema import import_warnings

RULES_PATH = Path(__file__).resolve().parent.parent / "plausibility.toml"
RULE_FIELDS = {"id": str, "report_type": str, "columns": list, "condition": str, "message": str}
OPTIONAL_FIELDS = {"value": str, "unit": str, "message_en": str}
SUMMARY_WARNINGS = 20  # warnings listed in the summary lines; the preview's table lists all
WARNINGS_HEADER = ("文件", "行", "列", "单位代码", "年度", "上次上报年度", "原值", "新值", "提示", "规则")

# The only operators an expression may use.
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Gt, ast.GtE, ast.Lt, ast.LtE, ast.Eq, ast.NotEq)


class PlausibilityError(Exception):
    """The rule file is wrong; the message names the file, the rule and the field (Chinese)."""


@dataclass(frozen=True)
class Rule:
    id: str
    report_type: str
    columns: tuple[str, ...]
    condition: str
    message: str
    value: str = ""
    unit: str = ""
    message_en: str = ""

    @property
    def value_expression(self) -> str:
        return self.value or self.columns[0]


@dataclass(frozen=True)
class PlausibilityWarning:
    rule_id: str
    file: str
    row: int
    column: str  # the file's header of the rule's first column
    unit_id: str
    year: int
    previous_year: int | None
    old: str | None  # as printed
    new: str
    message: str

    def describe(self) -> str:
        """文件 x.csv, 第 3 行, 列「在校生数」, 单位 S1: 2024 年 1200 → 2025 年 2000: 在校生数较上一次上报 ..."""
        change = f"{self.previous_year} 年 {self.old} → {self.year} 年 {self.new}" if self.previous_year \
            else f"{self.year} 年 {self.new}"
        return f"文件 {self.file}, 第 {self.row} 行, 列「{self.column}」, 单位 {self.unit_id}: {change}: {self.message}"


@cache
def _parsed(expression: str) -> ast.Expression:
    return ast.parse(expression, mode="eval")


def _check_expression(expression: str, allowed_names: set[str], rows: bool) -> str | None:
    """None when the expression uses only what the walker knows, else what is wrong (Chinese)."""
    try:
        tree = _parsed(expression)
    except SyntaxError as error:
        return f"表达式无法解析: {error.msg}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if not rows or not isinstance(node.value, ast.Name) or node.value.id not in ("old", "new"):
                return "只能写 old.列名 或 new.列名"
            if node.attr not in allowed_names | {"value"}:
                return f"未知的列 {node.attr}"
        elif isinstance(node, ast.Name):
            if rows and node.id not in ("old", "new", "abs"):
                return f"未知的名称 {node.id}: 请写 old.{node.id} 或 new.{node.id}"
            if not rows and node.id not in allowed_names | {"abs"}:
                return f"未知的列 {node.id}"
        elif isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id == "abs" and len(node.args) == 1
                    and not node.keywords):
                return "只能调用 abs(x)"
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str) or node.value is None:
                return "只能写数字、True 或 False"
        elif not isinstance(node, (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.USub, ast.Not,
                                   ast.BinOp, ast.Compare, ast.Load, *_OPERATORS)):
            return f"不支持的写法 {type(node).__name__}"
    return None


def _rule_problems(entry: dict, source: str, seen: set[str]) -> list[str]:
    where = f"{source}: 规则 {entry.get('id', '?')}"
    problems = [f"{where}: 缺少 {name}" for name in RULE_FIELDS if name not in entry]
    problems += [f"{where}: {name} 应为 {kind.__name__}" for name, kind in {**RULE_FIELDS, **OPTIONAL_FIELDS}.items()
                 if name in entry and not isinstance(entry[name], kind)]
    problems += [f"{where}: 未知字段 {name}" for name in entry if name not in RULE_FIELDS | OPTIONAL_FIELDS]
    if problems:
        return problems
    if entry["id"] in seen:
        problems.append(f"{where}: id 重复")
    spec = YEARLY_TYPES.get(entry["report_type"])
    if spec is None:
        return [*problems, f"{where}: 未知的上报类型 {entry['report_type']} (可选 {', '.join(YEARLY_TYPES)})"]
    fields = {c.field for c in spec.value_columns}
    unknown = [c for c in entry["columns"] if c not in fields]
    if unknown or not entry["columns"]:
        problems.append(f"{where}: columns 须为{spec.name_zh}的列 ({', '.join(sorted(fields))}), 不认识 {unknown}")
        return problems
    for name in ("value", "condition"):
        if name in entry and (wrong := _check_expression(entry[name], set(entry["columns"]), name == "condition")):
            problems.append(f"{where}: {name}「{entry[name]}」{wrong}")
    if entry.get("unit", "%") != "%":
        problems.append(f"{where}: unit 只能为 \"%\" 或不写")
    try:
        entry["message"].format(previous_year=2025)
    except (KeyError, IndexError, ValueError):
        problems.append(f"{where}: message 中只能用 {{previous_year}}")
    return problems


def load_rules(path: Path = RULES_PATH) -> tuple[Rule, ...]:
    """Every rule of the file, checked; PlausibilityError listing every problem otherwise."""
    try:
        with path.open("rb") as handle:
            entries = tomllib.load(handle).get("rule", [])
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PlausibilityError(f"经验校验规则文件 {path.name} 无法读取: {error}") from error
    problems: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        problems += _rule_problems(entry, path.name, seen)
        seen.add(entry.get("id", ""))
    if problems:
        raise PlausibilityError("; ".join(problems))
    return tuple(Rule(**{**entry, "columns": tuple(entry["columns"])}) for entry in entries)


@cache
def rules() -> tuple[Rule, ...]:
    return load_rules()


@cache
def _compiled(expression: str, rows: bool) -> tuple[CodeType, tuple[tuple[str | None, str], ...]]:
    """The expression compiled once, and the figures it reads ((side, column) pairs; side None for a value
    expression). Compiled only after the same check load_rules applies: nothing but arithmetic, comparisons,
    and/or/not, abs() and the row's figures, evaluated without builtins, so a rule cannot reach anything else."""
    tree = _parsed(expression)
    names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)} if rows else \
        {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} - {"abs"}
    if any(name.startswith("_") for name in names) or (wrong := _check_expression(expression, names, rows)):
        raise PlausibilityError(f"经验校验表达式「{expression}」不可用: {wrong or '名称不能以 _ 开头'}")
    if rows:
        reads = tuple((node.value.id, node.attr) for node in ast.walk(tree) if isinstance(node, ast.Attribute))
    else:
        reads = tuple((None, name) for name in sorted(names))
    return compile(tree, "<plausibility.toml>", "eval"), reads


_GLOBALS = {"__builtins__": {}, "abs": abs}


def _value(rule: Rule, row: dict) -> object:
    """The rule's value for one row; None when a figure it needs is missing or it divides by zero."""
    code, reads = _compiled(rule.value_expression, False)
    if any(row.get(name) is None for _, name in reads):
        return None
    try:
        return eval(code, _GLOBALS, dict(row))  # noqa: S307 (checked expression, no builtins)
    except ZeroDivisionError:
        return None


def fires(rule: Rule, new: dict, old: dict | None) -> bool:
    """Does the rule warn for a unit whose row after the import is `new` and whose previous report is `old`?
    A missing figure (not reported), a division by zero or, for a rule that reads `old.`, no earlier report
    means the rule does not apply."""
    rows = {"new": {**new, "value": _value(rule, new)},
            "old": None if old is None else {**old, "value": _value(rule, old)}}
    code, reads = _compiled(rule.condition, True)
    if any(rows[side] is None or rows[side].get(name) is None for side, name in reads):
        return False
    try:
        return bool(eval(code, _GLOBALS, {side: SimpleNamespace(**row) for side, row in rows.items() if row}))  # noqa: S307
    except ZeroDivisionError:
        return False


def _shown(rule: Rule, spec: ReportType, row: dict | None) -> str | None:
    if row is None:
        return None
    value = _value(rule, row)
    if rule.unit == "%":
        return format_rate(value, "%")
    if not rule.value:
        return stored_value_text(spec.written(rule.columns[0], row.get(rule.columns[0])))
    return format_rate(value, None)


def _previous_rows(conn: sa.Connection, spec: ReportType, keys: set[tuple[str, int]],
                   fields: set[str]) -> dict[tuple[str, int], dict]:
    """(unit, year) -> `fields` of the unit's row of its latest reported year before `year` (with "year")."""
    facts, unit_key = spec.facts, spec.facts.c[spec.unit_key]
    latest = max(year for _, year in keys)
    earlier: dict[str, list[dict]] = defaultdict(list)
    units = sorted({unit for unit, _ in keys})
    columns = [unit_key, facts.c.year, *(facts.c[f] for f in sorted(fields))]
    for start in range(0, len(units), IN_CHUNK):
        query = sa.select(*columns).where(unit_key.in_(units[start:start + IN_CHUNK]), facts.c.year < latest)
        for row in conn.execute(query).mappings():
            earlier[row[spec.unit_key]].append(dict(row))
    found = {}
    for unit, year in keys:
        before = [row for row in earlier.get(unit, []) if int(row["year"]) < year]
        if before:
            found[(unit, year)] = max(before, key=lambda row: int(row["year"]))
    return found


def warnings_for(conn: sa.Connection, plan: ImportPlan, table: RawTable,
                 checked_rules: tuple[Rule, ...] | None = None) -> tuple[list[PlausibilityWarning],
                                                                         set[tuple[str, int, str]]]:
    """The warnings of what `plan` writes, and every (unit, year, rule id) the plan re-checked (a rule runs for a
    row when the import writes one of its columns; its older warnings on that row are then superseded)."""
    spec = plan.spec
    own = [rule for rule in (rules() if checked_rules is None else checked_rules) if rule.report_type == spec.key]
    if spec.registry or not own or not plan.touches_anything:
        return [], set()
    written = [(row, row.values, set(row.values)) for row in plan.added]
    written += [(row, {**plan.stored[(row.unit_id, row.year)], **row.values}, {f.field for f in change.changes})
                for row, change in zip(plan.changed_rows, plan.changed, strict=True)]
    previous = _previous_rows(conn, spec, {(row.unit_id, row.year) for row, _, _ in written},
                              {column for rule in own for column in rule.columns})
    matched = header_matches(spec, table.headers)
    headers = {column.field: table.headers[position] for position, column in matched.items()}
    found, checked = [], set()
    for row, new, fields in sorted(written, key=lambda item: item[0].excel_row):
        old = previous.get((row.unit_id, row.year))
        for rule in own:
            if not fields & set(rule.columns):
                continue
            checked.add((row.unit_id, row.year, rule.id))
            if fires(rule, new, old):
                found.append(PlausibilityWarning(
                    rule.id, shorten(table.file_name, FILE_NAME_CHARS), row.excel_row,
                    shorten(headers.get(rule.columns[0], spec.headers[rule.columns[0]]), VALUE_CHARS), row.unit_id,
                    row.year, None if old is None else int(old["year"]), _shown(rule, spec, old) if old else None,
                    _shown(rule, spec, new) or "", shorten(_message(rule, old), MESSAGE_CHARS)))
    return found, checked


def _message(rule: Rule, old: dict | None) -> str:
    return rule.message.format(previous_year=int(old["year"]) if old else "—")


def warnings_frame(warnings: list[PlausibilityWarning]) -> pd.DataFrame:
    """The preview's table: 文件, 行, 列, 单位代码, 年度, 上次上报年度, 原值, 新值, 提示, 规则."""
    return pd.DataFrame([(w.file, w.row, w.column, w.unit_id, w.year, w.previous_year, w.old or "", w.new,
                          w.message, w.rule_id) for w in warnings], columns=list(WARNINGS_HEADER)) \
        .astype({"上次上报年度": "Int64"})


def summary_lines(warnings: list[PlausibilityWarning], applied: bool) -> list[str]:
    """The notices the import summary adds (page and command line alike)."""
    if not warnings:
        return []
    then = "已随本批次保存" if applied else "不是错误, 不影响导入"
    lines = [f"{len(warnings)} 条经验校验提示 ({then}; 提交上报时须逐条说明, 或写一条总说明):"]
    lines += [warning.describe() for warning in warnings[:SUMMARY_WARNINGS]]
    if len(warnings) > SUMMARY_WARNINGS:
        lines.append(f"… 另有 {len(warnings) - SUMMARY_WARNINGS} 条 (见预览表格)")
    return lines


def record_warnings(conn: sa.Connection, batch_id: str, plan: ImportPlan) -> None:
    """Store the batch's warnings (with each unit's county) and supersede the older warnings of the rules the
    batch re-checked: inside the import's transaction."""
    spec = plan.spec
    by_rule_year: dict[tuple[str, int], list[str]] = defaultdict(list)
    for unit, year, rule_id in sorted(plan.checked_rules):
        by_rule_year[(rule_id, year)].append(unit)
    for (rule_id, year), units in by_rule_year.items():
        for start in range(0, len(units), IN_CHUNK):
            conn.execute(sa.update(import_warnings).where(
                import_warnings.c.report_type == spec.key, import_warnings.c.rule_id == rule_id,
                import_warnings.c.year == year, import_warnings.c.superseded_by.is_(None),
                import_warnings.c.unit_id.in_(units[start:start + IN_CHUNK])).values(superseded_by=batch_id))
    if not plan.warnings:
        return
    county = counties_of(conn, spec, sorted({w.unit_id for w in plan.warnings}))
    conn.execute(sa.insert(import_warnings), [
        {"batch_id": batch_id, "warning_no": number, "rule_id": w.rule_id, "report_type": spec.key,
         "county_adcode": county[w.unit_id], "unit_id": w.unit_id, "year": w.year, "file_name": w.file,
         "excel_row": w.row, "column_header": w.column, "previous_year": w.previous_year,
         "old_value": w.old[:64] if w.old else None, "new_value": w.new[:64], "message": w.message,
         "explanation": None, "explained_by": None, "explained_at": None, "superseded_by": None}
        for number, w in enumerate(plan.warnings, start=1)])


def reopen_superseded(conn: sa.Connection, undone_batch: str) -> None:
    """Undoing a batch puts the older values back, and with them the warnings the batch had superseded."""
    conn.execute(sa.update(import_warnings).where(import_warnings.c.superseded_by == undone_batch)
                 .values(superseded_by=None))
