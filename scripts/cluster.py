"""`make cluster`: the production topology on this one machine, started and kept running.

HAProxy (deploy/haproxy/cluster.cfg, rendered with the ports below) on CLUSTER_PORT in front of two Rasa
replicas, and on CLUSTER_ACTIONS_PORT in front of two action servers; the court-data service, the desk
and the WeChat stand-in once each. The stores are the real engines named by the environment that
scripts/cluster.sh prepares (endpoints.production.yml: PostgreSQL tracker store behind the masking
wrapper, the atomic Redis lock store, RabbitMQ; REDIS_URL; the desk on PostgreSQL).

Unlike honcho (`make run`), which stops everything when one process ends, this supervisor keeps the
others running — that is what a cluster is for — and starts an ended process again after a pause
(CLUSTER_RESTART=0: leave it stopped, as the failover test does). Each process has its own session and
log file under CLUSTER_RUN_DIR/logs; CLUSTER_RUN_DIR/pids.json names the running processes. Ctrl-C
(or SIGTERM) stops them all.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
TEMPLATE = ROOT / "deploy" / "haproxy" / "cluster.cfg"
STOP_GRACE_SECONDS = 20  # Sanic finishes the requests it has (its graceful shutdown is 15 s)


def _ports(text: str, count: int = 2) -> tuple[int, ...]:
    ports = tuple(int(p) for p in text.split(",") if p.strip())
    if len(ports) != count:
        raise SystemExit(f"expected {count} comma-separated ports, got {text!r}")
    return ports


@dataclass(frozen=True)
class ClusterSettings:
    """Where everything listens; from the environment (.env.example lists the variables)."""

    port: int = 5005
    rasa_ports: tuple[int, ...] = (5006, 5007)
    actions_port: int = 5055
    actions_ports: tuple[int, ...] = (5056, 5057)
    model: Path = ROOT / "models" / "court.tar.gz"
    run_dir: Path = ROOT / "var" / "cluster"
    restart: bool = True
    endpoints: str = "endpoints.production.yml"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> ClusterSettings:
        env = dict(os.environ) if env is None else env
        return cls(
            port=int(env.get("CLUSTER_PORT") or 5005),
            rasa_ports=_ports(env.get("CLUSTER_RASA_PORTS") or "5006,5007"),
            actions_port=int(env.get("CLUSTER_ACTIONS_PORT") or 5055),
            actions_ports=_ports(env.get("CLUSTER_ACTIONS_PORTS") or "5056,5057"),
            model=ROOT / (env.get("CLUSTER_MODEL") or "models/court.tar.gz"),
            run_dir=ROOT / (env.get("CLUSTER_RUN_DIR") or "var/cluster"),
            restart=(env.get("CLUSTER_RESTART") or "1") != "0",
            endpoints=env.get("RASA_ENDPOINTS") or "endpoints.production.yml",
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def render_haproxy(settings: ClusterSettings, template: Path = TEMPLATE) -> str:
    """The HAProxy configuration for these ports (a missing placeholder is an error, not a blank)."""
    return string.Template(template.read_text(encoding="utf-8")).substitute(
        RUN_DIR=str(settings.run_dir),
        RASA_PORT=settings.port,
        RASA_PORT_A=settings.rasa_ports[0],
        RASA_PORT_B=settings.rasa_ports[1],
        ACTIONS_PORT=settings.actions_port,
        ACTIONS_PORT_A=settings.actions_ports[0],
        ACTIONS_PORT_B=settings.actions_ports[1],
    )


def write_haproxy(settings: ClusterSettings) -> Path:
    """Render, write and check the configuration; exits with HAProxy's complaint when it is invalid."""
    path = settings.run_dir / "haproxy.cfg"
    path.write_text(render_haproxy(settings), encoding="utf-8")
    check = subprocess.run(["haproxy", "-c", "-q", "-f", str(path)], capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"HAProxy refused {path}:\n{check.stdout}{check.stderr}")
    return path


