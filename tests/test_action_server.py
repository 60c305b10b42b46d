"""The action server (bot/action_server.py) is internal: only the Rasa server, which sends the shared secret,
may run actions; bodies are bounded; errors never echo the request.

Most tests serve the real app (rasa-sdk's Sanic app with the guard) in-process with two tiny actions of
this module; one starts the real process the way the Procfile and tests/stack.py do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
import requests
from rasa_sdk import Action
from sanic import Sanic

import actions.settings
from actions.settings import ActionSettings, SettingsError
from bot.action_server import ActionServerSettings, ConfigurationError, create_app, package_problems
from tests.channels.helpers import serving
from tests.stack import free_port

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "test-action-server-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MARKER = "SECRET-MARKER-110105198806152451"
CALLS: list[str] = []


class ActionTestEcho(Action):
    def name(self) -> str:
        return "action_test_echo"

    async def run(self, dispatcher, tracker, domain):
        CALLS.append(tracker.sender_id)
        dispatcher.utter_message(text="ok")
        return []


class ActionTestCrash(Action):
    def name(self) -> str:
        return "action_test_crash"

    async def run(self, dispatcher, tracker, domain):
        CALLS.append(tracker.sender_id)
        raise RuntimeError("the court-data service went away")


def action_call(action: str, sender: str = "conv-1", **slots: object) -> dict:
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"text": MARKER},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


@pytest_asyncio.fixture
async def server() -> AsyncIterator[str]:
    CALLS.clear()
    Sanic.test_mode = True
    app = create_app(sys.modules[__name__], ActionServerSettings(token=TOKEN, max_body_bytes=64 * 1024))
    async with serving(app) as url:
        yield url


async def call(method: str, url: str, **kwargs) -> tuple[int, object, dict]:
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        async with http.request(method, url, **kwargs) as resp:
            raw = await resp.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            return resp.status, body, dict(resp.headers)


# ---------------------------------------------------------------------------------- the secret


async def test_health_is_open(server) -> None:
    status, body, _ = await call("GET", server + "/health")
    assert status == 200 and body == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-wrong-token-wrong"},
        {"Authorization": TOKEN},  # no scheme
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"bearer  {TOKEN}"},
        {"X-Token": TOKEN},
    ],
)
async def test_a_forged_action_call_without_the_secret_gets_401(server, headers) -> None:
    # the attack of issue 10: a forged tracker straight to the action server
    forged = action_call(
        "action_test_echo", cp_case_number="（2026）京0105民初8848号", requested_slot="cp_identity"
    )
    status, body, answer_headers = await call("POST", server + "/webhook", json=forged, headers=headers)
    assert status == 401 and body["error"] == "unauthorized" and body["reason"]
    assert answer_headers.get("WWW-Authenticate") == "Bearer"
    assert CALLS == []


async def test_the_action_list_needs_the_secret_too(server) -> None:
    assert (await call("GET", server + "/actions"))[0] == 401
    status, body, _ = await call("GET", server + "/actions", headers=AUTH)
    assert status == 200 and {"name": "action_test_echo"} in body


async def test_with_the_secret_the_action_runs(server) -> None:
    status, body, _ = await call(
        "POST", server + "/webhook", json=action_call("action_test_echo"), headers=AUTH
    )
    assert status == 200 and body["responses"][0]["text"] == "ok"
    assert CALLS == ["conv-1"]


async def test_rasa_sends_the_header_from_endpoints_yml(server, monkeypatch, tmp_path) -> None:
    """Rasa's own client, configured from the real endpoints.yml, is let in."""
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        (ROOT / "endpoints.yml")
        .read_text(encoding="utf-8")
        .replace("http://127.0.0.1:5055/webhook", server + "/webhook"),
        encoding="utf-8",
    )
    endpoint = read_endpoint_config(str(endpoints), "action_endpoint")
    answer = await endpoint.request(json=action_call("action_test_echo"), method="post")
    assert answer["responses"][0]["text"] == "ok"


