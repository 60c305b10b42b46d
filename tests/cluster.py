"""Start `make cluster` (scripts/cluster.sh) on free loopback ports for the cluster tests.

Everything the cluster reads is set here, so the run does not depend on the worktree's .env or
var/run.env: test secrets, a private desk schema on the local PostgreSQL, a Redis database of its own,
CLUSTER_RESTART=0 (a stopped replica stays down).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from scripts.cluster import haproxy_command, haproxy_stats, haproxy_up
from tests.stack import PG_URL, free_port

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/6"


@dataclass
class Cluster:
    """A running cluster: HAProxy's URL, the replicas' URLs, its environment and run directory."""

    proc: subprocess.Popen
    run_dir: Path
    env: dict[str, str]
    url: str
    replicas: list[str]
    schema: str

    def pids(self) -> dict[str, int]:
        return json.loads((self.run_dir / "pids.json").read_text(encoding="utf-8"))

    def log(self, name: str) -> str:
        path = self.run_dir / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def haproxy(self, command: str) -> str:
        """A command on HAProxy's runtime socket (`show stat`, `show servers state`)."""
        return haproxy_command(self.run_dir / "haproxy.sock", command)

    def server_stats(self, backend: str = "rasa") -> dict[str, dict[str, str]]:
        """Per server of `backend`: HAProxy's CSV statistics (status, stot = requests sent, …)."""
        return haproxy_stats(self.run_dir / "haproxy.sock", backend)

    def wait_routed(self, timeout: float = 60) -> None:
        """Until HAProxy sends to both replicas again (warm-up turns can delay a health check)."""
        deadline = time.time() + timeout
        while haproxy_up(self.run_dir / "haproxy.sock", "rasa") != {"replica_a", "replica_b"}:
            if time.time() > deadline:
                raise RuntimeError(f"HAProxy does not route to both replicas: {self.haproxy('show stat')}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)  # the supervisor stops its processes
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in (self.pids() if (self.run_dir / "pids.json").exists() else {}).values():
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _schema(self.schema, create=False)


def _schema(schema: str, create: bool) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        statement = f'CREATE SCHEMA "{schema}"' if create else f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'
        conn.execute(sqlalchemy.text(statement))
    engine.dispose()


def start_cluster(model: Path, run_dir: Path, timeout: float = 900) -> Cluster:
    """scripts/cluster.sh with this model; returns when its supervisor says every process is up."""
    ports = {k: free_port() for k in ("lb", "a", "b", "alb", "aa", "ab", "court", "desk", "wechat")}
    schema = f"desk_cluster_{uuid.uuid4().hex[:8]}"
    _schema(schema, create=True)
    env = dict(os.environ)
    env.update(
        {
            "CLUSTER_MODEL": str(model),
            "CLUSTER_RUN_DIR": str(run_dir),
            "CLUSTER_RESTART": "0",
            "CLUSTER_PORT": str(ports["lb"]),
            "CLUSTER_RASA_PORTS": f"{ports['a']},{ports['b']}",
            "CLUSTER_ACTIONS_PORT": str(ports["alb"]),
            "CLUSTER_ACTIONS_PORTS": f"{ports['aa']},{ports['ab']}",
            "COURTDATA_PORT": str(ports["court"]),
            "COURT_API_URL": f"http://127.0.0.1:{ports['court']}",
            "DESK_PORT": str(ports["desk"]),
            "DESK_URL": f"http://127.0.0.1:{ports['desk']}",
            "WECHAT_STUB_PORT": str(ports["wechat"]),
            "WECHAT_API_BASE": f"http://127.0.0.1:{ports['wechat']}",
            "REDIS_URL": REDIS_URL,
            "DESK_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{schema}",
            "COURTDATA_AUDIT_LOG": str(run_dir / "courtdata_audit.jsonl"),
            "SMS_OUTBOX": str(run_dir / "sms_outbox.jsonl"),
            "COURTDATA_RESEND_SECONDS": "0",
            "COURTDATA_RATE_LIMIT": "0",
            "RASA_TOKEN": "test-rasa-token",
            "ACTION_SERVER_TOKEN": "test-action-server-token",
            "DESK_API_TOKEN": "test-desk-token",
            "DESK_SECRET_KEY": "test-desk-secret",
            "CHANNEL_PUSH_TOKEN": "test-push-token",
            "WEBCHAT_SECRET": "test-webchat-secret",
            "COURTDATA_API_KEY": "test-court-key",
            "COURT_API_KEY": "test-court-key",
            "WECHAT_TOKEN": "testtoken",
            "WECHAT_APP_ID": "wx0000000000000000",
            "WECHAT_APP_SECRET": "test-app-secret",
            "WECHAT_ENCODING_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        }
    )
    out = open(run_dir / "cluster.out", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        ["bash", "scripts/cluster.sh"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    replicas = [f"http://127.0.0.1:{ports['a']}", f"http://127.0.0.1:{ports['b']}"]
    cluster = Cluster(proc, run_dir, env, f"http://127.0.0.1:{ports['lb']}", replicas, schema)
    deadline = time.time() + timeout
    while not (run_dir / "ready").exists():
        if proc.poll() is not None or time.time() > deadline:
            cluster.stop()
            raise RuntimeError("the cluster did not start:\n" + (run_dir / "cluster.out").read_text()[-3000:])
        time.sleep(1)
    return cluster
