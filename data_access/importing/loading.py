"""Check and apply one file: validation, preview, one transaction, the import lock and the audit trail.

A file is applied whole or not at all: facts, the batch row and every overwritten value are written in
one transaction that first takes the import lock. Rejected and failed attempts are recorded afterwards,
in a transaction of their own, so the history shows them although nothing was written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from data_access.access import Principal, permitted_region
from data_access.engine import checkpoint
from data_access.import_lock import LOCK_WAIT_SECONDS, ImportBusy, take_lock
from data_access.importing import plausibility, registry_rules
from data_access.importing.collector import collector_paused
from data_access.importing.issues import HISTORY_MESSAGE_CHARS, ImportRejected, Issue, shorten
from data_access.importing.parsed import ParsedFile
from data_access.importing.plan import ImportPlan, build_plan
from data_access.importing.plausibility import record_warnings, warnings_for
from data_access.importing.reading import RawTable, read_table
from data_access.importing.review_locks import locked_issues
from data_access.importing.spec import REPORT_TYPES, ReportType, report_type
from data_access.importing.validation import (
    RowCells,
    add_registry_issues,
    check_reports,
    convert,
    detect_report_type,
    parse,
)
from data_access.meta import Stamp, bump_revision, read_stamp
from data_access.regions import ALL_REGIONS
from data_access.schema import import_batches, value_changes, warehouse_meta
from data_access.school_reports import submitted_overwrites

WRITE_CHUNK = 10_000  # rows per statement
MESSAGE_ISSUES = 20  # issues kept in the history row of a rejected attempt


class StalePreview(Exception):
    """The warehouse changed between preview and commit."""


@dataclass
class ImportOutcome:
    status: str  # preview / applied / rejected / failed
    file_name: str
    sha256: str
    spec: ReportType | None = None
    plan: ImportPlan | None = None
    issues: list[Issue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    batch_id: str | None = None
    error: str | None = None
    table: RawTable | None = field(default=None, repr=False)  # the file as read, reused by the import
    # What the check parsed and the warehouse stamp it saw: an import whose lock finds the same stamp (nothing
    # was written since: every write bumps the revision) applies this plan instead of validating again.
    parsed: ParsedFile | None = field(default=None, repr=False)
    stamp: Stamp | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status in ("preview", "applied")

    def summary_lines(self) -> list[str]:
        """The same Chinese summary for the page and the command line."""
        name = self.spec.name_zh if self.spec else "未知类型"
        if self.status == "rejected":
            head = (f"未导入: {self.file_name} ({name}) 有 {len(self.issues)} 处问题, 整份文件没有写入数据仓库。"
                    "请逐条修改后重新上传:")
            return [head, *(f"  {issue.describe()}" for issue in self.issues)]
        if self.status == "failed":
            return [f"导入失败, 数据仓库保持原样: {self.file_name} ({name}): {self.error}"]
        plan = self.plan
        counts = (f"共 {plan.rows_total} 行: 新增 {len(plan.added)} 行, 修改 {len(plan.changed)} 行, "
                  f"不变 {plan.unchanged} 行")
        head = (f"预览 (尚未写入): {self.file_name} ({name}), {counts}" if self.status == "preview"
                else f"已导入 {self.file_name} ({name}), 批次 {self.batch_id}: {counts}")
        cleared = sum(f.new is None for change in plan.changed for f in change.changes)
        notices = list(self.notices)
        if cleared:
            notices.append(f"{cleared} 项已有数据将被清空 (文件中为空白 = 未上报); 如非本意请在文件中补填")
        warnings = plausibility.summary_lines(plan.warnings, applied=self.status == "applied")
        return [head, *(f"  注意: {notice}" for notice in notices + warnings[:1]), *(f"    {w}" for w in warnings[1:])]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _spec_of(table: RawTable, type_key: str | None) -> ReportType:
    if type_key:
        return report_type(type_key)
    spec = detect_report_type(table.headers)
    if spec is None:
        choices = "、".join(f"{k} ({s.name_zh})" for k, s in REPORT_TYPES.items())
        raise ImportRejected([Issue(table.file_name, table.sheet, table.header_row, None, None,
                                    f"无法从表头判断上报类型: 请用模板填写, 或指定类型 ({choices})")])
    return spec


def _parse_file(conn: sa.Connection, table: RawTable, type_key: str | None, allowed_region: str):
    spec = _spec_of(table, type_key)
    return spec, parse(table, spec, conn, allowed_region)


def check_file(engine: sa.Engine, file_name: str, data: bytes, *, type_key: str | None = None,
               allowed_region: str = ALL_REGIONS) -> ImportOutcome:
    """Dry run: every problem, or what the file would add/change/leave. Writes nothing, records nothing.

    The Python work (reading, converting every cell, for a registry also its rules and the plan) runs with the
    warehouse closed: a DuckDB file is held by one process at a time, and other processes' pages wait for it.
    A registry reads what its rules need in one short connection; a yearly report holds one connection for its
    checks against the register and the stored rows. The outcome is remembered (`_RECENT`) for the import
    that follows the preview."""
    with collector_paused():
        outcome = _checked(engine, file_name, data, type_key, allowed_region)
    if outcome.status == "preview":
        _RECENT.remember(_recent_key(engine, outcome.file_name, outcome.sha256, type_key, allowed_region), outcome)
    return outcome


def _checked(engine: sa.Engine, file_name: str, data: bytes, type_key: str | None,
             allowed_region: str) -> ImportOutcome:
    outcome = ImportOutcome("preview", file_name, sha256_of(data))
    try:
        outcome.table = read_table(file_name, data)
        outcome.spec = _spec_of(outcome.table, type_key)
        parsed, row_cells = convert(outcome.table, outcome.spec)
        outcome.parsed, outcome.notices = parsed, parsed.notices
        if parsed.issues and not parsed.rows:
            outcome.status, outcome.issues = "rejected", parsed.issues
            return outcome
        if outcome.spec.registry:
            _check_registry(engine, outcome, parsed, row_cells, allowed_region)
        else:
            _check_reports(engine, outcome, parsed, row_cells, allowed_region)
    except ImportRejected as rejected:
        outcome.status, outcome.issues = "rejected", rejected.issues
    return outcome


def _check_registry(engine: sa.Engine, outcome: ImportOutcome, parsed: ParsedFile, row_cells: RowCells,
                    allowed_region: str) -> None:
    with engine.connect() as conn:
        outcome.stamp = read_stamp(conn)  # first: a write after it changes the stamp the import compares
        stored = registry_rules.fetch(conn, parsed)
    found, outside = registry_rules.evaluate(parsed, stored, allowed_region, row_cells)
    notices = []
    if outside:  # only units with reports outside their new years: a few rows, read again briefly
        with engine.connect() as conn:
            notices = registry_rules.lifecycle_notices(conn, outcome.spec.units, outside)
    add_registry_issues(parsed, found, notices)
    outcome.notices = parsed.notices
    if parsed.issues:
        outcome.status, outcome.issues = "rejected", parsed.issues
        return
    # Review locks, plausibility rules and schools' own submissions concern yearly reports only
    # (locked_issues, warnings_for and overwrite_notice find nothing for a registry).
    outcome.plan = build_plan(None, parsed, stored.units)


def _check_reports(engine: sa.Engine, outcome: ImportOutcome, parsed: ParsedFile, row_cells: RowCells,
                   allowed_region: str) -> None:
    with engine.connect() as conn:
        outcome.stamp = read_stamp(conn)  # first: a write after it changes the stamp the import compares
        check_reports(parsed, conn, allowed_region, row_cells)
        if parsed.issues:
            outcome.status, outcome.issues = "rejected", parsed.issues
            return
        outcome.plan = build_plan(conn, parsed)
        if locked := locked_issues(conn, parsed):
            outcome.status, outcome.issues = "rejected", locked
            return
        outcome.plan.warnings, outcome.plan.checked_rules = warnings_for(conn, outcome.plan, outcome.table)
        if notice := overwrite_notice(conn, outcome.plan, allowed_region):
            outcome.notices = [*outcome.notices, notice]


class _RecentChecks:
    """The last few previews of this process, so the import confirming one does not check the file again.

    Keyed by warehouse, file name, content, type and region; taken (removed) by the import, which applies the
    plan only when the warehouse revision under its lock is still the one the preview saw (otherwise it checks
    again, as before). Few entries: a 50,000-row registry's outcome holds the file's cells."""

    SIZE = 2

    def __init__(self) -> None:
        self._held: OrderedDict[tuple, ImportOutcome] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, key: tuple, outcome: ImportOutcome) -> None:
        with self._lock:
            self._held[key] = outcome
            self._held.move_to_end(key)
            while len(self._held) > self.SIZE:
                self._held.popitem(last=False)

    def take(self, key: tuple) -> ImportOutcome | None:
        """A copy of the remembered outcome (the caller's preview object is not changed by the import)."""
        with self._lock:
            held = self._held.pop(key, None)
        return None if held is None else dataclasses.replace(held, notices=list(held.notices), issues=[])


_RECENT = _RecentChecks()


def _recent_key(engine: sa.Engine, file_name: str, sha256: str, type_key: str | None, allowed_region: str) -> tuple:
    return engine.url.render_as_string(hide_password=True), file_name, sha256, type_key, allowed_region


def overwrite_notice(conn: sa.Connection, plan: ImportPlan, allowed_region: str) -> str | None:
    """Names every school whose own submitted figures this file changes (a county importing over schools);
    None when there is none. A school saving its own form (allowed_region = the school) overwrites nobody."""
    touched = [(change.unit_id, change.year) for change in plan.changed]
    found = submitted_overwrites(conn, plan.spec.key, touched, exclude_school=allowed_region)
    if not found:
        return None
    shown = "、".join(f"{name}({sid}) {year}" for sid, name, year in found[:50])
    more = f" 等 {len(found)} 所" if len(found) > 50 else f" 共 {len(found)} 所"
    return f"将覆盖学校自己已提交的数据: {shown}{more}"


def import_file(engine: sa.Engine, file_name: str, data: bytes, *, imported_by: str | None = None,
                type_key: str | None = None, allowed_region: str = ALL_REGIONS, dry_run: bool = False,
                expected_fingerprint: str | None = None, record_rejection: bool = True,
                principal: Principal | None = None, action: str = "import",
                within_transaction: Callable[[sa.Connection, str, ImportPlan], None] | None = None) -> ImportOutcome:
    """Validate, then (unless dry_run) apply the whole file in one transaction and record it.

    With a `principal` (a signed-in user) the access rule decides: the role must allow importing, the file
    is kept inside the principal's region, and the batch is recorded under their login. Without one the
    caller is the server's operator (command line without --as, scripts, tests) and `imported_by` is
    recorded as given.

    Rejections are recorded in the history unless record_rejection is False (the page records each
    uploaded file's rejection once, not on every rerun) or it is a dry run.

    `action` is the right the principal needs ("enter" for a school's own entry form, which saves through
    this same path). `within_transaction(conn, batch_id, plan)` runs under the lock after the facts are
    written, in the same transaction (the entry form moves the school report's state there); an exception
    from it rolls the whole import back and propagates.
    """
    imported_by, allowed_region = acting_as(engine, principal, action, imported_by, allowed_region)
    # The preview's outcome when this process just checked the same file (the page: preview, then 确认导入).
    outcome = _RECENT.take(_recent_key(engine, file_name, sha256_of(data), type_key, allowed_region))
    if outcome is None:
        with collector_paused():
            outcome = _checked(engine, file_name, data, type_key, allowed_region)
    if outcome.status == "rejected":
        if record_rejection and not dry_run:  # a dry run is a check, not an attempt
            record_attempt(engine, outcome, imported_by=imported_by, allowed_region=allowed_region)
        return outcome
    if dry_run:
        return outcome
    batch_id = str(uuid.uuid4())
    # The rows to write, as data frames, before the warehouse is opened: under the lock only the writes run.
    with collector_paused():
        writes = _prepared(batch_id, outcome.plan)
    try:
        with engine.begin() as conn:
            _take_lock(conn, batch_id)
            if read_stamp(conn) == outcome.stamp:
                # Nothing was written since the check (every write bumps the revision): its plan stands, and
                # the lock is held only for the writes (a 50,000-row registry: seconds, not a second check).
                parsed, plan = outcome.parsed, outcome.plan
            else:
                # Checked again under the lock: the register and the facts changed since the check (the file
                # itself has not: its table is read once).
                _, parsed = _parse_file(conn, outcome.table, outcome.spec.key, allowed_region)
                if parsed.issues:
                    raise ImportRejected(parsed.issues)
                plan = build_plan(conn, parsed)
                plan.warnings, plan.checked_rules = warnings_for(conn, plan, outcome.table)
                writes = _prepared(batch_id, plan)
            # Under the lock review transitions take too: a submission cannot slip in between check and write.
            if locked := locked_issues(conn, parsed):
                raise ImportRejected(locked)
            if expected_fingerprint and plan.fingerprint() != expected_fingerprint:
                raise StalePreview("预览之后数据仓库已被其他导入修改: 请重新预览后再确认导入")
            _insert_batch(conn, batch_id, outcome, plan, imported_by, allowed_region,
                          message=overwrite_notice(conn, plan, allowed_region))
            writes.apply(conn)
            record_warnings(conn, batch_id, plan)
            if plan.touches_anything:
                _set_data_date(conn)
            if within_transaction is not None:
                within_transaction(conn, batch_id, plan)
            if plan.touches_anything or within_transaction is not None:
                bump_revision(conn)  # last: other writers queue on the counter only until this commit
    except ImportRejected as rejected:
        outcome.status, outcome.issues = "rejected", rejected.issues
        record_attempt(engine, outcome, imported_by=imported_by, allowed_region=allowed_region)
        return outcome
    except (ImportBusy, StalePreview, sa.exc.SQLAlchemyError) as error:
        outcome.status, outcome.error = "failed", _failure_text(error)
        record_attempt(engine, outcome, imported_by=imported_by, allowed_region=allowed_region)
        return outcome
    checkpoint(engine)
    outcome.status, outcome.plan, outcome.batch_id = "applied", plan, batch_id
    return outcome


def acting_as(engine: sa.Engine, principal: Principal | None, action: str, imported_by: str | None,
              allowed_region: str) -> tuple[str, str]:
    """Who is recorded and which region applies: the principal's login and scope (AccessDenied when the
    rule refuses), or, for the operator, the name and region given."""
    if principal is None:
        if not imported_by:
            raise ValueError("imported_by or principal is required")
        return imported_by, allowed_region
    with engine.connect() as conn:
        region = permitted_region(conn, principal, action, allowed_region)
    return principal.login or principal.display_name, region


def _failure_text(error: Exception) -> str:
    if isinstance(error, ImportBusy | StalePreview):
        return str(error)
    detail = str(getattr(error, "orig", error)).splitlines()[0][:200]
    return f"数据库错误, 已全部回滚: {detail}"


def _take_lock(conn: sa.Connection, holder: str) -> None:
    """Serialise imports, undos and review transitions (data_access/import_lock.py)."""
    take_lock(conn, holder, LOCK_WAIT_SECONDS)  # this module's name, so a test can shorten the wait


def _insert_batch(conn: sa.Connection, batch_id: str, outcome: ImportOutcome, plan: ImportPlan, imported_by: str,
                  allowed_region: str, *, undo_of: str | None = None, message: str | None = None) -> None:
    conn.execute(sa.insert(import_batches).values(
        batch_id=batch_id, report_type=plan.spec.key, file_name=outcome.file_name[:255],
        file_sha256=outcome.sha256, imported_by=imported_by[:64], imported_at=_now(),
        allowed_region=allowed_region, status="applied", rows_total=plan.rows_total, rows_added=len(plan.added),
        rows_changed=len(plan.changed), rows_unchanged=plan.unchanged, issue_count=0,
        message=shorten(message, HISTORY_MESSAGE_CHARS) if message else None, undo_of=undo_of))


Rows = list[dict] | pd.DataFrame


def _write(conn: sa.Connection, statement: sa.Executable, rows: Rows) -> None:
    """Insert `rows` (dicts, or a data frame from _frame) in bulk, in the caller's transaction.

    Not row by row: DuckDB's executemany costs about a millisecond a row (50,000 registry rows plus their
    50,000 history lines: over a minute), so the rows go in as a data frame the statement selects from;
    PostgreSQL gets them through COPY (executemany of multi-row VALUES took about 14 s for those 100,000 rows).
    Other statements run as executemany in chunks of WRITE_CHUNK.
    """
    table = getattr(statement, "table", None)
    frame = rows if isinstance(rows, pd.DataFrame) else None
    if frame is None and rows and all(row.keys() == rows[0].keys() for row in rows):
        frame = _frame(rows)
    bulk = isinstance(statement, sa.Insert) and table is not None and frame is not None
    if bulk and len(frame) and conn.dialect.name in ("duckdb", "postgresql"):
        dbapi_error = conn.dialect.loaded_dbapi.Error
        try:
            (_insert_frame if conn.dialect.name == "duckdb" else _copy_frame)(conn, table, frame)
        except dbapi_error as error:
            # The driver's own call: raised as SQLAlchemy would (the import reports it and rolls back).
            raise sa.exc.DBAPIError.instance(f"bulk insert into {table.name}", None, error, dbapi_error) from error
        return
    records = frame.to_dict("records") if frame is not None else rows
    for start in range(0, len(records), WRITE_CHUNK):
        if chunk := records[start:start + WRITE_CHUNK]:
            conn.execute(statement, chunk)


def _frame(rows: list[dict]) -> pd.DataFrame:
    """Rows sharing their keys as a data frame of Python objects: None stays NULL and ints stay ints (no float
    NaN round trip); built column by column, which is several times faster than from_records."""
    columns = list(rows[0]) if rows else []
    return pd.DataFrame({column: [row[column] for row in rows] for column in columns}, columns=columns, dtype=object)


def _copy_frame(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """PostgreSQL: COPY the rows into the table on this connection (psycopg adapts each value)."""
    quoted = ", ".join(f'"{column}"' for column in frame.columns)
    with conn.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row(row)


def _insert_frame(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """DuckDB: INSERT INTO table SELECT from the rows as a registered data frame (on this connection)."""
    name = f"incoming_{uuid.uuid4().hex}"
    quoted = ", ".join(f'"{column}"' for column in frame.columns)
    raw = conn.connection.driver_connection
    raw.register(name, frame)
    try:
        raw.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{name}"')
    except Exception:
        with contextlib.suppress(Exception):  # an aborted transaction refuses this too; the error is the insert's
            raw.unregister(name)
        raise
    raw.unregister(name)


@dataclass
class _Writes:
    """What an import writes, prepared as data frames before the warehouse is opened (_prepared)."""
    spec: ReportType
    fields: tuple[str, ...]
    added: pd.DataFrame  # fact (or unit) rows to insert
    changed: pd.DataFrame  # key_unit, key_year, new_<field>... of the rows to update
    history: pd.DataFrame  # value_changes lines

    def apply(self, conn: sa.Connection) -> None:
        if len(self.added):
            _write(conn, sa.insert(self.spec.facts), self.added)
        if len(self.changed):
            update_rows(conn, self.spec, self.fields, self.changed)
        if len(self.history):
            _write(conn, sa.insert(value_changes), self.history)


def _prepared(batch_id: str, plan: ImportPlan) -> _Writes:
    spec = plan.spec
    keys = [{spec.unit_key: r.unit_id} if spec.registry else {spec.unit_key: r.unit_id, "year": r.year}
            for r in plan.added]
    added = [{**key, **r.values} for key, r in zip(keys, plan.added, strict=True)]
    # The columns that change in some row are set in every changed row (to its own value where that row keeps
    # it), so all rows share one statement; columns no row changes are left out (a rename sets only the name).
    changing = {f.field for change in plan.changed for f in change.changes}
    fields = tuple(f for f in plan.fields_present if f in changing)
    changed = [{"key_unit": r.unit_id, "key_year": r.year, **{f"new_{f}": r.values[f] for f in fields}}
               for r in plan.changed_rows]
    return _Writes(spec, fields, _frame(added), _frame(changed), _frame(_history_lines(batch_id, plan)))


def _matches(spec: ReportType, staging: sa.Table) -> list[sa.ColumnElement[bool]]:
    """Join condition of the target rows and the staged keys (a registry row has no year)."""
    facts = spec.facts
    condition = [facts.c[spec.unit_key] == staging.c.key_unit]
    if not spec.registry:
        condition.append(facts.c.year == staging.c.key_year)
    return condition


def update_rows(conn: sa.Connection, spec: ReportType, fields: tuple[str, ...], rows: Rows) -> None:
    """Set `fields` of the rows keyed by key_unit/key_year (registries: key_unit) to the rows' new_<field> values.

    The rows go to a temporary staging table and one UPDATE ... FROM applies them: an executemany UPDATE costs
    DuckDB about a millisecond a row (a province-wide file: 5.5 s instead of 0.5 s). Unit tables have no
    secondary index on DuckDB, so their non-key columns can be updated although facts refer to them.
    """
    with _staged(conn, spec, fields, rows) as staging:
        conn.execute(sa.update(spec.facts).where(*_matches(spec, staging))
                     .values({f: staging.c[f"new_{f}"] for f in fields}))


def delete_rows(conn: sa.Connection, spec: ReportType, keys: list[dict]) -> None:
    """Delete the rows keyed by key_unit/key_year (staged like update_rows, one DELETE ... USING)."""
    with _staged(conn, spec, (), keys) as staging:
        conn.execute(sa.delete(spec.facts).where(*_matches(spec, staging)))


@contextmanager
def _staged(conn: sa.Connection, spec: ReportType, fields: tuple[str, ...], rows: Rows) -> Iterator[sa.Table]:
    """A temporary table holding `rows` (key_unit, key_year, new_<field>...) for one statement.

    Created and dropped inside the caller's transaction: a rollback leaves nothing behind on either engine.
    """
    facts = spec.facts
    staging = sa.Table(
        f"staging_{facts.name}", sa.MetaData(),
        sa.Column("key_unit", facts.c[spec.unit_key].type), sa.Column("key_year", sa.Integer),
        *(sa.Column(f"new_{f}", facts.c[f].type) for f in fields), prefixes=["TEMPORARY"],
    )
    staging.create(conn)
    if isinstance(rows, pd.DataFrame):
        _write(conn, sa.insert(staging), rows if "key_year" in rows else rows.assign(key_year=None))
    else:
        _write(conn, sa.insert(staging), [{"key_year": None, **row} for row in rows])
    yield staging
    staging.drop(conn)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _history_lines(batch_id: str, plan: ImportPlan) -> list[dict]:
    """The value_changes lines of an import: one per added row, one per changed value (what undo reverses)."""
    table_name = plan.spec.facts.name
    lines = [{"table_name": table_name, "unit_id": r.unit_id, "year": r.year, "action": "add", "column_name": None,
              "old_value": None, "new_value": _json(r.values)} for r in plan.added]
    lines += [{"table_name": table_name, "unit_id": c.unit_id, "year": c.year, "action": "change",
               "column_name": f.field, "old_value": _json(f.old), "new_value": _json(f.new)}
              for c in plan.changed for f in c.changes]
    return [{"batch_id": batch_id, "change_no": n, **line} for n, line in enumerate(lines, start=1)]


def _set_data_date(conn: sa.Connection) -> None:
    today = datetime.now(UTC).date().isoformat()
    result = conn.execute(sa.update(warehouse_meta).where(warehouse_meta.c.key == "data_as_of").values(value=today))
    if result.rowcount == 0:
        conn.execute(sa.insert(warehouse_meta).values(key="data_as_of", value=today))


def record_attempt(engine: sa.Engine, outcome: ImportOutcome, *, imported_by: str,
                   allowed_region: str = ALL_REGIONS) -> str:
    """Record a rejected or failed attempt in the history (nothing else is written); returns its batch id."""
    batch_id = str(uuid.uuid4())
    if outcome.status == "rejected":
        message = "\n".join(issue.describe() for issue in outcome.issues[:MESSAGE_ISSUES])
        if len(outcome.issues) > MESSAGE_ISSUES:
            message += f"\n… 另有 {len(outcome.issues) - MESSAGE_ISSUES} 处问题"
    else:
        message = outcome.error
    message = shorten(message, HISTORY_MESSAGE_CHARS) if message else message
    rows_total = outcome.plan.rows_total if outcome.plan else 0
    with engine.begin() as conn:
        conn.execute(sa.insert(import_batches).values(
            batch_id=batch_id, report_type=outcome.spec.key if outcome.spec else "unknown",
            file_name=outcome.file_name[:255], file_sha256=outcome.sha256, imported_by=imported_by[:64],
            imported_at=_now(), allowed_region=allowed_region, status=outcome.status, rows_total=rows_total,
            rows_added=0, rows_changed=0, rows_unchanged=0, issue_count=len(outcome.issues), message=message,
            undo_of=None))
    return batch_id
