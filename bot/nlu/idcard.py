"""居民身份证号码 (GB 11643-1999): validation, a maker for demo data, and a finder for free text.

An ID with a wrong check digit is almost always a typo; the assistant must say so instead of
looking it up (a lookup on a wrong ID could show someone else's case).
"""

from __future__ import annotations

import datetime as dt

from bot.nlu.digits import CodeMatch, digit_runs, fold_width, units

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
#: First two digits: provinces (GB/T 2260), plus 71 Taiwan, 81 Hong Kong, 82 Macau and 83
#: (residence permits of Taiwan residents).
PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
)
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (0–9 or X) for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("需要17位数字")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def birth_date(value: str) -> dt.date | None:
    """The birth date encoded in positions 7–14, or None if it is not a calendar date."""
    try:
        return dt.datetime.strptime(value[6:14], "%Y%m%d").date()
    except ValueError:
        return None


def id_problem(value: str, today: dt.date | None = None) -> str | None:
    """Why `value` (18 chars, canonical) is not a valid ID: 'format', 'region', 'birth_date',
    'check_digit'; None if valid."""
    if len(value) != 18 or not value[:17].isascii() or not value[:17].isdigit():
        return "format"
    if value[17] not in "0123456789X":
        return "format"
    if int(value[:2]) not in PROVINCES:
        return "region"
    born = birth_date(value)
    if born is None or not EARLIEST_BIRTH <= born <= (today or dt.date.today()):
        return "birth_date"
    if id_check_char(value[:17]) != value[17]:
        return "check_digit"
    return None


def canonical_id(text: str) -> str:
    """Upper-case, ASCII, without spaces or dashes (not validated)."""
    return "".join(ch for ch in fold_width(text).upper() if ch.isalnum())


def is_valid_id(text: str) -> bool:
    """True for a complete, valid ID number (spaces, dashes, full width and lower-case x allowed)."""
    return id_problem(canonical_id(text)) is None


def make_id(region: str, birthdate: dt.date | str, seq: int) -> str:
    """A valid ID for demo data and tests: 6-digit region, birth date, 3-digit sequence (odd = male)."""
    if isinstance(birthdate, dt.date):
        birthdate = birthdate.strftime("%Y%m%d")
    first17 = f"{region}{birthdate}{seq:03d}"
    value = first17 + id_check_char(first17)
    problem = id_problem(value)
    if problem is not None:
        raise ValueError(f"cannot make a valid ID from {region}/{birthdate}/{seq}: {problem}")
    return value


def find_id_numbers(text: str) -> list[CodeMatch]:
    """Valid IDs and invalid 18-character candidates, in text order."""
    found = []
    for run in digit_runs(text):
        for unit in units(run):
            if unit.kind == "id":
                start, end = run.span(unit)
                found.append(CodeMatch(start, end, unit.value, id_problem(unit.value)))
    return found
