"""Start the assistant's real processes on free loopback ports for end-to-end tests.

Used by the e2e, browser and benchmark code: a trained model, the reference court-data service, the
work-order desk, the action server and the Rasa server, each a real process speaking real HTTP.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")


# Below Linux's ephemeral range (32768–60999): a port the kernel hands out for bind(0) is also one it may
# give any outgoing connection before our server binds it ("Address already in use", seen in CI).
PORT_RANGE = (20000, 32000)
_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback port nobody listens on now, outside the ephemeral range, never the same twice per run."""
    import random

    for _ in range(200):
        port = random.randint(*PORT_RANGE)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def rasa_train(out_dir: Path, name: str, force: bool) -> str:
    """`rasa train` of the real config and data (seeded) into out_dir; its log. `force`: train everything."""
    env = dict(os.environ, TF_DETERMINISTIC_OPS="1", PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="2")
    command = [
        str(ROOT / ".venv" / "bin" / "rasa"),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
    ]
    command += ["--data", "data", "--out", str(out_dir), "--fixed-model-name", name] + (
        ["--force"] if force else []
    )
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise RuntimeError("rasa train failed:\n" + log[-5000:])
    return log


def train_model(out_dir: Path, name: str = "court") -> Path:
    """Train the full model (seeded) into out_dir; fails on a misaligned-entity warning."""
    log = rasa_train(out_dir, name, force=True)
    if "Misaligned entity annotation" in log:
        raise AssertionError("training data has misaligned entity annotations:\n" + log[-5000:])
    return out_dir / f"{name}.tar.gz"


@dataclass
class Stack:
    """The running processes and their URLs; `stop()` ends them all."""

    root: Path
    env: dict[str, str]
    procs: list[subprocess.Popen] = field(default_factory=list)
    cleanups: list = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    started: dict[str, tuple[subprocess.Popen, list[str], str, float]] = field(default_factory=dict)

    def start(self, name: str, args: list[str], health: str, timeout: float = 60) -> None:
        log = open(self.root / f"{name}.log", "a")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        self.started[name] = (proc, args, health, timeout)
        try:
            wait_http(health, timeout, proc)
        except Exception as exc:
            log.flush()
            raise RuntimeError(f"{name} did not start: {exc}\n{self.log(name)[-4000:]}") from exc

    def signal(self, name: str, sig: int) -> None:
        """Send a signal to one process (SIGSTOP: hung, SIGCONT: back, SIGKILL: crashed)."""
        proc = self.started[name][0]
        os.killpg(proc.pid, sig)
        if sig == signal.SIGKILL:
            proc.wait(timeout=15)

    def restart(self, name: str) -> None:
        """Stop one process as an operator would (SIGTERM, then SIGKILL) and start it again, same settings."""
        proc, args, health, timeout = self.started[name]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.remove(proc)
        self.start(name, args, health, timeout)

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for cleanup in self.cleanups:
            cleanup()


def _schema(url: str, schema: str, create: bool) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(
            sqlalchemy.text(f'CREATE SCHEMA "{schema}"' if create else f'DROP SCHEMA "{schema}" CASCADE')
        )
    engine.dispose()


PG_URL = "postgresql://postgres@127.0.0.1:5432/test"  # the local PostgreSQL (trust auth), as in CI


def production_env(redis_db: int, schema: str, **ports: int) -> dict[str, str]:
    """The variables of endpoints.production.yml and REDIS_URL / DESK_DATABASE_URL for a test stack on the
    local engines: Redis database `redis_db`, the desk in PostgreSQL schema `schema`. `ports` (postgres,
    redis, rabbitmq) put something in between the Rasa server and an engine (tests/faults/proxy.py)."""
    return {
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "DESK_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{schema}",
        "TRACKER_DB_HOST": "127.0.0.1",
        "TRACKER_DB_PORT": str(ports.get("postgres", 5432)),
        "TRACKER_DB_NAME": "test",
        "TRACKER_DB_USER": "postgres",
        "TRACKER_DB_PASSWORD": "",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(ports.get("redis", 6379)),
        "RABBITMQ_HOST": "127.0.0.1",
        "RABBITMQ_PORT": str(ports.get("rabbitmq", 5672)),
        "RABBITMQ_USER": "guest",
        "RABBITMQ_PASSWORD": "guest",
    }


