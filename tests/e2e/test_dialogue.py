"""The basic dialogue and the understanding contract, through the running Rasa server."""

from __future__ import annotations

import pytest
import requests

from kernel.court import load_court_settings

pytestmark = pytest.mark.slow


def parse(stack, text: str) -> dict:
    reply = requests.post(
        f"{stack.urls['rasa']}/model/parse",
        params={"token": stack.env["RASA_TOKEN"]},
        json={"text": text},
        timeout=30,
    )
    reply.raise_for_status()
    return reply.json()


def entity_values(parsed: dict, name: str) -> list[str]:
    return [e["value"] for e in parsed["entities"] if e["entity"] == name]


def test_first_contact_greets_with_what_it_can_do_and_privacy(chat):
    replies = chat.say("你好")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "查询案件进度" in text and "隐私" in text
    assert any(r.get("buttons") for r in replies)


def test_faq_answer_uses_this_courts_settings(chat):
    reply = chat.text("请问你们法院在哪里，怎么过去")
    assert load_court_settings()["court_address"] in reply


def test_the_faq_button_offers_the_ten_topics_and_a_topic_is_answered(chat):
    """The menu's 常见问题 button sends a bare /faq; the Rasa server answers it itself (bot/local_actions.py)."""
    from kernel.faq import FAQ_BUTTONS

    chat.say("你好")
    replies = chat.say("/faq")
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert [question for _, question in FAQ_BUTTONS.values()] == payloads[-len(FAQ_BUTTONS) :]
    title, question = FAQ_BUTTONS["office_hours"]
    assert load_court_settings()["office_hours"] in chat.text(question)


def test_appeal_terms(chat):
    reply = chat.text("不服判决多少天内可以上诉")
    assert "15日" in reply and "10日" in reply


def test_legal_question_is_referred_to_12348(chat):
    reply = chat.text("老公出轨了离婚财产怎么分才公平，孩子归谁")
    assert "12348" in reply and "不能" in reply


def test_traditional_characters_are_understood(stack):
    parsed = parse(stack, "我想查詢一下我的案件進度")
    assert parsed["intent"]["name"] == "query_case_progress"


def test_parse_gives_canonical_values(stack):
    parsed = parse(stack, "案号是２０２２京０３民终１２３４，我电话+86 138-1234-5678")
    assert entity_values(parsed, "case_number") == ["（2022）京03民终1234号"]
    assert entity_values(parsed, "phone") == ["13812345678"]


def test_faq_key_is_reported(stack):
    parsed = parse(stack, "怎么才能从失信名单里出来")
    assert parsed["intent"]["name"] == "faq"
    assert parsed["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/credit_repair"


def test_gibberish_gets_a_clarification_then_a_human_is_offered(chat):
    first = chat.say("？？？")
    assert any("没太明白" in r.get("text", "") for r in first)
    assert any(r.get("buttons") for r in first)
    second = chat.say("……😂😂")
    text = "\n".join(r.get("text", "") for r in second)
    assert "人工" in text
    assert any(b["payload"] == "/request_human" for r in second for b in r.get("buttons") or [])
