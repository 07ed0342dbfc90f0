"""Official unit codes and their checks: 学校标识码, 统一社会信用代码 (GB 32100-2015), 统计用区划代码 with
城乡分类代码. Pure functions: each check returns None when the code is fine, else a Chinese reason.

学校标识码 (Ministry of Education, 10 digits) = 2-digit school category + 2-digit province + 6-digit serial. The
category is the first two digits of the school's 办学类型 code, so:
  21 普通小学; 31 普通初中 and 九年一贯制学校 (办学类型 312); 34 普通高中, 完全中学 (341) and 十二年一贯制学校 (345);
  36 中等职业学校; 41 普通高等学校.
A 九年一贯制 school that was a 小学 before keeps its 21 code (codes are never re-issued), so 21 is accepted too.
Other categories (11 幼儿园, 51 特殊教育学校, 42 成人高校 ...) are refused: the plans set no targets for them.
"""

from __future__ import annotations

import re

SCHOOL_CATEGORIES: dict[str, str] = {"21": "普通小学", "31": "普通初中", "34": "普通高中", "36": "中等职业学校",
                                     "41": "普通高等学校"}
# Stage (vocab.STAGES key) -> the categories its code may carry, the usual one first.
STAGE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "primary": ("21",), "junior_secondary": ("31",), "nine_year": ("31", "21"), "senior_high": ("34",),
    "complete_secondary": ("34",), "twelve_year": ("34",), "secondary_vocational": ("36",), "university": ("41",),
}
_SCHOOL_CODE = re.compile(r"\d{10}")

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the 18th checks the first 17.
USCI_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCI_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCI_LENGTH = 18
# Other hospital codes (9-character 组织机构代码, 医疗机构执业许可证登记号 ...) are accepted as letters, digits and
# hyphens up to the warehouse's 32 characters, without a check.
_OTHER_HOSPITAL_CODE = re.compile(r"[0-9A-Z-]{1,32}")

# 统计用区划代码 (National Bureau of Statistics): 6-digit county adcode + 3-digit township + 3-digit village.
_COMMUNITY_CODE = re.compile(r"\d{12}")
# 城乡分类代码: the first digit says 城镇 (1) or 乡村 (2); urban_rural (城市社区 / 农村社区 targets) follows it.
URBAN_RURAL_CODES: dict[str, str] = {"111": "主城区", "112": "城乡结合区", "121": "镇中心区", "122": "镇乡结合区",
                                     "123": "特殊区域", "210": "乡中心区", "220": "村庄"}


def school_code_problem(code: str) -> str | None:
    """Format of a 学校标识码: ten digits and a category the product monitors."""
    if not _SCHOOL_CODE.fullmatch(code):
        return (f"学校标识码应为 10 位数字 (2 位类别 + 2 位省份 + 6 位序号), 此处为 {len(code)} 个字符: "
                "请从全国教育事业统计系统中复制")
    if code[:2] not in SCHOOL_CATEGORIES:
        known = "、".join(f"{k} {v}" for k, v in SCHOOL_CATEGORIES.items())
        return f"学校标识码前两位 {code[:2]} 不是本系统监测的学校类别 (可用: {known})"
    return None


def school_category_problem(code: str, stage: str, stage_label: str) -> str | None:
    """The code's category against the school's 学段 (九年一贯制 31 or 21, 完全中学 and 十二年一贯制 34)."""
    allowed = STAGE_CATEGORIES[stage]
    if code[:2] in allowed:
        return None
    expected = " 或 ".join(f"{c} ({SCHOOL_CATEGORIES[c]})" for c in allowed)
    return (f"学校标识码类别 {code[:2]} ({SCHOOL_CATEGORIES.get(code[:2], '未知')}) 与学段「{stage_label}」不符: "
            f"{stage_label}的标识码应以 {expected} 开头")


def school_province_problem(code: str, county_adcode: str) -> str | None:
    """The code's province digits (3rd and 4th) against the first two digits of the county's adcode."""
    if code[2:4] == county_adcode[:2]:
        return None
    return (f"学校标识码第 3–4 位 (省份) 为 {code[2:4]}, 而县区代码 {county_adcode} 属于 {county_adcode[:2]} 省份: "
            "请核对学校标识码或县区代码")


def usci_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(USCI_ALPHABET.index(char) * weight for char, weight in zip(first17, USCI_WEIGHTS, strict=True))
    return USCI_ALPHABET[(31 - total % 31) % 31]


def hospital_code_problem(code: str) -> str | None:
    """An 18-character code must be a valid 统一社会信用代码; other forms only letters, digits and hyphens."""
    if len(code) == USCI_LENGTH:
        wrong = [char for char in code if char not in USCI_ALPHABET]
        if wrong:
            return (f"统一社会信用代码含有不允许的字符「{wrong[0]}」(不使用 I、O、S、V、Z 及小写字母): "
                    "请核对是否把数字 0/1/5/2 误写为字母")
        expected = usci_check_character(code[:17])
        if code[17] != expected:
            return (f"统一社会信用代码校验位错误: 按 GB 32100-2015 计算最后一位应为 {expected}, 文件中为 {code[17]}; "
                    "请核对是否抄错了某一位")
        return None
    if not _OTHER_HOSPITAL_CODE.fullmatch(code):
        return ("机构代码应为 18 位统一社会信用代码 (或其他登记代码: 只含数字、大写字母和连字符, 不超过 32 位)")
    return None


def organization_code_check(first8: str) -> str:
    """GB 11714 check character of a 组织机构代码 (the 9th character; also the 17th of a USCI)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(char, 36) * weight for char, weight in zip(first8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def community_code_problem(code: str) -> str | None:
    """Format of a 统计用区划代码 (12 digits)."""
    if not _COMMUNITY_CODE.fullmatch(code):
        return (f"统计用区划代码应为 12 位数字 (6 位县区代码 + 3 位乡镇街道 + 3 位村/社区), 此处为 {len(code)} 个字符: "
                "请从国家统计局统计用区划代码中复制")
    return None


def urban_rural_code_problem(code: str) -> str | None:
    if code in URBAN_RURAL_CODES:
        return None
    known = "、".join(f"{k} {v}" for k, v in URBAN_RURAL_CODES.items())
    return f"城乡分类代码应为 3 位国家统计局代码之一: {known}"


def urban_rural_of(code: str) -> str:
    """1xx (城镇) -> urban (城市社区), 2xx (乡村) -> rural (农村社区)."""
    return "urban" if code.startswith("1") else "rural"
