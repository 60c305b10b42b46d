"""The retention job: `python -m services.desk.retention` (the desk process also runs it once a day).

It purges what is older than the policy (RETENTION_DAYS, default 180; 0: off) in both stores of personal
data: conversation events in Rasa's tracker store (kernel/retention.py; SQLite or PostgreSQL, found from
RASA_ENDPOINTS or RETENTION_TRACKER_DB_URL) and the personal fields of work orders closed before the cut-off
(service/retention.py). The audit log is kept. Prints one JSON line with the counts, for cron mail or a
monitoring check; exits non-zero if a store could not be purged, so the failure is seen.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from typing import Any

from kernel.retention import purge_tracker_events

from .domain.clock import utcnow
from .service.orders import DeskStore
from .service.retention import cutoff_for, purge_closed_orders
from .settings import DeskSettings

log = logging.getLogger(__name__)
DAY_SECONDS = 24 * 3600.0


def run_retention(settings: DeskSettings, store: DeskStore, now: datetime | None = None) -> dict[str, Any]:
    """One round of the policy on both stores; the counts, or {"days": 0} when the policy is off."""
    if settings.retention_days <= 0:
        return {"days": 0}
    now = now or utcnow()
    desk = purge_closed_orders(store.sessions, store.phones, settings.retention_days, now)
    events = None
    if settings.tracker_db_url:
        events = purge_tracker_events(settings.tracker_db_url, cutoff_for(settings.retention_days, now))
    else:
        log.warning("retention: no SQL tracker store configured, conversation events not purged")
    return {
        "days": settings.retention_days,
        "orders_purged": desk.orders,
        "events_deleted": events,
    }


def main() -> int:
    settings = DeskSettings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        result = run_retention(settings, DeskStore.open(settings))
    except Exception as exc:  # noqa: BLE001 - an operator reads this line; the exit code alerts
        log.exception("retention job failed")
        print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
