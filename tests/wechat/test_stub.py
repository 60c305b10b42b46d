"""The stand-in answers like api.weixin.qq.com: same paths, parameters, errcodes."""

from __future__ import annotations

import pytest
import requests

from tests.wechat.conftest import APP_ID, APP_SECRET

OPENID = "oCitizen0000000000000000004"


def _token(stub, **params) -> dict:
    query = {"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET, **params}
    return requests.get(f"{stub.url}/cgi-bin/token", params=query, timeout=5).json()


def _send(stub, token: str | None, body: dict | bytes) -> dict:
    params = {"access_token": token} if token is not None else {}
    kwargs = {"data": body} if isinstance(body, bytes) else {"json": body}
    return requests.post(f"{stub.url}/cgi-bin/message/custom/send", params=params, timeout=5, **kwargs).json()


def _text(content: str = "您好", touser: str = OPENID) -> dict:
    return {"touser": touser, "msgtype": "text", "text": {"content": content}}


def _open_window(stub, kind: str = "message", grant_id: str = "1") -> None:
    body = {"openid": OPENID, "kind": kind, "grant_id": grant_id}
    assert requests.post(f"{stub.url}/stub/interactions", json=body, timeout=5).status_code == 200


@pytest.mark.parametrize(
    "params, errcode",
    [
        ({"appid": "wx_wrong"}, 40013),
        ({"secret": "wrong"}, 40125),
        ({"grant_type": "password"}, 40002),
    ],
)
def test_token_errors(stub, params, errcode):
    assert _token(stub, **params)["errcode"] == errcode
    assert stub.store.token_requests == 0


def test_token_lasts_7200_seconds(stub):
    answer = _token(stub)
    assert answer["expires_in"] == 7200 and len(answer["access_token"]) > 20


def test_expired_and_unknown_tokens(stub, clock):
    token = _token(stub)["access_token"]
    _open_window(stub)
    assert _send(stub, None, _text())["errcode"] == 41001
    assert _send(stub, "forged", _text())["errcode"] == 40001
    assert _send(stub, token, _text())["errcode"] == 0
    clock.advance(7200)
    assert _send(stub, token, _text())["errcode"] == 42001


def test_previous_token_works_five_more_minutes(stub, clock):
    old = _token(stub)["access_token"]
    new = _token(stub)["access_token"]
    _open_window(stub)
    assert _send(stub, old, _text())["errcode"] == 0
    clock.advance(301)
    assert _send(stub, old, _text())["errcode"] == 42001
    assert _send(stub, new, _text())["errcode"] == 0


@pytest.mark.parametrize(
    "body, errcode",
    [
        (b"", 44002),
        (b"{not json", 47001),
        ({"touser": "", "msgtype": "text", "text": {"content": "x"}}, 40003),
        ({"touser": OPENID, "msgtype": "news", "news": {}}, 40008),
        (_text("长" * 683), 45002),  # 2049 bytes of UTF-8
    ],
)
def test_malformed_messages(stub, body, errcode):
    token = _token(stub)["access_token"]
    _open_window(stub)
    assert _send(stub, token, body)["errcode"] == errcode
    assert stub.store.delivered() == []


def test_2048_bytes_is_still_allowed(stub):
    token = _token(stub)["access_token"]
    _open_window(stub)
    assert _send(stub, token, _text("长" * 682 + "ab"))["errcode"] == 0


def test_window_rules(stub, clock):
    token = _token(stub)["access_token"]
    assert _send(stub, token, _text())["errcode"] == 45015  # the user never wrote
    _open_window(stub, "message", "m1")
    assert [_send(stub, token, _text())["errcode"] for _ in range(6)] == [0] * 5 + [45047]
    _open_window(stub, "message", "m2")  # a new message: a new quota
    assert _send(stub, token, _text())["errcode"] == 0
    clock.advance(48 * 3600 + 1)
    assert _send(stub, _token(stub)["access_token"], _text())["errcode"] == 45015


def test_menu_click_window_is_three_messages_in_a_minute(stub, clock):
    token = _token(stub)["access_token"]
    _open_window(stub, "click", "1000")
    assert [_send(stub, token, _text())["errcode"] for _ in range(4)] == [0, 0, 0, 45047]
    _open_window(stub, "click", "1001")
    clock.advance(61)
    assert _send(stub, token, _text())["errcode"] == 45015


def test_read_endpoint_lists_delivered_messages(stub):
    token = _token(stub)["access_token"]
    _open_window(stub)
    _send(stub, token, _text("第一条"))
    _send(stub, token, _text("第二条"))
    listed = requests.get(
        f"{stub.url}/stub/messages", params={"touser": OPENID, "after": 1}, timeout=5
    ).json()
    assert [m["content"] for m in listed["messages"]] == ["第二条"]
    assert requests.get(f"{stub.url}/stub/messages", params={"after": "x"}, timeout=5).status_code == 400


def test_interaction_needs_a_known_kind(stub):
    answer = requests.post(f"{stub.url}/stub/interactions", json={"openid": OPENID, "kind": "x"}, timeout=5)
    assert answer.status_code == 400 and "kind" in answer.json()["error"]
