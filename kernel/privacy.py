"""Masking of personal numbers in replies, logs, transcripts and stored events.

`mask_id` / `mask_phone` / `mask_credit_code` mask one known value. `mask_text` masks every
ID-like (18 characters) and mobile-like (11 digits from 1) number in free text, valid or
not, also when written full-width or with spaces and dashes: it reads digit groups exactly
as the entity finders do (kernel.nlu.digits), so whatever they could find, it hides. A run of
digit groups that holds such a number, or that has 11 digits or more in all, is masked
whole: groups that are not part of the number are starred too, so the kept ends of two
numbers can never join into a new one. Landlines (0 + area code) are left readable.
"""

from __future__ import annotations

import re

from kernel.nlu.digits import Run, digit_runs, fold_width, units

STAR = "*"
#: A work-order number (GD20261128-0001): the citizen's handle on their request, never personal, so
#: it is never masked, although its 12 digits would read as a mobile-like run.
ORDER_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{8}-\d{4}(?!\d)")


def _compact(value: str) -> str:
    return "".join(ch for ch in fold_width(value).upper() if ch.isalnum())


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return STAR * len(value)
    return value[:head] + STAR * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id(value: str) -> str:
    """'110105199001011234' → '110105********1234' (first 6, last 4)."""
    value = _compact(value)
    return _keep_ends(value, 6, 4) if len(value) == 18 else _keep_ends(value, 3, 4)


def mask_phone(value: str) -> str:
    """'13812345678' (also '+86 138-1234-5678') → '138****5678' (first 3, last 4)."""
    digits = "".join(ch for ch in fold_width(value) if ch.isdigit())
    if len(digits) in (13, 15) and digits[-11] == "1" and digits[:-11] in ("86", "0086"):
        digits = digits[-11:]
    return _keep_ends(digits, 3, 4)


def mask_name(name: str) -> str:
    """'陈思远' → '陈**' (the surname only): enough for staff to tell rows apart in an export that leaves the desk."""
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_credit_code(value: str) -> str:
    """'91110105MA01ABCD5F' → '911101********CD5F' (first 6, last 4)."""
    return _keep_ends(_compact(value), 6, 4)


def _kept_positions(run: Run) -> set[int]:
    """Text offsets of the digits of `run` that stay visible."""
    offsets = [g.start + k for g in run.groups for k in range(g.end - g.start)]
    found = units(run)
    if not found:
        return {o for i, o in enumerate(offsets) if i < 3 or i >= len(offsets) - 4}
    kept: set[int] = set()
    for unit in found:
        first, last = run.groups[unit.first], run.groups[unit.last]
        own = [o for o in offsets if first.start <= o < last.end]
        if unit.kind == "id":
            kept.update(own[:6] + own[-4:])
        else:
            prefix = own[: unit.prefix_len]
            # keep "86" but not "0086": with "00" the kept digits could join a neighbour's.
            kept.update(prefix[-2:] + own[unit.prefix_len : unit.prefix_len + 3] + own[-4:])
    return kept


def _landline(run: Run) -> bool:
    """0 + area code + number (010-12345678, 0755 12345678): not personal by itself, and the
    court's own numbers in replies must stay readable."""
    return run.groups[0].chars.startswith("0") and run.size <= 12


def mask_text(text: str) -> str:
    """Every ID-like and mobile-like number in `text` masked (see the module docstring)."""
    orders = [m.span() for m in ORDER_NUMBER.finditer(text)]
    if orders:  # read around the order numbers, then put them back as they were
        hidden = list(text)
        for start, end in orders:
            hidden[start:end] = "#" * (end - start)
        chars = list(mask_text("".join(hidden)))
        for start, end in orders:
            chars[start:end] = text[start:end]
        return "".join(chars)
    chars = list(text)
    for run in digit_runs(text):
        if not units(run) and (run.size < 11 or _landline(run)):
            continue
        kept = _kept_positions(run)
        for group in run.groups:
            for offset in range(group.start, group.end):
                if offset not in kept:
                    chars[offset] = STAR
    return "".join(chars)


def mask_code(text: str) -> str:
    """`mask_text`, and every 4–6 digit number starred: for replies to a one-time-code prompt,
    whose digits are the code. Do not use it on other text: it hides years and case numbers."""
    chars = list(mask_text(text))
    for run in digit_runs(text):
        if 4 <= run.size <= 6:
            for group in run.groups:
                chars[group.start : group.end] = STAR * (group.end - group.start)
    return "".join(chars)
