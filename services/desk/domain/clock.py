"""Time conventions of the service.

The database keeps naive UTC datetimes (SQLite has no time zones, and one convention for both databases
keeps comparisons in SQL correct); deadlines and readable numbers are reckoned in the court's local time.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Now as naive UTC, the stored form."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_local(stored: datetime, tz: str) -> datetime:
    """A stored naive-UTC datetime as an aware datetime in the court's zone."""
    return stored.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))


def to_stored(moment: datetime) -> datetime:
    """An aware datetime (any zone) as naive UTC for storage."""
    if moment.tzinfo is None:
        raise ValueError("aware datetime expected")
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def iso_local(stored: datetime | None, tz: str) -> str | None:
    """ISO 8601 text with the court's offset, for API answers."""
    return None if stored is None else to_local(stored, tz).isoformat(timespec="seconds")


WEEKDAYS = "一二三四五六日"


def label_local(stored: datetime | None, tz: str) -> str | None:
    """'11月30日（周一）17:30': how the bot reads a deadline to a citizen."""
    if stored is None:
        return None
    moment = to_local(stored, tz)
    return f"{moment.month}月{moment.day}日（周{WEEKDAYS[moment.weekday()]}）{moment:%H:%M}"
