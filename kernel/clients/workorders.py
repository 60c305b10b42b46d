"""Client of the work-order service (services/desk) used by the actions.

Creation is retried on connection failures: it is idempotent by (conversation_id, message_id), so a
retry after a lost answer returns the same order instead of a second one. Every call is a blocking
`requests` call run in a worker thread with connect/read timeouts, so the action server's event loop
never waits on the network.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import requests

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 4.0


class WorkOrderError(Exception):
    """The service could not do it; `citizen_message` says what to tell the citizen."""

    def __init__(self, citizen_message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(citizen_message)
        self.citizen_message = citizen_message
        self.status = status
        self.code = code  # the service's `error` word ("closed", "other_conversation", ...), when it said one


class WorkOrderClient:
    """The desk's /api/v1 for the actions; built from the URL and token a process's settings hold."""

    def __init__(self, base_url: str, token: str, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, payload: dict | None = None, attempts: int = 1) -> dict[str, Any]:
        last: Exception | None = None
        for _ in range(attempts):
            try:
                response = self.session.request(
                    method, self.base_url + path, json=payload, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)
                )
            except requests.RequestException as exc:
                last = exc
                continue
            if response.status_code >= 500:
                last = WorkOrderError(
                    "工单系统暂时不可用，请稍后再试，或拨打 12368 热线。", response.status_code
                )
                continue
            body = response.json() if response.content else {}
            if response.status_code >= 400:
                message = body.get("message") or "信息有误，请核对后重试。"
                if response.status_code == 404:
                    message = "没有查到这个工单，请核对工单编号和手机号。"
                raise WorkOrderError(message, response.status_code, str(body.get("error") or ""))
            return body
        raise WorkOrderError("工单系统暂时不可用，请稍后再试，或拨打 12368 热线。") from last

    async def create(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await asyncio.to_thread(self._call, "POST", "/api/v1/workorders", payload, 3)

    async def lookup(self, number: str, phone: str) -> dict[str, Any]:
        return await asyncio.to_thread(
            self._call, "POST", "/api/v1/workorders/lookup", {"number": number, "phone": phone}, 2
        )

    async def clerk_online(self) -> bool:
        try:
            status = await asyncio.to_thread(self._call, "GET", "/api/v1/handoff/status")
        except WorkOrderError:
            return False
        return int(status.get("clerks_online") or 0) > 0

    async def request_live(self, number: str, conversation_id: str, channel: str) -> dict[str, Any]:
        return await asyncio.to_thread(
            self._call,
            "POST",
            "/api/v1/handoff",
            {"number": number, "conversation_id": conversation_id, "channel": channel},
            2,
        )

    async def open_live(
        self,
        conversation_id: str,
        channel: str,
        summary: str,
        message_id: str,
        transcript: list[dict[str, str]],
    ) -> dict[str, Any]:
        """转人工 with a clerk online: the desk stores a 人工咨询 order from what is known and queues the
        conversation; the answer has `number`, `position` and `expected_wait_seconds`. Idempotent by
        (conversation_id, message_id), so it is retried like creation."""
        return await asyncio.to_thread(
            self._call,
            "POST",
            "/api/v1/handoff",
            {
                "conversation_id": conversation_id,
                "channel": channel,
                "summary": summary,
                "message_id": message_id,
                "transcript": transcript,
            },
            3,
        )

    async def add_supplement(
        self, number: str, conversation_id: str, message_id: str, text: str, channel: str
    ) -> dict[str, Any]:
        """群众补充 to an order of this conversation; the same message_id again adds nothing (so it is retried)."""
        return await asyncio.to_thread(
            self._call,
            "POST",
            f"/api/v1/workorders/{quote(number, safe='')}/supplements",
            {"conversation_id": conversation_id, "message_id": message_id, "text": text, "channel": channel},
            2,
        )
