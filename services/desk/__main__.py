"""Run the work-order service: `python -m services.desk` (waitress on DESK_HOST:DESK_PORT).

Start-up migrates the database to the newest schema and seeds the demo staff on an empty one; a background
thread flags overdue orders every DESK_OVERDUE_SWEEP_SECONDS so the lasting flag and the audit log keep up.
"""

from __future__ import annotations

import logging
import os
import threading

from waitress import serve

from .app import create_app
from .settings import DeskSettings
from .store import DeskStore

log = logging.getLogger("services.desk")


def _sweep_forever(store: DeskStore, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            flagged = store.flag_overdue()
            if flagged:
                log.info("flagged %d overdue work orders", len(flagged))
        except Exception:  # the next sweep tries again; serving must go on
            log.exception("overdue sweep failed")


def _mask_logs() -> None:
    """Keep phone and ID numbers out of this process's logs (bot/logmask.py, once bot/privacy.py exists)."""
    try:
        from bot import logmask
    except ImportError:
        log.warning("bot.logmask unavailable: log lines are not masked")
        return
    logmask.install()


def main() -> None:
    logging.basicConfig(level=os.environ.get("DESK_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _mask_logs()
    settings = DeskSettings.from_env()
    store = DeskStore.open(settings)
    app = create_app(settings, store)
    stop = threading.Event()
    interval = float(os.environ.get("DESK_OVERDUE_SWEEP_SECONDS", "300"))
    threading.Thread(target=_sweep_forever, args=(store, interval, stop), daemon=True).start()
    log.info("work-order service on http://%s:%s", settings.host, settings.port)
    try:
        serve(app, host=settings.host, port=settings.port, threads=int(os.environ.get("DESK_THREADS", "8")))
    finally:
        stop.set()


if __name__ == "__main__":
    main()
