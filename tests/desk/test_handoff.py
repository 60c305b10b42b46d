"""Live handoff: presence, the action server's API, taking and running a chat, and the timeout sweeper."""

from __future__ import annotations

import time

import pytest

from services.desk.service.background import Sweeper
from tests.desk.conftest import API_TOKEN, PASSWORD
from tests.desk.helpers import login, new_order

SERVICE = {"Authorization": f"Bearer {API_TOKEN}"}
JSON = {"Accept": "application/json"}


def status(client) -> dict:
    return client.get("/api/v1/handoff/status", headers=SERVICE).json


def open_handoff(client, store, clock, conversation_id="conv-live", channel="web") -> tuple[str, int]:
    """A 人工咨询 order and its handoff request, as the action server makes them."""
    number = new_order(store, conversation_id=conversation_id, channel=channel, now=clock.now)["number"]
    answer = client.post(
        "/api/v1/handoff",
        headers=SERVICE,
        json={"number": number, "conversation_id": conversation_id, "channel": channel},
    )
    assert answer.status_code == 201, answer.json
    return number, answer.json["id"]


def staff(desk_app, username: str, password: str = PASSWORD):
    """A logged-in desk client and the headers its scripts send."""
    client = desk_app.test_client()
    token = login(client, username, password)
    return client, {"X-CSRF-Token": token, **JSON}


# ---------------------------------------------------------------------------------------- presence


def test_a_clerk_is_online_while_the_desk_reports_in(desk_app, clock):
    api = desk_app.test_client()
    assert status(api)["clerks_online"] == 0
    clerk, headers = staff(desk_app, "clerk")
    clerk.post("/desk/presence", json={}, headers=headers)
    assert status(api)["clerks_online"] == 1
    clock.advance(25)
    assert status(api)["clerks_online"] == 1
    clock.advance(10)
    assert status(api)["clerks_online"] == 0


def test_judges_do_not_count_and_a_clerk_can_pause_or_log_out(desk_app):
    api = desk_app.test_client()
    judge, judge_headers = staff(desk_app, "judge_yi")
    judge.post("/desk/presence", json={}, headers=judge_headers)
    assert status(api)["clerks_online"] == 0
    clerk, headers = staff(desk_app, "clerk")
    clerk.post("/desk/presence", json={"available": False}, headers=headers)
    assert status(api)["clerks_online"] == 0
    clerk.post("/desk/presence", json={}, headers=headers)  # other pages do not change the choice
    assert status(api)["clerks_online"] == 0
    clerk.post("/desk/presence", json={"available": True}, headers=headers)
    assert status(api)["clerks_online"] == 1
    clerk.post("/desk/logout", data={"csrf_token": headers["X-CSRF-Token"]})
    assert status(api)["clerks_online"] == 0


def test_presence_needs_the_csrf_header(desk_app):
    clerk, _ = staff(desk_app, "clerk")
    assert clerk.post("/desk/presence", json={}, headers=JSON).status_code == 400


# --------------------------------------------------------------------------- the action server's API


def test_handoff_api_checks_token_and_input(desk_app, store, clock):
    api = desk_app.test_client()
    number = new_order(store, conversation_id="conv-x")["number"]
    assert api.get("/api/v1/handoff/status").status_code == 401
    body = {"number": number, "conversation_id": "conv-x", "channel": "web"}
    assert api.post("/api/v1/handoff", json=body).status_code == 401
    assert (
        api.post("/api/v1/handoff", headers=SERVICE, json={**body, "conversation_id": "other"}).status_code
        == 400
    )
    assert (
        api.post("/api/v1/handoff", headers=SERVICE, json={**body, "number": "GD20990101-0009"}).status_code
        == 404
    )
    assert api.post("/api/v1/handoff", headers=SERVICE, json={**body, "channel": "fax"}).status_code == 400
    first = api.post("/api/v1/handoff", headers=SERVICE, json=body)
    again = api.post("/api/v1/handoff", headers=SERVICE, json=body)
    assert (first.status_code, again.status_code) == (201, 200) and first.json["id"] == again.json["id"]
    assert status(api)["waiting"] == 1


# ------------------------------------------------------------------------------------- a live chat


