"""In production the REST channel, which has no login, is closed unless an integration token is set."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.channels.rest import RestSettings, SafeRestInput
from tests.channels.helpers import serving
from tests.channels.test_rest_validation import FakeBot, post_json

BODY = {"sender": "app-1", "message": "你好"}


async def _call(settings: RestSettings, headers: dict[str, str] | None = None) -> tuple[int, object, FakeBot]:
    Sanic.test_mode = True
    app = Sanic(f"rest_prod_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = SimpleNamespace(tracker_store=InMemoryTrackerStore(Domain.empty()))
    bot = FakeBot()
    app.blueprint(SafeRestInput(settings).blueprint(bot), url_prefix="/webhooks/rest")
    async with serving(app) as url:
        status, body = await post_json(url + "/webhooks/rest/webhook", BODY, headers=headers or {})
    return status, body, bot


@pytest.mark.parametrize(
    ("env", "headers", "status"),
    [
        ({}, {}, 200),  # demo mode: open, for make chat
        ({"COURT_MODE": "production"}, {}, 404),  # production, no integration: closed
        ({"COURT_MODE": "production"}, {"Authorization": "Bearer s3cret"}, 404),
        ({"COURT_MODE": "production", "REST_CHANNEL_TOKEN": "s3cret"}, {}, 401),
        (
            {"COURT_MODE": "production", "REST_CHANNEL_TOKEN": "s3cret"},
            {"Authorization": "Bearer wrong"},
            401,
        ),
        (
            {"COURT_MODE": "production", "REST_CHANNEL_TOKEN": "s3cret"},
            {"Authorization": "Bearer s3cret"},
            200,
        ),
    ],
)
async def test_who_gets_in(env, headers, status) -> None:
    got, body, bot = await _call(RestSettings.from_env(env), headers)
    assert got == status
    assert bool(bot.received) == (status == 200)  # a refused call never reaches the bot
    if status != 200:
        assert isinstance(body, dict) and body["reason"]  # a reason, in Chinese


def test_rasa_builds_the_channel_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("COURT_MODE", "production")
    monkeypatch.delenv("REST_CHANNEL_TOKEN", raising=False)
    assert SafeRestInput.from_credentials(None).settings == RestSettings(production=True, token="")
