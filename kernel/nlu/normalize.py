"""Normalise what a citizen typed before it is tokenised.

Steps, in order: full-width Latin letters, digits and spaces to ASCII; Traditional to
Simplified (OpenCC t2s); whitespace; a short table of frequent typos in court terms.
`normalize_with_map` also returns, for each character of the result, the index of the
character it came from, so entity offsets of training examples can be moved along
(`move_span`).

Chinese punctuation is kept: （）【】〔〕 belong to case numbers and the case-number parser reads
them. Whitespace: Jieba turns every space into a token of its own, so the result keeps a space
only between two Latin words or a word and a number (`code 9111…`). Between digit groups the space is dropped
when the groups form one number (`138 1234 5678`, `110105 19900101 1234`, a long number such
as a bank card) and becomes 、 when they are separate numbers (`2 3个`, a year and a phone).
Between the groups of a 统一社会信用代码 written in groups (`9133 0106 MA27 XQ9J 05`) it is dropped.
Everywhere else (next to Chinese text or punctuation) it is simply dropped.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from functools import lru_cache

from kernel.nlu.creditcode import credit_code_problem
from kernel.nlu.digits import WIDTH_FOLD, Run, digit_runs, units
from kernel.text import is_invisible

Step = Callable[[str], tuple[str, list[int]]]

_SPACE_FOLD = {0x3000: " ", 0x00A0: " "}
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")
_GROUPED = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?: [A-Za-z0-9]+)+(?![A-Za-z0-9])")
CREDIT_CODE_LENGTH = 18

#: Frequent citizen typos and homophones in court terms: (pattern, replacement). Guards keep
#: them off correct text: 法管 is only fixed where it is not 司法管理 / 依法管辖, 立按 only where
#: an ask about filing follows, 别执行人 not in 分别执行人民法院….
TYPOS: tuple[tuple[str, str], ...] = (
    (r"失信被执行任", "失信被执行人"),
    (r"被执行任(?!务)", "被执行人"),
    (r"(?<![分区个特类识告辨差派级])别执行人(?!民)", "被执行人"),
    (r"失[性心]被执行人", "失信被执行人"),
    (r"(?<![平保治公晚早问])安件", "案件"),
    (r"开廷", "开庭"),
    (r"承[半班扮]法官", "承办法官"),
    (r"(?<![司执立违合非依])法管(?![理辖控制道束教])", "法官"),
    (r"诉[送颂松]费", "诉讼费"),
    (
        r"立按(?=庭|了|吗|么|呢|材料|手续|登记|申请|通知|时间|没|成功|需要|要|的|流程|吧|[？?。，,！!]|$)",
        "立案",
    ),
    (r"(?<![批评])判绝(?![不对望交境])", "判决"),
    (r"判诀", "判决"),
    (r"调节书", "调解书"),
    (r"强[治质致]执行", "强制执行"),
    (r"限制高消废", "限制高消费"),
    (r"执行欵", "执行款"),
    # "对了，法院几点下班": 对了 opening a sentence is "by the way", not "yes"; the classifier read it as affirm
    (r"^(?:对了|顺便问一下|顺便问下|另外问一下)[，,、]\s*(?=\S{3})", ""),
)
_TYPO_PATTERNS = tuple((re.compile(pattern), repl) for pattern, repl in TYPOS)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _identity(text: str) -> list[int]:
    return list(range(len(text)))


def _aligned(src: str, dst: str) -> list[int]:
    """Map every character of `dst` to one of `src` when a step changed the length."""
    mapping: list[int] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, src, dst, autojunk=False).get_opcodes():
        for k in range(j2 - j1):
            if tag == "equal":
                mapping.append(i1 + k)
            else:
                mapping.append(min(i1 + k * max(i2 - i1, 1) // (j2 - j1), max(i2 - 1, i1, 0)))
    return mapping


def fold(text: str) -> tuple[str, list[int]]:
    """Full-width letters/digits, ideographic and no-break spaces to ASCII; drop zero-width chars."""
    folded = text.translate(WIDTH_FOLD).translate(_SPACE_FOLD)
    kept = [
        i for i, ch in enumerate(folded) if not (_ZERO_WIDTH.match(ch) or (is_invisible(ch) and ch != "\r"))
    ]
    return "".join(folded[i] for i in kept), kept


def to_simplified(text: str) -> tuple[str, list[int]]:
    """Traditional → Simplified. OpenCC t2s is character-for-character in practice; if a phrase
    ever changes length, the offsets are re-aligned instead of trusted."""
    out = _t2s().convert(text)
    return out, _identity(out) if len(out) == len(text) else _aligned(text, out)


def _digit_gap(text: str, runs: list[Run], pos: int) -> str:
    """What a space between two digits becomes: '' inside one number, '、' between numbers."""
    for run in runs:
        if run.start <= pos < run.end:
            found = units(run)
            inside = any(run.groups[u.first].start <= pos < run.groups[u.last].end for u in found)
            if inside or (not found and run.size >= 11):
                return ""
            return "、"
    return ""


def credit_code_gaps(text: str) -> set[int]:
    """Positions of the single spaces inside a valid credit code written in groups: consecutive
    groups of letters and digits, 18 characters together, with letters, in the code's layout (a wrong
    check character is joined too, so the citizen is told about it). The layout keeps words and
    separate numbers ("case 2023 ...") from being joined."""
    gaps: set[int] = set()
    for match in _GROUPED.finditer(text):
        pieces = [(match.start() + p.start(), p.group()) for p in _ALNUM_RUN.finditer(match.group())]
        for i in range(len(pieces)):
            total, j = 0, i
            while j < len(pieces) and total < CREDIT_CODE_LENGTH:
                total += len(pieces[j][1])
                j += 1
            value = "".join(piece for _, piece in pieces[i:j])
            if (
                j - i > 1
                and total == CREDIT_CODE_LENGTH
                and not value.isdigit()
                and credit_code_problem(value.upper()) != "format"
            ):
                gaps |= {start + len(piece) for start, piece in pieces[i : j - 1]}
    return gaps


def tidy_spaces(text: str) -> tuple[str, list[int]]:
    """Trim, collapse, and drop or replace spaces as described in the module docstring."""
    src = _WHITESPACE.sub(" ", text)
    src_map = [m.start() for m in re.finditer(r"\S|\s+", text)]  # index in `src` → in `text`
    runs = list(digit_runs(src))
    code_gaps = credit_code_gaps(src)
    out: list[str] = []
    mapping: list[int] = []
    for i, ch in enumerate(src):
        if ch != " ":
            out.append(ch)
            mapping.append(src_map[i])
            continue
        left, right = src[i - 1 : i], src[i + 1 : i + 2]
        if i in code_gaps:
            continue
        if (
            left
            and right
            and _ASCII_WORD.match(left)
            and _ASCII_WORD.match(right)
            and not (left.isdigit() and right.isdigit())
        ):  # two words, or a word and a number ("credit code 9111…": the code starts after the space)
            out.append(" ")
        elif left.isdigit() and right.isdigit() and left.isascii() and right.isascii():
            gap = _digit_gap(src, runs, i)
            if not gap:
                continue
            out.append(gap)
        else:
            continue
        mapping.append(src_map[i])
    return "".join(out), mapping


def fix_typos(text: str) -> tuple[str, list[int]]:
    """Whole-phrase replacements from TYPOS."""
    mapping = _identity(text)
    for pattern, repl in _TYPO_PATTERNS:
        pieces: list[str] = []
        new_map: list[int] = []
        pos = 0
        for match in pattern.finditer(text):
            pieces.append(text[pos : match.start()])
            new_map.extend(mapping[pos : match.start()])
            span = max(match.end() - match.start(), 1)
            pieces.append(repl)
            new_map.extend(mapping[match.start() + min(k, span - 1)] for k in range(len(repl)))
            pos = match.end()
        pieces.append(text[pos:])
        new_map.extend(mapping[pos:])
        text, mapping = "".join(pieces), new_map
    return text, mapping


STEPS: tuple[Step, ...] = (fold, to_simplified, tidy_spaces, fix_typos)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of its source character."""
    mapping = _identity(text)
    for step in STEPS:
        text, step_map = step(text)
        mapping = [mapping[i] for i in step_map]
    return text, mapping


def normalize(text: str) -> str:
    """The normalised text (see the module docstring)."""
    return normalize_with_map(text)[0]


def move_span(mapping: list[int], start: int, end: int) -> tuple[int, int] | None:
    """Where the source span [start, end) lies in the normalised text; None if it vanished."""
    inside = [i for i, src in enumerate(mapping) if start <= src < end]
    return (inside[0], inside[-1] + 1) if inside else None
