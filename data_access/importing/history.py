"""Import history, the values a batch overwrote, and undoing a batch (itself recorded as a batch)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import timedelta

import pandas as pd
import sqlalchemy as sa

from data_access.access import AccessDenied, Principal, can, region_row
from data_access.engine import checkpoint
from data_access.formatting import stored_value_text
from data_access.importing import registry_rules
from data_access.importing.facts import IN_CHUNK, existing_rows
from data_access.importing.issues import FILE_NAME_CHARS, HISTORY_MESSAGE_CHARS
from data_access.importing.loading import (
    ImportBusy,
    _now,
    _take_lock,
    _write,
    acting_as,
    delete_rows,
    update_rows,
)
from data_access.importing.plan import same_value
from data_access.importing.plausibility import reopen_superseded
from data_access.importing.review_locks import counties_of
from data_access.importing.spec import REPORT_TYPES
from data_access.meta import bump_revision
from data_access.regions import ALL_REGIONS
from data_access.review import locked_reports
from data_access.schema import import_batches, regions, schools, users, value_changes

STATUS_ZH = {"applied": "已导入", "rejected": "被拒绝 (未写入)", "failed": "失败 (已回滚)", "undone": "已撤销"}
BEIJING = timedelta(hours=8)
FACT_TABLES = {spec.facts.name: spec for spec in REPORT_TYPES.values()}


class UndoRefused(Exception):
    """The batch cannot be undone; message in Chinese."""


def _visible(column: sa.ColumnElement, allowed_region: str) -> sa.ColumnElement[bool]:
    """SQL condition: an importer region (`column`) the viewer may see: their own region, every region inside
    it, and every school inside it (a school's own saves are recorded under its 学校标识码). A school's own
    reporter (region = the school) sees only the school's batches."""
    if allowed_region == ALL_REGIONS:
        return sa.true()
    inside = sa.or_(regions.c.adcode == allowed_region, regions.c.city_adcode == allowed_region,
                    regions.c.province_adcode == allowed_region)
    county = regions.alias("school_county")
    schools_inside = (sa.select(schools.c.school_id)
                      .join_from(schools, county, schools.c.county_adcode == county.c.adcode)
                      .where(sa.or_(county.c.adcode == allowed_region, county.c.city_adcode == allowed_region,
                                    county.c.province_adcode == allowed_region)))
    return sa.or_(column == allowed_region, column.in_(sa.select(regions.c.adcode).where(inside)),
                  column.in_(schools_inside))


def import_history(engine: sa.Engine, allowed_region: str = ALL_REGIONS, limit: int = 200) -> pd.DataFrame:
    """Newest first: batch_id, time (Beijing), who, file, type, status, counts, message, undo_of."""
    with engine.connect() as conn:
        # Texts cut in the query: a row stored before the bounds existed must not ship megabytes to the page.
        bounded = {"message": HISTORY_MESSAGE_CHARS, "file_name": FILE_NAME_CHARS}
        columns = [sa.func.substr(c, 1, bounded[c.name]).label(c.name) if c.name in bounded else c
                   for c in import_batches.c]
        # The importer's display name, when the batch was recorded under a user's login.
        query = (sa.select(*columns, users.c.display_name.label("importer_name"))
                 .join_from(import_batches, users, users.c.login == import_batches.c.imported_by, isouter=True)
                 .order_by(import_batches.c.imported_at.desc()).limit(limit))
        query = query.where(_visible(import_batches.c.allowed_region, allowed_region))
        frame = pd.DataFrame(conn.execute(query).mappings().all(),
                             columns=[*(c.name for c in import_batches.c), "importer_name"])
    frame["imported_at"] = pd.to_datetime(frame["imported_at"]) + BEIJING
    frame["report_name"] = [REPORT_TYPES[k].name_zh if k in REPORT_TYPES else k for k in frame["report_type"]]
    frame["status_zh"] = frame["status"].map(STATUS_ZH).fillna(frame["status"])
    return frame


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The history with Chinese headers, for the page and exports."""
    return pd.DataFrame({
        "时间(北京)": history["imported_at"].dt.strftime("%Y-%m-%d %H:%M:%S"), "导入人": _importer(history),
        "文件": history["file_name"], "类型": history["report_name"], "结果": history["status_zh"],
        "新增": history["rows_added"], "修改": history["rows_changed"], "不变": history["rows_unchanged"],
        "问题数": history["issue_count"], "说明": history["message"].fillna(""),
        "SHA-256": history["file_sha256"].str[:12], "批次": history["batch_id"],
    })


def _importer(history: pd.DataFrame) -> list[str]:
    return [f"{name} ({login})" if isinstance(name, str) and name != login else login
            for login, name in zip(history["imported_by"], history["importer_name"], strict=True)]


def batch_changes(engine: sa.Engine, batch_id: str) -> pd.DataFrame:
    """What one batch wrote: 单位代码, 年度, 操作, 项目, 原值, 新值 (headers as in the template)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(value_changes).where(value_changes.c.batch_id == batch_id)
                            .order_by(value_changes.c.change_no)).mappings().all()
    lines = []
    for row in rows:
        spec = FACT_TABLES[row["table_name"]]
        headers = spec.headers
        action = {"add": "新增", "change": "修改", "delete": "删除"}[row["action"]]
        if row["column_name"]:
            column = row["column_name"]
            lines.append((row["unit_id"], row["year"], action, headers.get(column, column),
                          stored_value_text(spec.written(column, json.loads(row["old_value"]))),
                          stored_value_text(spec.written(column, json.loads(row["new_value"])))))
        else:
            values = json.loads(row["new_value"] or row["old_value"])
            shown = "; ".join(f"{headers.get(k, k)}={stored_value_text(spec.written(k, v))}" for k, v in values.items())
            lines.append((row["unit_id"], row["year"], action, "整行",
                          shown if row["action"] == "delete" else "", shown if row["action"] == "add" else ""))
    return pd.DataFrame(lines, columns=["单位代码", "年度", "操作", "项目", "原值", "新值"])


