"""The fault suite's table (issue 12): each test adds the row of what it measured; pytest prints the rows
at the end of the run (`make faults`, and the slow tier of `make test`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pytest

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


def pytest_terminal_summary(terminalreporter) -> None:
    if not ROWS:
        return
    terminalreporter.section("fault table (docs/faults.md)")
    terminalreporter.write_line("| " + " | ".join(COLUMNS) + " |")
    terminalreporter.write_line("|" + " --- |" * len(COLUMNS))
    for r in ROWS:
        cells = (r["fault"], r["saw"], f"{r['answer_s']:.1f}", r["events_lost"], r["orders"], r["recovery"])
        terminalreporter.write_line("| " + " | ".join(cells) + " |")
