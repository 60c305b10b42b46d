"""Rule entities (case_number, id_number, credit_code, phone) and the problems worth telling.

Only complete, valid values become entities, with the contract's canonical values. Invalid
candidates (a wrong ID check digit, a wrong credit-code check character, a case number from
the future) become `Problem`s with a short polite message, so an action can tell the citizen
instead of looking up a wrong number. Spans never overlap: digits inside a case number are
not a phone, an 18-digit ID is not a phone.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from kernel.nlu.casenumber import CaseMatch, find_case_numbers
from kernel.nlu.creditcode import credit_code_problem, find_credit_codes
from kernel.nlu.digits import digit_runs, units
from kernel.nlu.idrules import id_problem
from kernel.privacy import mask_credit_code, mask_id

CASE_NUMBER, ID_NUMBER, CREDIT_CODE, PHONE = "case_number", "id_number", "credit_code", "phone"
RULE_ENTITIES = (CASE_NUMBER, ID_NUMBER, CREDIT_CODE, PHONE)

MESSAGES = {
    (ID_NUMBER, "check_digit"): "您输入的身份证号码{shown}校验位不对，可能有数字输错了，请核对后重新输入。",
    (ID_NUMBER, "birth_date"): "您输入的身份证号码{shown}中的出生日期不存在，请核对后重新输入。",
    (ID_NUMBER, "region"): "您输入的身份证号码{shown}开头的地区码不存在，请核对后重新输入。",
    (ID_NUMBER, "format"): "身份证号码应为18位，最后一位可以是X，请核对后重新输入。",
    (
        CREDIT_CODE,
        "check_char",
    ): "您输入的统一社会信用代码{shown}校验码不对，可能有字符输错了，请核对后重新输入。",
    (CREDIT_CODE, "format"): "统一社会信用代码为18位数字或大写字母（不含I、O、Z、S、V），请核对后重新输入。",
    (CASE_NUMBER, "future_year"): "案号{shown}中的年份还没有到，请核对后重新输入。",
    (CASE_NUMBER, "early_year"): "案号{shown}中的年份早于1990年，请核对后重新输入。",
    (CASE_NUMBER, "missing_year"): "案号{shown}缺少年份，请补充完整，例如（2022）京03民终1234号。",
    (CASE_NUMBER, "serial_zero"): "案号{shown}中的案件编号不对，请核对后重新输入。",
    (CASE_NUMBER, "legacy"): (
        "{shown}是2016年以前使用的旧式案号，线上可能查不到；如果查不到，请告诉我当事人姓名，或拨打12368咨询。"
    ),
}
_CREDIT_CONTEXT = re.compile(r"信用代码|社会信用|统一代码|机构代码|营业执照|税号|公司|企业|单位")


@dataclass(frozen=True)
class Problem:
    """An invalid or doubtful candidate. `shown` is safe to display and log (IDs masked)."""

    entity: str
    kind: str
    start: int
    end: int
    shown: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def _problem(entity: str, kind: str, start: int, end: int, shown: str) -> Problem:
    return Problem(entity, kind, start, end, shown, MESSAGES[(entity, kind)].format(shown=shown))


def _entity(entity: str, start: int, end: int, value: str) -> dict:
    return {"entity": entity, "start": start, "end": end, "value": value}


class _Analysis:
    """Collects entities and problems left to right without overlapping spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entities: list[dict] = []
        self.problems: list[Problem] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return not any(start < e and s < end for s, e in self.taken)

    def cases(self, found: list[CaseMatch]) -> None:
        for case in found:
            self.taken.append((case.start, case.end))
            if case.problem:
                self.problems.append(_problem(CASE_NUMBER, case.problem, case.start, case.end, case.value))
                continue
            self.entities.append(_entity(CASE_NUMBER, case.start, case.end, case.value))
            if case.legacy:
                self.problems.append(_problem(CASE_NUMBER, "legacy", case.start, case.end, case.value))

    def numbers(self) -> None:
        for run in digit_runs(self.text):
            for unit in units(run):
                start, end = run.span(unit)
                if not self.free(start, end):
                    continue
                if unit.kind == "phone":
                    if unit.valid:
                        if unit.prefix_len and start > 0 and self.text[start - 1] in "+\uff0b":
                            start -= 1
                        self.taken.append((start, end))
                        self.entities.append(_entity(PHONE, start, end, unit.value))
                    continue
                self.taken.append((start, end))
                self._eighteen(unit.value, start, end)

    def _eighteen(self, value: str, start: int, end: int) -> None:
        """An 18-character digit run: an ID, an all-digit credit code, or a flagged candidate."""
        problem = id_problem(value)
        credit_context = _CREDIT_CONTEXT.search(self.text[max(0, start - 12) : start])
        if problem is None:
            self.entities.append(_entity(ID_NUMBER, start, end, value))
        elif problem == "check_digit" and not credit_context:
            # a real region and birth date with one wrong digit is a mistyped ID, even when the digits
            # happen to form a valid all-digit credit code (about one in 31 do)
            self.problems.append(_problem(ID_NUMBER, problem, start, end, mask_id(value)))
        elif credit_code_problem(value) is None:
            self.entities.append(_entity(CREDIT_CODE, start, end, value))
        elif credit_context:
            self.problems.append(
                _problem(
                    CREDIT_CODE, credit_code_problem(value) or "format", start, end, mask_credit_code(value)
                )
            )
        else:
            self.problems.append(_problem(ID_NUMBER, problem, start, end, mask_id(value)))

    def credit_codes(self) -> None:
        for code in find_credit_codes(self.text):
            if not self.free(code.start, code.end):
                continue
            self.taken.append((code.start, code.end))
            if code.valid:
                self.entities.append(_entity(CREDIT_CODE, code.start, code.end, code.value))
            else:
                shown = mask_credit_code(code.value)
                self.problems.append(
                    _problem(CREDIT_CODE, code.problem or "format", code.start, code.end, shown)
                )


def analyse(text: str) -> tuple[list[dict], list[Problem]]:
    """Entities and problems of `text`, each sorted by position."""
    analysis = _Analysis(text)
    analysis.cases(find_case_numbers(text))
    analysis.numbers()
    analysis.credit_codes()
    entities = sorted(analysis.entities, key=lambda e: e["start"])
    return entities, sorted(analysis.problems, key=lambda p: p.start)


def extract_entities(text: str) -> list[dict]:
    """Rasa-style entity dicts {entity, start, end, value} with canonical values."""
    return analyse(text)[0]


def find_problems(text: str) -> list[Problem]:
    """Invalid candidates and old-style case numbers, each with a polite Chinese message."""
    return analyse(text)[1]
