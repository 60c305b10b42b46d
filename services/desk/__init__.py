"""Work orders (工单) and the staff desk of the court assistant.

`store.DeskStore` is the service layer every caller uses (HTTP API, desk pages, figures);
`app.create_app(settings, store)` builds the Flask app; `python -m services.desk` serves it.
"""