def start_stack(
    model: Path,
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    endpoints: str = "endpoints.yml",
    pg_schema: tuple[str, str] | None = None,
) -> Stack:
    """Court data, desk, actions and Rasa on free ports, wired together by environment variables.

    `pg_schema` (url, schema) creates a private PostgreSQL schema for the desk, dropped by `stop()`."""
    ports = {k: free_port() for k in ("court", "desk", "actions", "rasa", "wechat")}
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "COURTDATA_PORT": str(ports["court"]),
            "COURT_API_URL": f"http://127.0.0.1:{ports['court']}",
            "COURTDATA_API_KEY": "test-court-key",
            "COURTDATA_ADMIN_KEY": "test-court-admin-key",  # the fault switch (set_court_fault)
            "COURT_API_KEY": "test-court-key",
            # tests verify the same demo people many times a minute; the throttles themselves are tested
            # in tests/courtdata
            "COURTDATA_RESEND_SECONDS": "0",
            # the assistant calls from loopback for citizens whose address it does not know (docs/court-data.md)
            "COURTDATA_TRUSTED_CALLERS": "127.0.0.1,::1",
            "COURTDATA_AUDIT_LOG": str(workdir / "courtdata_audit.jsonl"),
            "COURTDATA_SMS_DAILY_LIMIT": "100000",
            # every REST conversation of a test run comes from one address, whose failed identity matches
            # (the suites' non-parties and typos) the service now counts together (tests/courtdata tests it)
            "COURTDATA_IDENTITY_MAX_FAILURES": "100000",
            # every e2e conversation comes from 127.0.0.1 and the suites search the same demo debtors well
            # over 100 times: the daily limits per client and per searched identity (tests/courtdata and
            # tests/actions test them) are lifted here; the per-conversation limit stays (test_lookups.py)
            "DEBTOR_LIMIT_PER_DAY": "100000",
            "DEBTOR_LIMIT_PER_IDENTITY": "100000",
            "COURTDATA_DEBTOR_DAILY_LIMIT": "100000",
            "DESK_PORT": str(ports["desk"]),
            "DESK_URL": f"http://127.0.0.1:{ports['desk']}",
            "DESK_DATABASE_URL": f"sqlite:///{workdir / 'desk.db'}",
            # the desk's retention job purges this stack's conversations, not those of var/ in the checkout
            "RETENTION_TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",
            # accepted WeChat turns until answered (bot/channels/wechat/queue.py): this stack's, not var/'s
            "WECHAT_QUEUE_DB": str(workdir / "wechat_turns.db"),
            "SMS_OUTBOX": str(workdir / "sms_outbox.jsonl"),
            "SMS_SPOOL": str(workdir / "sms_spool.jsonl"),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
            "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
            "RASA_TOKEN": "test-rasa-token",
            # the action server answers only the Rasa server, which sends this (endpoints.yml headers)
            "ACTION_SERVER_TOKEN": "test-action-server-token",
            "ACTION_SERVER_HOST": "127.0.0.1",
            "DESK_API_TOKEN": "test-desk-token",
            "CHANNEL_PUSH_TOKEN": "test-push-token",
            "WEBCHAT_SECRET": "test-webchat-secret",
            "WECHAT_TOKEN": "testtoken",
            "WECHAT_APP_ID": "wx0000000000000000",
            "WECHAT_APP_SECRET": "test-app-secret",
            "WECHAT_ENCODING_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "WECHAT_API_BASE": f"http://127.0.0.1:{ports['wechat']}",
            "WECHAT_STUB_PORT": str(ports["wechat"]),
            "RABBITMQ_PORT": "5672",  # endpoints.production.yml; a fault test puts a proxy in between
        }
    )
    env.update(extra_env or {})
    endpoints_file = workdir / "endpoints.yml"
    text = (
        (ROOT / endpoints)
        .read_text(encoding="utf-8")
        .replace("http://127.0.0.1:5055/webhook", env["ACTION_ENDPOINT_URL"])
        .replace("db: var/tracker.db", f"db: {workdir / 'tracker.db'}")  # each stack its own conversations
    )
    endpoints_file.write_text(text, encoding="utf-8")
    stack = Stack(workdir, env)
    if pg_schema:
        _schema(*pg_schema, create=True)
        stack.cleanups.append(lambda: _schema(*pg_schema, create=False))
    stack.urls = {k: f"http://127.0.0.1:{p}" for k, p in ports.items()}
    try:
        stack.start("courtdata", [PY, "-m", "services.courtdata"], stack.urls["court"] + "/health")
        stack.start("desk", [PY, "-m", "services.desk"], stack.urls["desk"] + "/health")
        stack.start("wechat", [PY, "-m", "services.wechat_stub"], stack.urls["wechat"] + "/stub/health")
        stack.start(
            "actions",
            [PY, "-m", "bot.cli", "run", "actions", "--actions", "actions", "--port", str(ports["actions"])],
            stack.urls["actions"] + "/health",
        )
        stack.start(
            "rasa",
            [
                PY,
                "-m",
                "bot.cli",
                "run",
                "-m",
                str(model),
                "--enable-api",  # the API token comes from RASA_TOKEN in env (bot/cli.py)
                "--endpoints",
                str(endpoints_file),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--port",
                str(ports["rasa"]),
            ],
            stack.urls["rasa"] + "/status?token=" + env["RASA_TOKEN"],
            timeout=600,
        )
    except Exception:
        stack.stop()
        raise
    return stack


