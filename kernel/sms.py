"""SMS gateway adapter, chosen by a backend name (`SMS_BACKEND` in a process's settings).

`outbox` (the embedded default) appends each message as a JSON line to `SMS_OUTBOX`; the run command tails
that file so a demo user can read the one-time code. The outbox keeps the full phone number because it
stands in for the operator's network; anything shown to people goes through `latest_messages`, which masks.
`http` speaks a plain JSON API of the kind Chinese SMS gateways offer (sign name + text, bearer key), so a
real gateway is a matter of configuration or a thin subclass.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import threading
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from kernel.privacy import mask_phone

DEFAULT_OUTBOX = "var/sms_outbox.jsonl"
DEFAULT_SIGN_NAME = "北京市第三中级人民法院"
DEFAULT_SPOOL = "var/sms_spool.jsonl"  # notifications the gateway refused (kernel/sms_spool.py)


class SmsError(RuntimeError):
    """The gateway did not accept the message; the caller should tell the user to retry later."""


@dataclass(frozen=True)
class SmsMessage:
    """One message as the gateway saw it."""

    message_id: str
    phone: str
    text: str
    sent_at: str
    purpose: str = "otp"


class SmsGateway(Protocol):
    """What the court-data service needs from a gateway: send one text, get an id back."""

    def send(self, phone: str, text: str, purpose: str = "otp") -> str: ...


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


class OutboxGateway:
    """Appends messages to a JSON-lines file, safely from several threads and processes."""

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_OUTBOX) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, phone: str, text: str, purpose: str = "otp") -> str:
        message = SmsMessage(uuid.uuid4().hex, phone, text, _now(), purpose)
        line = json.dumps(asdict(message), ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, open(self.path, "a", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.write(line)
        except OSError as exc:
            raise SmsError(f"outbox not writable: {exc.strerror}") from exc
        return message.message_id


class HttpGateway:
    """POSTs `{to, sign_name, text, client_ref}` with a bearer key; expects `{message_id}` back.

    Timeouts are short because a verification request is waiting on this call.
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        sign_name: str = DEFAULT_SIGN_NAME,
        timeout: tuple[float, float] = (2.0, 3.0),
    ) -> None:
        import requests  # only this adapter needs it

        if not url:
            raise ValueError("SMS_HTTP_URL is required when SMS_BACKEND=http")
        self.url, self.sign_name, self.timeout = url, sign_name, timeout
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Bearer {api_key}", "User-Agent": "court-assistant-sms/1"}
        )

    def send(self, phone: str, text: str, purpose: str = "otp") -> str:
        import requests

        body = {
            "to": "+86" + phone,
            "sign_name": self.sign_name,
            "text": text,
            "client_ref": uuid.uuid4().hex,
            "purpose": purpose,
        }
        try:
            response = self._session.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SmsError(f"gateway unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise SmsError(f"gateway refused the message: HTTP {response.status_code}")
        try:
            return str(response.json()["message_id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SmsError("gateway answered without a message_id") from exc


def innermost(gateway: SmsGateway) -> SmsGateway:
    """The gateway that really sends, under wrappers such as the spool (their `inner`)."""
    while hasattr(gateway, "inner"):
        gateway = gateway.inner
    return gateway


def make_gateway(
    backend: str = "outbox",
    *,
    outbox: str | os.PathLike[str] = DEFAULT_OUTBOX,
    http_url: str = "",
    http_key: str = "",
    sign_name: str = DEFAULT_SIGN_NAME,
) -> SmsGateway:
    """The gateway named by `backend` (outbox | http), from values a process's settings object read."""
    backend = backend.strip().lower() or "outbox"
    if backend == "outbox":
        return OutboxGateway(outbox)
    if backend == "http":
        return HttpGateway(http_url, http_key, sign_name)
    raise ValueError(f"unknown SMS_BACKEND {backend!r}: use outbox or http")


def read_messages(path: str | os.PathLike[str] = DEFAULT_OUTBOX, limit: int = 10) -> list[SmsMessage]:
    """The last `limit` messages of an outbox, unmasked (for tests and the gateway's own tooling)."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = deque(handle, maxlen=limit)
    except FileNotFoundError:
        return []
    messages = []
    for line in lines:
        try:
            messages.append(SmsMessage(**json.loads(line)))
        except (ValueError, TypeError):
            continue  # a torn or foreign line must not hide the others
    return messages


def latest_messages(path: str | os.PathLike[str] = DEFAULT_OUTBOX, limit: int = 10) -> list[dict[str, str]]:
    """The last messages with the phone masked, for display next to the demo (the text keeps the code)."""
    return [
        {"sent_at": m.sent_at, "phone": mask_phone(m.phone), "text": m.text}
        for m in read_messages(path, limit)
    ]


def _print(rows: list[dict[str, str]]) -> None:
    for row in rows:
        print(f"[短信 {row['sent_at']}] {row['phone']}: {row['text']}", flush=True)


def main(argv: list[str] | None = None) -> None:
    """`python -m kernel.sms [--follow]`: show the outbox with masked phone numbers."""
    parser = argparse.ArgumentParser(description="Show the SMS outbox (phones masked).")
    parser.add_argument("--path", default=os.environ.get("SMS_OUTBOX", DEFAULT_OUTBOX))
    parser.add_argument("-n", type=int, default=10, help="how many recent messages")
    parser.add_argument("--follow", action="store_true", help="keep printing new messages")
    args = parser.parse_args(argv)
    _print(latest_messages(args.path, args.n))
    if args.follow:
        _follow(Path(args.path))


def _follow(path: Path) -> None:
    offset = path.stat().st_size if path.exists() else 0
    try:
        while True:
            time.sleep(0.5)
            if not path.exists() or path.stat().st_size <= offset:
                offset = min(offset, path.stat().st_size) if path.exists() else 0
                continue
            with open(path, encoding="utf-8") as handle:
                handle.seek(offset)
                chunk = handle.read()
                offset = handle.tell()
            for line in chunk.splitlines():
                try:
                    m = json.loads(line)
                    _print([{"sent_at": m["sent_at"], "phone": mask_phone(m["phone"]), "text": m["text"]}])
                except (ValueError, KeyError, TypeError):
                    continue
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
