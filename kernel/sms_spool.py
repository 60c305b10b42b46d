"""SMS that could not be sent are kept and retried with backoff, never dropped (one-time codes excepted).

A notification (a work order answered or closed, a party alert) that the gateway refuses or cannot be
reached for is appended to a spool file (JSON lines, 0600, shared by every process of one machine through
`flock`) instead of being lost; `SpoolingGateway.retry_due()` sends what is due, with exponential backoff
capped at MAX_BACKOFF, keeping the rest. A one-time code is never spooled: it lives five minutes, the
citizen is waiting for it and is told at once that it could not be sent (the caller gets SmsError).

Delivery is at least once: a gateway that took a message but timed out before answering gets it again.
Every message still waiting after its first retry is logged with SMS_UNDELIVERED for the operator.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from kernel.privacy import mask_phone
from kernel.sms import DEFAULT_SPOOL, SmsError, SmsGateway, make_gateway

logger = logging.getLogger(__name__)

NOT_SPOOLED = frozenset({"otp"})  # expires before any retry would help; the citizen is told instead
FIRST_BACKOFF = 5.0
MAX_BACKOFF = 600.0
LEASE = 60.0  # seconds a process holds due entries while it sends them
ALERT = "SMS_UNDELIVERED"
SPOOLED_PREFIX = "spooled:"  # what send() answers for a kept message, instead of the gateway's id


class SpoolingGateway:
    """A gateway that keeps what the inner one refused and sends it later."""

    def __init__(
        self,
        inner: SmsGateway,
        path: str | os.PathLike[str] = DEFAULT_SPOOL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.inner, self.path, self.clock = inner, Path(path), clock
        self._stop = threading.Event()

    def send(self, phone: str, text: str, purpose: str = "otp") -> str:
        try:
            return self.inner.send(phone, text, purpose)
        except SmsError as exc:
            if purpose in NOT_SPOOLED:
                raise
            entry_id = uuid.uuid4().hex
            self._append({"id": entry_id, "phone": phone, "text": text, "purpose": purpose, "attempts": 1,
                          "next_at": self.clock() + FIRST_BACKOFF, "error": str(exc)})  # fmt: skip
            logger.warning("SMS to %s kept for retry (%s): %s", mask_phone(phone), purpose, exc)
            return SPOOLED_PREFIX + entry_id

    def pending(self) -> list[dict[str, Any]]:
        with self._locked() as entries:
            return list(entries)

    def retry_due(self) -> int:
        """Send every entry that is due; returns how many went out. Safe to run in several processes:
        due entries are leased (their next try moved LEASE ahead) under the lock, sent without it."""
        now = self.clock()
        with self._locked(write=True) as entries:
            due = [dict(e) for e in entries if e["next_at"] <= now]
            for entry in entries:
                if entry["next_at"] <= now:
                    entry["next_at"] = now + LEASE
        outcome: dict[str, str | None] = {}
        for entry in due:
            try:
                self.inner.send(entry["phone"], entry["text"], entry["purpose"])
                outcome[entry["id"]] = None
            except SmsError as exc:
                outcome[entry["id"]] = str(exc)
        with self._locked(write=True) as entries:
            for entry in list(entries):
                if entry["id"] not in outcome:
                    continue
                error = outcome[entry["id"]]
                if error is None:
                    entries.remove(entry)
                    continue
                entry["attempts"] += 1
                entry["next_at"] = now + min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (entry["attempts"] - 1))
                entry["error"] = error
                logger.error("%s to %s after %d attempts: %s", ALERT, mask_phone(entry["phone"]),
                             entry["attempts"], error)  # fmt: skip
        return sum(1 for error in outcome.values() if error is None)

    def start_retrying(self, every: float = 5.0) -> threading.Thread:
        """A daemon thread that retries due entries (a process's main starts it, never an import)."""

        def loop() -> None:
            while not self._stop.wait(every):
                try:
                    self.retry_due()
                except Exception:  # noqa: BLE001 - the loop must outlive a bad spool line or a full disk
                    logger.exception("%s: the retry loop failed this round", ALERT)

        thread = threading.Thread(target=loop, name="sms-spool", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def _append(self, entry: dict[str, Any]) -> None:
        with self._locked(write=True) as entries:
            entries.append(entry)

    @contextmanager
    def _locked(self, write: bool = False) -> Iterator[list[dict[str, Any]]]:
        """The entries under an exclusive lock of the spool file; written back when `write`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            entries = [json.loads(line) for line in fh.read().splitlines() if line.strip()]
            yield entries
            if write:
                fh.seek(0)
                fh.truncate()
                fh.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries))
                fh.flush()
                os.fsync(fh.fileno())


class SmsValues(Protocol):
    """The SMS_* values every process's settings object holds under the same field names."""

    @property
    def sms_backend(self) -> str: ...
    @property
    def sms_outbox(self) -> str: ...
    @property
    def sms_http_url(self) -> str: ...
    @property
    def sms_http_key(self) -> str: ...
    @property
    def sms_sign_name(self) -> str: ...
    @property
    def sms_spool(self) -> str: ...


def gateway_for(settings: SmsValues) -> SmsGateway:
    """The gateway a process's settings name (one reading of the SMS_* values for every process), keeping
    what it refuses in the spool (SMS_SPOOL, kernel/sms_spool.py) to be sent again."""
    gateway = make_gateway(
        settings.sms_backend,
        outbox=settings.sms_outbox,
        http_url=settings.sms_http_url,
        http_key=settings.sms_http_key,
        sign_name=settings.sms_sign_name,
    )
    return SpoolingGateway(gateway, settings.sms_spool) if settings.sms_spool else gateway