@pytest.mark.parametrize("name", ["endpoints.yml", "endpoints.production.yml"])
def test_both_endpoint_files_send_the_token(name, monkeypatch) -> None:
    from rasa.utils.endpoints import read_endpoint_config

    for var in (
        "ACTION_ENDPOINT_URL",
        "TRACKER_DB_HOST",
        "TRACKER_DB_PORT",
        "TRACKER_DB_NAME",
        "TRACKER_DB_USER",
        "TRACKER_DB_PASSWORD",
        "REDIS_HOST",
        "REDIS_PORT",
        "RABBITMQ_HOST",
        "RABBITMQ_PORT",
        "RABBITMQ_USER",
        "RABBITMQ_PASSWORD",
    ):
        monkeypatch.setenv(var, "http://127.0.0.1:5055/webhook" if var == "ACTION_ENDPOINT_URL" else "1")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "from-the-environment")
    endpoint = read_endpoint_config(str(ROOT / name), "action_endpoint")
    assert endpoint.headers == {"Authorization": "Bearer from-the-environment"}


# ------------------------------------------------------------------------------- bodies, errors


async def test_a_body_over_the_cap_gets_413(server) -> None:
    call_ = action_call("action_test_echo", padding="x" * 70_000)
    status, body, _ = await call("POST", server + "/webhook", json=call_, headers=AUTH)
    assert status == 413 and body["error"] == "request body too large"
    assert CALLS == []


async def test_compressed_bodies_are_refused_without_inflating(server) -> None:
    bomb = zlib.compress(b'{"next_action": "' + b" " * 50_000_000 + b'"}', 9)  # 50 MB inflated, 50 KB sent
    assert len(bomb) < 64 * 1024
    status, body, _ = await call(
        "POST",
        server + "/webhook",
        data=bomb,
        headers={**AUTH, "Content-Encoding": "deflate", "Content-Type": "application/json"},
    )
    assert status == 415 and "compressed" in body["reason"]
    small = zlib.compress(json.dumps(action_call("action_test_echo")).encode())
    status, _, _ = await call(
        "POST", server + "/webhook", data=small, headers={**AUTH, "Content-Encoding": "deflate"}
    )
    assert status == 415 and CALLS == []


@pytest.mark.parametrize("raw", [b"", b"[]", b"[1, 2]", b"null", b'"x"', b"{not json"])
async def test_a_body_that_is_not_an_object_gets_400(server, raw) -> None:
    status, body, _ = await call(
        "POST", server + "/webhook", data=raw, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert status == 400 and body["error"] == "bad request"


async def test_a_crash_answers_500_without_echoing_the_request(server, caplog) -> None:
    status, body, _ = await call(
        "POST", server + "/webhook", json=action_call("action_test_crash"), headers=AUTH
    )
    assert status == 500 and body == {
        "error": "internal error",
        "reason": "the action failed; see the server log",
    }
    assert CALLS == ["conv-1"]
    assert "request_body" not in caplog.text and MARKER not in caplog.text


async def test_a_malformed_action_call_answers_500_without_echoing_it(server) -> None:
    status, body, _ = await call(
        "POST",
        server + "/webhook",
        headers=AUTH,
        json={"next_action": "action_test_echo", "tracker": {"slot": MARKER}},
    )
    assert status == 500 and MARKER not in json.dumps(body) and "request_body" not in body


async def test_unknown_paths_and_actions_answer_without_the_request(server) -> None:
    status, body, _ = await call("POST", server + "/webhook", json=action_call("action_nope"), headers=AUTH)
    assert status == 404 and MARKER not in json.dumps(body)
    status, body, _ = await call("GET", server + "/nope", headers=AUTH)
    assert status == 404 and body["error"] == "not found"


# ------------------------------------------------------------------------------------ settings


def test_settings_default_to_loopback_and_read_the_environment() -> None:
    assert ActionServerSettings.from_env({}).host == "127.0.0.1"
    settings = ActionServerSettings.from_env(
        {
            "ACTION_SERVER_HOST": "10.0.0.5",
            "ACTION_SERVER_TOKEN": f" {TOKEN} ",
            "ACTION_SERVER_MAX_BODY_BYTES": "2048",
            "COURT_MODE": "production",
        }
    )
    assert (settings.host, settings.token, settings.max_body_bytes, settings.production) == (
        "10.0.0.5",
        TOKEN,
        2048,
        True,
    )


def test_a_malformed_body_cap_names_its_variable() -> None:
    with pytest.raises(ConfigurationError, match="ACTION_SERVER_MAX_BODY_BYTES"):
        ActionServerSettings.from_env({"ACTION_SERVER_MAX_BODY_BYTES": "1MB"})


@pytest.mark.parametrize("mode", ["", "demo", "production"])
@pytest.mark.parametrize("token", ["", "   ", "short-token"])
def test_no_start_without_a_real_token_in_any_mode(mode, token) -> None:
    settings = ActionServerSettings.from_env({"COURT_MODE": mode, "ACTION_SERVER_TOKEN": token})
    with pytest.raises(ConfigurationError):
        settings.check()
    with pytest.raises(ConfigurationError):
        create_app(sys.modules[__name__], settings)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ACTION_SERVER_TOKEN", "ACTION_SERVER_HOST")}
    env.update(PYTHONPATH=str(ROOT), **extra)
    return env


@pytest.mark.parametrize("mode", ["demo", "production"])
def test_the_process_refuses_to_start_without_the_token(mode) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "actions", "--port", str(free_port())],
        cwd=ROOT,
        env=_env(COURT_MODE=mode),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "ACTION_SERVER_TOKEN" in proc.stderr


