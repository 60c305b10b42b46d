"""Case facts on the work-order page, from the court-data service through the actions' court client.

The reference court-data API gives the public summary (court, type, stage, status, filing date) to anyone
and the progress (nodes, hearings, parties, judge) only to a party verified by SMS code; it has no staff
access. So the desk shows the public summary and the case number, and tells judges to open the case in the
court's own case-management system. Short timeouts and a small cache keep the page fast when the service
is slow or down.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from kernel.clients.court import CourtError, NotFound, Unavailable, make_client

from ..settings import DeskSettings

CACHE_SECONDS = 300.0
ERROR_CACHE_SECONDS = 30.0
NO_STAFF_ACCESS = (
    "法院数据接口未提供工作人员查询案件进度的权限，此处仅显示公开信息；"
    "承办法官请在审判管理系统中按案号查看进度。"
)


class CaseFacts:
    """`lookup(case_number)` → public summary dict, or `{"error": 中文原因}`; cached per case number."""

    def __init__(self, settings: DeskSettings, clock: Callable[[], float] = time.monotonic) -> None:
        # short timeouts: the facts decorate a page a clerk is waiting for
        self._client = make_client(
            settings.court_api_url,
            settings.court_api_key,
            1.0,
            2.0,
            adapter=settings.court_client,
            adapter_env=os.environ,
        )
        self._clock = clock
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def lookup(self, case_number: str) -> dict[str, Any]:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(case_number)
            if hit and hit[0] > now:
                return hit[1]
        try:
            summary = self._client.case_summary(case_number)
            facts: dict[str, Any] = {
                "case_number": summary.case_number,
                "court": summary.court,
                "case_type": summary.case_type,
                "stage": summary.stage,
                "status": summary.status,
                "filing_date": summary.filing_date.isoformat(),
            }
            ttl = CACHE_SECONDS
        except CourtError as exc:
            facts, ttl = {"error": _staff_message(exc)}, ERROR_CACHE_SECONDS
        with self._lock:
            self._cache[case_number] = (now + ttl, facts)
        return facts


def _staff_message(exc: CourtError) -> str:
    """The client's messages speak to citizens; staff get a plain statement."""
    if isinstance(exc, NotFound):
        return "法院数据中未找到该案号，请核对案号是否填写正确。"
    if isinstance(exc, Unavailable):
        return "法院数据服务暂时无法访问，请稍后刷新。"
    return exc.message
