"""Dishonest-debtor searches: a daily limit per end client and an audit line for every search.

The list is public one entry at a time, but not as a whole: a caller must not walk it by trying names and
ID numbers. The service therefore counts searches per end client (the caller's own address, or the key a
trusted caller such as the action server forwards for the citizen behind it), per day, on top of the
per-key rate limit. A trusted caller that forwards nothing is counted by that rate limit alone (its
citizens share its address; the assistant keeps its own per-citizen limits, actions/debtor.py).
Every search, refused or answered, is written to the audit log with the name and identifier masked.
"""

from __future__ import annotations

import hashlib
import time

from services.courtdata.audit import AuditLog, mask_identifier, mask_name
from services.courtdata.errors import ApiError
from services.courtdata.verification import UNKNOWN_CLIENT

DAY = 86400
LIMITED = "今日查询次数已达上限，请明天再试。"


def count_search(kv, limit: int, client: str, audit: AuditLog, name: str, kind: str, number: str) -> None:
    """Counts one search of `client` today; ApiError 429 (audited) once `limit` is passed (0: no limit)."""
    if limit <= 0 or client == UNKNOWN_CLIENT:
        return
    now = time.time()
    day = int(now // DAY)
    key = f"cd:debtor:{hashlib.sha256(client.encode()).hexdigest()[:24]}:{day}"
    if kv.incr(key, DAY) > limit:
        audit_search(audit, name, kind, number, client, outcome="refused_daily_limit")
        raise ApiError(429, "rate_limited", LIMITED, retry_after=int(DAY - now % DAY))


def audit_search(
    audit: AuditLog, name: str, kind: str, number: str, client: str, outcome: str, **counts: int
) -> None:
    """One masked line: who asked (the end client as the service knows it), for whom, what came back."""
    audit.write(
        "debtor_search",
        outcome=outcome,
        name=mask_name(name),
        kind=kind,
        identifier=mask_identifier(kind, number),
        client=client or "forwarded-none",
        **counts,
    )
