"""Run the work-order service and staff desk: `python -m services.desk` (waitress on DESK_HOST:DESK_PORT).

Start-up checks the holiday file (DESK_HOLIDAYS, domain/workdays.py) and refuses to start when it is
wrong, then migrates the database to the newest schema and seeds the demo staff on an empty one. Two background
threads: one flags overdue orders every DESK_OVERDUE_SWEEP_SECONDS so the lasting flag and the audit log keep
up; the other (every DESK_HANDOFF_SWEEP_SECONDS) ends live-handoff requests nobody took within
HANDOFF_WAIT_SECONDS, hands back abandoned chats and retries failed resumes. A third runs the retention job
(retention.py: RETENTION_DAYS) a minute after start-up and then once a day. A fourth sends again the SMS
any process on this machine could not send (SMS_SPOOL, kernel/sms_spool.py).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from waitress import serve

from kernel import logmask
from kernel.sms_spool import SpoolingGateway

from .app import create_app
from .domain.workdays import HolidayFileError, WorkCalendar, coverage_warnings
from .retention import DAY_SECONDS, run_retention
from .service.background import Sweeper
from .service.orders import DeskStore
from .settings import DEFAULT_DEMO_PASSWORD, DeskSettings

SMS_RETRY_SECONDS = 5.0  # how often the SMS spool (SMS_SPOOL) is looked at for messages due again

log = logging.getLogger("services.desk")


def _mask_logs() -> None:
    """Keep phone and ID numbers out of this process's logs."""
    logmask.install()


def _refuse(problems: list[str]) -> None:
    """Production mode with demo secrets or passwords: say what to fix and exit non-zero."""
    if problems:
        for problem in problems:
            log.error("production mode (COURT_MODE=production): %s", problem)
        raise SystemExit("工作台未启动（COURT_MODE=production）：" + "；".join(problems))


def warn_calendar(calendar: WorkCalendar, today: date) -> list[str]:
    """Log (for the operator's alerting) what the administrator's banner says: this or next year has no holiday
    schedule, so deadlines would count Monday–Friday. Returns the warnings."""
    warnings = coverage_warnings(today, calendar)
    for warning in warnings:
        log.warning("holiday calendar: %s", warning)
    return warnings


def main() -> None:
    settings = DeskSettings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _mask_logs()
    _refuse(settings.production_problems())
    try:
        store = DeskStore.open(settings)
    except HolidayFileError as exc:  # deadlines would be wrong: refuse to start, say what to fix
        log.error("%s", exc)
        raise SystemExit(f"工作台未启动：{exc}") from None
    if not settings.demo:  # a database seeded in demo mode must not go live with the published password
        weak = store.staff.demo_password_accounts((DEFAULT_DEMO_PASSWORD,))
        _refuse(
            [f"演示账号仍使用公开的演示密码：{'、'.join(weak)}（请重置密码或停用这些账号）"] if weak else []
        )
    warn_calendar(store.calendar, datetime.now(ZoneInfo(settings.timezone)).date())
    app = create_app(settings, store)
    wiring = app.config["DESK_WIRING"]
    sweepers = [
        Sweeper("overdue", settings.overdue_sweep_seconds, store.flag_overdue).start(),
        Sweeper("handoff", settings.handoff_sweep_seconds, wiring.handoffs.sweep).start(),
    ]
    spool = wiring.created_sms.sms  # the one gateway of this process (Messenger shares it)
    if isinstance(spool, SpoolingGateway):  # notifications any process on this machine could not send
        sweepers.append(Sweeper("sms-spool", SMS_RETRY_SECONDS, spool.retry_due, first=5).start())
    if settings.retention_days > 0:  # a minute after start-up, then daily (retention.py)
        retention = Sweeper("retention", DAY_SECONDS, lambda: run_retention(settings, store), first=60)
        sweepers.append(retention.start())
    log.info("work-order service and staff desk on http://%s:%s/desk/", settings.host, settings.port)
    try:
        serve(app, host=settings.host, port=settings.port, threads=settings.threads)
    finally:
        for sweeper in sweepers:
            sweeper.stop()


if __name__ == "__main__":
    main()