def sms_messages(stack: Stack) -> list[dict]:
    """What the simulated handsets received (the SMS outbox of this stack)."""
    import json

    path = Path(stack.env["SMS_OUTBOX"])
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def last_code(stack: Stack) -> str:
    """The one-time code in the newest SMS that has one, read the way a citizen reads their phone (a work
    order's SMS with its number may have come after it)."""
    import re

    for message in reversed(sms_messages(stack)):
        found = re.search(r"(?<!\d)(\d{6})(?!\d)", message["text"])
        if found:
            return found.group(1)
    raise AssertionError("no SMS with a code")


def set_court_fault(stack: Stack, mode: str, delay: float = 0) -> None:
    requests.put(
        stack.urls["court"] + "/api/v1/admin/fault",
        json={"mode": mode, "delay_seconds": delay},
        headers={"Authorization": "Bearer " + stack.env["COURTDATA_ADMIN_KEY"]},
        timeout=5,
    ).raise_for_status()


def tracker_events(stack: Stack, sender: str) -> list[dict]:
    """The conversation as Rasa stored it (through its HTTP API, as the desk reads it)."""
    reply = requests.get(
        f"{stack.urls['rasa']}/conversations/{sender}/tracker",
        params={"token": stack.env["RASA_TOKEN"]},
        timeout=10,
    )
    reply.raise_for_status()
    return reply.json()["events"]


class Chat:
    """One citizen talking through the REST channel.

    `sender` is what the citizen sends (made safe for the channel: ≤ 64 characters of [A-Za-z0-9_.:-]);
    `self.sender` is the conversation id the server keeps, namespaced by the channel (`rest:…`), as the
    tracker store, the desk and the SMS/outbox records know it."""

    def __init__(self, rasa_url: str, sender: str) -> None:
        self.url = rasa_url + "/webhooks/rest/webhook"
        self.posted = re.sub(r"[^A-Za-z0-9_.:-]", "_", sender)[:64]
        self.sender = "rest:" + self.posted

    def say(self, text: str) -> list[dict]:
        reply = requests.post(self.url, json={"sender": self.posted, "message": text}, timeout=60)
        reply.raise_for_status()
        return reply.json()

    def text(self, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text))

    def say_nowait(self, text: str) -> None:
        """Send and do not wait for the answer (the server is about to be killed)."""
        try:
            requests.post(self.url, json={"sender": self.posted, "message": text}, timeout=0.5)
        except requests.RequestException:
            pass


if __name__ == "__main__":  # manual: python tests/stack.py MODEL → runs until Ctrl-C
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        s = start_stack(Path(sys.argv[1]), Path(tmp))
        print(s.urls, flush=True)
        try:
            while True:
                time.sleep(1)
        finally:
            s.stop()
