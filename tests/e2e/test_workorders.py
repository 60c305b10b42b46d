"""Escalation from the chat to a stored work order, through the running assistant and desk."""

from __future__ import annotations

import re

import pytest
import requests

pytestmark = pytest.mark.slow

NUMBER = re.compile(r"[A-Z]{2}\d{8}-\d{4}")


def staff_token(stack, username: str) -> str:
    reply = requests.post(
        stack.urls["desk"] + "/api/v1/staff/login",
        json={"username": username, "password": "demo12368"},
        timeout=10,
    )
    reply.raise_for_status()
    return reply.json()["token"]


def fill_contact_judge(chat, case: str = "（2026）京0105民初8848号") -> str:
    assert "案号" in chat.text("打了好多次电话都找不到承办法官，想让法官给我回个电话")
    assert "姓名" in chat.text(case)
    assert "手机" in chat.text("陈思远")
    confirm = chat.text("13900001001")
    assert "139****1001" in confirm and "13900001001" not in confirm
    assert "确认" in confirm
    return chat.text("确认提交")


def test_contact_judge_becomes_a_work_order_for_the_judge(chat, stack):
    done = fill_contact_judge(chat)
    number = NUMBER.search(done).group(0)
    token = staff_token(stack, "judge_yi")  # 易泽俊 handles this demo case
    queue = requests.get(
        stack.urls["desk"] + "/api/v1/staff/workorders",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    items = queue["items"]
    assert number in {item["number"] for item in items}


def test_the_citizen_can_ask_how_the_order_stands(chat, stack):
    number = NUMBER.search(fill_contact_judge(chat)).group(0)
    status = chat.text(f"我的工单{number}怎么样了 电话13900001001")
    assert number in status


def test_order_without_the_right_phone_shows_nothing(chat, stack):
    number = NUMBER.search(fill_contact_judge(chat)).group(0)
    reply = chat.text(f"{number} 13800000000")
    assert "没有查到" in reply


def test_cancel_before_confirming_stores_nothing(chat, stack):
    chat.text("我要投诉")
    assert "取消" in chat.text("算了不弄了")
    assert not NUMBER.search(chat.text("你好"))


def test_a_message_after_a_staff_reply_is_added_to_the_order_not_filed_again(chat, stack):
    number = NUMBER.search(fill_contact_judge(chat)).group(0)
    headers = {"Authorization": f"Bearer {staff_token(stack, 'judge_yi')}"}
    order_url = f"{stack.urls['desk']}/api/v1/staff/workorders/{number}"
    requests.post(order_url + "/claim", headers=headers, timeout=10).raise_for_status()
    answered = requests.post(
        order_url + "/replies", json={"body": "材料请送到立案庭。"}, headers=headers, timeout=10
    )
    assert answered.status_code == 201
    # a REST conversation has no push, so the reply went by SMS; name the order in the conversation as the desk
    # does after a web or WeChat reply (kernel.contracts.supplement_event)
    requests.post(
        f"{stack.urls['rasa']}/conversations/{chat.sender}/tracker/events",
        params={"token": stack.env["RASA_TOKEN"]},
        json={"event": "slot", "name": "supplement_order", "value": number},
        timeout=10,
    ).raise_for_status()

    told = chat.text("好的，谢谢法官，那我下周一把材料送过去可以吗")
    assert number in told and "登记工单" not in told
    detail = requests.get(order_url, headers=headers, timeout=10).json()
    assert [s["body"] for s in detail["supplements"]] == ["好的，谢谢法官，那我下周一把材料送过去可以吗"]
    # one message only: the next one is a normal turn again (the work-order form asks for the case)
    assert "案号" in chat.text("我还要投诉另一个案子的执行法官")
