"""The five report types, declared once: columns, Chinese headers, aliases, kinds, units and allowed values.

Templates, reading, validation, the preview and the notes sheet are all driven by these declarations;
nothing else names a header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from data_access.schema import (
    awareness_survey,
    communities,
    community_year,
    hospital_year,
    hospitals,
    region_year,
    regions,
    school_year,
    schools,
)

# id: the unit's code; year: report year; count: integer >= 0; hours: number >= 0; flag: 是/否;
# label: a name for the person filling the form, not imported.
ColumnKind = Literal["id", "year", "count", "hours", "flag", "label"]

# Both plans run to 2025; 2022 is the baseline year the dashboards compare against.
PLAN_YEARS = (2022, 2025)
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DATA_ROWS = 50_000

FLAG_TRUE = ("是", "有", "已开展", "已建立", "达标", "Y", "YES", "TRUE", "1", "√")
FLAG_FALSE = ("否", "无", "未开展", "未建立", "未达标", "N", "NO", "FALSE", "0", "×")
# Written by clerks for "nothing to report"; read as blank (not reported), as the notes sheet says.
BLANK_MARKS = ("/", "-", "—", "－", "无数据", "不适用")
BLANK_MARKS_NOTE = f"单元格中只写 {' '.join(BLANK_MARKS)} 也按空白处理。"
# A column with one of these headers is kept for the clerk's own notes and skipped on import.
IGNORED_HEADERS = ("备注", "说明", "填报说明", "序号")


@dataclass(frozen=True)
class Column:
    field: str  # warehouse column (label columns: a name only)
    header: str  # the template's Chinese header
    kind: ColumnKind
    note: str
    unit: str = ""
    required: bool = False  # a blank cell is an error (otherwise blank = not reported = NULL)
    aliases: tuple[str, ...] = ()

    @property
    def allowed(self) -> str:
        """What may be written in the cell, in Chinese, for the notes sheet and error messages."""
        low, high = PLAN_YEARS
        return {
            "id": "单位代码, 与名录一致",
            "year": f"{low}–{high} 的整数",
            "count": "0 或正整数; 空白 = 未上报",
            "hours": "0 或正数, 可有小数; 空白 = 未上报",
            "flag": "是 / 否 (也可写 有/无、Y/N、1/0); 空白 = 未上报",
            "label": "仅供核对, 不导入",
        }[self.kind]


@dataclass(frozen=True)
class ReportType:
    key: str
    name_zh: str
    facts: sa.Table  # the yearly fact table the report fills
    units: sa.Table  # the register the id must exist in
    unit_key: str
    unit_noun: str  # 学校 / 医院 / ...
    columns: tuple[Column, ...]
    sheet_name: str = "填报"
    extra_notes: tuple[str, ...] = field(default=())

    @property
    def id_column(self) -> Column:
        return next(c for c in self.columns if c.kind == "id")

    @property
    def year_column(self) -> Column:
        return next(c for c in self.columns if c.kind == "year")

    @property
    def value_columns(self) -> tuple[Column, ...]:
        """Columns stored as facts (neither the key nor a label)."""
        return tuple(c for c in self.columns if c.kind not in ("id", "year", "label"))

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


def _id(header: str, noun: str, *aliases: str) -> Column:
    return Column("unit_id", header, "id", f"{noun}在名录中的代码 (与看板中显示的一致)", required=True,
                  aliases=aliases)


YEAR = Column("year", "年度", "year", "数据所属年度 (学年按结束年份计, 如 2024–2025 学年填 2025)", unit="年",
              required=True, aliases=("年份", "统计年度", "上报年度"))

SCHOOL = ReportType(
    "school", "学校年报", school_year, schools, "school_id", "学校",
    (
        _id("学校代码", "学校", "学校标识码", "学校编号"),
        Column("name", "学校名称", "label", "仅供填表人核对, 导入时不读取", aliases=("学校",)),
        YEAR,
        Column("enrollment", "在校生数", "count", "本年度在校学生总数", unit="人", aliases=("在校学生数", "学生数")),
        Column("boarding_students", "寄宿生数", "count", "住校学生人数, 不得多于在校生数", unit="人",
               aliases=("住校生数", "寄宿学生数")),
        Column("fulltime_teachers", "专职心理健康教师数", "count", "专职从事心理健康教育的教师人数 (不含兼职)",
               unit="人", aliases=("专职心理教师数", "专职教师数")),
        Column("parttime_teachers", "兼职心理健康教师数", "count", "兼职从事心理健康教育的教师人数", unit="人",
               aliases=("兼职心理教师数", "兼职教师数")),
        Column("counseling_room", "心理辅导室是否达标", "flag", "按标准建设心理辅导室",
               aliases=("心理辅导室达标", "是否建有标准化心理辅导室")),
        Column("mh_in_school_plan", "是否纳入学校发展规划", "flag", "心理健康教育纳入学校发展规划和年度工作计划",
               aliases=("纳入学校发展规划",)),
        Column("mh_course", "是否开设心理健康必修课", "flag", "高校: 开设心理健康教育必修课 (中小学可留空)",
               aliases=("开设心理健康必修课",)),
        Column("screening_done", "本年度是否开展心理测评", "flag", "本学年开展学生心理健康测评",
               aliases=("是否开展心理测评", "开展心理健康测评")),
        Column("students_screened", "参加测评学生数", "count", "参加心理健康测评的学生人数, 不得多于在校生数",
               unit="人", aliases=("测评学生数", "测评人数")),
        Column("fulltime_training_hours", "专职教师培训总学时", "hours", "本年度全部专职心理教师接受培训学时之和",
               unit="学时", aliases=("专职教师培训学时",)),
        Column("parttime_training_hours", "兼职教师培训总学时", "hours", "本年度全部兼职心理教师接受培训学时之和",
               unit="学时", aliases=("兼职教师培训学时",)),
    ),
)

SURVEY = ReportType(
    "survey", "核心知识知晓率调查", awareness_survey, schools, "school_id", "学校",
    (
        _id("学校代码", "学校", "学校标识码", "学校编号"),
        Column("name", "学校名称", "label", "仅供填表人核对, 导入时不读取", aliases=("学校",)),
        YEAR,
        Column("surveyed", "调查人数", "count", "参加心理健康核心知识调查的人数", unit="人", required=True,
               aliases=("调查学生数", "参与调查人数")),
        Column("passed", "知晓人数", "count", "调查中知晓 (达到知晓标准) 的人数, 不得多于调查人数", unit="人",
               required=True, aliases=("知晓学生数", "达标人数")),
    ),
)

HOSPITAL = ReportType(
    "hospital", "医院门诊情况", hospital_year, hospitals, "hospital_id", "医院",
    (
        _id("医院代码", "医院", "医疗机构代码", "医院编号"),
        Column("name", "医院名称", "label", "仅供填表人核对, 导入时不读取", aliases=("医疗机构名称",)),
        YEAR,
        Column("clinic_open", "是否开设学生心理门诊", "flag", "开设儿童青少年 (学生) 心理门诊或心理辅导站",
               required=True, aliases=("开设心理门诊", "是否开设心理门诊")),
    ),
)

COMMUNITY = ReportType(
    "community", "社区家长学校/指导站点", community_year, communities, "community_id", "社区(村)",
    (
        _id("社区代码", "社区(村)", "社区编号", "村(社区)代码"),
        Column("name", "社区名称", "label", "仅供填表人核对, 导入时不读取", aliases=("社区(村)名称", "村(社区)名称")),
        YEAR,
        Column("parent_school", "是否建有家长学校", "flag", "建有家长学校", aliases=("家长学校",)),
        Column("guidance_station", "是否建有家庭教育指导站点", "flag", "建有家庭教育指导服务站点",
               aliases=("家庭教育指导站点", "指导站点")),
        Column("station_mh_education", "站点是否开展心理健康教育", "flag", "指导站点开展心理健康教育 (无站点可留空)",
               aliases=("开展心理健康教育",)),
    ),
)

REGION = ReportType(
    "region", "区县人口与精神科医师", region_year, regions, "adcode", "县(区)",
    (
        _id("行政区划代码", "县(区)", "区划代码", "县区代码"),
        Column("name", "县(区)名称", "label", "仅供填表人核对, 导入时不读取", aliases=("县区名称", "名称")),
        YEAR,
        Column("population", "常住人口", "count", "年末常住人口", unit="人", aliases=("常住人口数", "人口数")),
        Column("psychiatrists", "精神科执业(助理)医师数", "count", "精神科执业医师与执业助理医师人数", unit="人",
               aliases=("精神科医师数", "精神科执业医师数")),
    ),
    extra_notes=("只接受县(区)级行政区划代码: 市、省的人口和医师数由各县(区)汇总得出。",),
)

REPORT_TYPES: dict[str, ReportType] = {spec.key: spec for spec in (SCHOOL, SURVEY, HOSPITAL, COMMUNITY, REGION)}

# A full-time MH teacher count above max(FULLTIME_MINIMUM_CAP, enrollment / STUDENTS_PER_FULLTIME_CAP) is
# almost always the school's whole teaching staff or the part-time count typed in the wrong column.
STUDENTS_PER_FULLTIME_CAP = 200
FULLTIME_MINIMUM_CAP = 3


def report_type(key: str) -> ReportType:
    """The report type for a key, or KeyError with the choices in Chinese."""
    try:
        return REPORT_TYPES[key]
    except KeyError:
        choices = "、".join(f"{k} ({spec.name_zh})" for k, spec in REPORT_TYPES.items())
        raise KeyError(f"未知的上报类型 {key!r}: 可选 {choices}") from None
