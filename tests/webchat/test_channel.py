"""The webchat channel over real socket.io, against a real Sanic server on a loopback port."""

from __future__ import annotations

import aiohttp

from bot.channels.common import NO_REPLY_FALLBACK
from bot.channels.webchat.token import SessionSigner
from kernel.contracts import client_key
from tests.webchat.conftest import MENU, SECRET, new_session


async def test_valid_session_gets_answers_with_buttons(server, clients) -> None:
    client = await clients()
    session = await new_session(server)
    assert await client.join(session) == []
    messages = await client.turn("你好")
    assert messages == [{"from": "bot", "text": "您好，请问需要办理什么业务？", "buttons": MENU}]
    assert await client.turn("/query_case_progress") == [
        {"from": "bot", "text": "请提供您的案号，例如（2024）京03民初123号。", "buttons": []}
    ]
    assert server.bot.received == [
        (session["session_id"], "你好"),
        (session["session_id"], "/query_case_progress"),
    ]


async def test_new_sessions_from_one_address_are_one_client(server, clients) -> None:
    """Rotating sessions (sender ids) does not make a new client: the debtor limits count per address."""
    for _ in range(2):
        client = await clients()
        await client.join(await new_session(server))
        await client.turn("你好")
    senders = {sender for sender, _ in server.bot.received}
    keys = {m["client"] for m in server.bot.metadata}
    assert len(senders) == 2 and keys == {client_key("127.0.0.1")}


async def test_confirm_renews_the_token(server, clients) -> None:
    client = await clients()
    session = await new_session(server)
    await client.sio.emit("session_request", {"session_id": session["session_id"], "token": session["token"]})
    confirm = await client.next("session_confirm")
    assert confirm["session_id"] == session["session_id"]
    assert SessionSigner(SECRET).verify(confirm["session_id"], confirm["token"]) is None


async def test_message_goes_to_the_bound_conversation_not_the_named_one(server, clients) -> None:
    victim_session, attacker_session = await new_session(server), await new_session(server)
    attacker = await clients()
    await attacker.join(attacker_session)
    await attacker.say("偷看", session_id=victim_session["session_id"], sender=victim_session["session_id"])
    await attacker.next("typing")
    assert server.bot.received == [(attacker_session["session_id"], "偷看")]


async def _stolen(server, clients, token_for) -> tuple:
    victim = await clients()
    victim_session = await new_session(server)
    await victim.join(victim_session)
    await victim.turn("我的案号是（2024）京03民初123号")
    thief = await clients()
    other = await new_session(server)
    token = {"none": None, "other": other["token"], "garbage": "v1.9999999999." + "0" * 64}[token_for]
    await thief.sio.emit("session_request", {"session_id": victim_session["session_id"], "token": token})
    return victim, victim_session, thief


async def _assert_thief_gets_nothing(server, victim, victim_session, thief, code: str) -> None:
    error = await thief.next("session_error")
    assert error["code"] == code and "新的对话" in error["message"]
    ack = await thief.say("把对话记录发给我")
    assert ack == {"ok": False, "error": "no_session"}
    assert (await thief.next("session_error"))["code"] == "no_session"
    # the victim's conversation goes on; neither side sees the other
    assert await victim.turn("还在吗") == [{"from": "bot", "text": "您说的是：还在吗", "buttons": []}]
    assert thief.pending("history") == [] and thief.pending("bot_uttered") == []
    assert thief.pending("session_confirm") == [] and thief.pending("typing") == []
    assert [text for sid, text in server.bot.received] == ["我的案号是（2024）京03民初123号", "还在吗"]
    assert {sid for sid, _ in server.bot.received} == {victim_session["session_id"]}


async def test_stolen_session_id_without_token_gets_nothing(server, clients) -> None:
    victim, victim_session, thief = await _stolen(server, clients, "none")
    await _assert_thief_gets_nothing(server, victim, victim_session, thief, "missing")


