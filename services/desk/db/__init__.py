"""Storage: tables, queue queries, counters, sessions, phones at rest, the engine and Alembic migrations
(`db/alembic.ini`, `db/migrations/`). It may import the domain room, never the service or the HTTP rooms."""
