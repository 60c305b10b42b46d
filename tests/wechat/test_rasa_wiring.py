"""Rasa itself loads the channel from the documented credentials.yml block and routes WeChat to it."""

from __future__ import annotations

from pathlib import Path

import pytest
import rasa.core.run
import requests
from rasa.shared.exceptions import RasaException

from bot.channels.wechat import WeChatInput
from services.wechat_stub import WeChatServer
from tests.wechat.conftest import AES_KEY, APP_ID, APP_SECRET, TOKEN, BotServer, FakeBot

CREDENTIALS = """\
bot.channels.wechat.WeChatInput:
  token: ${WECHAT_TOKEN}
  app_id: ${WECHAT_APP_ID}
  app_secret: ${WECHAT_APP_SECRET}
  encoding_aes_key: ${WECHAT_ENCODING_AES_KEY}
"""


class FakeAgent:
    """What Rasa's registered handler calls: `app.ctx.agent.handle_message(message)`."""

    def __init__(self, bot: FakeBot) -> None:
        self.bot = bot

    async def handle_message(self, message) -> None:
        await self.bot(message)


@pytest.fixture
def credentials(tmp_path: Path, monkeypatch, stub) -> str:
    for name, value in {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_ENCODING_AES_KEY": AES_KEY,
        "WECHAT_API_BASE": stub.url,
        "WECHAT_QUEUE_DB": str(tmp_path / "wechat_turns.db"),
    }.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "credentials.yml"
    path.write_text(CREDENTIALS, encoding="utf-8")
    return str(path)


def test_rasa_serves_the_channel_at_webhooks_wechat_webhook(credentials, stub):
    [channel] = rasa.core.run.create_http_input_channels(None, credentials)
    assert isinstance(channel, WeChatInput) and channel.settings.api_base == stub.url
    app = rasa.core.run.configure_app([channel], enable_api=False)
    bot = FakeBot()
    app.ctx.agent = FakeAgent(bot)
    server = BotServer(app, channel)
    try:
        assert server.url.endswith("/webhooks/wechat/webhook")
        wechat = WeChatServer(server.url, TOKEN, APP_ID, AES_KEY, mode="safe", stub_url=stub.url)
        assert wechat.text("oRasaWiring0000000000000001", "你好").text == "收到：你好"
        assert bot.senders == ["oRasaWiring0000000000000001"]
    finally:
        server.close()


def test_rasa_serves_the_desk_push_endpoint(credentials, stub, monkeypatch):
    monkeypatch.setenv("CHANNEL_PUSH_TOKEN", "desk-token")
    [channel] = rasa.core.run.create_http_input_channels(None, credentials)
    app = rasa.core.run.configure_app([channel], enable_api=False)
    app.ctx.agent = FakeAgent(FakeBot())
    server = BotServer(app, channel)
    openid = "oRasaWiring0000000000000002"
    try:
        WeChatServer(server.url, TOKEN, APP_ID, AES_KEY, mode="safe", stub_url=stub.url).text(openid, "你好")
        push_url = server.url.replace("/webhooks/wechat/webhook", "/webhooks/wechat/push")
        payload = {"recipient_id": openid, "text": "材料已收到。"}
        answer = requests.post(
            push_url, json=payload, headers={"Authorization": "Bearer desk-token"}, timeout=10
        )
        assert answer.json() == {"delivered": True, "via": "customer_service", "parts": 1}
        assert [m["content"] for m in stub.store.delivered(openid)] == ["【诉讼服务工作人员】材料已收到。"]
    finally:
        server.close()


def test_missing_token_stops_rasa_with_a_clear_message(credentials, monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN", "")
    with pytest.raises(RasaException, match="WECHAT_TOKEN"):
        rasa.core.run.create_http_input_channels(None, credentials)
