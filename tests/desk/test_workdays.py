"""Deadlines in Chinese working days around 国庆, 中秋, 春节 and the make-up working days (调休)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.desk.domain.workdays import deadline, is_working_day, nth_working_day_after

BJ = ZoneInfo("Asia/Shanghai")
END = time(17, 30)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 1), False),  # 国庆
        (date(2026, 10, 7), False),  # 国庆, a Wednesday
        (date(2026, 10, 10), True),  # Saturday make-up day
        (date(2026, 9, 20), True),  # Sunday make-up day
        (date(2026, 9, 25), False),  # 中秋, a Friday
        (date(2026, 2, 14), True),  # Saturday make-up day before 春节
        (date(2026, 2, 23), False),  # 春节, a Monday
        (date(2026, 2, 28), True),  # Saturday make-up day after 春节
        (date(2026, 11, 28), False),  # ordinary Saturday
        (date(2026, 11, 30), True),  # ordinary Monday
        (date(2025, 9, 28), True),  # Sunday make-up day before 国庆 2025
        (date(2025, 10, 8), False),  # 国庆 2025, a Wednesday
    ],
)
def test_working_day(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("arrived", "days", "due"),
    [
        # ordinary week
        ("2026-11-23 09:00", 1, "2026-11-24"),
        ("2026-11-23 09:00", 2, "2026-11-25"),
        ("2026-11-24 23:59", 1, "2026-11-25"),  # the arrival day never counts, however late
        ("2026-11-27 16:00", 1, "2026-11-30"),  # Friday -> Monday
        ("2026-11-28 10:00", 1, "2026-11-30"),  # arrives on a Saturday
        # 国庆 2026: Oct 1-7 off, Saturday Oct 10 worked
        ("2026-09-30 10:00", 1, "2026-10-08"),
        ("2026-09-30 10:00", 2, "2026-10-09"),
        ("2026-09-30 10:00", 3, "2026-10-10"),
        ("2026-09-30 10:00", 4, "2026-10-12"),
        ("2026-10-03 12:00", 1, "2026-10-08"),  # arrives during the holiday
        # 中秋 2026 (Friday Sept 25 off) and the Sunday make-up day Sept 20
        ("2026-09-24 10:00", 1, "2026-09-28"),
        ("2026-09-19 10:00", 1, "2026-09-20"),
        # 春节 2026: Saturday Feb 14 worked, Feb 15-23 off, Saturday Feb 28 worked
        ("2026-02-13 16:00", 1, "2026-02-14"),
        ("2026-02-13 16:00", 2, "2026-02-24"),
        ("2026-02-27 09:00", 1, "2026-02-28"),
        # 国庆 2025: Sunday Sept 28 worked, Oct 1-8 off, Saturday Oct 11 worked
        ("2025-09-26 11:00", 1, "2025-09-28"),
        ("2025-09-30 11:00", 1, "2025-10-09"),
        ("2025-09-30 11:00", 3, "2025-10-11"),
    ],
)
def test_deadline_is_end_of_the_nth_working_day_after_arrival(arrived, days, due):
    moment = datetime.fromisoformat(arrived).replace(tzinfo=BJ)
    assert deadline(moment, days, END) == datetime.combine(date.fromisoformat(due), END, tzinfo=BJ)


def test_year_without_calendar_data_falls_back_to_weekdays():
    assert nth_working_day_after(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Friday -> Monday


def test_deadline_refuses_naive_datetimes_and_zero_days():
    with pytest.raises(ValueError):
        deadline(datetime(2026, 11, 23, 9), 1, END)
    with pytest.raises(ValueError):
        nth_working_day_after(date(2026, 11, 23), 0)


@pytest.mark.parametrize(
    ("local_text", "label"),
    [
        ("2026-11-30 17:30", "11月30日（周一）17:30"),
        ("2026-10-10 17:30", "10月10日（周六）17:30"),
        ("2027-01-03 09:05", "1月3日（周日）09:05"),
    ],
)
def test_deadline_label_read_to_citizens(local_text, label):
    from services.desk.domain.clock import label_local
    from tests.desk.helpers import local

    assert label_local(local(local_text), "Asia/Shanghai") == label
