"""FAQ keys: titles and a canonical question for each (buttons whose payload the NLU re-reads), and which
answer a parse calls for. Shared by the action server (actions/core.py) and the Rasa process, which
answers FAQs itself (bot/local_actions.py)."""

from __future__ import annotations

from typing import Any

from kernel.names import FAQ_KEYS, Response

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


def faq_key(parse_data: dict[str, Any]) -> str | None:
    """`<key>` of the `faq/<key>` the intent classifier chose (ResponseSelector format), if we answer it."""
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    full_key = ((selector.get("response") or {}).get("intent_response_key")) or ""
    key = full_key.split("/", 1)[1] if "/" in full_key else ""
    return key if key in FAQ_KEYS else None


def faq_answer(parse_data: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """The response to utter and its extra buttons: the key's answer, or, for the 常见问题 button (a bare
    /faq) and a parse without a key, the ten topics as buttons."""
    key = faq_key(parse_data)
    if key is None:
        return Response.FAQ_MENU, [
            {"title": title, "payload": question} for title, question in FAQ_BUTTONS.values()
        ]
    return Response.FAQ_PREFIX + key, []
