"""Mainland mobile numbers (1[3-9] + 9 digits). Landlines are not entities (see the contract)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernel.nlu.digits import digit_runs, fold_width, units

_MOBILE = re.compile(r"1[3-9]\d{9}")
_PREFIX = re.compile(r"^(?:\+?86|0086)")


def canonical_phone(text: str) -> str | None:
    """11 ASCII digits for a mobile number written any usual way (+86, 0086, spaces, dashes,
    brackets, full width), else None."""
    digits = "".join(ch for ch in fold_width(text) if ch.isdigit() or ch == "+")
    if not _MOBILE.fullmatch(digits):
        digits = _PREFIX.sub("", digits, count=1)
    return digits if _MOBILE.fullmatch(digits) else None


def is_valid_phone(text: str) -> bool:
    """True for a complete mainland mobile number."""
    return canonical_phone(text) is not None


@dataclass(frozen=True)
class PhoneMatch:
    """A mobile number in text; the span covers a +86/0086 prefix and gaps."""

    start: int
    end: int
    value: str


def find_phones(text: str) -> list[PhoneMatch]:
    """Valid mobile numbers in text order. Digits that are part of a longer number are skipped."""
    found = []
    for run in digit_runs(text):
        for unit in units(run):
            if unit.kind == "phone" and unit.valid:
                start, end = run.span(unit)
                if unit.prefix_len and start > 0 and text[start - 1] in "+\uff0b":
                    start -= 1
                found.append(PhoneMatch(start, end, unit.value))
    return found
