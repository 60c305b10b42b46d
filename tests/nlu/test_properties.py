"""Property tests: any rendering canonicalises to the same value, check characters catch every
single-character typo, masking leaves no number the finders could read."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel.nlu.casenumber import PROVINCES, TYPE_CODES, CaseNumber, canonical_case_number, find_case_numbers
from kernel.nlu.creditcode import ALPHABET, is_valid_credit_code, make_credit_code
from kernel.nlu.digits import digit_runs, fold_width, units
from kernel.nlu.extract import extract_entities
from kernel.nlu.idcard import is_valid_id, make_id
from kernel.nlu.idrules import PROVINCES as ID_PROVINCES
from kernel.nlu.normalize import move_span, normalize, normalize_with_map
from kernel.privacy import mask_text

settings.register_profile("court", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("court")

CN_DIGITS = "〇一二三四五六七八九"
BRACKETS = [("（", "）"), ("(", ")"), ("〔", "〕"), ("[", "]"), ("【", "】"), ("［", "］"), ("", "")]
FULL = {ord(d): 0xFF10 + int(d) for d in "0123456789"}
# no numeral characters: 民终一二三 followed by 一下 is ambiguous even to a person
FILLER = st.text(alphabet="我想查下案件进度请问法官电话是多少，。？！的了吗", max_size=8)
GAPS = st.sampled_from(["", " ", "  ", "\u3000"])


def positional(n: int) -> str:
    """1234 → 一千二百三十四, 10005 → 一万零五 (how a citizen spells a number out)."""
    if n >= 10000:
        high, low = divmod(n, 10000)
        return positional(high) + "万" + (("零" if low < 1000 else "") + positional(low) if low else "")
    out, zero = "", False
    for unit, value in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit = n // value % 10
        if digit:
            out += ("零" if zero and out else "") + CN_DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return out


def _court(province: str, number: int, width: int) -> str:
    return province + f"{number:0{width}d}"[-width:] if width else province


courts = st.one_of(
    st.just("最高法"),
    st.builds(_court, st.sampled_from(PROVINCES), st.integers(1, 9999), st.sampled_from([0, 2, 4])),
)


@st.composite
def case_numbers(draw) -> CaseNumber:
    return CaseNumber(
        year=draw(st.integers(1990, dt.date.today().year)),
        court_code=draw(courts),
        type_code=draw(st.sampled_from(TYPE_CODES)),
        serial=str(draw(st.integers(1, 99_999_999))),
    )


@st.composite
def renderings(draw, number: CaseNumber) -> str:
    open_, close = draw(st.sampled_from(BRACKETS))
    year = str(number.year)
    year = draw(st.sampled_from([year, year.translate(FULL), "".join(CN_DIGITS[int(d)] for d in year)]))
    serial = number.serial
    styles = [serial, serial.translate(FULL), "".join(CN_DIGITS[int(d)] for d in serial)]
    serial = draw(st.sampled_from(styles + [positional(int(serial))]))
    court = number.court_code
    if court != "最高法":
        court = court[0] + court[1:].translate(FULL) if draw(st.booleans()) else court
    parts = [open_, year, "年" if draw(st.booleans()) and not open_ else "", close, court, number.type_code]
    parts += ["第" if draw(st.booleans()) else "", serial, "号" if draw(st.booleans()) else ""]
    gaps = [draw(GAPS) for _ in parts]
    return "".join(p + (g if p else "") for p, g in zip(parts, gaps)).strip()


@given(st.data())
def test_any_rendering_canonicalises_to_the_canonical_value(data):
    number = data.draw(case_numbers())
    written = data.draw(renderings(number))
    before, after = data.draw(FILLER), data.draw(FILLER)
    assert canonical_case_number(written) == number.canonical
    [match] = find_case_numbers(before + written + after)
    assert match.value == number.canonical
    assert match.start == len(before)
    assert canonical_case_number(normalize(before + written + after)) == number.canonical


regions = st.builds(
    lambda p, rest: f"{p}{rest:04d}", st.sampled_from(sorted(ID_PROVINCES)), st.integers(0, 9999)
)
births = st.dates(dt.date(1900, 1, 1), dt.date.today())


@given(regions, births, st.integers(0, 999))
def test_make_id_is_always_valid(region, born, seq):
    assert is_valid_id(make_id(region, born, seq))


@given(regions, births, st.integers(0, 999), st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_change_of_an_id_is_caught(region, born, seq, position, shift):
    value = make_id(region, born, seq)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    wrong = alphabet[(alphabet.index(value[position]) + shift) % len(alphabet)]
    if wrong == value[position]:
        return
    assert not is_valid_id(value[:position] + wrong + value[position + 1 :])


codes = st.builds(
    make_credit_code,
    region=st.integers(0, 999_999).map("{:06d}".format),
    body=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
    dept=st.sampled_from("1591Y"),
    category=st.sampled_from("123"),
)


@given(codes, st.integers(0, 17), st.integers(1, 30))
def test_any_single_character_change_of_a_credit_code_is_caught(code, position, shift):
    assert is_valid_credit_code(code)
    wrong = ALPHABET[(ALPHABET.index(code[position]) + shift) % 31]
    assert not is_valid_credit_code(code[:position] + wrong + code[position + 1 :])


NOISE = st.text(alphabet="0123456789０１２３X 　-—年号电话身份证abc，", max_size=60)
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_LIKE = re.compile(r"(?<![\dX])\d{17}[\dX](?![\dX])")


@given(NOISE)
def test_mask_text_leaves_nothing_a_finder_could_read(text):
    masked = fold_width(mask_text(text)).upper()
    assert not MOBILE.search(masked) and not ID_LIKE.search(masked)
    assert all(not units(run) for run in digit_runs(masked))
    assert len(masked) == len(text)


@st.composite
def written_numbers(draw) -> tuple[str, str]:
    """A phone or ID written with random gaps and widths, and its canonical value."""
    if draw(st.booleans()):
        value = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    else:
        value = make_id(draw(regions), draw(births), draw(st.integers(0, 999)))
    out = ""
    for ch in value:
        out += draw(st.sampled_from(["", "", "", " ", "-"])) if out else ""
        out += ch.translate(FULL) if draw(st.booleans()) else ch
    return out, value


@given(FILLER, written_numbers(), FILLER)
def test_a_written_phone_or_id_is_never_left_whole(before, written, after):
    text, value = written
    masked = mask_text(before + text + after)
    compact = "".join(ch for ch in fold_width(masked) if ch.isalnum() or ch == "*")
    assert value not in compact
    assert sum(ch.isdigit() for ch in fold_width(masked)) <= 10


@given(FILLER, written_numbers(), FILLER)
def test_annotation_offsets_follow_normalisation(before, written, after):
    """What a training example annotates is exactly what the extractor finds after normalising."""
    text, value = written
    raw = before + text + after
    new_text, mapping = normalize_with_map(raw)
    span = move_span(mapping, len(before), len(before) + len(text))
    found = [(e["start"], e["end"], e["value"]) for e in extract_entities(new_text)]
    if is_valid_id(value) or MOBILE.fullmatch(value):
        assert found == [(span[0], span[1], value)]


CHAT = st.text(alphabet="我想查案件進度開庭法官電話１２３ 　abcXY（）【】，。0123456789-", max_size=40)


@given(CHAT)
def test_normalize_is_idempotent_and_its_map_is_monotonic(text):
    once, mapping = normalize_with_map(text)
    assert normalize(once) == once
    assert len(mapping) == len(once)
    assert all(a < b for a, b in zip(mapping, mapping[1:]))
    assert all(0 <= i < len(text) for i in mapping)
