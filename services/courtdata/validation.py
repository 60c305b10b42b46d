"""Validation of the identifiers the court-data API accepts, with a short Chinese reason for each 400.

The service re-checks what the assistant already normalised, because other callers (a staff tool, a test,
an attacker) reach the API directly. The grammar and check digits come from kernel/nlu (the same code the
assistant uses): case numbers per the SPC's 2016 rules, GB 11643 resident IDs, GB 32100 credit codes. The
API is lenient about how a case number is written (brackets, full-width digits) but the whole value must
be one case number; everything it returns uses the canonical form.
"""

from __future__ import annotations

import re
from datetime import date

from kernel.nlu.casenumber import CaseNumber, find_case_numbers
from kernel.nlu.creditcode import credit_code_problem
from kernel.nlu.idrules import id_problem

LICENSE_RE = re.compile(r"^\d{17}$")
NAME_RE = re.compile(r"^[\u4e00-\u9fa5A-Za-z0-9（）()·&\-]{2,80}$")

CASE_FORMAT = "案号格式不正确，应类似（2024）京0105民初1234号"
CASE_REASONS = {
    "future_year": "案号中的年份不能晚于今年",
    "early_year": "案号中的年份不正确",
    "missing_year": "案号缺少年份，应类似（2024）京0105民初1234号",
    "serial_zero": "案号中的编号不正确",
}
ID_REASONS = {
    "format": "身份证号码应为18位，最后一位可以是数字或大写X",
    "region": "身份证号码的地区码不正确，请核对",
    "birth_date": "身份证号码中的出生日期无效",
    "check_digit": "身份证号码校验位不正确，请核对",
}
CREDIT_REASONS = {
    "format": "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）",
    "check_char": "统一社会信用代码校验位不正确，请核对",
}


def parse_case(value: str, today: date | None = None) -> tuple[CaseNumber | None, str | None]:
    """(parsed number, None) when `value` is exactly one valid modern case number, else (None, reason)."""
    text = (value or "").strip()
    found = find_case_numbers(text, today)
    if len(found) != 1 or found[0].legacy or (found[0].start, found[0].end) != (0, len(text)):
        return None, CASE_FORMAT
    match = found[0]
    if match.problem:
        return None, CASE_REASONS.get(match.problem, CASE_FORMAT)
    return match.number, None


def case_number_error(value: str, today: date | None = None) -> str | None:
    """None when `value` is a valid case number whose year is not in the future, else the reason."""
    return parse_case(value, today)[1]


def id_number_error(value: str, today: date | None = None) -> str | None:
    """None when `value` is a canonical, valid resident ID number (GB 11643), else the reason."""
    problem = id_problem(value or "", today)
    return None if problem is None else ID_REASONS.get(problem, ID_REASONS["format"])


def credit_code_error(value: str) -> str | None:
    """None when `value` is a canonical unified social credit code with a valid check character."""
    problem = credit_code_problem(value or "")
    return None if problem is None else CREDIT_REASONS.get(problem, CREDIT_REASONS["format"])


def license_number_error(value: str) -> str | None:
    """Lawyer licence numbers (律师执业证号) are 17 digits; there is no public check digit."""
    return None if LICENSE_RE.fullmatch(value or "") else "律师执业证号应为17位数字"


def name_error(value: str) -> str | None:
    """A person's or organisation's name as written: 2-80 characters, letters, digits or brackets."""
    return None if NAME_RE.fullmatch(value or "") else "请提供完整的姓名或单位名称"
