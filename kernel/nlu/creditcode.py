"""统一社会信用代码 (GB 32100-2015): validation, a maker for demo data, and a finder.

Layout: 登记管理部门码 (1) + 机构类别码 (1) + 登记管理机关行政区划码 (6 digits) + 主体标识码
(组织机构代码, 9, GB 11714) + 校验码 (1). The alphabet has 31 characters: digits and capital
letters without I, O, Z, S, V. Only the GB 32100 check character is enforced: it is what
catches a mistyped code, and it is what the citizen is told about.
"""

from __future__ import annotations

import re

from kernel.nlu.digits import CodeMatch, fold_width

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, ...
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SHAPE = re.compile(rf"[{ALPHABET}]{{2}}\d{{6}}[{ALPHABET}]{{10}}")


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters (upper-case)."""
    first17 = first17.upper()
    if len(first17) != 17 or any(ch not in _VALUE for ch in first17):
        raise ValueError("需要17位代码字符（数字或除 I、O、Z、S、V 以外的大写字母）")
    rest = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS)) % 31
    return ALPHABET[(31 - rest) % 31]


def canonical_credit_code(text: str) -> str:
    """Upper-case ASCII without spaces or dashes (not validated)."""
    return "".join(ch for ch in fold_width(text).upper() if ch.isalnum())


def credit_code_problem(value: str) -> str | None:
    """'format' or 'check_char' for a canonical 18-character value, None if valid."""
    if not _SHAPE.fullmatch(value):
        return "format"
    if credit_check_char(value[:17]) != value[17]:
        return "check_char"
    return None


def is_valid_credit_code(text: str) -> bool:
    """True for a complete code with a correct check character (case and gaps ignored)."""
    return credit_code_problem(canonical_credit_code(text)) is None


def _org_check_char(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    values = [int(ch, 36) for ch in body]
    rest = 11 - sum(v * w for v, w in zip(values, _ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(rest, str(rest))


def make_credit_code(
    region: str = "110105", body: str = "MA01ABCD", dept: str = "9", category: str = "1"
) -> str:
    """A valid code for demo data: both check characters (GB 11714 and GB 32100) are computed."""
    first17 = f"{dept}{category}{region}{body}{_org_check_char(body.upper())}".upper()
    value = first17 + credit_check_char(first17)
    if credit_code_problem(value) is not None:
        raise ValueError(f"cannot make a valid code from {dept}{category}/{region}/{body}")
    return value


_TOKEN = re.compile(
    r"(?<![0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])"
    r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]{18}"
    r"(?![0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])"
)


def find_credit_codes(text: str) -> list[CodeMatch]:
    """Valid codes and code-shaped candidates with letters (all-digit ones are left to the ID
    finder, which owns 18-digit runs), in text order."""
    found = []
    for match in _TOKEN.finditer(text):
        value = canonical_credit_code(match.group())
        if value.isdigit() or not _SHAPE.fullmatch(value):
            continue
        found.append(CodeMatch(match.start(), match.end(), value, credit_code_problem(value)))
    return found
