"""The court's holiday file: it overrides and extends chinese-calendar, is checked at start-up, and the desk
warns the administrator when next year's schedule is missing.

The 2031 schedule below is made-up test data (the State Council has not published it), chosen so that a
holiday and make-up days fall where the library has no data at all.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from kernel.kv import MemoryKV
from services.desk.app import create_app
from services.desk.domain.workdays import (
    DEFAULT_HOLIDAYS,
    HolidayFileError,
    covered_years,
    deadline,
    default_calendar,
    is_working_day,
    load_calendar,
)
from services.desk.service.orders import DeskStore
from services.desk.service.wiring import Wiring
from tests.desk.conftest import FAST_HASHER, PASSWORD
from tests.desk.helpers import FakeClock, local, login, new_order

BJ = ZoneInfo("Asia/Shanghai")
END = time(17, 30)
ROOT = Path(__file__).resolve().parents[2]

TEST_2031 = """\
# TEST DATA, not an official schedule.
years:
  2031:
    source: 测试数据
    holidays:
      - 2031-01-01
      - 2031-10-01..2031-10-07
    workdays:
      - 2031-09-28   # Sunday
      - 2031-10-11   # Saturday
"""


def write(tmp_path: Path, text: str, name: str = "holidays.yml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def due(calendar, arrived: str, days: int) -> str:
    moment = datetime.fromisoformat(arrived).replace(tzinfo=BJ)
    return deadline(moment, days, END, calendar).date().isoformat()


# ------------------------------------------------------------------------------------------ deadlines


@pytest.mark.parametrize(
    ("arrived", "days", "expected"),
    [
        ("2031-09-30 10:00", 1, "2031-10-08"),  # across the 7-day holiday of the file
        ("2031-09-30 10:00", 3, "2031-10-10"),
        ("2031-09-30 10:00", 4, "2031-10-11"),  # the make-up Saturday counts
        ("2031-09-26 16:00", 1, "2031-09-28"),  # Friday -> the make-up Sunday
        ("2030-12-31 09:00", 1, "2031-01-02"),  # New Year's Day of the file
    ],
)
def test_a_deadline_across_a_holiday_uses_the_file(tmp_path, arrived, days, expected):
    calendar = load_calendar(write(tmp_path, TEST_2031))
    assert due(calendar, arrived, days) == expected


def test_without_the_file_the_same_days_fall_back_to_monday_to_friday(tmp_path):
    assert due(default_calendar(), "2031-09-30 10:00", 1) == "2031-10-01"
    assert is_working_day(date(2031, 10, 11)) is False


def test_a_make_up_saturday_and_sunday_count_as_working_days(tmp_path):
    calendar = load_calendar(write(tmp_path, TEST_2031))
    assert calendar.is_working_day(date(2031, 10, 11)) and calendar.is_working_day(date(2031, 9, 28))
    assert not calendar.is_working_day(date(2031, 10, 12))  # an ordinary Sunday
    assert not calendar.is_working_day(date(2031, 10, 3))  # a Friday inside the holiday


def test_the_store_promises_deadlines_from_the_configured_file(store, settings, tmp_path):
    desk = DeskStore(
        store.engine,
        dataclasses.replace(settings, holidays_file=write(tmp_path, TEST_2031)),
        hasher=FAST_HASHER,
    )
    view = new_order(desk, now=local("2031-09-30 10:00"))
    assert view["first_contact_due"] == "2031-10-08T17:30:00+08:00"
    assert view["answer_due"] == "2031-10-09T17:30:00+08:00"


def test_a_year_in_the_file_replaces_the_library_for_that_year(tmp_path):
    # A court correcting 2026: say 11-30 (a Monday) was declared a holiday and 10-01 was not.
    calendar = load_calendar(write(tmp_path, "years:\n  2026:\n    holidays: [2026-11-30]\n"))
    assert calendar.is_working_day(date(2026, 11, 30)) is False
    assert calendar.is_working_day(date(2026, 10, 1)) is True
    assert calendar.is_working_day(date(2025, 10, 1)) is False  # other years: still the library


def test_the_packaged_file_matches_the_published_2026_schedule_day_by_day():
    calendar = load_calendar(DEFAULT_HOLIDAYS)
    assert 2026 in calendar.file_years
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    assert [d for d in days if calendar.is_working_day(d) != chinese_calendar.is_workday(d)] == []


def test_covered_years_come_from_the_file_and_the_library(tmp_path):
    calendar = load_calendar(write(tmp_path, TEST_2031))
    years = calendar.covered_years()
    assert 2031 in years and 2026 in years and 2004 in years
    assert 2027 not in years and not calendar.covers(2030)
    assert covered_years() == default_calendar().covered_years() and 2026 in covered_years()


# ------------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("years:\n  2031:\n    holidays: [2031-02-30]\n", "“2031-02-30” 不是有效日期"),
        ("years:\n  2031:\n    holidays: [明天]\n", "不是日期"),
        (
            "years:\n  2031:\n    holidays: [2031-10-01..2031-10-07]\n    workdays: [2031-10-04]\n",
            "2031-10-04 同时列为放假日（2031年）和调休上班日（2031年）",
        ),
        (
            "years:\n  2031:\n    holidays: [2031-01-01, 2031-12-27]\n  2032:\n    holidays: [2032-01-01]\n"
            "    workdays: [2031-12-27]\n",
            "2031-12-27 同时列为放假日（2031年）和调休上班日（2032年）",
        ),  # across two years' notices
        (
            "years:\n  2031:\n    holidays: [2031-01-01]\n    workdays: [2031-10-10]\n",
            "调休上班日应为周六或周日",
        ),
        ("years:\n  2031:\n    holidays: [2032-01-01]\n", "不属于2031年的安排"),
        ("years:\n  2031:\n    holidays: [2031-10-07..2031-10-01]\n", "日期范围不对"),
        ("years:\n  2031:\n    holiday: [2031-01-01]\n", "未知的项：holiday"),
        ("years:\n  2031:\n    workdays: [2031-09-28]\n", "缺少 holidays"),
        ("years:\n  '31':\n    holidays: [2031-01-01]\n", "不是年份"),
        ("holidays: [2031-01-01]\n", "years"),
        ("years: [2031\n", "不是有效的 YAML"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message(tmp_path, text, reason):
    path = write(tmp_path, text)
    with pytest.raises(HolidayFileError) as info:
        load_calendar(path)
    assert reason in str(info.value) and path in str(info.value)


def test_every_problem_is_listed_at_once(tmp_path):
    text = "years:\n  2031:\n    holidays: [2031-02-30, 2031-10-01]\n    workdays: [2031-10-01, 2031-10-10]\n"
    with pytest.raises(HolidayFileError) as info:
        load_calendar(write(tmp_path, text))
    message = str(info.value)
    assert "4 处错误" in message and "2031-02-30" in message and "2031-10-10 是周五" in message
    assert "2031-10-01 同时列为放假日" in message


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(HolidayFileError, match="无法读取"):
        load_calendar(tmp_path / "nowhere.yml")


def test_the_store_does_not_open_on_a_bad_file(settings, tmp_path):
    bad = dataclasses.replace(
        settings,
        database_url=f"sqlite:///{tmp_path / 'never.db'}",
        holidays_file=write(tmp_path, "years:\n  2031:\n    holidays: [2031-13-01]\n"),
    )
    with pytest.raises(HolidayFileError):
        DeskStore.open(bad)
    assert not (tmp_path / "never.db").exists()  # refused before touching the database


def test_the_desk_refuses_to_start_and_says_why(tmp_path):
    env = {
        **os.environ,
        "DESK_HOLIDAYS": write(tmp_path, TEST_2031.replace("2031-10-11", "2031-10-01")),
        "DESK_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
        "DESK_PORT": "0",
    }
    run = subprocess.run(
        [sys.executable, "-m", "services.desk"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert "工作台未启动" in run.stderr and "2031-10-01 同时列为放假日" in run.stderr
    assert not (tmp_path / "desk.db").exists()


# ------------------------------------------------------------------------------------------ the admin warning


def _desk(store, settings, clock: FakeClock, holidays_file: str = ""):
    desk = DeskStore(
        store.engine, dataclasses.replace(settings, holidays_file=holidays_file), hasher=FAST_HASHER
    )
    app = create_app(
        desk.settings, desk, wiring=Wiring.from_settings(desk.settings, desk, clock=clock, kv=MemoryKV())
    )
    return app.test_client()


def test_the_administrator_is_warned_when_next_year_is_not_covered(store, settings):
    client = _desk(store, settings, FakeClock(local("2026-12-01 10:00")))
    login(client, "admin", PASSWORD)
    page = client.get("/desk/holidays").get_data(as_text=True)
    assert "2027年的节假日和调休安排尚未录入" in page and "从2027年1月1日起期限将按周一至周五计算" in page
    assert "calendar-warning" in client.get("/desk/").get_data(as_text=True)  # on every page, as a banner
    assert "2026年的节假日和调休安排尚未录入" not in page


def test_a_year_without_any_schedule_is_an_alarm_for_this_year_too(store, settings):
    client = _desk(store, settings, FakeClock(local("2027-03-01 10:00")))
    login(client, "admin", PASSWORD)
    page = client.get("/desk/holidays").get_data(as_text=True)
    assert "2027年的节假日和调休安排尚未录入：现在的期限按周一至周五计算" in page
    assert "2028年的节假日和调休安排尚未录入" in page


def test_no_warning_while_this_and_next_year_are_covered(store, settings):
    client = _desk(store, settings, FakeClock(local("2025-06-01 10:00")))
    login(client, "admin", PASSWORD)
    assert "calendar-warning" not in client.get("/desk/").get_data(as_text=True)
    assert "今年和明年的节假日安排均已录入" in client.get("/desk/holidays").get_data(as_text=True)


def test_entering_next_year_in_the_file_ends_the_warning(store, settings, tmp_path):
    client = _desk(store, settings, FakeClock(local("2030-12-01 10:00")), write(tmp_path, TEST_2031))
    login(client, "admin", PASSWORD)
    page = client.get("/desk/holidays").get_data(as_text=True)
    assert "2031年的节假日和调休安排尚未录入" not in page and "测试数据" in page
    assert "2030年的节假日和调休安排尚未录入" in page  # 2030 itself is in neither the file nor the library


def test_only_the_administrator_sees_the_warning_and_the_page(store, settings):
    client = _desk(store, settings, FakeClock(local("2026-12-01 10:00")))
    login(client, "clerk", PASSWORD)
    assert "calendar-warning" not in client.get("/desk/").get_data(as_text=True)
    assert client.get("/desk/holidays").status_code == 403


def test_the_operator_reads_the_missing_year_in_the_start_up_log(caplog):
    from services.desk.__main__ import warn_calendar

    with caplog.at_level("WARNING", logger="services.desk"):
        warn_calendar(default_calendar(), date(2026, 12, 1))
    assert "2027年的节假日和调休安排尚未录入" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="services.desk"):
        assert warn_calendar(default_calendar(), date(2025, 12, 1)) == []  # 2025 and 2026 are known
    assert caplog.text == ""
