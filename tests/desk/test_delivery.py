"""Reply delivery over real HTTP to a fake Rasa process: channel push while live, SMS otherwise."""

from __future__ import annotations

import dataclasses
import json

import pytest

from kernel.sms import OutboxGateway
from kernel.sms_spool import SpoolingGateway
from services.desk.service.delivery import ChannelPush, Messenger, PushUnavailable, Target
from tests.desk.conftest import API_TOKEN, CLOSED_URL, PASSWORD
from tests.desk.fakes import PUSH_TOKEN
from tests.desk.helpers import new_order


def outbox(settings) -> list[dict]:
    try:
        with open(settings.sms_outbox, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]
    except FileNotFoundError:
        return []


def answer(desk_app, store, number: str, body: str = "您的材料已收到，法官会尽快联系您。") -> dict:
    """Claim and answer through the staff API, as a clerk would from any client."""
    client = desk_app.test_client()
    token = client.post("/api/v1/staff/login", json={"username": "clerk", "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    client.post(f"/api/v1/staff/workorders/{number}/claim", headers=headers)
    reply = client.post(f"/api/v1/staff/workorders/{number}/replies", json={"body": body}, headers=headers)
    assert reply.status_code == 201
    return reply.json["reply"]


def test_a_live_web_citizen_gets_the_reply_in_the_chat(desk_app, store, fake_rasa, wired_settings):
    order = new_order(store, channel="web", conversation_id="web-conv-1")
    reply = answer(desk_app, store, order["number"])
    assert reply["delivery"] == "已送达（网页）"
    push = fake_rasa.pushes[-1]
    assert (push["channel"], push["recipient_id"]) == ("webchat", "web-conv-1")
    assert order["number"] in push["text"] and "法官会尽快联系您" in push["text"]
    assert outbox(wired_settings) == []


@pytest.mark.parametrize("breakage", ["page_closed", "push_fails", "rasa_down", "no_push_token"])
def test_a_web_citizen_who_is_not_there_gets_an_sms(
    desk_app, store, fake_rasa, wired_settings, settings, breakage
):
    order = new_order(store, channel="web", callback_phone="13700001111")
    if breakage == "page_closed":
        fake_rasa.web_delivered = False
    elif breakage == "push_fails":
        fake_rasa.web_status = 500
    if breakage in ("rasa_down", "no_push_token"):
        changed = (
            dataclasses.replace(wired_settings, rasa_url=CLOSED_URL)
            if breakage == "rasa_down"
            else dataclasses.replace(wired_settings, channel_push_token="")
        )
        from services.desk.app import create_app

        desk_app = create_app(changed, store)
    assert answer(desk_app, store, order["number"])["delivery"] == "已送达（短信）"
    sms = outbox(settings)[-1]
    assert (
        sms["phone"] == "13700001111" and order["number"] in sms["text"] and "法官会尽快联系您" in sms["text"]
    )


def test_wechat_without_its_push_endpoint_falls_back_to_sms(desk_app, store, fake_rasa, settings):
    order = new_order(store, channel="wechat")
    assert answer(desk_app, store, order["number"])["delivery"] == "已送达（短信）"
    assert len(outbox(settings)) == 1


@pytest.mark.parametrize(
    "via, label",
    [("customer_service", "已送达（微信）"), ("live", "已送达（微信）"), ("sms", "已送达（短信）")],
)
def test_wechat_push_reports_its_own_route(desk_app, store, fake_rasa, settings, via, label):
    fake_rasa.wechat_status, fake_rasa.wechat_via = 200, via
    order = new_order(store, channel="wechat", conversation_id="openid-abc")
    assert answer(desk_app, store, order["number"])["delivery"] == label
    assert fake_rasa.pushes[-1]["recipient_id"] == "openid-abc"
    assert outbox(settings) == []  # when WeChat itself fell back to SMS, the desk does not send a second one


def test_rest_conversations_get_sms_without_any_push(desk_app, store, fake_rasa, settings):
    order = new_order(store, channel="rest")
    assert answer(desk_app, store, order["number"])["delivery"] == "已送达（短信）"
    assert fake_rasa.pushes == []


def test_when_nothing_works_the_reply_is_kept_and_its_sms_spooled(wired_settings, store, tmp_path, fake_rasa):
    from services.desk.app import create_app

    fake_rasa.web_delivered = False
    (tmp_path / "blocked").mkdir()
    broken = dataclasses.replace(
        wired_settings, sms_outbox=str(tmp_path / "blocked")
    )  # a directory: unwritable
    app = create_app(broken, store)
    order = new_order(store, channel="web")
    assert answer(app, store, order["number"])["delivery"] == "短信待重发"  # kept in the spool, not lost
    assert [e["purpose"] for e in SpoolingGateway(None, broken.sms_spool).pending()] == ["workorder"]
    clerk = store.staff.authenticate("clerk", PASSWORD)
    assert store.get_order(clerk, order["number"])["replies"][0]["body"].startswith("您的材料已收到")


def test_the_push_carries_the_bearer_token(fake_rasa):
    good = ChannelPush(fake_rasa.url, PUSH_TOKEN)
    assert good.push("web", "c1", "你好").delivered
    with pytest.raises(PushUnavailable):
        ChannelPush(fake_rasa.url, "wrong-token").push("web", "c1", "你好")


def test_chat_lines_are_not_sent_as_sms_when_the_page_is_closed(fake_rasa, tmp_path):
    fake_rasa.web_delivered = False
    messenger = Messenger(ChannelPush(fake_rasa.url, PUSH_TOKEN), OutboxGateway(tmp_path / "sms.jsonl"))
    sent = messenger.chat(Target("GD1", "web", "c1", "13800000000"), "还在吗？")
    assert (sent.delivered, sent.recorded) == (False, True)
    assert not (tmp_path / "sms.jsonl").exists()


def test_service_token_is_still_needed_for_creation(desk_app):
    client = desk_app.test_client()
    assert client.post("/api/v1/workorders", json={}).status_code == 401
    assert (
        client.post(
            "/api/v1/workorders", json={}, headers={"Authorization": f"Bearer {API_TOKEN}"}
        ).status_code
        == 400
    )
