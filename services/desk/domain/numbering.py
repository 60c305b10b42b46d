"""Readable work-order numbers: <prefix><local date>-<sequence>, e.g. GD20261128-0001.

Only the form lives here; the sequence itself comes from a per-day counter row (db/counters.py), so that
the rule of what a number looks like is testable without a database.
"""

from __future__ import annotations

from datetime import date


def day_key(prefix: str, day: date) -> str:
    """The counter key of `day`, which is also the number's fixed part: GD20261128."""
    return f"{prefix}{day:%Y%m%d}"


def format_number(key: str, sequence: int) -> str:
    """The number for the `sequence`-th order under `key`: GD20261128-0001."""
    return f"{key}-{sequence:04d}"
