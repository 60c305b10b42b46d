"""The service room: orders (`orders.DeskStore`), staff, live handoff, delivery, figures, notices, case facts,
the Rasa client, background sweeps and the wiring of them. It imports domain and db, never http or web."""
