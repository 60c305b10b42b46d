"""Append-only audit log of verification: every attempt, failure, code failure, lock and party alert.

One JSON object per line, values masked (IDs 110105********1234, phones 138****5678, names to their first
character), the file created mode 0600 and only ever opened for appending. Each line is one `write()` on
an O_APPEND descriptor, so lines from several threads or processes do not interleave.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

from kernel.privacy import mask_credit_code, mask_id

MASKS = {"id_number": mask_id, "credit_code": mask_credit_code, "license_number": mask_id}


def mask_name(name: str) -> str:
    """'陈思远' → '陈**': enough to tell attempts apart when reading, not enough to name anyone."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_identifier(kind: str, number: str) -> str:
    return MASKS.get(kind, mask_id)(number)


class AuditLog:
    """`write(event, **fields)` appends one line; the file and its directory are created on first use."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def open_check(self) -> None:
        """Create the file now (mode 0600), so a path that cannot be written stops the start, not a request."""
        os.close(self._open())

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
        except OSError:  # pragma: no cover - not the owner: leave the mode as the owner set it
            pass
        return fd

    def write(self, event: str, **fields) -> None:
        record = {
            "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "event": event,
            **{k: v for k, v in fields.items() if v is not None},
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        with self._lock:
            fd = self._open()
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
