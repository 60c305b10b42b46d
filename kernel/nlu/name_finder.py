"""person_name and org_name by rule: the names a statistical NER misses inside longer sentences.

Organisations are found by their ending (有限公司, 合作社, 医院, 店 …, `ORG_ENDINGS`) and a walk back
over the name's characters that stops at a function word, pronoun, verb or role word (我们, 被, 查,
对方是 …, `ORG_STOPS`); a court is never one, nor a generic body alone (物业公司, 我们公司).
Persons are a surname (compound ones first: 诸葛文杰, not 葛文杰) and one or two given characters in
a context that makes them a name (我叫…, 被执行人…, …有没有失信, a message that is only the name),
cut before the words that follow names (陈晓上次 → 陈晓); a surname with a title is no name (王法官).

`boundaries` (optional everywhere) are the token offsets of a word segmentation such as the
pipeline's jieba tokens: a stop word then only counts where it is a whole word, so 北京和平里医院
keeps its 和. Values are the text as written (the contract's canonical value for names).
Pure functions over strings: no I/O, no Rasa.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kernel.nlu.name_tables import (
    BRANCH_ENDINGS,
    COMPOUND_SURNAMES,
    COURT_MARKS,
    FOLLOWING,
    LEFT_STRONG,
    LEFT_WEAK,
    NON_GIVEN,
    NOT_LAST,
    NOT_SECOND_GIVEN,
    ORG_ENDINGS,
    ORG_GENERIC,
    ORG_LEFT,
    ORG_STOPS,
    PLACES,
    PROTECTED,
    RIGHT,
    SINGLE_SURNAMES,
    SURNAME_WORDS,
    TITLES,
)

PERSON, ORG = "person_name", "org_name"
MAX_ORG_BODY = 30
#: A weak ending (公司, 医院, 店) after a longer body is a sentence, not a name.
MAX_WEAK_BODY = 20


@dataclass(frozen=True, order=True)
class NameSpan:
    """One name: [start, end) of the text it was found in."""

    start: int
    end: int
    label: str
    value: str

    def overlaps(self, other: NameSpan) -> bool:
        return self.start < other.end and other.start < self.end


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _ends_with_word(
    text: str, i: int, words: Iterable[str], boundaries: Collection[int] | None, protect: bool = False
) -> bool:
    """Does one of `words` end at offset i as a whole word? With `boundaries`, it must be a whole
    token; with `protect`, it may not be a piece of a place or a name word (成|都, 广|告)."""
    if boundaries is not None and i not in boundaries:
        return False
    for word in words:
        j = i - len(word)
        if j < 0 or not text.startswith(word, j) or (boundaries is not None and j not in boundaries):
            continue
        if protect and _cuts_word(text, j, i):
            continue
        return True
    return False


def _cuts_word(text: str, j: int, i: int) -> bool:
    """Is text[j:i] a piece of a longer protected word around it (成都's 都, 广告's 告)?"""
    for word in PROTECTED:
        for start in range(max(0, j - len(word) + 1), i):
            end = start + len(word)
            if text.startswith(word, start) and start < i and j < end and (start < j or end > i):
                return True
    return False


# ---------------------------------------------------------------- organisations


@lru_cache(maxsize=1)
def _ending_re() -> re.Pattern[str]:
    parts = [
        re.escape(ending) + (f"(?![{re.escape(banned)}])" if banned else "")
        for ending, banned, _ in sorted(ORG_ENDINGS, key=lambda e: -len(e[0]))
    ]
    return re.compile("|".join(parts))


_STRONG = frozenset(ending for ending, _, strong in ORG_ENDINGS if strong)
_ADMIN_START = re.compile(r"^[\u4e00-\u9fff]{2,4}?[省市区县州盟旗]")


def _place_led(body: str) -> bool:
    return any(body.startswith(place) for place in PLACES) or bool(_ADMIN_START.match(body))


def _announced(text: str, start: int, body: str) -> bool:
    """May a weak ending (医院, 公司, 店) close this body? After a place or a party word only."""
    if len(body) > MAX_WEAK_BODY:
        return False
    return _place_led(body) or any(text.endswith(word, 0, start) for word in ORG_LEFT)


@lru_cache(maxsize=1)
def _branch_re() -> re.Pattern[str]:
    return re.compile(r"[\u4e00-\u9fff]{1,8}?(?:" + "|".join(map(re.escape, BRANCH_ENDINGS)) + ")")


def _org_stop_at(text: str, i: int, boundaries: Collection[int] | None) -> bool:
    return _ends_with_word(text, i, ORG_STOPS, boundaries, protect=True)


def _walk_back(text: str, end: int, floor: int, boundaries: Collection[int] | None) -> int:
    """Start of the name whose ending starts at `end`: back over name characters to a stop."""
    i = end
    while i > floor and end - i < MAX_ORG_BODY:
        if _org_stop_at(text, i, boundaries):
            break
        ch = text[i - 1]
        if ch in ")）":
            opening = max(text.rfind("(", floor, i - 1), text.rfind("（", floor, i - 1))
            inner = text[opening + 1 : i - 1] if opening >= 0 else ""
            if not (2 <= len(inner) <= 6 and all(_cjk(c) for c in inner)):
                break
            i = opening
            continue
        if not _cjk(ch):
            break
        i -= 1
    return i


def _place_start(text: str, start: int, end: int, boundaries: Collection[int] | None) -> int:
    """Where a place name starts the name after some leading word (客户北京… → the 北); a place
    inside a word (医保定点: 保定) does not count when the tokens say so."""
    for i in range(start, end):
        if (boundaries is None or i in boundaries) and any(text.startswith(p, i) for p in PLACES):
            return i
    return start


def _distinct(body: str) -> str:
    """The body without generic words: what makes it one organisation and not a kind of one."""
    rest = body
    for word in sorted(ORG_GENERIC, key=len, reverse=True):
        rest = rest.replace(word, "")
    return "".join(c for c in rest if _cjk(c))


def valid_org(value: str, ending_start: int | None = None) -> bool:
    """Is `value` shaped like an organisation name? Also the filter for the NER's org_name."""
    if not value or any(mark in value for mark in COURT_MARKS):
        return False
    if ending_start is None:
        endings = list(_ending_re().finditer(value))
        if not endings:  # 阿里巴巴, 京东: only the model gives these; a name of a person is none
            return len(value) >= 4 and len(_distinct(value)) >= 2 and not valid_person(value)
        ending_start = endings[-1].start()
    body = value[:ending_start]
    return len(body) >= 2 and len(_distinct(body)) >= 2


