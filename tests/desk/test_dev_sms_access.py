"""/dev/sms shows one-time codes, so it exists only in demo mode and only for a logged-in administrator."""

from __future__ import annotations

import dataclasses

import pytest

from kernel.kv import MemoryKV
from kernel.sms import OutboxGateway
from services.desk.app import create_app
from services.desk.service.wiring import Wiring
from services.desk.settings import DeskSettings
from tests.desk.conftest import PASSWORD
from tests.desk.helpers import login

CODE = "482913"


def _app(settings, store, **changes):
    """The desk with changed settings; its wiring (SMS into the test outbox) built from the test settings."""
    wiring = Wiring.from_settings(settings, store, kv=MemoryKV())
    return create_app(dataclasses.replace(settings, **changes), store, wiring=wiring)


@pytest.fixture
def outbox(settings) -> None:
    OutboxGateway(settings.sms_outbox).send("13912345678", f"您的验证码是 {CODE}")


def test_without_a_login_the_page_sends_to_the_login_form(app, outbox) -> None:
    answer = app.test_client().get("/dev/sms")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/desk/login")
    assert CODE not in answer.get_data(as_text=True)


def test_scripts_without_a_login_get_401(app, outbox) -> None:
    answer = app.test_client().get("/dev/sms", headers={"Accept": "application/json"})
    assert answer.status_code == 401 and CODE not in answer.get_data(as_text=True)


@pytest.mark.parametrize("username", ["clerk", "judge_yi", "judge_zou", "supervisor"])
def test_staff_other_than_administrators_get_403(app, outbox, username) -> None:
    client = app.test_client()
    login(client, username, PASSWORD)
    answer = client.get("/dev/sms")
    assert answer.status_code == 403 and CODE not in answer.get_data(as_text=True)
    assert "管理员" in answer.get_data(as_text=True)


def test_an_administrator_sees_the_codes_with_masked_phones(app, outbox) -> None:
    client = app.test_client()
    login(client, "admin", PASSWORD)
    answer = client.get("/dev/sms")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and CODE in html and "139****5678" in html and "13912345678" not in html
    assert answer.headers["Cache-Control"] == "no-store" and answer.headers["X-Frame-Options"] == "DENY"
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "<script>" not in html


def test_in_production_mode_the_page_does_not_exist(settings, store, outbox) -> None:
    app = _app(settings, store, demo=False)
    assert "dev.sms_outbox" not in app.view_functions
    client = app.test_client()
    assert client.get("/dev/sms").status_code == 404
    login(client, "admin", PASSWORD)
    answer = client.get("/dev/sms")
    assert answer.status_code == 404 and CODE not in answer.get_data(as_text=True)


def test_with_a_real_gateway_the_page_does_not_exist_even_for_an_administrator(
    settings, store, outbox
) -> None:
    client = _app(settings, store, sms_backend="http").test_client()
    assert client.get("/dev/sms").status_code == 404
    login(client, "admin", PASSWORD)
    assert client.get("/dev/sms").status_code == 404


@pytest.mark.parametrize(
    ("mode", "demo"),
    [(None, True), ("", True), ("demo", True), ("production", False), (" Production ", False)],
)
def test_demo_mode_follows_court_mode(mode, demo) -> None:
    env = {} if mode is None else {"COURT_MODE": mode}
    assert DeskSettings.from_env(env).demo is demo
