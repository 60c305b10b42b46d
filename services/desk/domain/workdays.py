"""Deadlines in Chinese working days.

12368 promises are made in working days: statutory holidays (国庆, 春节, ...) do not count and the
make-up working days (调休上班, often a Saturday or Sunday) do. Two sources, in this order:

1. the court's holiday file (`DESK_HOLIDAYS`, default services/desk/holidays.yml): for each year it lists,
   the State Council's schedule as entered by the court. It overrides `chinese_calendar` for those years
   and extends it past the years the library knows;
2. `chinese_calendar` for the other years.

For a year neither knows we fall back to Monday–Friday and log it, rather than refuse to take a work order;
the desk warns the administrator before that happens (`coverage_warnings`). The file is checked when the
desk starts (`load_calendar`): a bad date, a day both holiday and working day, or a make-up working day on a
weekday stops the start with `HolidayFileError`.

Convention: "within N working days" of a moment means by the end of the office day (`workday_end`) of the
N-th working day after the day the order arrived. The arrival day itself never counts, whether the order
came in at 09:00 on a Monday or on a Sunday night.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

log = logging.getLogger(__name__)
_warned_years: set[int] = set()

DEFAULT_HOLIDAYS = (
    Path(__file__).parent.parent / "holidays.yml"
)  # services/desk/holidays.yml, the court's file
LIBRARY_YEARS = frozenset(day.year for day in chinese_calendar.holidays)
YEAR_KEYS = {"source", "holidays", "workdays"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_RANGE_DAYS = 31


class HolidayFileError(ValueError):
    """The holiday file cannot be used; the message lists every problem, in Chinese, with the file's path."""


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text, so a bad one is reported instead of crashing."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class WorkCalendar:
    """Working days from the court's holiday file, then `chinese_calendar`, then Monday–Friday."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    file_years: frozenset[int] = frozenset()
    sources: dict[int, str] = field(default_factory=dict, compare=False)
    path: str = ""

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year in self.file_years:
            return day.weekday() < 5
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in _warned_years:
                _warned_years.add(day.year)
                log.warning(
                    "no holiday data for %s (holiday file or chinese_calendar); counting Monday-Friday only",
                    day.year,
                )
            return day.weekday() < 5

    def covers(self, year: int) -> bool:
        """Whether `year`'s holidays and make-up days are known (from the file or the library)."""
        return year in self.file_years or year in LIBRARY_YEARS

    def covered_years(self) -> list[int]:
        """Every year with known holidays, ascending."""
        return sorted(self.file_years | LIBRARY_YEARS)

    def source_of(self, year: int) -> str | None:
        """Where a year's schedule comes from: the file (with its stated source), the library, or None."""
        if year in self.file_years:
            return f"节假日文件（{self.sources.get(year) or '未注明出处'}）"
        if year in LIBRARY_YEARS:
            return f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()
        return None


# ------------------------------------------------------------------------------------------ the file


def _dates(entry: Any, year: int, list_name: str, problems: list[str]) -> list[date]:
    """One entry of a list: 'YYYY-MM-DD' or 'YYYY-MM-DD..YYYY-MM-DD' (both ends included)."""
    text = str(entry).strip() if isinstance(entry, (str, int)) else None
    parts = text.split("..") if text else []
    if not parts or len(parts) > 2 or not all(_DATE.fullmatch(p.strip()) for p in parts):
        problems.append(
            f"{year}年 {list_name}：“{entry}” 不是日期（应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）"
        )
        return []
    try:
        first, last = (date.fromisoformat(p.strip()) for p in (parts[0], parts[-1]))
    except ValueError:
        problems.append(f"{year}年 {list_name}：“{entry}” 不是有效日期")
        return []
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        problems.append(
            f"{year}年 {list_name}：“{entry}” 的日期范围不对（起日不晚于止日，最长{MAX_RANGE_DAYS}天）"
        )
        return []
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    for day in days:
        # A year's notice may start 元旦 (or a make-up day) in the December before.
        if not (day.year == year or (day.year == year - 1 and day.month == 12)):
            problems.append(f"{year}年 {list_name}：{day.isoformat()} 不属于{year}年的安排")
            return []
    return days


def _year(key: Any, problems: list[str]) -> int | None:
    text = str(key).strip()
    if isinstance(key, bool) or not text.isdigit() or not 2000 <= int(text) <= 2100:
        problems.append(f"“{key}” 不是年份（应为 2000–2100 的四位数）")
        return None
    return int(text)


def _entries(section: dict[str, Any], name: str, year: int, problems: list[str]) -> Iterable[Any]:
    value = section.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{year}年 {name} 应为日期列表")
        return []
    return value


