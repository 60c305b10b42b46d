"""Reference court-data service: a faithful stand-in for a court's case and dishonest-debtor interfaces.

`create_app(settings, store)` builds the app; `python -m services.courtdata` serves it with waitress.
"""

from services.courtdata.app import create_app
from services.courtdata.settings import Settings
from services.courtdata.store import CourtStore, DataFileError

__all__ = ["CourtStore", "DataFileError", "Settings", "create_app"]