def test_a_clerk_takes_the_chat_and_the_order(desk_app, store, clock, fake_rasa):
    number, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    clerk, headers = staff(desk_app, "clerk")
    state = clerk.get("/desk/handoff/state.json", headers=JSON).json
    assert [h["number"] for h in state["waiting"]] == [number] and state["waiting_count"] == 1
    assert clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers).status_code == 200
    greeting = fake_rasa.pushes[-1]
    assert greeting["recipient_id"] == "conv-live" and "周敏" in greeting["text"]
    assert greeting["sender_label"] == "工作人员 周敏"
    detail = store.get_order(store.staff.authenticate("clerk", PASSWORD), number)
    assert (detail["status"], detail["assignee"]) == ("处理中", "周敏")
    state = clerk.get("/desk/handoff/state.json", headers=JSON).json
    assert state["waiting"] == [] and [h["id"] for h in state["mine"]] == [handoff_id]
    supervisor, sup_headers = staff(desk_app, "supervisor")
    refused = supervisor.post(f"/desk/handoff/{handoff_id}/take", headers=sup_headers)
    assert refused.status_code == 409 and "已被其他工作人员接入" in refused.json["message"]


def test_the_clerk_sees_the_citizens_new_messages_masked(desk_app, store, clock, fake_rasa):
    _, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    fake_rasa.user_says("conv-live", "我的电话是13812345678")
    fake_rasa.user_says("conv-live", "<img src=x onerror=alert(1)>")
    clerk, headers = staff(desk_app, "clerk")
    clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers)
    lines = clerk.get(f"/desk/handoff/{handoff_id}/lines.json", headers=JSON).json["lines"]
    assert [line["sender"] for line in lines] == ["user", "user", "staff"]
    assert lines[0]["text"] == "我的电话是138****5678"
    fake_rasa.user_says("conv-live", "好的谢谢")
    newer = clerk.get(f"/desk/handoff/{handoff_id}/lines.json?after={lines[-1]['index']}", headers=JSON).json
    assert [line["text"] for line in newer["lines"]] == ["好的谢谢"]


def test_lines_the_push_did_not_record_are_added_to_the_transcript(desk_app, store, clock, fake_rasa):
    fake_rasa.web_records = False
    _, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    clerk, headers = staff(desk_app, "clerk")
    clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers)
    sent = clerk.post(
        f"/desk/handoff/{handoff_id}/send", json={"text": "请稍等，我查一下"}, headers=headers
    ).json
    assert sent["delivered"] is True
    recorded = fake_rasa.appended("conv-live", "bot")
    assert recorded[-1]["text"] == "请稍等，我查一下" and recorded[-1]["metadata"] == {
        "staff": {"label": "工作人员 周敏"}
    }


def test_a_chat_on_a_closed_page_says_it_was_not_delivered(desk_app, store, clock, fake_rasa):
    _, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    clerk, headers = staff(desk_app, "clerk")
    clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers)
    fake_rasa.web_delivered = False
    sent = clerk.post(f"/desk/handoff/{handoff_id}/send", json={"text": "还在吗"}, headers=headers).json
    assert sent["delivered"] is False


def test_handing_back_resumes_the_bot_and_keeps_the_chat_on_the_order(desk_app, store, clock, fake_rasa):
    number, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    fake_rasa.user_says("conv-live", "想问立案材料")
    clerk, headers = staff(desk_app, "clerk")
    clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers)
    clerk.post(f"/desk/handoff/{handoff_id}/send", json={"text": "需要起诉状和身份证"}, headers=headers)
    assert clerk.post(f"/desk/handoff/{handoff_id}/release", json={}, headers=headers).status_code == 200
    assert "已转回智能助手" in fake_rasa.pushes[-1]["text"]
    assert fake_rasa.appended("conv-live", "resume")
    detail = store.get_order(store.staff.authenticate("clerk", PASSWORD), number)
    assert [t["text"] for t in detail["transcript"]][:2] == ["想问立案材料", detail["transcript"][1]["text"]]
    assert "需要起诉状和身份证" in [t["text"] for t in detail["transcript"]]
    gone = clerk.post(f"/desk/handoff/{handoff_id}/send", json={"text": "?"}, headers=headers)
    assert gone.status_code == 409 and "已转回" in gone.json["message"]
    assert clerk.get(f"/desk/handoff/{handoff_id}/lines.json", headers=JSON).json["status"] == "已转回"


def test_closing_with_an_answer_answers_the_order(desk_app, store, clock, fake_rasa):
    number, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    clerk, headers = staff(desk_app, "clerk")
    clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers)
    clerk.post(f"/desk/handoff/{handoff_id}/close", json={"answer": "已在线说明立案材料"}, headers=headers)
    detail = store.get_order(store.staff.authenticate("clerk", PASSWORD), number)
    assert detail["status"] == "已答复"
    assert [(r["body"], r["delivery"]) for r in detail["replies"]] == [("已在线说明立案材料", "在线已答复")]
    assert "本次人工服务已结束" in fake_rasa.pushes[-1]["text"] and fake_rasa.appended("conv-live", "resume")