def parse_calendar(data: Any, path: str = "") -> WorkCalendar:
    """Check a loaded holiday file and build the calendar; HolidayFileError lists every problem."""
    problems: list[str] = []
    years = data.get("years") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(years, dict) or not years:
        problems.append("文件应有 years: 一节，按年份列出 holidays（放假日）和 workdays（调休上班日）")
        years = {}
    elif set(data) - {"years"}:
        problems.append(f"未知的设置项：{', '.join(sorted(map(str, set(data) - {'years'})))}（只认 years）")
    holidays: dict[date, int] = {}
    workdays: dict[date, int] = {}
    file_years: set[int] = set()
    sources: dict[int, str] = {}
    for key, section in years.items():
        year = _year(key, problems)
        if year is None:
            continue
        if year in file_years:
            problems.append(f"{year}年出现了两次")
        if not isinstance(section, dict):
            problems.append(f"{year}年 应有 holidays 和 workdays 两个列表")
            continue
        unknown = set(map(str, section)) - YEAR_KEYS
        if unknown:
            problems.append(
                f"{year}年 有未知的项：{', '.join(sorted(unknown))}（只认 source、holidays、workdays）"
            )
        file_years.add(year)
        if section.get("source"):
            sources[year] = str(section["source"])
        year_holidays = [
            d
            for e in _entries(section, "holidays", year, problems)
            for d in _dates(e, year, "holidays", problems)
        ]
        if not section.get("holidays"):
            problems.append(f"{year}年 缺少 holidays（放假日）列表：一年至少有元旦")
        for day in year_holidays:
            holidays.setdefault(day, year)
        for entry in _entries(section, "workdays", year, problems):
            for day in _dates(entry, year, "workdays", problems):
                if day.weekday() < 5:
                    problems.append(
                        f"{year}年 workdays：{day.isoformat()} 是周{'一二三四五'[day.weekday()]}，"
                        "调休上班日应为周六或周日"
                    )
                workdays.setdefault(day, year)
    for day in sorted(set(holidays) & set(workdays)):
        problems.append(
            f"{day.isoformat()} 同时列为放假日（{holidays[day]}年）和调休上班日（{workdays[day]}年）"
        )
    if problems:
        where = path or "节假日文件"
        raise HolidayFileError(f"节假日文件 {where} 有 {len(problems)} 处错误：\n- " + "\n- ".join(problems))
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(file_years), sources, path)


def load_calendar(path: str | Path | None = None) -> WorkCalendar:
    """Read and check the holiday file (DESK_HOLIDAYS; the packaged holidays.yml when empty)."""
    target = Path(path) if path else DEFAULT_HOLIDAYS
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise HolidayFileError(f"节假日文件 {target} 无法读取：{exc.strerror or exc}") from exc
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        raise HolidayFileError(f"节假日文件 {target} 不是有效的 YAML：{exc}") from exc
    return parse_calendar(data, str(target))


@functools.lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The packaged file's calendar, for callers that do not pass their own."""
    return load_calendar(DEFAULT_HOLIDAYS)


# ------------------------------------------------------------------------------------------ coverage


def coverage_warnings(today: date, calendar: WorkCalendar | None = None) -> list[str]:
    """What the administrator must hear: this year or next year has no holiday schedule yet."""
    calendar = calendar or default_calendar()
    where = calendar.path or str(DEFAULT_HOLIDAYS)
    warnings = []
    if not calendar.covers(today.year):
        warnings.append(
            f"{today.year}年的节假日和调休安排尚未录入：现在的期限按周一至周五计算，法定节假日会被算作"
            f"工作日。请按国务院办公厅的通知补录到 {where} 并重启工作台。"
        )
    if not calendar.covers(today.year + 1):
        warnings.append(
            f"{today.year + 1}年的节假日和调休安排尚未录入：从{today.year + 1}年1月1日起期限将按周一至"
            f"周五计算。国务院办公厅通常在每年10—12月公布次年安排，公布后请录入 {where} 并重启工作台。"
        )
    return warnings


def covered_years(calendar: WorkCalendar | None = None) -> list[int]:
    """The years whose holidays and make-up working days are known, ascending."""
    return (calendar or default_calendar()).covered_years()


# ------------------------------------------------------------------------------------------ deadlines


def is_working_day(day: date, calendar: WorkCalendar | None = None) -> bool:
    """True on ordinary weekdays and make-up days, False on weekends and statutory holidays."""
    return (calendar or default_calendar()).is_working_day(day)


def nth_working_day_after(day: date, n: int, calendar: WorkCalendar | None = None) -> date:
    """The n-th working day strictly after `day` (n >= 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    calendar = calendar or default_calendar()
    current = day
    found = 0
    while found < n:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            found += 1
    return current


def deadline(
    arrived: datetime, working_days: int, workday_end: time, calendar: WorkCalendar | None = None
) -> datetime:
    """End of office hours on the n-th working day after `arrived` (aware, in arrived's zone)."""
    if arrived.tzinfo is None:
        raise ValueError("aware datetime expected")
    due_day = nth_working_day_after(arrived.date(), working_days, calendar)
    return datetime.combine(due_day, workday_end, tzinfo=arrived.tzinfo)
