"""Work orders (工单) and the staff desk of the court assistant, in rooms (see README.md here).

`service.orders.DeskStore` is the service layer every caller uses (HTTP API, desk pages, figures);
`create_app(settings, store)` (app.py) builds the Flask app; `python -m services.desk` serves it.
"""

from .app import create_app

__all__ = ["create_app"]