def undo_import(engine: sa.Engine, batch_id: str, *, imported_by: str | None = None,
                allowed_region: str = ALL_REGIONS, principal: Principal | None = None) -> str:
    """Put back every value the batch overwrote and remove the rows it added, in one transaction.

    Refused when a later import changed the same values (undo the later one first) or the batch lies
    outside the caller's region. With a `principal` the access rule also applies: a reporter undoes only
    their own batches, an administrator any batch in their region, a viewer none (AccessDenied). Without
    one the caller is the server's operator. Returns the id of the undo batch, which the history shows.
    """
    imported_by, allowed_region = acting_as(engine, principal, "undo_own", imported_by, allowed_region)
    undo_id = str(uuid.uuid4())
    try:
        with engine.begin() as conn:
            _take_lock(conn, undo_id)
            batch = conn.execute(sa.select(import_batches).where(import_batches.c.batch_id == batch_id)) \
                .mappings().first()
            if batch is None:
                raise UndoRefused(f"没有批次 {batch_id}")
            if batch["status"] != "applied":
                raise UndoRefused(f"批次 {batch_id} 的状态是「{STATUS_ZH.get(batch['status'], batch['status'])}」,"
                                  " 只能撤销已导入的批次")
            visible = conn.execute(sa.select(sa.literal(1)).where(
                _visible(sa.literal(batch["allowed_region"], sa.String), allowed_region))).first()
            if visible is None:
                raise UndoRefused(f"批次 {batch_id} 由 {batch['allowed_region']} 导入, 超出您的权限范围")
            batch_region = region_row(conn, batch["allowed_region"]) or batch["allowed_region"]
            if principal is not None and batch["imported_by"] != principal.login \
                    and not can(principal, "undo_any", batch_region):
                raise AccessDenied(f"无权撤销批次 {batch_id}: 它由「{batch['imported_by']}」导入, "
                                   "填报员只能撤销本人的导入 (他人的导入请联系管理员撤销)")
            changes = conn.execute(sa.select(value_changes).where(value_changes.c.batch_id == batch_id)
                                   .order_by(value_changes.c.change_no)).mappings().all()
            _refuse_locked(conn, list(changes))
            reverse = _reverse_all(conn, list(changes))
            conn.execute(sa.insert(import_batches).values(
                batch_id=undo_id, report_type=batch["report_type"], file_name=f"撤销: {batch['file_name']}"[:255],
                file_sha256=batch["file_sha256"], imported_by=imported_by[:64], imported_at=_now(),
                allowed_region=allowed_region, status="applied", rows_total=batch["rows_total"],
                rows_added=sum(r["action"] == "add" for r in reverse),
                rows_changed=len({(r["unit_id"], r["year"]) for r in reverse if r["action"] == "change"}),
                rows_unchanged=0, issue_count=0, undo_of=batch_id,
                message=f"撤销批次 {batch_id}: 删除其新增的 {sum(r['action'] == 'delete' for r in reverse)} 行, "
                        f"恢复 {sum(r['action'] == 'change' for r in reverse)} 项原值"))
            if reverse:
                _write(conn, sa.insert(value_changes), [{"batch_id": undo_id, "change_no": n, **line}
                                                        for n, line in enumerate(reverse, start=1)])
            conn.execute(sa.update(import_batches).where(import_batches.c.batch_id == batch_id)
                         .values(status="undone"))
            reopen_superseded(conn, batch_id)
            bump_revision(conn)
    except ImportBusy as busy:
        raise UndoRefused(str(busy)) from busy
    checkpoint(engine)
    return undo_id


