"""NoContentGuard: only messages with nothing to understand are sent to the clarification turn."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.guard import NoContentGuard, has_content


@pytest.mark.parametrize(
    "text, expected",
    [
        ("？？？", False),
        ("……😂😂", False),
        ("  ", False),
        ("。。。!!", False),
        ("嗯", True),
        ("ok", True),
        ("12368", True),
        ("我要查案件", True),
        ("/greet", True),
    ],
)
def test_has_content(text, expected):
    assert has_content(text) is expected


@pytest.mark.parametrize(
    "text, guarded", [("？？？", True), ("😂", True), ("查案件进度", False), ("/greet", False)]
)
def test_guard_sets_fallback_only_without_content(text, guarded):
    message = Message.build(text=text, intent="legal_advice")
    message.set("intent", {"name": "legal_advice", "confidence": 0.99})
    NoContentGuard().process([message])
    assert (message.get("intent")["name"] == "nlu_fallback") is guarded


@pytest.mark.parametrize(
    "text, human",
    [
        ("我要转人工，想问问诉讼费的事情怎么交比较方便", True),
        ("人工客服在吗", True),
        ("给我找个真人", True),
        ("不用转人工了，我自己看看", False),
        ("诉讼费怎么交", False),
        ("不要人工", False),
        ("不是要转人工，我要找承办法官", False),  # the judge rather than a machine: contact_judge
        ("你们人工客服的时间是几点到几点", False),  # the hotline's hours: faq/hotline
        ("我要投诉那个接线员，态度太差", False),  # the operator is what is complained about
        ("我要投诉，给我转人工", True),
    ],
)
def test_an_explicit_wish_for_a_person_is_request_human(text, human):
    from bot.components.guard import ExplicitHumanGuard

    message = Message.build(text=text, intent="faq")
    message.set("intent", {"name": "faq", "confidence": 0.97})
    message.set(
        "intent_ranking", [{"name": "faq", "confidence": 0.97}, {"name": "request_human", "confidence": 0.02}]
    )
    ExplicitHumanGuard().process([message])
    assert (message.get("intent")["name"] == "request_human") is human
    assert [r["name"] for r in message.get("intent_ranking")].count("request_human") == 1


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("12368热线我打了十几遍都没人接，我要投诉你们的热线服务", True),
        ("我要举报被执行人转移财产", True),
        ("算了不找法官了，我要投诉他", True),
        ("投诉你们这个执行局，拖了两年", True),
        ("我不想投诉，就想让法官给我回个电话", False),
        ("不是要投诉，我就想问问进度", False),
        ("通过12368能投诉法官吗", False),
        ("怎么投诉法官", False),
        ("诉讼费怎么交", False),
        ("我要投诉小区物业乱收费", False),  # another body's business: out_of_scope
        ("我要投诉派出所的民警不作为", False),  # the police: another body
        ("本人现就执行拖延一事向贵院提出书面投诉", True),  # a lawyer's formal complaint
    ],
)
def test_an_explicit_complaint_is_file_complaint(text, complaint):
    from bot.components.guard import ExplicitComplaintGuard

    message = Message.build(text=text, intent="faq")
    message.set("intent", {"name": "faq", "confidence": 0.9})
    message.set(
        "intent_ranking", [{"name": "faq", "confidence": 0.9}, {"name": "file_complaint", "confidence": 0.05}]
    )
    ExplicitComplaintGuard().process([message])
    assert (message.get("intent")["name"] == "file_complaint") is complaint
    assert [r["name"] for r in message.get("intent_ranking")].count("file_complaint") == 1


@pytest.mark.parametrize(
    "text, predicted, expected",
    [
        ("检察院在哪条街", "faq", "out_of_scope"),
        ("人社局周末上不上班", "faq", "out_of_scope"),
        ("车管所的电话号码给一个", "contact_judge", "out_of_scope"),
        ("征信报告去哪打印", "nlu_fallback", "out_of_scope"),
        ("法院几点上班", "faq", "faq"),  # the court's own hours
        ("派出所让我找法院，法院立案窗口在哪", "faq", "faq"),  # names the court's business too
        ("公安把我打伤了能要多少赔偿", "legal_advice", "legal_advice"),  # a legal question stays one
        ("失信了征信会不会受影响", "faq", "faq"),
        ("12345热线能管法院的事吗", "faq", "faq"),  # names the court
        ("手机13712345678，身份证号后面再说", "inform", "inform"),  # 12345 inside a number is no hotline
        ("打12306订不到票", "query_dishonest_debtor", "out_of_scope"),
    ],
)
def test_another_bodys_service_is_out_of_scope(text, predicted, expected):
    from bot.components.guard import OtherBodyGuard

    message = Message.build(text=text, intent=predicted)
    message.set("intent", {"name": predicted, "confidence": 0.9})
    message.set("intent_ranking", [{"name": predicted, "confidence": 0.9}])
    OtherBodyGuard().process([message])
    assert message.get("intent")["name"] == expected