async def test_stolen_session_id_with_another_ids_token_gets_nothing(server, clients) -> None:
    victim, victim_session, thief = await _stolen(server, clients, "other")
    await _assert_thief_gets_nothing(server, victim, victim_session, thief, "forged")


async def test_stolen_session_id_with_made_up_token_gets_nothing(server, clients) -> None:
    victim, victim_session, thief = await _stolen(server, clients, "garbage")
    await _assert_thief_gets_nothing(server, victim, victim_session, thief, "forged")


async def test_expired_token_is_refused(server, clients) -> None:
    old = SessionSigner(SECRET, ttl_seconds=1, clock=lambda: 1_000_000.0).issue()
    client = await clients()
    await client.sio.emit("session_request", old.as_dict())
    assert (await client.next("session_error"))["code"] == "expired"
    assert client.pending("history") == []


async def test_message_before_session_is_refused(server, clients) -> None:
    client = await clients()
    assert await client.say("你好") == {"ok": False, "error": "no_session"}
    assert server.bot.received == []


async def test_history_on_resume(server, clients) -> None:
    session = await new_session(server)
    first = await clients()
    await first.join(session)
    await first.turn("你好")
    await first.turn("/contact_judge")
    await first.sio.disconnect()
    again = await clients()
    history = await again.join(session)
    assert history == [
        {"from": "user", "text": "你好", "buttons": []},
        {"from": "bot", "text": "您好，请问需要办理什么业务？", "buttons": MENU},
        {"from": "user", "text": "联系法官", "buttons": []},
        {"from": "bot", "text": "请问您要联系哪个案件的承办法官？", "buttons": []},
    ]


async def test_no_reply_gets_the_polite_fallback(server, clients) -> None:
    client = await clients()
    await client.join(await new_session(server))
    fallback = [{"from": "bot", "text": NO_REPLY_FALLBACK, "buttons": []}]
    assert await client.turn("沉默") == fallback
    assert await client.turn("出错") == fallback
    assert "12368" in NO_REPLY_FALLBACK


async def test_paused_conversation_gets_no_fallback(server, clients) -> None:
    client = await clients()
    await client.join(await new_session(server))
    assert await client.turn("转人工") == []
    assert await client.turn("你好") == []  # staff answer, not the bot


async def test_too_long_message_is_refused_politely(server, clients) -> None:
    client = await clients()
    await client.join(await new_session(server))
    assert await client.say("长" * 1001) == {"ok": False, "error": "too_long"}
    assert "太长" in (await client.next("bot_uttered"))["text"]
    assert server.bot.received == []


async def test_resent_message_makes_one_turn(server, clients) -> None:
    client = await clients()
    await client.join(await new_session(server))
    assert await client.say("你好", id="m-1") == {"ok": True}
    assert await client.say("你好", id="m-1") == {"ok": True, "duplicate": True}
    await client.next("typing")
    await client.next("typing")
    assert len(server.bot.received) == 1


async def test_two_tabs_of_one_conversation_both_see_the_answer(server, clients) -> None:
    session = await new_session(server)
    tab1, tab2 = await clients(), await clients()
    await tab1.join(session)
    await tab2.join(session)
    await tab1.turn("你好")
    assert (await tab2.next("bot_uttered"))["buttons"] == MENU


async def test_page_and_static_files(server) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.page) as resp:
            assert resp.status == 200
            csp = resp.headers["Content-Security-Policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            html = await resp.text()
            assert 'lang="zh-CN"' in html and "<script>" not in html
        async with http.get(server.url + "/webhooks/webchat", allow_redirects=False) as resp:
            assert resp.status == 301 and resp.headers["Location"] == "/webhooks/webchat/"
        for name in ("app.js", "style.css", "vendor/socket.io.min.js"):
            async with http.get(server.page + "static/" + name) as resp:
                assert resp.status == 200, name
        for name in ("../webchat.py", "index.html", "vendor/socket.io-client.LICENSE"):
            async with http.get(server.page + "static/" + name) as resp:
                assert resp.status == 404, name
