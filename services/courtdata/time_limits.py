"""Statutory time limits (审理期限 / 执行期限) by case type and procedure.

Kept in one table so the service's answer and the demo generator's timelines agree. The wording quotes
the rule in plain Chinese; article numbers are left out on purpose because they move between amendments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

GENERAL_NOTE = "审理期限不包括公告、鉴定、审理管辖异议等依法不计入的期间。"


@dataclass(frozen=True)
class LimitRule:
    """One statutory limit: `months` or `days` counted from filing."""

    label: str
    months: int = 0
    days: int = 0
    basis: str = ""
    extension: str = ""
    extension_days: int = 0  # how far an approved extension may reach, for the demo generator

    def deadline(self, filing: date) -> date:
        """The last day of the period: it is counted from the day after filing (the filing day itself is
        not counted), and a month without the corresponding day ends on its last day."""
        return filing + relativedelta(months=self.months) + timedelta(days=self.days)

    def approx_days(self) -> int:
        return self.months * 30 + self.days


_CIVIL = "《中华人民共和国民事诉讼法》"
_CRIMINAL = "《中华人民共和国刑事诉讼法》"
_ADMIN = "《中华人民共和国行政诉讼法》"
_ENFORCE = "《最高人民法院关于人民法院办理执行案件若干期限的规定》"

RULES: dict[tuple[str, str], LimitRule] = {
    ("民初", "普通程序"): LimitRule(
        "6个月",
        months=6,
        basis=f"{_CIVIL}：适用普通程序审理的案件，应当在立案之日起六个月内审结",
        extension="有特殊情况需要延长的，经本院院长批准，可以延长六个月",
        extension_days=182,
    ),
    ("民初", "简易程序"): LimitRule(
        "3个月",
        months=3,
        basis=f"{_CIVIL}：适用简易程序审理案件，应当在立案之日起三个月内审结",
        extension="有特殊情况需要延长的，经本院院长批准，可以延长一个月",
        extension_days=30,
    ),
    ("民初", "小额诉讼程序"): LimitRule(
        "2个月",
        months=2,
        basis=f"{_CIVIL}：适用小额诉讼程序审理案件，应当在立案之日起两个月内审结",
        extension="有特殊情况需要延长的，经本院院长批准，可以延长一个月",
        extension_days=30,
    ),
    ("民终", "第二审程序"): LimitRule(
        "3个月",
        months=3,
        basis=f"{_CIVIL}：审理对判决的上诉案件，应当在第二审立案之日起三个月内审结",
        extension="有特殊情况需要延长的，由本院院长批准",
        extension_days=60,
    ),
    ("民申", "再审审查"): LimitRule(
        "3个月",
        months=3,
        basis=f"{_CIVIL}：人民法院应当自收到再审申请书之日起三个月内审查",
        extension="有特殊情况需要延长的，由本院院长批准",
        extension_days=60,
    ),
    ("执", "执行实施"): LimitRule(
        "6个月",
        months=6,
        basis=f"{_ENFORCE}：被执行人有财产可供执行的案件，一般应当在立案之日起六个月内执结",
        extension="有特殊情况需要延长的，经本院院长批准可以延长",
        extension_days=90,
    ),
    ("执恢", "执行实施"): LimitRule(
        "6个月",
        months=6,
        basis=f"{_ENFORCE}：被执行人有财产可供执行的案件，一般应当在立案之日起六个月内执结",
        extension="有特殊情况需要延长的，经本院院长批准可以延长",
        extension_days=90,
    ),
    ("执异", "执行异议审查"): LimitRule(
        "15日", days=15, basis=f"{_CIVIL}：人民法院应当自收到书面异议之日起十五日内审查"
    ),
    ("刑初", "普通程序"): LimitRule(
        "2个月",
        months=2,
        basis=f"{_CRIMINAL}：人民法院审理公诉案件，应当在受理后二个月以内宣判，至迟不得超过三个月",
        extension="有法定情形的，经上一级人民法院批准，可以延长三个月",
        extension_days=90,
    ),
    ("刑初", "简易程序"): LimitRule(
        "20日",
        days=20,
        basis=f"{_CRIMINAL}：适用简易程序审理案件，人民法院应当在受理后二十日以内审结",
        extension="对可能判处的有期徒刑超过三年的，可以延长至一个半月",
        extension_days=25,
    ),
    ("刑终", "第二审程序"): LimitRule(
        "2个月",
        months=2,
        basis=f"{_CRIMINAL}：第二审人民法院受理上诉、抗诉案件，应当在二个月以内审结",
        extension="有法定情形的，经省级人民法院批准或者决定，可以延长二个月",
        extension_days=60,
    ),
    ("行初", "普通程序"): LimitRule(
        "6个月",
        months=6,
        basis=f"{_ADMIN}：人民法院应当在立案之日起六个月内作出第一审判决",
        extension="有特殊情况需要延长的，由高级人民法院批准",
        extension_days=90,
    ),
    ("行初", "简易程序"): LimitRule(
        "45日", days=45, basis=f"{_ADMIN}：适用简易程序审理的行政案件，应当在立案之日起四十五日内审结"
    ),
    ("行终", "第二审程序"): LimitRule(
        "3个月",
        months=3,
        basis=f"{_ADMIN}：人民法院审理上诉案件，应当在收到上诉状之日起三个月内作出终审判决",
        extension="有特殊情况需要延长的，由高级人民法院批准",
        extension_days=60,
    ),
}


def rule_for(type_code: str, procedure: str) -> LimitRule | None:
    """The rule for a case type and procedure, or None where no statutory limit applies."""
    return RULES.get((type_code, procedure))
