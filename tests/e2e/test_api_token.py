"""The running Rasa server's HTTP API: its token is on no command line, and it refuses callers without it."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")


def test_the_token_is_in_no_process_command_line(stack):
    token = stack.env["RASA_TOKEN"]
    lines = [_cmdline(proc.pid) for proc in stack.procs if proc.poll() is None]
    assert any("bot.cli run -m" in line for line in lines)  # the Rasa server is among them
    assert not any(token in line for line in lines)


def test_the_api_refuses_a_call_without_the_token(stack):
    url = stack.urls["rasa"] + "/conversations/someone/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(url, params={"token": stack.env["RASA_TOKEN"]}, timeout=10).status_code == 200