@dataclass
class Process:
    """One supervised process: how to start it and how to tell it is ready."""

    name: str
    args: list[str]
    health: str
    timeout: float = 120
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0


def processes(settings: ClusterSettings, env: dict[str, str]) -> list[Process]:
    """The topology, in start order (a replica's dependencies before it)."""
    rasa_args = ["-m", str(settings.model), "--enable-api", "--endpoints", settings.endpoints]
    rasa_args += ["--credentials", "credentials.yml"]
    table = [
        Process("courtdata", [PY, "-m", "services.courtdata"], env["COURT_API_URL"] + "/health"),
        Process("desk", [PY, "-m", "services.desk"], env["DESK_URL"] + "/health"),
        Process("wechat-api", [PY, "-m", "services.wechat_stub"], env["WECHAT_API_BASE"] + "/stub/health"),
    ]
    for letter, port in zip("ab", settings.actions_ports):
        args = [PY, "-m", "bot.cli", "run", "actions", "--actions", "actions", "--port", str(port)]
        table.append(Process(f"actions-{letter}", args, f"http://127.0.0.1:{port}/health"))
    table.append(
        Process("haproxy", ["haproxy", "-W", "-db", "-f", str(settings.run_dir / "haproxy.cfg")], "")
    )
    for letter, port in zip("ab", settings.rasa_ports):
        args = [PY, "-m", "bot.cli", "run", *rasa_args, "--port", str(port)]
        table.append(Process(f"rasa-{letter}", args, f"http://127.0.0.1:{port}/", timeout=900))
    return table


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 - loopback URLs of our own
            return reply.status < 500
    except OSError:
        return False


def haproxy_command(sock_path: Path, command: str) -> str:
    """One command on HAProxy's runtime socket (`show stat`, `show servers state`)."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(str(sock_path))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def haproxy_stats(sock_path: Path, backend: str) -> dict[str, dict[str, str]]:
    """Per server of `backend`: HAProxy's CSV statistics (status, stot = requests sent, …)."""
    lines = haproxy_command(sock_path, "show stat").splitlines()
    if not lines:
        return {}
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
    return {
        r["svname"]: r
        for r in rows
        if r.get("pxname") == backend and r.get("svname") not in ("FRONTEND", "BACKEND")
    }


def haproxy_up(sock_path: Path, backend: str) -> set[str]:
    """The servers of `backend` that HAProxy reports UP (none while its socket cannot be asked)."""
    try:
        stats = haproxy_stats(sock_path, backend)
    except OSError:
        return set()
    return {name for name, row in stats.items() if row.get("status", "").startswith("UP")}


