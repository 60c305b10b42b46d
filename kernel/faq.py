"""Titles and a canonical question for each FAQ key: used for buttons whose payload the NLU re-reads."""

from __future__ import annotations

FAQ_BUTTONS: dict[str, tuple[str, str]] = {
    "litigation_fee": ("诉讼费", "诉讼费怎么交"),
    "case_filing": ("怎么立案", "怎么立案"),
    "enforcement_apply": ("申请执行", "怎么申请强制执行"),
    "credit_repair": ("移出失信名单", "怎么移出失信名单"),
    "office_hours": ("办公时间", "法院几点上班"),
    "court_location": ("法院地址", "法院在哪里"),
    "online_service": ("网上办理", "可以在网上办理吗"),
    "hotline": ("12368热线", "12368热线能办什么"),
    "document_copy": ("复制卷宗", "怎么复印案卷材料"),
    "appeal": ("上诉期限", "上诉期限是多久"),
}
