"""转人工 with a clerk online: the desk opens a 人工咨询 order from what the bot knows (no name or phone), queues
the conversation, tells the bot the place and the expected wait; the clerk fills in name and phone on the
order page; a request nobody took still leaves the citizen a way to be answered. SQLite and PostgreSQL."""

from __future__ import annotations

import os

from kernel.sms import read_messages
from tests.desk.conftest import API_TOKEN, PASSWORD
from tests.desk.helpers import login, new_order

SERVICE = {"Authorization": f"Bearer {API_TOKEN}"}
JSON = {"Accept": "application/json"}
PHONE = "13912345678"


def open_live(api, conversation_id="conv-live", message_id="m-1", channel="web", **extra):
    body = {
        "conversation_id": conversation_id,
        "channel": channel,
        "summary": extra.pop("summary", "我的执行款什么时候到账，电话13800001111"),
        "message_id": message_id,
        "transcript": [{"sender": "user", "text": "转人工"}],
        **extra,
    }
    return api.post("/api/v1/handoff", headers=SERVICE, json=body)


def staff(desk_app, username: str = "clerk"):
    client = desk_app.test_client()
    token = login(client, username, PASSWORD)
    return client, {"X-CSRF-Token": token, **JSON}, token


def detail(store, number: str) -> dict:
    return store.get_order(store.staff.authenticate("supervisor", PASSWORD), number)


def test_a_handoff_without_an_order_stores_one_first_and_queues_it(desk_app, store):
    api = desk_app.test_client()
    answer = open_live(api)
    assert answer.status_code == 201, answer.json
    number = answer.json["number"]
    assert answer.json["position"] == 1 and 0 < answer.json["expected_wait_seconds"] <= 120
    order = detail(store, number)
    assert (order["kind"], order["channel"], order["status"]) == ("人工咨询", "web", "新建")
    assert order["needs_contact"] and "13800001111" not in order["summary"]  # masked on the way in
    assert "执行款" in order["summary"]
    again = open_live(api)  # the action server's retry after a lost answer
    assert (
        again.status_code == 200 and again.json["number"] == number and again.json["id"] == answer.json["id"]
    )
    assert store.count_orders() == 1
    clerk, _, _ = staff(desk_app)
    waiting = clerk.get("/desk/handoff/state.json", headers=JSON).json["waiting"]
    assert [(h["number"], h["citizen_name"]) for h in waiting] == [(number, "（待补充）")]
    assert "执行款" in waiting[0]["summary"]


def test_place_and_expected_wait_come_from_the_queue_and_recent_handling(desk_app, store, clock):
    api = desk_app.test_client()
    clerk, headers, _ = staff(desk_app)
    clerk.post("/desk/presence", json={}, headers=headers)
    first = open_live(api, "conv-a", "m-a").json
    clock.advance(40)
    clerk.post("/desk/presence", json={}, headers=headers)
    assert clerk.post(f"/desk/handoff/{first['id']}/take", headers=headers).status_code == 200
    second = open_live(api, "conv-b", "m-b").json
    third = open_live(api, "conv-c", "m-c").json
    assert (second["position"], third["position"]) == (1, 2)
    # one clerk, the last request waited 40 s: about 40 s a place
    assert (second["expected_wait_seconds"], third["expected_wait_seconds"]) == (40, 80)
    fourth = open_live(api, "conv-d", "m-d").json
    assert fourth["expected_wait_seconds"] == 120  # never more than the desk waits (HANDOFF_WAIT_SECONDS)


def test_the_answer_for_an_existing_order_has_the_queue_too(desk_app, store):
    api = desk_app.test_client()
    open_live(api, "conv-a", "m-a")
    number = new_order(store, conversation_id="conv-x")["number"]
    answer = api.post(
        "/api/v1/handoff",
        headers=SERVICE,
        json={"number": number, "conversation_id": "conv-x", "channel": "web"},
    )
    assert (
        answer.status_code == 201 and answer.json["position"] == 2 and "expected_wait_seconds" in answer.json
    )


def test_bad_live_requests_get_a_reason(desk_app, store):
    api = desk_app.test_client()
    for bad in ({"channel": "rest"}, {"summary": ""}, {"conversation_id": ""}, {"channel": "fax"}):
        answer = (
            open_live(api, **bad) if "conversation_id" not in bad else open_live(api, bad["conversation_id"])
        )
        assert answer.status_code == 400 and answer.json["message"], bad
    assert api.post("/api/v1/handoff", json={"conversation_id": "c", "channel": "web"}).status_code == 401
    assert store.count_orders() == 0


