"""群众补充: what the citizen writes after a staff reply reaches the order (SQLite and PostgreSQL).

The action server adds it by order number and conversation; the desk keeps it masked, shows it on the order
page, in the history and as 有新补充 in the queue until the handler opens the order, and refuses another
conversation's order and a closed one with reasons the bot can act on. The reply itself leaves the order's
number in the conversation, so the bot knows where the next message goes.
"""

from __future__ import annotations

from services.desk.db.models import Supplement, WorkOrder
from services.desk.domain import lifecycle as lc
from tests.desk.conftest import API_TOKEN, PASSWORD
from tests.desk.helpers import login, new_order
from tests.desk.test_delivery import answer

SERVICE = {"Authorization": f"Bearer {API_TOKEN}"}
CONV = "web-conv-sup"


def supplement(client, number, text="好的，谢谢法官，那我下周一把材料送过去可以吗", **overrides):
    body = {"conversation_id": CONV, "message_id": "m-9", "text": text, "channel": "web", **overrides}
    return client.post(f"/api/v1/workorders/{number}/supplements", json=body, headers=SERVICE)


def stored(store, number):
    """The bodies stored for the order, read straight from the table."""
    with store.sessions() as session:
        order = session.query(WorkOrder).filter_by(number=number).one()
        return [s.body for s in session.query(Supplement).filter_by(work_order_id=order.id)]


def test_a_supplement_is_stored_masked_and_shown_to_the_handler(desk_app, store):
    order = new_order(store, channel="web", conversation_id=CONV)
    client = desk_app.test_client()
    answered = supplement(client, order["number"], text="材料下周一送到，有事打我电话13912345678")
    assert answered.status_code == 201 and answered.json["number"] == order["number"]
    assert stored(store, order["number"]) and "13912345678" not in stored(store, order["number"])[0]
    assert "139****5678" in stored(store, order["number"])[0]

    pages = desk_app.test_client()
    login(pages, "clerk", PASSWORD)
    queue = pages.get("/desk/").get_data(as_text=True)
    assert "有新补充" in queue
    html = pages.get(f"/desk/orders/{order['number']}").get_data(as_text=True)
    assert "材料下周一送到" in html and "13912345678" not in html
    assert html.count("群众补充") >= 2  # its own card, and the history's entry
    # the clerk (the pool's handler) has opened it: the queue no longer marks it
    assert "有新补充" not in pages.get("/desk/").get_data(as_text=True)


def test_it_is_an_event_in_the_order_history_for_staff(store, actors):
    order = new_order(store, channel="web", conversation_id=CONV)
    store.add_supplement(order["number"], CONV, "m-1", "补充一下：对方已经还了一部分钱")
    view = store.get_order(actors["supervisor"], order["number"])
    entries = [h for h in view["history"] if h["action"] == "群众补充"]
    assert [h["note"] for h in entries] == ["补充一下：对方已经还了一部分钱"]
    assert view["supplements"][0]["body"] == "补充一下：对方已经还了一部分钱"
    # the supervisor is not this pool order's handler: the marker stays for the clerks
    assert store.get_order(actors["supervisor"], order["number"])["citizen_update_unread"] is True
    assert store.get_order(actors["clerk"], order["number"])["citizen_update_unread"] is True
    assert store.get_order(actors["clerk"], order["number"])["citizen_update_unread"] is False


def test_the_same_message_again_is_stored_once(desk_app, store):
    order = new_order(store, channel="web", conversation_id=CONV)
    client = desk_app.test_client()
    assert supplement(client, order["number"]).status_code == 201
    again = supplement(client, order["number"])
    assert again.status_code == 200 and again.json["created"] is False
    assert len(stored(store, order["number"])) == 1
    assert supplement(client, order["number"], message_id="m-10").status_code == 201
    assert len(stored(store, order["number"])) == 2


def test_an_answered_order_takes_a_supplement(desk_app, store, fake_rasa):
    order = new_order(store, channel="web", conversation_id=CONV)
    answer(desk_app, store, order["number"])
    response = supplement(desk_app.test_client(), order["number"])
    assert response.status_code == 201 and response.json["status"] == lc.ANSWERED


def test_another_conversations_order_is_refused(desk_app, store):
    order = new_order(store, channel="web", conversation_id="someone-else")
    response = supplement(desk_app.test_client(), order["number"])
    assert response.status_code == 403 and response.json["error"] == "other_conversation"
    assert response.json["message"] and stored(store, order["number"]) == []


def test_an_unknown_order_is_404(desk_app):
    response = supplement(desk_app.test_client(), "GD20990101-0001")
    assert response.status_code == 404 and response.json["message"]


def test_a_closed_order_is_refused_with_a_reason(desk_app, store, actors):
    order = new_order(store, channel="web", conversation_id=CONV)
    number = order["number"]
    store.claim(actors["clerk"], number)
    store.add_reply(actors["clerk"], number, "已答复")
    store.transition(actors["supervisor"], number, lc.CLOSE, "办结")
    response = supplement(desk_app.test_client(), number)
    assert response.status_code == 409 and response.json["error"] == "closed"
    assert "新的问题" in response.json["message"] or "重新咨询" in response.json["message"]
    assert stored(store, number) == []


def test_bad_input_and_no_token_are_refused(desk_app, store):
    order = new_order(store, channel="web", conversation_id=CONV)
    client = desk_app.test_client()
    empty = supplement(client, order["number"], text="  ")
    assert empty.status_code == 400 and empty.json["field"] == "text"
    long = supplement(client, order["number"], text="字" * 1001)
    assert long.status_code == 400
    no_token = client.post(
        f"/api/v1/workorders/{order['number']}/supplements",
        json={"conversation_id": CONV, "message_id": "m", "text": "x"},
    )
    assert no_token.status_code == 401
    assert stored(store, order["number"]) == []


def test_a_reply_names_the_order_in_the_conversation(desk_app, store, fake_rasa):
    order = new_order(store, channel="web", conversation_id=CONV)
    answer(desk_app, store, order["number"])
    slots = fake_rasa.appended(CONV, "slot")
    assert slots == [
        {"event": "slot", "name": "supplement_order", "value": order["number"], "timestamp": 2.0}
    ]


def test_a_wechat_reply_is_also_kept_in_the_conversation_before_the_slot(desk_app, store, fake_rasa):
    fake_rasa.wechat_status = 200
    order = new_order(store, channel="wechat", conversation_id="oOPENID123")
    answer(desk_app, store, order["number"])
    kinds = [e["event"] for e in fake_rasa.events["oOPENID123"]]
    assert kinds == ["bot", "slot"]
    assert order["number"] in fake_rasa.events["oOPENID123"][0]["text"]


def test_a_rest_order_gets_no_slot(desk_app, store, fake_rasa):
    order = new_order(store, channel="rest", conversation_id="rest-conv")
    answer(desk_app, store, order["number"])
    assert fake_rasa.appended("rest-conv", "slot") == []
