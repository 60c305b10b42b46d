"""Fault points for the kill test (test-only; off unless DESK_FAULT_HOOK is set).

The promise "stored before the citizen is told" is proven by killing the server at the worst moments:
just before the creating transaction commits, and just after it committed but before the HTTP answer left.
With DESK_FAULT_HOOK="<point>:<marker file>" the process writes the order number to the marker file when it
reaches <point> (before_commit | after_commit) and then stalls, so the test can SIGKILL it right there.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
POINTS = ("before_commit", "after_commit")


@dataclass(frozen=True)
class Faults:
    """Where to stall, and the file that says we got there."""

    point: str = ""
    marker: str = ""
    stall_seconds: float = 120.0

    @classmethod
    def from_spec(cls, spec: str) -> Faults:
        if not spec:
            return cls()
        point, _, marker = spec.partition(":")
        if point not in POINTS or not marker:
            raise ValueError(f"DESK_FAULT_HOOK must be <{'|'.join(POINTS)}>:<marker file>, got {spec!r}")
        log.warning("fault hook active (%s): for the kill test only, never in production", point)
        return cls(point, marker)

    def reach(self, point: str, number: str) -> None:
        """Mark and stall if this is the configured point; otherwise do nothing."""
        if point != self.point:
            return
        Path(self.marker).write_text(number, encoding="utf-8")
        time.sleep(self.stall_seconds)
