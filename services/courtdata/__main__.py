"""`python -m services.courtdata`: serve the court-data service with waitress (settings from COURTDATA_*)."""

from __future__ import annotations

import logging
import sys

from waitress import serve

from kernel import logmask
from services.courtdata import CourtStore, DataFileError, Settings, create_app
from services.courtdata.audit import AuditLog


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s courtdata: %(message)s")
    logmask.install()  # IDs and phones never reach a log line in clear
    try:
        settings = Settings.from_env()
        store = CourtStore.from_file(settings.data_file)
        audit = AuditLog(settings.audit_log)
        audit.open_check()  # an audit log that cannot be written stops the start
        app = create_app(settings, store, audit=audit)
    except (DataFileError, ValueError, OSError) as exc:
        print(f"courtdata: cannot start: {exc}", file=sys.stderr)
        return 2
    logging.getLogger("courtdata").info(
        "serving %s (%d cases, %d list entries) on http://%s:%d",
        store.source,
        len(store.cases),
        len(store.debtors),
        settings.host,
        settings.port,
    )
    serve(app, host=settings.host, port=settings.port, threads=settings.threads, ident="courtdata")
    return 0


if __name__ == "__main__":
    sys.exit(main())
