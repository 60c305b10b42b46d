"""ID numbers (GB 11643), credit codes (GB 32100) and mobile numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.nlu.creditcode import (
    credit_check_char,
    find_credit_codes,
    is_valid_credit_code,
    make_credit_code,
)
from kernel.nlu.idcard import canonical_id, find_id_numbers, is_valid_id, make_id
from kernel.nlu.idrules import id_check_char, id_problem
from kernel.nlu.phone import canonical_phone, find_phones, is_valid_phone

GOOD_ID = "11010519491231002X"  # the GB 11643 standard's own example


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4"), ("11010519900101123", "2")],
)
def test_id_check_char(first17, check):
    assert id_check_char(first17) == check


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (GOOD_ID, None),
        ("11010519491231002x", None),
        ("110105 19491231 002X", None),
        ("１１０１０５１９４９１２３１００２Ｘ", None),
        ("110105194912310021", "check_digit"),
        ("110105194902300028", "birth_date"),  # 30 February
        ("990105194912310023", "region"),
        ("1101051949123100", "format"),
        ("11010519491231002Y", "format"),
    ],
)
def test_id_validation(value, problem):
    assert id_problem(canonical_id(value)) == problem
    assert is_valid_id(value) is (problem is None)


def test_birth_date_in_the_future_is_invalid():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}123"
    assert not is_valid_id(first17 + id_check_char(first17))


def test_make_id_is_valid_and_refuses_nonsense():
    assert make_id("110105", dt.date(1990, 1, 1), 123) == "110105199001011232"
    with pytest.raises(ValueError):
        make_id("110105", "19900230", 1)


def test_an_x_after_a_gap_still_ends_the_id():
    [match] = find_id_numbers("身份证 110105-19491231-002-x 谢谢")
    assert (match.value, match.valid) == (GOOD_ID, True)


def test_find_id_numbers_reports_valid_and_invalid():
    text = f"我的身份证{GOOD_ID}，我爱人的是110105194912310021"
    found = find_id_numbers(text)
    assert [(m.value, m.valid) for m in found] == [(GOOD_ID, True), ("110105194912310021", False)]
    assert text[found[0].start : found[0].end] == GOOD_ID


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("91110000802100433B", True),
        ("91440300708461136T", True),
        ("911101085923662400", True),
        ("91110108551385082q", True),  # lower case is accepted
        ("91110000802100433C", False),  # wrong check character
        ("91110000802100433", False),  # 17 characters
        ("9111000080210O433B", False),  # letter O is not in the alphabet
    ],
)
def test_credit_code_validation(code, valid):
    assert is_valid_credit_code(code) is valid


def test_credit_check_char_and_maker():
    assert credit_check_char("91110000802100433") == "B"
    code = make_credit_code("110105", "MA01ABCD")
    assert is_valid_credit_code(code) and code.startswith("91110105MA01ABCD")
    with pytest.raises(ValueError):
        credit_check_char("9111000080210O433")


def test_find_credit_codes():
    text = "公司信用代码91110000802100433b，另一个91110000802100433C，英文abcdefghijklmnopqr"
    assert [(m.value, m.valid) for m in find_credit_codes(text)] == [
        ("91110000802100433B", True),
        ("91110000802100433C", False),
    ]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("(+86)13812345678", "13812345678"),
        ("12812345678", None),  # no mobile network starts with 12
        ("010-12345678", None),  # landline
        ("1381234567", None),
    ],
)
def test_canonical_phone(written, value):
    assert canonical_phone(written) == value
    assert is_valid_phone(written) is (value is not None)


def test_find_phones_skips_landlines_ids_and_longer_numbers():
    text = f"手机+86 139-1234-5678，座机010-12345678，身份证{GOOD_ID}，卡号6222021234567890123"
    found = find_phones(text)
    assert [m.value for m in found] == ["13912345678"]
    assert text[found[0].start : found[0].end] == "+86 139-1234-5678"