def _refuse_locked(conn: sa.Connection, changes: list[sa.RowMapping]) -> None:
    """An undo writes the county's figures like an import does: refused while review has locked them."""
    if not changes or FACT_TABLES[changes[0]["table_name"]].registry:
        return
    spec = FACT_TABLES[changes[0]["table_name"]]
    county = counties_of(conn, spec, sorted({c["unit_id"] for c in changes}))
    touched = {(county[c["unit_id"]], int(c["year"])) for c in changes if c["unit_id"] in county}
    locked = locked_reports(conn, spec.key, touched)
    if locked:
        raise UndoRefused(locked[min(locked)])


def _reverse_all(conn: sa.Connection, changes: list[sa.RowMapping]) -> list[dict]:
    """Apply the inverse of every recorded change after checking nothing changed it since; the inverse lines.

    Current rows are read in one go and the writes are grouped (one staged UPDATE per column), so undoing a
    province-wide file takes about a second, not one round trip per value.
    """
    if not changes:
        return []
    spec = FACT_TABLES[changes[0]["table_name"]]
    facts = spec.facts
    keys = [(c["unit_id"], None if c["year"] is None else int(c["year"])) for c in changes]
    current = existing_rows(conn, spec, keys)
    if spec.registry:
        _refuse_removing_reported_units(conn, spec, [c["unit_id"] for c in changes if c["action"] == "add"])
    deletes, inserts, updates, reverse = [], [], defaultdict(list), []
    for change, key in zip(changes, keys, strict=True):
        row = current.get(key)
        what = f"{key[0]} 的名录信息" if spec.registry else f"{key[0]} {key[1]} 年的数据"
        later = UndoRefused(f"{what}在这次导入之后又被修改过: 请先撤销之后的导入")
        line = {"table_name": change["table_name"], "unit_id": key[0], "year": key[1]}
        if change["action"] == "add":
            values = json.loads(change["new_value"])
            # The whole row must still be what the batch added: a later import may have filled other columns,
            # and deleting the row would silently take those values with it.
            if row is None or not all(same_value(row[k], values.get(k)) for k in row
                                      if k not in (spec.unit_key, "year")):
                raise later
            deletes.append({"key_unit": key[0], "key_year": key[1]})
            reverse.append({**line, "action": "delete", "column_name": None, "old_value": json.dumps(_plain(row)),
                            "new_value": None})
        elif change["action"] == "delete":
            if row is not None:
                raise later
            values = json.loads(change["old_value"])
            inserts.append(values)
            reverse.append({**line, "action": "add", "column_name": None, "old_value": None,
                            "new_value": json.dumps({k: v for k, v in values.items()
                                                     if k not in (spec.unit_key, "year")})})
        else:
            column = change["column_name"]
            if row is None or not same_value(row[column], json.loads(change["new_value"])):
                raise later
            updates[column].append({"key_unit": key[0], "key_year": key[1],
                                    f"new_{column}": json.loads(change["old_value"])})
            reverse.append({**line, "action": "change", "column_name": column, "old_value": change["new_value"],
                            "new_value": change["old_value"]})
    for column, rows in updates.items():
        update_rows(conn, spec, (column,), rows)
    if deletes:
        delete_rows(conn, spec, deletes)
    if inserts:
        _write(conn, sa.insert(facts), inserts)
    return reverse


def _refuse_removing_reported_units(conn: sa.Connection, spec, unit_ids: list[str]) -> None:
    """Undoing a registry import removes the units it added; not once yearly reports refer to them (their
    history is never deleted behind the user's back)."""
    for facts in registry_rules.FACTS_OF[spec.units.name]:
        key = facts.c[spec.unit_key]
        for start in range(0, len(unit_ids), IN_CHUNK):
            reported = conn.execute(sa.select(key).where(key.in_(unit_ids[start:start + IN_CHUNK])).limit(1)) \
                .scalar()
            if reported is not None:
                raise UndoRefused(f"{reported} 在这次名录导入之后已有年度上报数据: 撤销会删除该单位, "
                                  "请先撤销这些上报的导入, 或在名录中填写停办年份")


def _plain(row: dict) -> dict:
    return {k: (float(v) if hasattr(v, "is_finite") else v) for k, v in row.items()}