def find_org_names(text: str, boundaries: Collection[int] | None = None) -> list[NameSpan]:
    """Organisation names of `text`, left to right, never overlapping."""
    found: list[NameSpan] = []
    pos = 0
    for match in _ending_re().finditer(text):
        if match.start() < pos:
            continue
        floor = found[-1].end if found else 0
        start = _walk_back(text, match.start(), floor, boundaries)
        merged = bool(found) and start == floor == found[-1].end
        if merged:
            start = found.pop().start  # 北京城建集团 + 建设有限公司: one name with two endings
        elif start < match.start():
            start = _place_start(text, start, match.start(), boundaries)
        end = match.end()
        branch = _branch_re().match(text, end)
        if branch and not any(stop in branch.group() for stop in ("的", "和", "与", "跟", "是")):
            end = branch.end()
        value = text[start:end]
        body = text[start : match.start()]
        strong = match.group() in _STRONG or merged
        announced = _announced(text, start, body)
        # two characters of body need a place or a party word too (冻结合作社 is none, 被告是腾讯公司 one)
        short_ok = len(body) >= 3 or announced
        if valid_org(value, len(body)) and (strong or announced) and short_ok:
            found.append(NameSpan(start, end, ORG, value))
            pos = end
    return found


# ---------------------------------------------------------------- persons


def _given(ch: str) -> bool:
    return _cjk(ch) and ch not in NON_GIVEN


def _surname_lengths(text: str, i: int) -> list[int]:
    lengths = []
    if text[i : i + 2] in COMPOUND_SURNAMES:
        lengths.append(2)
    if text[i] in SINGLE_SURNAMES:
        lengths.append(1)
    return lengths


def _name_end(text: str, i: int, surname: int) -> int | None:
    """End of the name whose surname of length `surname` starts at i, or None."""
    g = i + surname
    if g >= len(text) or not _given(text[g]) or any(text.startswith(t, g) for t in TITLES):
        return None
    end = g + 1
    nxt = end
    if (
        nxt < len(text)
        and _given(text[nxt])
        and text[nxt] not in NOT_SECOND_GIVEN
        and not any(text.startswith(w, nxt) for w in FOLLOWING)
        and not any(text.startswith(t, nxt) for t in TITLES if len(t) > 1)
    ):
        end = nxt + 1
    if text[g] == text[i] and surname == 1 and end == g + 1:
        return None  # 迟迟, 常常, 谢谢: a doubled character is a word
    if text[end - 1] in NOT_LAST:
        end -= 1
    if end == g:
        return None
    if any(text.startswith(w, i) and len(w) <= end - i for w in SURNAME_WORDS):
        return None
    if any(text.startswith(place, i) for place in PLACES):
        return None
    return end


def _label_left(text: str, i: int) -> bool:
    """The message starts with the name, or a label does (姓名：…)."""
    return i == 0 or text[i - 1] in ":：" or text[:i].isspace()


def _punct_left(text: str, i: int) -> bool:
    return i > 0 and text[i - 1] in "，,。.！!？?、；;（(“\"' "


def _open_right(text: str, end: int) -> bool:
    return end >= len(text) or not _cjk(text[end])