# ------------------------------------------------------------------- the actions' settings (actions/settings.py)


@pytest.fixture
def action_settings():
    """Install settings built from a dict for one test; the process's own are read again afterwards."""

    def install(env: dict[str, str]) -> ActionSettings:
        built = ActionSettings.from_env(env)
        actions.settings.configure(built)
        return built

    yield install
    actions.settings.configure(None)


def test_action_settings_default_to_the_demo_run() -> None:
    settings = ActionSettings.from_env({})
    assert (settings.court_api_url, settings.desk_url, settings.redis_url) == (
        "http://127.0.0.1:8010",
        "http://127.0.0.1:8020",
        "",
    )
    assert (settings.court_connect_timeout, settings.court_read_timeout, settings.court_deadline) == (
        2.0,
        3.0,
        4.5,
    )
    assert (settings.debtor_limit_per_conversation, settings.debtor_limit_per_day) == (5, 10)
    assert settings.production is False and settings.production_problems() == []


def test_action_settings_read_every_variable() -> None:
    env = {
        "COURT_API_URL": "http://court:1",
        "COURT_API_KEY": "ck",
        "COURT_CONNECT_TIMEOUT": "1.5",
        "COURT_READ_TIMEOUT": "2.5",
        "COURT_DEADLINE": "9",
        "COURT_CLIENT": "pkg.mod:make",
        "DESK_URL": "http://d:2",
        "DESK_API_TOKEN": "dt",
        "REDIS_URL": "redis://r:6379/1",
        "DEBTOR_LIMIT_PER_CONVERSATION": "7",
        "DEBTOR_LIMIT_PER_DAY": "70",
        "COURT_SETTINGS": "other.yml",
        "COURT_MODE": "production",
    }
    settings = ActionSettings.from_env(env)
    assert (
        settings.court_api_url,
        settings.court_api_key,
        settings.court_connect_timeout,
        settings.court_read_timeout,
        settings.court_deadline,
        settings.court_client,
        settings.desk_url,
        settings.desk_api_token,
        settings.redis_url,
        settings.debtor_limit_per_conversation,
        settings.debtor_limit_per_day,
        settings.court_settings,
        settings.production,
    ) == (
        "http://court:1",
        "ck",
        1.5,
        2.5,
        9.0,
        "pkg.mod:make",
        "http://d:2",
        "dt",
        "redis://r:6379/1",
        7,
        70,
        "other.yml",
        True,
    )
    assert settings.adapter_env["COURT_API_KEY"] == "ck"  # what a COURT_CLIENT adapter is handed


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("COURT_READ_TIMEOUT", "3s"),
        ("COURT_DEADLINE", "soon"),
        ("DEBTOR_LIMIT_PER_DAY", "ten"),
        ("DEBTOR_LIMIT_PER_CONVERSATION", "2.5"),
    ],
)
def test_a_malformed_number_names_its_variable(variable, value) -> None:
    with pytest.raises(SettingsError, match=variable):
        ActionSettings.from_env({variable: value})