def test_another_clerk_cannot_type_into_my_chat(desk_app, store, clock):
    _, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    clerk, headers = staff(desk_app, "clerk")
    clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers)
    admin = store.staff.authenticate("admin", PASSWORD)
    store.staff.create_user(admin, "clerk2", "李四", "接线员", "long-enough-1")
    other, other_headers = staff(desk_app, "clerk2", "long-enough-1")
    refused = other.post(f"/desk/handoff/{handoff_id}/send", json={"text": "hi"}, headers=other_headers)
    assert refused.status_code == 403 and "周敏" in refused.json["message"]


def test_rest_conversations_get_chat_lines_by_sms(desk_app, store, clock, fake_rasa, wired_settings):
    _, handoff_id = open_handoff(desk_app.test_client(), store, clock, "rest-conv", "rest")
    clerk, headers = staff(desk_app, "clerk")
    clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers)
    sent = clerk.post(
        f"/desk/handoff/{handoff_id}/send", json={"text": "我们会电话联系您"}, headers=headers
    ).json
    assert sent["via"] == "sms" and fake_rasa.pushes == []
    assert "我们会电话联系您" in open(wired_settings.sms_outbox, encoding="utf-8").read()


# ------------------------------------------------------------------------------------- the sweeper


def test_nobody_takes_it_in_time_the_citizen_is_told_and_the_bot_resumes(
    desk_app, store, clock, fake_rasa, wiring
):
    number, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    clock.advance(119)
    assert wiring.handoffs.sweep()["timed_out"] == []
    clock.advance(2)
    assert wiring.handoffs.sweep()["timed_out"] == [handoff_id]
    notice = fake_rasa.pushes[-1]["text"]
    due = store.delivery_target(number).first_contact_due_label
    assert number in notice and due in notice and "转回智能助手" in notice
    assert fake_rasa.appended("conv-live", "resume")
    clerk, headers = staff(desk_app, "clerk")
    late = clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers)
    assert late.status_code == 409
    assert wiring.handoffs.sweep()["timed_out"] == []  # once only


def test_a_timeout_for_a_citizen_who_left_goes_by_sms(
    desk_app, store, clock, fake_rasa, wiring, wired_settings
):
    fake_rasa.web_delivered = False
    number, _ = open_handoff(desk_app.test_client(), store, clock)
    clock.advance(121)
    wiring.handoffs.sweep()
    sms = open(wired_settings.sms_outbox, encoding="utf-8").read()
    assert number in sms and "电话联系" in sms


def test_a_failed_resume_is_retried_until_rasa_answers(desk_app, store, clock, fake_rasa, wiring):
    _, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    real_url = wiring.rasa.base_url
    wiring.rasa.base_url = "http://127.0.0.1:9"
    clock.advance(121)
    assert wiring.handoffs.sweep()["timed_out"] == [handoff_id]
    assert not fake_rasa.appended("conv-live", "resume")
    assert wiring.handoffs.sweep()["resumed"] == []
    wiring.rasa.base_url = real_url
    assert wiring.handoffs.sweep()["resumed"] == [handoff_id]
    assert fake_rasa.appended("conv-live", "resume")
    assert wiring.handoffs.sweep()["resumed"] == []


def test_a_chat_whose_clerk_vanished_goes_back_to_the_bot(desk_app, store, clock, fake_rasa, wiring):
    _, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    clerk, headers = staff(desk_app, "clerk")
    clerk.post("/desk/presence", json={}, headers=headers)
    clerk.post(f"/desk/handoff/{handoff_id}/take", headers=headers)
    clock.advance(200)
    clerk.post("/desk/presence", json={}, headers=headers)
    assert wiring.handoffs.sweep()["abandoned"] == []
    clock.advance(301)
    assert wiring.handoffs.sweep()["abandoned"] == [handoff_id]
    assert "工作人员暂时离开" in fake_rasa.pushes[-1]["text"] and fake_rasa.appended("conv-live", "resume")


def test_the_background_sweeper_thread_does_it(desk_app, store, clock, fake_rasa, wiring):
    _, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    clock.advance(121)
    sweeper = Sweeper("handoff", 0.05, wiring.handoffs.sweep).start()
    try:
        deadline = time.monotonic() + 10
        while not fake_rasa.appended("conv-live", "resume") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sweeper.stop()
    assert fake_rasa.appended("conv-live", "resume")


def test_judges_have_no_console(desk_app, store, clock):
    _, handoff_id = open_handoff(desk_app.test_client(), store, clock)
    judge, headers = staff(desk_app, "judge_yi")
    assert judge.post(f"/desk/handoff/{handoff_id}/take", headers=headers).status_code == 403


@pytest.mark.parametrize("path", ["/desk/handoff/999/take", "/desk/handoff/999/release"])
def test_unknown_handoff_is_404(desk_app, path):
    clerk, headers = staff(desk_app, "clerk")
    assert clerk.post(path, json={}, headers=headers).status_code == 404
