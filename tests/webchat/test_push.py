"""Staff messages pushed by the desk during a live handoff."""

from __future__ import annotations

import aiohttp

from tests.webchat.conftest import PUSH_TOKEN, new_session

AUTH = {"Authorization": f"Bearer {PUSH_TOKEN}"}


async def push(server, body, headers=AUTH, raw: bytes | None = None) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http:
        kwargs = {"data": raw} if raw is not None else {"json": body}
        async with http.post(server.url + "/webhooks/webchat/push", headers=headers, **kwargs) as resp:
            return resp.status, await resp.json()


async def test_push_reaches_the_connected_page_and_stays_in_history(server, clients) -> None:
    session = await new_session(server)
    client = await clients()
    await client.join(session)
    await client.turn("转人工")
    body = {
        "recipient_id": session["session_id"],
        "text": "您好，我是立案庭工作人员。",
        "buttons": [{"title": "好的", "payload": "好的"}],
    }
    assert await push(server, body) == (200, {"delivered": True, "recorded": True})
    staff = {
        "from": "staff",
        "text": "您好，我是立案庭工作人员。",
        "buttons": [{"title": "好的", "payload": "好的"}],
        "label": "诉讼服务工作人员",
    }
    assert client.untimed([await client.next("bot_uttered")]) == [staff]
    await client.sio.disconnect()
    again = await clients()
    assert (await again.join(session))[-1] == staff


async def test_push_with_a_sender_label(server, clients) -> None:
    session = await new_session(server)
    client = await clients()
    await client.join(session)
    await client.turn("你好")
    body = {"recipient_id": session["session_id"], "text": "请稍候", "sender_label": "王法官助理"}
    assert (await push(server, body))[1]["delivered"] is True
    assert (await client.next("bot_uttered"))["label"] == "王法官助理"


async def test_push_without_a_connected_page_is_not_delivered(server, clients) -> None:
    session = await new_session(server)
    client = await clients()
    await client.join(session)
    await client.turn("你好")
    await client.sio.disconnect()
    status, body = await push(server, {"recipient_id": session["session_id"], "text": "还在吗？"})
    assert (status, body) == (200, {"delivered": False, "recorded": True})


async def test_push_to_a_page_that_never_acknowledges_is_not_delivered(server, clients) -> None:
    session = await new_session(server)
    client = await clients()
    await client.join(session)
    client.frozen = True
    status, body = await push(server, {"recipient_id": session["session_id"], "text": "还在吗？"})
    assert (status, body["delivered"]) == (200, False)


async def test_push_to_an_unknown_conversation(server) -> None:
    status, body = await push(server, {"recipient_id": "0" * 32, "text": "您好"})
    assert (status, body) == (200, {"delivered": False, "recorded": False})


async def test_push_needs_the_bearer_token(server) -> None:
    body = {"recipient_id": "0" * 32, "text": "您好"}
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": PUSH_TOKEN},
        {"Authorization": f"Basic {PUSH_TOKEN}"},
    ):
        status, answer = await push(server, body, headers=headers)
        assert status == 401 and answer["reason"], headers


async def test_push_bad_requests_get_a_reason(server) -> None:
    cases = [
        (None, b"{not json", "JSON"),
        (None, b"[1, 2]", "JSON 对象"),
        ({"text": "您好"}, None, "recipient_id"),
        ({"recipient_id": "a", "text": "  "}, None, "text"),
        ({"recipient_id": "a", "text": "x" * 4001}, None, "text"),
        ({"recipient_id": "a", "text": "您好", "buttons": "是"}, None, "buttons"),
        ({"recipient_id": "a", "text": "您好", "buttons": [{"payload": "/x"}]}, None, "buttons"),
        ({"recipient_id": "a", "text": "您好", "sender_label": 7}, None, "sender_label"),
    ]
    for body, raw, word in cases:
        headers = {**AUTH, "Content-Type": "application/json"}
        status, answer = await push(server, body, headers=headers, raw=raw)
        assert status == 400 and word in answer["reason"], (body, raw, answer)