def test_the_process_reads_its_settings_once_on_first_use(monkeypatch) -> None:
    actions.settings.configure(None)
    try:
        monkeypatch.setenv("DEBTOR_LIMIT_PER_DAY", "3")
        first = actions.settings.settings()
        monkeypatch.setenv("DEBTOR_LIMIT_PER_DAY", "4")
        assert actions.settings.settings() is first and actions.settings.debtor_limits()[1] == 3
    finally:
        actions.settings.configure(None)


def test_one_court_client_per_process(action_settings) -> None:
    action_settings({"COURT_API_URL": "http://127.0.0.1:9", "COURT_DEADLINE": "1.25"})
    client = actions.settings.shared_client()
    assert actions.settings.shared_client() is client and client.deadline == 1.25


@pytest.mark.parametrize(
    ("missing", "env"),
    [
        ("DESK_API_TOKEN", {"COURT_API_KEY": "court-key"}),
        ("COURT_API_KEY", {"DESK_API_TOKEN": "desk-token"}),
    ],
)
def test_production_refuses_the_actions_without_their_secrets(action_settings, missing, env) -> None:
    action_settings({"COURT_MODE": "production", **env})
    problems = package_problems("actions")
    assert len(problems) == 1 and missing in problems[0]
    with pytest.raises(ConfigurationError, match=missing):
        create_app("actions", ActionServerSettings(token=TOKEN, production=True))


def test_demo_mode_and_complete_production_settings_start(action_settings) -> None:
    action_settings({})
    assert package_problems("actions") == []
    action_settings(
        {"COURT_MODE": "production", "DESK_API_TOKEN": "desk-token", "COURT_API_KEY": "court-key"}
    )
    assert package_problems("actions") == []
    assert package_problems(sys.modules[__name__]) == []  # a package without start_problems() has none


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"COURT_MODE": "production", "COURT_API_KEY": "court-key"}, "DESK_API_TOKEN"),
        ({"COURT_DEADLINE": "later"}, "COURT_DEADLINE"),
    ],
)
def test_the_process_refuses_bad_action_settings(extra, named) -> None:
    env = {
        k: v
        for k, v in _env(ACTION_SERVER_TOKEN=TOKEN).items()
        if k not in ("DESK_API_TOKEN", "COURT_API_KEY", "COURT_MODE", "COURT_DEADLINE")
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            "actions",
            "--actions",
            "actions",
            "--port",
            str(free_port()),
        ],
        cwd=ROOT,
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and named in proc.stderr, proc.stderr[-2000:]


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_the_process_binds_loopback_and_wants_the_token(tmp_path) -> None:
    """The command of the Procfile and tests/stack.py, as a real process."""
    port = free_port()
    log = open(tmp_path / "actions.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "actions", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env=_env(ACTION_SERVER_TOKEN=TOKEN),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "actions.log").read_text()
            try:
                if requests.get(url + "/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert time.time() < deadline, "the action server did not start"
            time.sleep(0.3)
        assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1 only
        forged = action_call("validate_case_progress_form", requested_slot="cp_identity")
        assert requests.post(url + "/webhook", json=forged, timeout=10).status_code == 401
        listed = requests.get(url + "/actions", headers=AUTH, timeout=10)
        assert listed.status_code == 200 and {"name": "validate_case_progress_form"} in listed.json()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
