"""The five report types, declared once: columns, Chinese headers, aliases, kinds, units and allowed values.

Templates, reading, validation, the preview and the notes sheet are all driven by these declarations;
nothing else names a header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from data_access.codes import SCHOOL_CATEGORIES, URBAN_RURAL_CODES
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
from data_access.vocab import HOSPITAL_TYPES, STAGES
from data_access.years import reportable_years

# id: the unit's code; year: report year; count: integer >= 0; hours: number >= 0; flag: 是/否;
# label: a name for the person filling the form, not imported.
# Registry columns: text (a name, stored); county (a county adcode); choice (one of `choices`, stored as its
# code); coordinate (degrees, blank allowed); since (a first or last year of operation, blank = open-ended).
ColumnKind = Literal["id", "year", "count", "hours", "flag", "label", "text", "county", "choice", "coordinate",
                     "since"]
# Earliest first year of operation a registry accepts (older schools write their real founding year or leave
# it blank: blank means "open since before the warehouse's years").
REGISTRY_EARLIEST_YEAR = 1900
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
    # choice columns: (what the clerk writes, stored code); the first pair of each code is how it is shown.
    choices: tuple[tuple[str, str], ...] = ()
    bounds: tuple[float, float] = (0.0, 0.0)  # coordinate columns: the plausible range inside China
    allowed_text: str = ""  # overrides the kind's description of allowed values (registry codes)

    @property
    def allowed(self) -> str:
        """What may be written in the cell, in Chinese, for the notes sheet and error messages."""
        years = reportable_years()
        low, high = years[0], years[-1]
        if self.allowed_text:
            return self.allowed_text
        if self.kind == "flag" and self.required:
            return "是 / 否 (也可写 有/无、Y/N、1/0)"
        if self.kind == "choice":
            return "、".join(self.shown_choices) + ("" if self.required else "; 空白 = 未填")
        if self.kind == "coordinate":
            return f"{self.bounds[0]:g}–{self.bounds[1]:g} 之间的小数 (度, WGS-84/GCJ-02 均可); 可留空"
        if self.kind == "since":
            return f"{REGISTRY_EARLIEST_YEAR}–{high + 1} 的整数; 空白 = 不限"
        return {
            "id": "单位代码, 与名录一致",
            "year": f"{low}–{high} 的整数 (已结束的学年)",
            "count": "0 或正整数; 空白 = 未上报",
            "hours": "0 或正数, 可有小数; 空白 = 未上报",
            "flag": "是 / 否 (也可写 有/无、Y/N、1/0); 空白 = 未上报",
            "label": "仅供核对, 不导入",
            "text": "文字, 不超过 64 字",
            "county": "6 位县(区)行政区划代码, 须已在数据仓库中 (mhmonitor init 载入)",
        }[self.kind]

    @property
    def shown_choices(self) -> tuple[str, ...]:
        """One written form per stored code, in declaration order."""
        return tuple(self.shown(code) for code in dict.fromkeys(code for _, code in self.choices))

    def shown(self, code: str) -> str:
        """How a stored choice code is written in a template (its first written form)."""
        return next(label for label, stored in self.choices if stored == code)


@dataclass(frozen=True)
class ReportType:
    key: str
    name_zh: str
    facts: sa.Table  # the yearly fact table the report fills (a registry: the unit table itself)
    units: sa.Table  # the register the id must exist in (a registry: the one it writes)
    unit_key: str
    unit_noun: str  # 学校 / 医院 / ...
    columns: tuple[Column, ...]
    sheet_name: str = "填报"
    extra_notes: tuple[str, ...] = field(default=())
    # A registry writes units (one row per code, no year) instead of yearly facts.
    registry: bool = False
    # Fields a registry derives from the code or another column instead of reading them: field -> header.
    derived: tuple[tuple[str, str], ...] = ()

    @property
    def id_column(self) -> Column:
        return next(c for c in self.columns if c.kind == "id")

    @property
    def year_column(self) -> Column | None:
        return next((c for c in self.columns if c.kind == "year"), None)

    @property
    def headers(self) -> dict[str, str]:
        """field -> Chinese header, derived fields included (preview and history)."""
        return {**{c.field: c.header for c in self.columns}, **dict(self.derived)}

    @property
    def value_columns(self) -> tuple[Column, ...]:
        """Columns stored as facts (neither the key nor a label)."""
        return tuple(c for c in self.columns if c.kind not in ("id", "year", "label"))

    def written(self, field_name: str, value: object) -> object:
        """A stored value as the file writes it: a choice code (primary) as its Chinese form (小学)."""
        column = next((c for c in self.columns if c.field == field_name), None)
        if column is not None and column.kind == "choice" and value is not None:
            return column.shown(str(value))
        return value

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


def _lifecycle(opened: str, closed: str, noun: str) -> tuple[Column, Column]:
    return (Column("opened_year", opened, "since", f"{noun}第一个运行的学年 (按结束年份计, 2024–2025 学年填 2025); "
                   "空白 = 早已存在", unit="年", aliases=("开办年度", "成立年份", "开业年份", "开始年份")),
            Column("closed_year", closed, "since", f"{noun}最后一个运行的学年 (按结束年份计); 空白 = 仍在运行。"
                   "停办不删除历史数据, 只是之后的年度不再要求上报", unit="年",
                   aliases=("停办年度", "撤销年份", "停业年份", "撤并年份")))


# Written forms of each 学段 (stored as vocab.STAGES keys); the first per stage is what templates show.
STAGE_CHOICES = (
    *((label, key) for key, label in STAGES.items()),
    ("普通小学", "primary"), ("初级中学", "junior_secondary"), ("普通初中", "junior_secondary"),
    ("九年一贯制", "nine_year"), ("高中", "senior_high"), ("高级中学", "senior_high"),
    ("十二年一贯制", "twelve_year"), ("中职", "secondary_vocational"), ("普通高等学校", "university"),
    ("高校", "university"), *((key, key) for key in STAGES),
)
URBAN_RURAL_CHOICES = (("城镇", "urban"), ("城市", "urban"), ("城区", "urban"), ("乡村", "rural"), ("农村", "rural"),
                       ("urban", "urban"), ("rural", "rural"))
HOSPITAL_TYPE_CHOICES = (
    *((label, key) for key, label in HOSPITAL_TYPES.items()),
    ("精神专科医院", "psychiatric"), ("精神卫生中心", "psychiatric"), ("综合医院", "general"),
    ("妇幼保健机构", "maternal_child"), ("儿童医院", "children"), *((key, key) for key in HOSPITAL_TYPES),
)
COORDINATE_NOTE = ("坐标须落在所填县(区)的边界内 (容差约 2 公里); 可留空, 留空的学校不在地图上显示")

SCHOOL_REGISTRY = ReportType(
    "school_registry", "学校名录", schools, schools, "school_id", "学校",
    (
        Column("unit_id", "学校标识码", "id", "教育部 10 位学校标识码: 2 位类别 + 2 位省份 + 6 位序号", required=True,
               aliases=("学校代码", "学校(机构)标识码"), allowed_text="10 位数字, 如 2162000123; 文件中不重复"),
        Column("name", "学校名称", "text", "学校全称, 同一县(区)内不重名", required=True, aliases=("学校",)),
        Column("county_adcode", "县区代码", "county", "学校所在县(区)的 6 位行政区划代码", required=True,
               aliases=("县(区)代码", "行政区划代码", "所在县区代码")),
        Column("stage", "学段", "choice", "学校类型; 九年一贯制学校的标识码以 31 (或原小学的 21) 开头, "
               "完全中学和十二年一贯制学校以 34 开头", required=True, choices=STAGE_CHOICES,
               aliases=("办学类型", "学校类型")),
        Column("boarding", "是否寄宿制", "flag", "寄宿制学校填 是", required=True, aliases=("寄宿制",)),
        Column("urban_rural", "城乡", "choice", "学校所在地城乡属性", required=True, choices=URBAN_RURAL_CHOICES,
               aliases=("城乡属性", "城乡类型")),
        Column("longitude", "经度", "coordinate", COORDINATE_NOTE, bounds=(73.0, 136.0)),
        Column("latitude", "纬度", "coordinate", COORDINATE_NOTE, bounds=(3.0, 54.0)),
        *_lifecycle("开办年份", "停办年份", "学校"),
    ),
    extra_notes=(
        "每所学校填一行, 学校标识码在文件中只能出现一次; "
        "已在名录中的学校按文件更新 (改名、迁县均记入导入历史, 可撤销)。",
        "学校标识码类别: " + "、".join(f"{k} {v}" for k, v in SCHOOL_CATEGORIES.items())
        + "; 九年一贯制学校用 31 (原为小学的可用 21), 完全中学、十二年一贯制学校用 34。"
        "第 3–4 位须与县区代码前两位 (省份) 相同。",
        "开办年份、停办年份按学年结束的年份填写 (2024–2025 学年 = 2025): "
        "学校只在开办年份至停办年份之间的年度要求上报。",
    ),
    registry=True,
)

HOSPITAL_REGISTRY = ReportType(
    "hospital_registry", "医疗机构名录", hospitals, hospitals, "hospital_id", "医疗机构",
    (
        Column("unit_id", "机构代码", "id", "18 位统一社会信用代码 (将按 GB 32100-2015 核对校验位); "
               "没有时可填其他登记代码", required=True, aliases=("统一社会信用代码", "医疗机构代码", "医院代码"),
               allowed_text="18 位统一社会信用代码 (数字和大写字母, 不含 I O S V Z); 文件中不重复"),
        Column("name", "机构名称", "text", "医疗机构全称", required=True, aliases=("医院名称", "医疗机构名称")),
        Column("county_adcode", "县区代码", "county", "机构所在县(区)的 6 位行政区划代码", required=True,
               aliases=("县(区)代码", "行政区划代码", "所在县区代码")),
        Column("hospital_type", "机构类型", "choice", "规划目标所指的机构类别", required=True,
               choices=HOSPITAL_TYPE_CHOICES, aliases=("医院类型", "医疗机构类型")),
        *_lifecycle("开业年份", "停业年份", "机构"),
    ),
    extra_notes=("每个机构填一行, 机构代码在文件中只能出现一次; 18 位代码按统一社会信用代码核对最后一位校验位。",),
    registry=True,
)

COMMUNITY_REGISTRY = ReportType(
    "community_registry", "社区(村)名录", communities, communities, "community_id", "社区(村)",
    (
        Column("unit_id", "统计用区划代码", "id", "国家统计局 12 位统计用区划代码, 前 6 位为县(区)代码", required=True,
               aliases=("社区代码", "村(社区)代码", "区划代码"),
               allowed_text="12 位数字, 如 620802001001; 文件中不重复"),
        Column("name", "名称", "text", "社区(居委会)或村(村委会)名称", required=True,
               aliases=("社区名称", "社区(村)名称", "村(社区)名称")),
        Column("urban_rural_code", "城乡分类代码", "choice", "国家统计局城乡分类代码: 1 开头为城镇 (按城市社区统计), "
               "2 开头为乡村 (按农村社区统计)", required=True,
               choices=tuple((code, code) for code in URBAN_RURAL_CODES), aliases=("城乡分类",)),
        *_lifecycle("开始年份", "撤销年份", "社区(村)"),
    ),
    extra_notes=("所在县(区)取统计用区划代码的前 6 位, 该县(区)须已在数据仓库中。",
                 "城乡分类代码 111/112/121/122/123 (城镇) 计入城市社区目标, 210/220 (乡村) 计入农村社区目标。"),
    registry=True,
    derived=(("county_adcode", "县区代码"), ("urban_rural", "城乡")),
)

REPORT_TYPES: dict[str, ReportType] = {spec.key: spec for spec in (
    SCHOOL, SURVEY, HOSPITAL, COMMUNITY, REGION, SCHOOL_REGISTRY, HOSPITAL_REGISTRY, COMMUNITY_REGISTRY)}
# The yearly reports (what completeness counts) and the registries (what units exist).
YEARLY_TYPES: dict[str, ReportType] = {k: spec for k, spec in REPORT_TYPES.items() if not spec.registry}
REGISTRY_TYPES: dict[str, ReportType] = {k: spec for k, spec in REPORT_TYPES.items() if spec.registry}

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
