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
