"""Controlled vocabularies of the warehouse: codes stored in the database and their Chinese labels."""

from __future__ import annotations

LEVELS: dict[str, str] = {"province": "省", "city": "市", "county": "县"}

STAGES: dict[str, str] = {
    "primary": "小学",
    "junior_secondary": "初中",
    "nine_year": "九年一贯制学校",
    "senior_high": "普通高中",
    "complete_secondary": "完全中学",
    "twelve_year": "十二年一贯制学校",
    "secondary_vocational": "中等职业学校",
    "university": "普通高校",
}
# 义务教育阶段 schools: the plans' "中小学" when 高中/中职 have a target of their own.
BASIC_STAGES: tuple[str, ...] = ("primary", "junior_secondary", "nine_year")
# Schools with a senior-high section or vocational: the Shaanxi 90% full-time group together with universities.
UPPER_STAGES: tuple[str, ...] = ("senior_high", "complete_secondary", "twelve_year", "secondary_vocational")

URBAN_RURAL: dict[str, str] = {"urban": "城市", "rural": "农村"}

HOSPITAL_TYPES: dict[str, str] = {
    "psychiatric": "二级以上精神专科医院",
    "general": "二级及以上综合医院",
    "maternal_child": "妇幼保健院",
    "children": "儿童专科医院",
}
