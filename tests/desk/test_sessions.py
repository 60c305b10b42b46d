"""Staff sessions are server-side and revocable (issue 10, item 5).

Desk cookies and API tokens refer to rows of `staff_sessions`: logout deletes the row, idle and absolute
limits end it, and in production mode the desk refuses to start with demo secrets or passwords.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from services.desk.db.models import StaffSession
from services.desk.service.orders import DeskStore
from services.desk.settings import DEFAULT_DEMO_PASSWORD, DeskSettings
from tests.desk.conftest import FAST_HASHER, PASSWORD, PHONE_KEY
from tests.desk.helpers import csrf_of, login

REPO = Path(__file__).resolve().parents[2]


def _api_login(client, username: str = "clerk") -> dict:
    answer = client.post("/api/v1/staff/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.json
    return {"Authorization": f"Bearer {answer.json['token']}"}


# ----------------------------------------------------------------------------------- desk pages


def test_a_cookie_saved_before_logout_no_longer_works(desk_app):
    browser = desk_app.test_client()
    token = login(browser, "clerk", PASSWORD)
    saved = browser.get_cookie("desk_session").value
    assert browser.post("/desk/logout", data={"csrf_token": token}).status_code == 302
    thief = desk_app.test_client()
    thief.set_cookie("desk_session", saved)
    answer = thief.get("/desk/")
    assert answer.status_code == 302 and "/desk/login" in answer.headers["Location"]


def test_the_cookie_holds_no_user_and_the_table_no_session_id(pages, store):
    login(pages, "clerk", PASSWORD)
    with pages.session_transaction() as session:
        assert set(session) <= {"sid", "csrf_token", "_permanent", "_flashes"} and "uid" not in session
        sid = session["sid"]
    with store.sessions() as db:
        hashes = db.execute(select(StaffSession.id_hash)).scalars().all()
    assert len(hashes) == 1 and sid not in hashes[0]


def test_idle_expiry_after_the_default_thirty_minutes(pages, clock):
    assert DeskSettings().session_idle_minutes == 30
    login(pages, "clerk", PASSWORD)
    clock.advance(29 * 60)
    assert pages.get("/desk/").status_code == 200
    clock.advance(29 * 60)  # 58 minutes after login, but only 29 idle
    assert pages.get("/desk/").status_code == 200
    clock.advance(30 * 60)
    answer = pages.get("/desk/")
    assert answer.status_code == 302 and "登录已过期" in pages.get(answer.headers["Location"]).get_data(
        as_text=True
    )
    assert pages.get("/desk/").status_code == 302  # and the row is gone for good


def test_a_new_login_replaces_the_old_session(pages, store):
    login(pages, "clerk", PASSWORD)
    login(pages, "clerk", PASSWORD)
    assert store.staff_sessions.count() == 1


# ------------------------------------------------------------------------------------- API tokens


def test_a_token_after_logout_is_401(client):
    headers = _api_login(client)
    assert client.get("/api/v1/staff/me", headers=headers).status_code == 200
    answer = client.post("/api/v1/staff/logout", headers=headers)
    assert answer.status_code == 200 and answer.json["status"] == "ok"
    again = client.get("/api/v1/staff/me", headers=headers)
    assert again.status_code == 401 and again.json["message"] == "请先登录"
    assert client.post("/api/v1/staff/logout", headers=headers).status_code == 401


def test_logout_revokes_only_that_token(client):
    first, second = _api_login(client), _api_login(client)
    client.post("/api/v1/staff/logout", headers=first)
    assert client.get("/api/v1/staff/me", headers=second).status_code == 200


def test_tokens_are_short_lived(desk_app, clock):
    assert DeskSettings().staff_token_minutes == 60
    client = desk_app.test_client()
    answer = client.post("/api/v1/staff/login", json={"username": "clerk", "password": PASSWORD})
    assert answer.json["expires_in"] == 3600
    headers = {"Authorization": f"Bearer {answer.json['token']}"}
    clock.advance(59 * 60)
    assert client.get("/api/v1/staff/me", headers=headers).status_code == 200
    clock.advance(2 * 60)
    expired = client.get("/api/v1/staff/me", headers=headers)
    assert expired.status_code == 401 and "过期" in expired.json["message"]


def test_a_password_reset_revokes_tokens(client, store, actors):
    headers = _api_login(client)
    store.staff.update_user(actors["admin"], actors["clerk"].id, {"password": "another-pass-9"})
    assert client.get("/api/v1/staff/me", headers=headers).status_code == 401


def test_a_desk_cookie_is_not_an_api_token(desk_app, pages):
    login(pages, "clerk", PASSWORD)
    with pages.session_transaction() as session:
        sid = session["sid"]
    answer = desk_app.test_client().get("/api/v1/staff/me", headers={"Authorization": f"Bearer {sid}"})
    assert answer.status_code == 401


# ------------------------------------------------------------------------------------ throttling


def test_the_login_throttle_counts_per_address_across_accounts(desk_app):
    page = desk_app.test_client()
    token = csrf_of(page)
    for index in range(20):
        wrong = page.post(
            "/desk/login", data={"username": f"guess{index}", "password": "x", "csrf_token": token}
        )
        assert wrong.status_code == 401
    refused = page.post("/desk/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 429
    api = desk_app.test_client().post(
        "/api/v1/staff/login", json={"username": "judge_yi", "password": PASSWORD}
    )
    assert api.status_code == 429
    other = desk_app.test_client().post(
        "/api/v1/staff/login",
        json={"username": "judge_yi", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert other.status_code == 200  # another address is not locked out by this one


# ----------------------------------------------------------------------------------- production


def test_demo_accounts_by_default_only_in_demo_mode():
    assert DeskSettings.from_env({}).seed_demo is True
    assert DeskSettings.from_env({"COURT_MODE": "production"}).seed_demo is False
    assert DeskSettings.from_env({"COURT_MODE": "production", "DESK_SEED_DEMO": "true"}).seed_demo is True


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({}, "DESK_SECRET_KEY"),
        ({"DESK_SECRET_KEY": "short"}, "DESK_SECRET_KEY"),
        ({"DESK_SECRET_KEY": "k" * 40, "DESK_SEED_DEMO": "true"}, "DESK_DEMO_PASSWORD"),
        (
            {"DESK_SECRET_KEY": "k" * 40, "DESK_SEED_DEMO": "true", "DESK_DEMO_PASSWORD": "short-pw"},
            "DESK_DEMO_PASSWORD",
        ),
    ],
)
def test_production_problems(env, problem):
    problems = DeskSettings.from_env({"COURT_MODE": "production", **env}).production_problems()
    assert any(problem in p for p in problems)
    assert DeskSettings.from_env(env).production_problems() == []  # demo mode: no refusal


def test_production_settings_that_pass():
    settings = DeskSettings.from_env(
        {"COURT_MODE": "production", "DESK_SECRET_KEY": "k" * 40, "DESK_PHONE_KEY": PHONE_KEY}
    )
    assert settings.production_problems() == []


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DESK_", "COURT_MODE"))}
    full.update({"PYTHONPATH": str(REPO), "DESK_PORT": "9", **env})
    return subprocess.run(
        [sys.executable, "-m", "services.desk"],
        cwd=REPO,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    done = _start({"COURT_MODE": "production", "DESK_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}"})
    assert done.returncode != 0
    assert "COURT_MODE=production" in done.stderr and "DESK_SECRET_KEY" in done.stderr


def test_production_refuses_to_start_while_demo_accounts_keep_the_demo_password(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    DeskStore.open(DeskSettings(database_url=url), hasher=FAST_HASHER).engine.dispose()
    done = _start(
        {
            "COURT_MODE": "production",
            "DESK_DATABASE_URL": url,
            "DESK_SECRET_KEY": "k" * 40,
            "DESK_PHONE_KEY": PHONE_KEY,
        }
    )
    assert done.returncode != 0
    assert "演示账号" in done.stderr and "admin" in done.stderr and DEFAULT_DEMO_PASSWORD not in done.stderr
