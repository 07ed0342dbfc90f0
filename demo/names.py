"""Synthetic but plausible Chinese names for demo schools, hospitals and communities."""

from __future__ import annotations

import numpy as np

TOWNS = ("城关", "东关", "西关", "南街", "北街", "新华", "红旗", "向阳", "和平", "建设", "解放", "胜利", "河滨",
         "东风", "光明", "新庄", "王家", "李家", "张家", "马家", "杨家", "刘家", "陈家", "赵家", "高家", "白家",
         "石家", "柳林", "枣园", "桥头", "河口", "龙泉", "凤凰", "青石", "黄土", "三里", "五里", "十里", "高庄",
         "新集", "安乐", "永宁", "太平", "长乐", "兴隆", "金川", "白水", "清泉", "双庙", "花园")
COLLEGE_PREFIXES = ("秦岭", "关中", "渭水", "汉江", "终南", "华岳", "骊山", "大河", "延水", "丝路", "大唐", "古城",
                    "曲江", "灞河", "沣水", "泾渭", "南山", "秦川", "周原", "泾水")
COLLEGE_FIELDS = ("理工", "师范", "财经", "医学", "职业技术", "科技", "交通", "工程", "艺术", "农林", "外国语",
                  "信息", "建筑", "电子", "体育", "政法")
NUMERALS = "零一二三四五六七八九十"
STAGE_SUFFIX = {
    "primary": "小学", "junior_secondary": "初级中学", "nine_year": "九年制学校", "senior_high": "高级中学",
    "complete_secondary": "中学", "twelve_year": "十二年制学校", "secondary_vocational": "职业教育中心",
}


def chinese_ordinal(n: int) -> str:
    if n <= 10:
        return NUMERALS[n]
    if n < 20:
        return "十" + (NUMERALS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return NUMERALS[tens] + "十" + (NUMERALS[ones] if ones else "")
    return str(n)


def short_name(county: str) -> str:
    """崆峒区 -> 崆峒, 泾川县 -> 泾川; two-character names stay whole."""
    return county[:-1] if len(county) > 2 and county[-1] in "区县市" else county


def school_name(county: str, stage: str, index: int, rng: np.random.Generator) -> str:
    base = short_name(county)
    suffix = STAGE_SUFFIX[stage]
    if stage == "primary" and index > 6:
        return f"{base}{TOWNS[rng.integers(len(TOWNS))]}镇{'中心' if index % 3 == 0 else ''}小学"
    return f"{base}第{chinese_ordinal(index)}{suffix}"


def college_name(rng: np.random.Generator) -> str:
    kind = "大学" if rng.random() < 0.2 else "学院"
    prefix = COLLEGE_PREFIXES[rng.integers(len(COLLEGE_PREFIXES))]
    return f"{prefix}{COLLEGE_FIELDS[rng.integers(len(COLLEGE_FIELDS))]}{kind}"


def community_name(county: str, urban: bool, index: int) -> str:
    town = TOWNS[index % len(TOWNS)]
    repeat = f"{index // len(TOWNS) + 1}" if index >= len(TOWNS) else ""
    return f"{short_name(county)}{town}{'社区' if urban else '村'}{repeat}"
