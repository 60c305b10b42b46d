"""居民身份证号码 (GB 11643-1999): the rules alone, on a canonical 18-character value.

Kept apart from the finder (idcard.py) because the digit-run splitter (digits.py) needs them to
tell a valid ID from an ID-shaped typo, and the finder needs the splitter.
"""

from __future__ import annotations

import datetime as dt

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
