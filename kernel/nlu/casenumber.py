"""案号: the grammar of 《最高人民法院关于人民法院案件案号的若干规定》 (in force since 2016-01-01).

A case number is （收案年度）+ 法院代字 + 类型代字 + 案件编号 + 号, e.g. （2022）京03民终1234号.

- 法院代字: 最高法; a high court is its province's abbreviation (京, 内 for Inner Mongolia, 兵 for
  the XPCC branch, 军 for the PLA Military Court); an intermediate court adds two digits (京03,
  specialised ones 京73 知识产权法院, 沪74 金融法院, 沪72 海事法院); a basic court four (京0105,
  京7101 铁路运输法院).
- 类型代字: up to three characters from the SPC's 类型代字标准 (民初, 民终, 执, 执恢, …); the SPC's
  intellectual-property tribunal prefixes 知 (知民终, 知行初).
- 编号: a natural number, up to eight digits (death-penalty reviews use eight).

Citizens write every bracket style or none, full-width or Chinese-numeral digits, spaces, no
号. `find_case_numbers` accepts all of that and returns the canonical value. The pre-2016
style (2014)三中民终字第1234号 is recognised and marked `legacy`; its canonical form keeps the
字第 style with full-width brackets.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kernel.nlu.digits import fold_width
from kernel.nlu.numerals import NUMERAL_CHARS, chinese_number, digit_string

EARLIEST_YEAR = 1990
PROVINCES = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔云藏陕甘青宁新兵军"
SUPREME_ALIASES = ("最高人民法院", "最高法院", "最高法", "最高院")

_BASE_TYPES = """
刑辖 民辖 行辖 民辖终 民辖监 行辖终
刑初 刑终 刑核 刑更 刑医 刑没 刑申 刑抗 刑再 刑监 刑他
民初 民终 民监 民申 民抗 民再 民撤 民特 民特监 民催 民督 民督监 民他 民诉前调
破申 破 破终 破监 强清申 强清 强清终
财保 行保 证保
行初 行终 行申 行抗 行再 行监 行审 行审复 行他 行赔初 行赔终 行赔申 行赔抗 行赔再
法赔 委赔 委赔监 委赔提 委赔再 赔
执 执恢 执保 执异 执复 执监 执协 执他
司救 司救刑 司救民 司救行 司救赔 司救执 司救访 司救他 司惩 司惩复
认港 认澳 认台 协外认 协外送
""".split()
_IP_TYPES = [f"知{t}" for t in "民初 民终 民辖终 民申 民再 民他 行初 行终 行申 行再 行他".split()]
#: Every 类型代字 recognised, longest first so that 执恢 is not read as 执 + 恢.
TYPE_CODES = tuple(sorted(set(_BASE_TYPES + _IP_TYPES), key=lambda t: (-len(t), t)))

_D = "0-9\uff10-\uff19"
_OPEN = "（(〔\\[【［｛{〖<＜《"
_CLOSE = "）)〕\\]】］｝}〗>＞》"
_YEAR = rf"(?P<year>[{_D}〇零○OoＯｏ一二三四五六七八九]{{4}})"
_BRACKET_YEAR = (
    rf"(?:(?P<open>[{_OPEN}])[ \u3000]*)?{_YEAR}[ \u3000]*年?[ \u3000]*(?P<close>[{_CLOSE}])?[ \u3000]*"
)
_SERIAL = rf"(?P<serial>[{_D}]{{1,8}}(?![{_D}])|[{NUMERAL_CHARS}]{{1,20}})(?:[ \u3000]*(?P<hao>号))?"

_MODERN = re.compile(
    rf"(?<![{_D}])(?:{_BRACKET_YEAR})?"
    rf"(?P<court>{'|'.join(SUPREME_ALIASES)}|[{PROVINCES}](?:[ \u3000]?[{_D}]){{0,4}}(?![{_D}]))[ \u3000]*"
    rf"(?P<type>{'|'.join(TYPE_CODES)})[ \u3000]*第?[ \u3000]*{_SERIAL}"
)
_LEGACY = re.compile(
    rf"(?<![{_D}]){_BRACKET_YEAR}"
    rf"(?P<prefix>[\u4e00-\u9fff（）()]{{1,12}}?)[ \u3000]*字[ \u3000]*第?[ \u3000]*{_SERIAL}"
)
#: Characters that make up an old-style type (民(商)终, 执恢, 民一初); what precedes is the court.
_LEGACY_TYPE_CHARS = set("民刑行执赔破知商初终申再提监抗特催督恢异复保他审更核辖撤清一二三四五六七八九()（）")


@dataclass(frozen=True)
class CaseNumber:
    """A parsed case number. `serial` is a digit string (old-style numbers keep leading zeros)."""

    year: int
    court_code: str
    type_code: str
    serial: str
    legacy: bool = False

    @property
    def canonical(self) -> str:
        """（2022）京03民终1234号, or （2014）三中民终字第1234号 for the old style."""
        if self.legacy:
            return f"（{self.year}）{self.court_code}{self.type_code}字第{self.serial}号"
        return f"（{self.year}）{self.court_code}{self.type_code}{self.serial}号"


@dataclass(frozen=True)
class CaseMatch:
    """A case number found in text. `problem` is None when `value` is a complete valid number;
    otherwise 'future_year', 'early_year', 'missing_year' or 'serial_zero'."""

    start: int
    end: int
    value: str
    legacy: bool
    problem: str | None
    number: CaseNumber | None = None


def _year_problem(year: int | None, today: dt.date | None) -> str | None:
    if year is None:
        return "missing_year"
    if year > (today or dt.date.today()).year:
        return "future_year"
    if year < EARLIEST_YEAR:
        return "early_year"
    return None


def _serial(raw: str, keep_zeros: bool) -> str | None:
    digits = chinese_number(raw)
    if digits is None:
        return None
    return digits if keep_zeros else str(int(digits))


def _court(raw: str) -> str | None:
    raw = fold_width(raw).replace(" ", "").replace("\u3000", "")
    if raw in SUPREME_ALIASES:
        return "最高法"
    return raw if len(raw) in (1, 3, 5) else None  # province + 0, 2 or 4 digits


def _modern(match: re.Match[str], today: dt.date | None) -> CaseMatch | None:
    court = _court(match["court"])
    serial = _serial(match["serial"], keep_zeros=False)
    if court is None or serial is None:
        return None
    year = int(digit_string(match["year"]) or 0) if match["year"] else None
    if year is None and court[1:] == "":
        return None  # 京执12 without a year is too likely to be something else
    problem = _year_problem(year, today) or ("serial_zero" if serial == "0" else None)
    number = CaseNumber(year or 0, court, match["type"], serial)
    value = number.canonical if year else number.canonical.split("）", 1)[1]
    return CaseMatch(match.start(), match.end(), value, False, problem, number if not problem else None)


def _split_legacy(prefix: str) -> tuple[str, str]:
    cut = len(prefix)
    while cut > 0 and prefix[cut - 1] in _LEGACY_TYPE_CHARS:
        cut -= 1
    return prefix[:cut], prefix[cut:]


def _legacy(match: re.Match[str], today: dt.date | None) -> CaseMatch | None:
    serial = _serial(match["serial"], keep_zeros=True)
    if serial is None:
        return None
    year = int(digit_string(match["year"]) or 0)
    prefix = match["prefix"].replace("(", "（").replace(")", "）")
    court, type_code = _split_legacy(prefix)
    number = CaseNumber(year, court, type_code, serial, legacy=True)
    problem = _year_problem(year, today) or ("serial_zero" if int(serial) == 0 else None)
    return CaseMatch(
        match.start(), match.end(), number.canonical, True, problem, number if not problem else None
    )


def find_case_numbers(text: str, today: dt.date | None = None) -> list[CaseMatch]:
    """Every case number in `text` (old style included), in order, without overlaps."""
    found: list[CaseMatch] = []
    for pattern, build in ((_LEGACY, _legacy), (_MODERN, _modern)):
        for match in pattern.finditer(text):
            case = build(match, today)
            if case and not any(case.start < f.end and f.start < case.end for f in found):
                found.append(case)
    return sorted(found, key=lambda case: case.start)


def parse_case_number(text: str, today: dt.date | None = None) -> CaseNumber | None:
    """The first complete, valid case number in `text` (any rendering), else None."""
    return next((case.number for case in find_case_numbers(text, today) if case.number), None)


def canonical_case_number(text: str, today: dt.date | None = None) -> str | None:
    """Canonical value of the first valid case number in `text`, else None."""
    number = parse_case_number(text, today)
    return number.canonical if number else None
