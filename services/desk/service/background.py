"""Background sweeps of the desk process: overdue flags, the live-handoff sweeper, the daily retention job.

Each runs `job()` every `interval` seconds in a daemon thread until `stop()`. A failing round is logged and
the next round tries again: serving must go on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(
        self, name: str, interval: float, job: Callable[[], Any], first: float | None = None
    ) -> None:
        """`first`: seconds before the first round (default `interval`), for a daily job that must not wait a
        day after every restart."""
        self.name, self.interval, self.job = name, interval, job
        self.first = interval if first is None else first
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"desk-{name}", daemon=True)

    def _run(self) -> None:
        delay = self.first
        while not self._stop.wait(delay):
            delay = self.interval
            try:
                result = self.job()
            except Exception:
                log.exception("%s sweep failed", self.name)
                continue
            if result and (not isinstance(result, dict) or any(result.values())):
                log.info("%s sweep: %s", self.name, result)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