def _in_context(text: str, i: int, end: int) -> bool:
    """A left word that makes a name (我叫…); a message or label that starts with it (张伟，身份证…);
    or a weak left edge (…的, ，) and a right word (…有没有失信)."""
    before = text[:i]
    bare = before[:-1] if before[-1:] in "是叫为：:" else before  # 承办法官是…, 孩子叫…
    strong = any(before.endswith(w) or bare.endswith(w) for w in LEFT_STRONG)
    if strong or (_label_left(text, i) and _open_right(text, end)):
        return True
    weak_left = _label_left(text, i) or _punct_left(text, i) or any(before.endswith(w) for w in LEFT_WEAK)
    return weak_left and any(text.startswith(w, end) for w in RIGHT)


def _whole_word(text: str, i: int, end: int, boundaries: Collection[int] | None) -> bool:
    """With tokens, a name starts and ends at a token edge (查封扣押 holds no 封扣押), unless a
    word that follows names says where it ends (刘强身份证…: jieba's 强身 is not the point)."""
    if boundaries is None:
        return True
    return i in boundaries and (end in boundaries or any(text.startswith(w, end) for w in RIGHT))


_ID_BEFORE = re.compile(r"[0-9Xx]{11,}$")


def _after_number(text: str, i: int, end: int) -> bool:
    """370102198902050049徐俊刚: a name right after an ID or a phone number, ending the message."""
    return bool(_ID_BEFORE.search(text, 0, i)) and _open_right(text, end)


#: Transliterated names (阿依古丽·买买提): Chinese runs joined by a middle dot are a name anywhere.
_DOTTED = re.compile(r"[\u4e00-\u9fff]{1,8}(?:[·•．・][\u4e00-\u9fff]{1,8})+")


def _dotted_start(text: str, start: int, end: int) -> int:
    """Where a dotted name starts: after a context word glued to its first part (我叫古丽娜尔·…)."""
    first_dot = min(text.find(dot, start, end) for dot in "·•．・" if dot in text[start:end])
    for p in range(start + 1, first_dot - 1):
        if any(text.endswith(word, start, p) for word in (*LEFT_STRONG, *LEFT_WEAK)):
            return p
    return start


def find_person_names(text: str, boundaries: Collection[int] | None = None) -> list[NameSpan]:
    """Person names of `text`, left to right, never overlapping."""
    found = [
        NameSpan(start, m.end(), PERSON, text[start : m.end()])
        for m in _DOTTED.finditer(text)
        for start in [_dotted_start(text, m.start(), m.end())]
    ]
    taken = [(s.start, s.end) for s in found]
    i = 0
    while i < len(text):
        inside = next((e for s, e in taken if s <= i < e), None)
        if inside is not None:
            i = inside
            continue
        hit = None
        for surname in _surname_lengths(text, i):
            end = _name_end(text, i, surname)
            if (
                end is not None
                and _whole_word(text, i, end, boundaries)
                and (_in_context(text, i, end) or _after_number(text, i, end))
            ):
                hit = NameSpan(i, end, PERSON, text[i:end])
                break
        if hit:
            found.append(hit)
            i = hit.end
        else:
            i += 1
    return sorted(found)


def valid_person(value: str) -> bool:
    """Is `value` shaped like a full name (surname + 1–2 given characters, no title)?"""
    for surname in _surname_lengths(value, 0) if value else []:
        if 2 <= len(value) - surname + 1 <= 3 and _name_end(value + "。", 0, surname) == len(value):
            return True
    return False


# ---------------------------------------------------------------- both


def find_names(text: str, boundaries: Collection[int] | None = None) -> list[NameSpan]:
    """Organisations first (a person inside one, 北京王府井百货, is part of it), then persons."""
    orgs = find_org_names(text, boundaries)
    persons = [p for p in find_person_names(text, boundaries) if not any(p.overlaps(o) for o in orgs)]
    return sorted(orgs + persons)


def merge_names(rules: Sequence[NameSpan], model: Sequence[NameSpan]) -> list[NameSpan]:
    """Rules win where they fire; the model's names fill the rest if they are shaped like names.

    A model span overlapping a rule span is dropped (陈晓上 against the rule's 陈晓), unless it is
    a longer valid name of the same type that contains the rule's (…有限公司朝阳分公司)."""
    kept = list(rules)
    for span in model:
        valid = valid_person(span.value) if span.label == PERSON else valid_org(span.value)
        if not valid:
            continue
        clashes = [r for r in kept if r.overlaps(span)]
        if not clashes:
            kept.append(span)
        elif all(r.label == span.label and span.start <= r.start and r.end <= span.end for r in clashes):
            if len(span.value) > max(len(r.value) for r in clashes) and span.label == ORG:
                kept = [r for r in kept if r not in clashes] + [span]
    return sorted(kept)