def test_the_clerk_fills_in_name_and_phone_on_the_order_page(desk_app, store, wiring, wired_settings):
    api = desk_app.test_client()
    number = open_live(api).json["number"]
    # no phone yet: no citizen lookup can reach the order, whatever phone is tried
    for phone in (PHONE, "", "0000"):
        looked = api.post(
            "/api/v1/workorders/lookup", headers=SERVICE, json={"number": number, "phone": phone}
        )
        assert looked.status_code in (400, 404)
    clerk, _, token = staff(desk_app)
    page = clerk.get(f"/desk/orders/{number}").get_data(as_text=True)
    assert "未留电话" in page and 'id="contact-form"' in page and 'id="reveal-phone"' not in page
    refused = clerk.post(
        f"/desk/orders/{number}/contact",
        data={"csrf_token": token, "citizen_name": "陈思远", "callback_phone": "12345"},
        follow_redirects=True,
    )
    assert "请提供正确的11位手机号码" in refused.get_data(as_text=True)  # the page says why
    assert detail(store, number)["needs_contact"]
    saved = clerk.post(
        f"/desk/orders/{number}/contact",
        data={"csrf_token": token, "citizen_name": "陈思远", "callback_phone": PHONE},
    )
    assert saved.status_code == 302
    order = detail(store, number)
    assert (order["citizen_name"], order["phone"], order["needs_contact"]) == ("陈思远", "139****5678", False)
    page = clerk.get(f"/desk/orders/{number}").get_data(as_text=True)
    assert PHONE not in page and "139****5678" in page and 'id="contact-form"' not in page
    looked = api.post("/api/v1/workorders/lookup", headers=SERVICE, json={"number": number, "phone": PHONE})
    assert looked.status_code == 200
    wiring.created_sms.flush()
    [sms] = read_messages(wired_settings.sms_outbox)  # the number and promise, now that there is a phone
    assert sms.phone == PHONE and number in sms.text
    audit = store.audit_log(store.staff.authenticate("supervisor", PASSWORD), number)
    assert any(e["action"] == "补充联系方式" and PHONE not in (e.get("detail") or "") for e in audit)


def test_a_judge_cannot_fill_in_the_contact_of_a_pool_order(desk_app, store):
    number = open_live(desk_app.test_client()).json["number"]
    judge, _, token = staff(desk_app, "judge_yi")
    refused = judge.post(
        f"/desk/orders/{number}/contact",
        data={"csrf_token": token, "citizen_name": "陈思远", "callback_phone": PHONE},
    )
    assert refused.status_code == 403
    assert detail(store, number)["needs_contact"]


def test_nobody_took_it_the_citizen_is_told_in_the_chat_and_can_still_be_answered(
    desk_app, store, clock, fake_rasa, wiring, wired_settings
):
    number = open_live(desk_app.test_client()).json["number"]
    clock.advance(121)
    handoff_ids = wiring.handoffs.sweep()["timed_out"]
    assert len(handoff_ids) == 1
    notice = fake_rasa.pushes[-1]
    assert notice["recipient_id"] == "conv-live" and number in notice["text"]
    assert "电话畅通" not in notice["text"]  # no phone call is promised to a citizen who gave no phone
    assert fake_rasa.appended("conv-live", "resume")
    assert (
        not os.path.exists(wired_settings.sms_outbox)
        or number not in open(wired_settings.sms_outbox, encoding="utf-8").read()
    )  # no SMS to a phone nobody gave
    # the order stays open in the pool: a clerk answers it and the answer reaches the chat
    clerk, _, token = staff(desk_app)
    clerk.post(f"/desk/orders/{number}/claim", data={"csrf_token": token})
    clerk.post(f"/desk/orders/{number}/reply", data={"csrf_token": token, "body": "执行款已于昨日发放"})
    assert (
        fake_rasa.pushes[-1]["recipient_id"] == "conv-live"
        and "执行款已于昨日发放" in fake_rasa.pushes[-1]["text"]
    )
    assert detail(store, number)["status"] == "已答复"


def test_after_a_timeout_the_same_conversation_is_refused_a_second_live_queue(desk_app, store, clock, wiring):
    api = desk_app.test_client()
    open_live(api)
    clock.advance(121)
    wiring.handoffs.sweep()
    again = open_live(api, message_id="m-2")
    assert again.status_code == 409 and again.json["message"]  # the bot falls back to the form
    assert store.count_orders() == 1
    assert open_live(api, "conv-other", "m-3").status_code == 201  # other conversations are not affected
    clock.advance(3601)
    assert open_live(api, message_id="m-4").status_code == 201  # an hour later, live again


def test_a_timed_out_order_with_a_phone_still_goes_by_sms(
    desk_app, store, clock, fake_rasa, wiring, wired_settings
):
    number = open_live(desk_app.test_client()).json["number"]
    clerk, _, token = staff(desk_app)
    clerk.post(
        f"/desk/orders/{number}/contact",
        data={"csrf_token": token, "citizen_name": "陈思远", "callback_phone": PHONE},
    )
    wiring.created_sms.flush()
    before = len(read_messages(wired_settings.sms_outbox))
    fake_rasa.web_delivered = False  # the citizen closed the page
    clock.advance(121)
    wiring.handoffs.sweep()
    sent = read_messages(wired_settings.sms_outbox)
    assert len(sent) == before + 1 and sent[-1].phone == PHONE and number in sent[-1].text
