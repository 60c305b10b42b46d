"""Deadlines in Chinese working days.

12368 promises are made in working days: statutory holidays (国庆, 春节, ...) do not count and the
make-up working days (调休上班, often a Saturday or Sunday) do. `chinese_calendar` knows both; for a year
it has no data for yet we fall back to Monday–Friday and log it, rather than refuse to take a work order.

Convention: "within N working days" of a moment means by the end of the office day (`workday_end`) of the
N-th working day after the day the order arrived. The arrival day itself never counts, whether the order
came in at 09:00 on a Monday or on a Sunday night.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

import chinese_calendar

log = logging.getLogger(__name__)
_warned_years: set[int] = set()


def is_working_day(day: date) -> bool:
    """True on ordinary weekdays and make-up days, False on weekends and statutory holidays."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("chinese_calendar has no data for %s; counting Monday-Friday only", day.year)
        return day.weekday() < 5


def nth_working_day_after(day: date, n: int) -> date:
    """The n-th working day strictly after `day` (n >= 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    current = day
    found = 0
    while found < n:
        current += timedelta(days=1)
        if is_working_day(current):
            found += 1
    return current


def deadline(arrived: datetime, working_days: int, workday_end: time) -> datetime:
    """End of office hours on the n-th working day after `arrived` (aware, in arrived's zone)."""
    if arrived.tzinfo is None:
        raise ValueError("aware datetime expected")
    due_day = nth_working_day_after(arrived.date(), working_days)
    return datetime.combine(due_day, workday_end, tzinfo=arrived.tzinfo)
