"""The fault suite's table (issue 12): each test adds the row of what it measured; pytest prints the rows
at the end of the run (`make faults`, and the slow tier of `make test`). `engines`: one production-path
stack (PostgreSQL, Redis, RabbitMQ) whose Rasa server reaches each engine through a cuttable proxy."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

import pytest

from tests.faults.proxy import CuttableProxy
from tests.stack import PG_URL, production_env, start_stack

ROWS: list[dict] = []
COLUMNS = ("fault", "citizen saw", "answer (s)", "events lost", "orders lost/doubled", "recovery")


@dataclass
class Row:
    fault: str
    saw: str
    answer_s: float
    events_lost: str = "0"
    orders: str = "n/a"
    recovery: str = "next message works, no restart"


class Report:
    def add(self, row: Row) -> None:
        ROWS.append(asdict(row))


@pytest.fixture
def fault_report() -> Report:
    return Report()


@pytest.fixture(scope="package")
def engines(trained_model, tmp_path_factory):
    proxies = {
        "postgres": CuttableProxy(("127.0.0.1", 5432)).start(),
        "redis": CuttableProxy(("127.0.0.1", 6379)).start(),
        "rabbitmq": CuttableProxy(("127.0.0.1", 5672)).start(),
    }
    schema = f"desk_fault_{uuid.uuid4().hex[:8]}"
    running = start_stack(
        trained_model,
        tmp_path_factory.mktemp("engines"),
        endpoints="endpoints.production.yml",
        # REDIS_URL (the desk's, court data's, the actions' KV) stays direct: the outage is the Rasa server's
        extra_env=production_env(4, schema, **{name: proxy.port for name, proxy in proxies.items()}),
        pg_schema=(PG_URL, schema),
    )
    yield running, proxies
    running.stop()
    for proxy in proxies.values():
        proxy.cut()


def pytest_terminal_summary(terminalreporter) -> None:
    if not ROWS:
        return
    terminalreporter.section("fault table (docs/faults.md)")
    terminalreporter.write_line("| " + " | ".join(COLUMNS) + " |")
    terminalreporter.write_line("|" + " --- |" * len(COLUMNS))
    for r in ROWS:
        cells = (r["fault"], r["saw"], f"{r['answer_s']:.1f}", r["events_lost"], r["orders"], r["recovery"])
        terminalreporter.write_line("| " + " | ".join(cells) + " |")
