"""A closed work order is told to its citizen: in their channel while the conversation is live (an open web
page), otherwise by SMS to the callback phone, with the order number either way (issue 13, item 2)."""

from __future__ import annotations

from kernel.sms import read_messages
from services.desk.service.notify import CLOSED_SMS
from tests.desk.conftest import PASSWORD
from tests.desk.helpers import login, new_order


def staff_api(desk_app, username: str = "clerk"):
    client = desk_app.test_client()
    token = client.post("/api/v1/staff/login", json={"username": username, "password": PASSWORD}).json[
        "token"
    ]
    return client, {"Authorization": f"Bearer {token}"}


def close_by_api(desk_app, number: str, note: str = "重复登记，已合并处理") -> None:
    client, headers = staff_api(desk_app)
    answer = client.post(
        f"/api/v1/staff/workorders/{number}/transition",
        json={"action": "关闭", "note": note},
        headers=headers,
    )
    assert answer.status_code == 200 and answer.json["status"] == "已关闭", answer.json


def flush(desk_app) -> None:
    desk_app.config["DESK_WIRING"].closed_notice.flush()


def sms_texts(settings) -> list[tuple[str, str]]:
    return [(m.phone, m.text) for m in read_messages(settings.sms_outbox)]


def test_a_citizen_on_the_page_hears_of_the_close_in_the_chat(desk_app, store, fake_rasa, wired_settings):
    order = new_order(store, channel="web", conversation_id="web-conv-close", callback_phone="13700001111")
    close_by_api(desk_app, order["number"])
    flush(desk_app)
    [push] = [p for p in fake_rasa.pushes if p["recipient_id"] == "web-conv-close"]
    assert push["channel"] == "webchat" and order["number"] in push["text"] and "已办结" in push["text"]
    assert push["sender_label"] == "诉讼服务中心"
    assert sms_texts(wired_settings) == []  # there already: no SMS as well


def test_a_citizen_who_left_the_page_gets_an_sms_with_the_number(desk_app, store, fake_rasa, wired_settings):
    fake_rasa.web_delivered = False  # nobody has the page open any more
    order = new_order(store, channel="web", conversation_id="web-conv-gone", callback_phone="13700002222")
    close_by_api(desk_app, order["number"])
    flush(desk_app)
    assert sms_texts(wired_settings) == [("13700002222", CLOSED_SMS.format(number=order["number"]))]


def test_a_rest_citizen_gets_the_sms(desk_app, store, wired_settings):
    order = new_order(store, channel="rest", callback_phone="13700003333")
    close_by_api(desk_app, order["number"])
    flush(desk_app)
    [(phone, text)] = sms_texts(wired_settings)
    assert phone == "13700003333" and order["number"] in text


def test_closing_after_the_callback_on_the_desk_page_tells_the_citizen_once(
    desk_app, store, fake_rasa, wired_settings
):
    fake_rasa.web_delivered = False
    order = new_order(store, channel="web", conversation_id="web-conv-page", callback_phone="13700004444")
    number = order["number"]
    client, headers = staff_api(desk_app)
    client.post(f"/api/v1/staff/workorders/{number}/claim", headers=headers)
    reply = client.post(
        f"/api/v1/staff/workorders/{number}/replies", json={"body": "材料已收到。"}, headers=headers
    )
    assert reply.status_code == 201  # the answer itself goes by SMS (the reply sink)
    pages = desk_app.test_client()
    token = login(pages, "clerk", PASSWORD)
    for action in ("回访", "关闭"):
        answer = pages.post(
            f"/desk/orders/{number}/transition",
            data={"csrf_token": token, "action": action, "note": "已电话回访"},
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)
    flush(desk_app)
    texts = [text for _, text in sms_texts(wired_settings)]
    assert len(texts) == 2 and "已有答复" in texts[0] and texts[1] == CLOSED_SMS.format(number=number)


def test_no_notice_for_steps_that_do_not_close(desk_app, store, wired_settings, fake_rasa):
    order = new_order(store, channel="web", conversation_id="web-conv-open", callback_phone="13700005555")
    client, headers = staff_api(desk_app)
    client.post(f"/api/v1/staff/workorders/{order['number']}/claim", headers=headers)
    flush(desk_app)
    assert sms_texts(wired_settings) == [] and not [p for p in fake_rasa.pushes if "已办结" in p["text"]]


def test_the_one_closing_step_tells_the_citizen_once(desk_app, store, fake_rasa, wired_settings):
    """回访并办结 (one POST) closes like the close step on its own: the citizen is told, once."""
    order = new_order(store, channel="web", conversation_id="web-conv-finish", callback_phone="13700006666")
    number = order["number"]
    client, headers = staff_api(desk_app)
    client.post(f"/api/v1/staff/workorders/{number}/claim", headers=headers)
    client.post(f"/api/v1/staff/workorders/{number}/replies", json={"body": "材料已收到。"}, headers=headers)
    done = client.post(
        f"/api/v1/staff/workorders/{number}/finish",
        json={"method": "电话", "outcome": "接通", "score": "5", "close": "1"},
        headers=headers,
    )
    assert done.status_code == 200 and done.json["status"] == "已关闭", done.json
    flush(desk_app)
    closed = [p for p in fake_rasa.pushes if p["recipient_id"] == "web-conv-finish" and "已办结" in p["text"]]
    assert len(closed) == 1 and number in closed[0]["text"]
