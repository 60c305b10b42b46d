"""居民身份证号码 (GB 11643-1999): a maker for demo data and a finder for free text (rules: idrules.py).

An ID with a wrong check digit is almost always a typo; the assistant must say so instead of
looking it up (a lookup on a wrong ID could show someone else's case).
"""

from __future__ import annotations

import datetime as dt

from kernel.nlu.digits import CodeMatch, digit_runs, fold_width, units
from kernel.nlu.idrules import id_check_char, id_problem


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
