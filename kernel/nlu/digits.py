"""Digit runs: the one place that decides how digits written with gaps belong together.

Citizens write `138 1234 5678`, `110105 19900101 123X`, `+86-138-1234-5678` or full-width
`１３８１２３４５６７８`. The ID and phone finders, the masker and the normaliser must agree on
which digit groups form one number, otherwise a number the finder sees could slip past the
masker. They all use `digit_runs` and `units` from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kernel.nlu.idrules import id_problem

#: Full-width digits and letters fold to ASCII; everything else is left alone here.
WIDTH_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
WIDTH_FOLD.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})
WIDTH_FOLD.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})

DIGITS = "0-9\uff10-\uff19"
#: Characters that may sit between the digit groups of one number (space, NBSP, ideographic
#: space, ASCII and Unicode dashes).
SEPARATORS = " \u00a0\u3000\t-\u2010\u2011\u2012\u2013\u2014\uff0d"
_GROUP = re.compile(rf"[{DIGITS}]+(?:[Xx\uff38\uff58](?![0-9A-Za-z\uff10-\uff19]))?")
_LONE_X = re.compile(r"[Xx\uff38\uff58](?![0-9A-Za-z\uff10-\uff19])")  # 1101...977-X
_SEP = re.compile(rf"[{re.escape(SEPARATORS)}]{{1,3}}")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def fold_width(text: str) -> str:
    """Full-width digits and Latin letters to ASCII (same length, so offsets stay valid)."""
    return text.translate(WIDTH_FOLD)


@dataclass(frozen=True)
class Group:
    """Digits written without a gap (an ID's final X included)."""

    start: int
    end: int
    chars: str  # ASCII-folded, upper-case X


@dataclass(frozen=True)
class Unit:
    """Consecutive groups of one run that together look like one ID or mobile number."""

    kind: str  # "id" or "phone"
    first: int  # index of the first group in the run
    last: int  # index of the last group (inclusive)
    value: str  # canonical: 18 chars for an ID, 11 digits for a phone (prefix stripped)
    valid: bool
    prefix_len: int = 0  # digits of a +86 / 0086 country prefix in front of a phone


@dataclass(frozen=True)
class Run:
    """Groups separated only by short gaps; `start`/`end` are offsets in the text."""

    groups: tuple[Group, ...]

    @property
    def start(self) -> int:
        return self.groups[0].start

    @property
    def end(self) -> int:
        return self.groups[-1].end

    @property
    def size(self) -> int:
        return sum(len(g.chars) for g in self.groups)

    def span(self, unit: Unit) -> tuple[int, int]:
        return self.groups[unit.first].start, self.groups[unit.last].end


@dataclass(frozen=True)
class CodeMatch:
    """An 18-character ID or credit-code candidate in text; `problem` is None when it is valid."""

    start: int
    end: int
    value: str
    problem: str | None

    @property
    def valid(self) -> bool:
        return self.problem is None


def _group(match: re.Match[str]) -> Group:
    return Group(match.start(), match.end(), fold_width(match.group()).upper())


def digit_runs(text: str) -> Iterator[Run]:
    """Yield maximal runs of digit groups joined by 1–3 separator characters."""
    pos = 0
    while True:
        match = _GROUP.search(text, pos)
        if match is None:
            return
        groups = [_group(match)]
        pos = match.end()
        while not groups[-1].chars.endswith("X"):
            gap = _SEP.match(text, pos)
            nxt = (_GROUP.match(text, gap.end()) or _LONE_X.match(text, gap.end())) if gap else None
            if nxt is None:
                break
            groups.append(_group(nxt))
            pos = nxt.end()
        yield Run(tuple(groups))


def _phone_value(chars: str) -> tuple[str, int] | None:
    """Mobile-like digits (11 digits starting with 1, maybe after 86 / 0086) → (11 digits, prefix)."""
    for prefix in ("", "86", "0086"):
        if len(chars) == 11 + len(prefix) and chars.startswith(prefix + "1"):
            return chars[len(prefix) :], len(prefix)
    return None


def _readings(chars: str) -> list[tuple[str, str, int]]:
    """Every reading of `chars` as an ID or a mobile: (kind, canonical value, prefix length)."""
    found: list[tuple[str, str, int]] = []
    if len(chars) == 18 and "X" not in chars[:17]:
        found.append(("id", chars, 0))
    phone = _phone_value(chars) if "X" not in chars else None
    if phone:
        found.append(("phone", phone[0], phone[1]))
    return found


def _is_valid(kind: str, value: str) -> bool:
    return id_problem(value) is None if kind == "id" else bool(_MOBILE.fullmatch(value))


def units(run: Run) -> list[Unit]:
    """Split a run into ID/phone units, left to right; groups in no unit are left over.

    At each position a valid reading beats a merely ID-/phone-like one, and a longer one a
    shorter one, so `13812345678 1234567` (18 digits) is a phone and a leftover, not a bad ID.
    """
    found: list[Unit] = []
    i, n = 0, len(run.groups)
    while i < n:
        options: list[tuple[bool, int, Unit]] = []
        chars = ""
        for j in range(i, n):
            chars += run.groups[j].chars
            if len(chars) > 18:
                break
            for kind, value, prefix in _readings(chars):
                valid = _is_valid(kind, value)
                options.append((valid, len(chars), Unit(kind, i, j, value, valid, prefix)))
        if not options:
            i += 1
            continue
        best = max(options, key=lambda option: option[:2])[2]
        found.append(best)
        i = best.last + 1
    return found