@dataclass
class Supervisor:
    settings: ClusterSettings
    env: dict[str, str]
    table: list[Process] = field(default_factory=list)
    stopping: bool = False

    def say(self, text: str) -> None:
        print(time.strftime("%H:%M:%S"), text, flush=True)

    def start(self, process: Process) -> None:
        logs = self.settings.run_dir / "logs"
        with open(logs / f"{process.name}.log", "ab") as log:
            process.proc = subprocess.Popen(
                process.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.write_pids()

    def write_pids(self) -> None:
        pids = {p.name: p.proc.pid for p in self.table if p.proc is not None and p.proc.poll() is None}
        (self.settings.run_dir / "pids.json").write_text(json.dumps(pids), encoding="utf-8")

    def wait_ready(self, group: list[Process]) -> None:
        """Until each of `group` answers its health URL; exits when one of them ends first."""
        deadline = time.time() + max(p.timeout for p in group)
        waiting = [p for p in group if p.health]
        while waiting and not self.stopping:
            for process in list(waiting):
                assert process.proc is not None
                if process.proc.poll() is not None:
                    raise SystemExit(f"{process.name} ended with {process.proc.returncode}: see its log")
                if answers(process.health):
                    self.say(f"{process.name} is up")
                    waiting.remove(process)
            if time.time() > deadline:
                raise SystemExit(f"not up in time: {', '.join(p.name for p in waiting)}")
            time.sleep(0.5)

    def wait_routed(self, timeout: float = 60) -> None:
        """Until HAProxy itself sends to every replica and action server: a replica that answers directly
        is marked UP only after `rise` health checks, and until then the balancer answers 503."""
        wanted = {"rasa": {"replica_a", "replica_b"}, "actions": {"actions_a", "actions_b"}}
        sock_path = self.settings.run_dir / "haproxy.sock"
        deadline = time.time() + timeout
        while not self.stopping:
            missing = {b: names - haproxy_up(sock_path, b) for b, names in wanted.items()}
            if not any(missing.values()):
                self.say("HAProxy routes to every replica")
                return
            if time.time() > deadline:
                raise SystemExit(f"HAProxy does not route to {missing} (see logs/haproxy.log)")
            time.sleep(0.5)

    def run(self) -> None:
        (self.settings.run_dir / "logs").mkdir(parents=True, exist_ok=True)
        (self.settings.run_dir / "ready").unlink(missing_ok=True)
        write_haproxy(self.settings)
        self.table = processes(self.settings, self.env)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        try:
            first, replicas = self.table[:-2], self.table[-2:]
            for process in first:
                self.start(process)
            self.wait_ready(first)
            for process in replicas:  # both load the model at the same time, one per core
                self.start(process)
            self.say("loading the model in both Rasa replicas (a minute or two)")
            self.wait_ready(replicas)
            self.wait_routed()
            self._announce()
            self.watch()
        finally:
            self.stop_all()

    def _announce(self) -> None:
        ready = {"rasa": self.settings.url, "desk": self.env["DESK_URL"], "pid": os.getpid()}
        (self.settings.run_dir / "ready").write_text(json.dumps(ready), encoding="utf-8")
        self.say(f"cluster ready: web chat {self.settings.url}/webhooks/webchat/ · REST {self.settings.url}")
        self.say(f"desk {self.env['DESK_URL']} · logs {self.settings.run_dir / 'logs'} · Ctrl-C stops all")

    def watch(self) -> None:
        """Report (and, with CLUSTER_RESTART, restart) each process that ends, until told to stop."""
        while not self.stopping:
            now = time.time()
            for process in self.table:
                assert process.proc is not None
                code = process.proc.poll()
                if code is None or self.stopping:
                    continue
                if not process.next_start:
                    self.say(f"{process.name} ended with {code}")
                    self.write_pids()
                    if not self.settings.restart:
                        process.next_start = float("inf")
                        continue
                    process.next_start = now + min(2**process.restarts, 30)
                if now >= process.next_start:
                    process.restarts += 1
                    process.next_start = 0.0
                    self.say(f"starting {process.name} again")
                    self.start(process)
            time.sleep(0.5)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def stop_all(self) -> None:
        self.stopping = True
        running = [p.proc for p in self.table if p.proc is not None and p.proc.poll() is None]
        for proc in running:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.time() + STOP_GRACE_SECONDS
        for proc in running:
            try:
                proc.wait(timeout=max(deadline - time.time(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        (self.settings.run_dir / "pids.json").unlink(missing_ok=True)
        (self.settings.run_dir / "ready").unlink(missing_ok=True)
        self.say("cluster stopped")


def cluster_env(settings: ClusterSettings, environ: dict[str, str]) -> dict[str, str]:
    """The processes' environment: the caller's, with the addresses that only the cluster knows."""
    env = dict(environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter, as `make run` (train.sh)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "RASA_URL": settings.url,  # the desk and the tools reach Rasa through HAProxy
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{settings.actions_port}/webhook",
        }
    )
    return env


def main() -> None:
    settings = ClusterSettings.from_env()
    if not settings.model.is_file():
        raise SystemExit(f"no trained model at {settings.model}: run `bash scripts/train.sh` first")
    Supervisor(settings, cluster_env(settings, dict(os.environ))).run()


if __name__ == "__main__":
    sys.exit(main())
