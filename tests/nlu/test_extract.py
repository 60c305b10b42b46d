"""Rule entities with canonical values, and the problems the citizen is told about."""

from __future__ import annotations

import pytest

from kernel.nlu.extract import extract_entities, find_problems
from kernel.nlu.idcard import make_id

GOOD_ID = "11010519491231002X"
GOOD_CODE = "91110000802100433B"


def _values(text):
    return [(e["entity"], e["value"]) for e in extract_entities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的案号是(2022)京03民终1234号", [("case_number", "（2022）京03民终1234号")]),
        ("（2021）京03执恢12号执行款什么时候到", [("case_number", "（2021）京03执恢12号")]),
        ("身份证11010519491231002x", [("id_number", GOOD_ID)]),
        ("公司代码 91110000802100433b", [("credit_code", GOOD_CODE)]),
        ("统一社会信用代码911101085923662400", [("credit_code", "911101085923662400")]),
        ("手机 +86 138-1234-5678 座机010-12345678", [("phone", "13812345678")]),
        (
            "案号2022京0105民初12345 13812345678，身份证" + GOOD_ID,
            [
                ("case_number", "（2022）京0105民初12345号"),
                ("phone", "13812345678"),
                ("id_number", GOOD_ID),
            ],
        ),
        ("（2020）最高法刑核13812345号", [("case_number", "（2020）最高法刑核13812345号")]),
        ("身份证110105194912310021", []),  # bad check digit: not an entity
        ("（2031）京03民终1234号", []),
        ("我的身份证号是110105194912", []),  # partial
        ("我今年2022年打的官司，标的10000元", []),
    ],
)
def test_extract_entities(text, expected):
    assert _values(text) == expected


def test_entity_spans_point_at_the_text():
    text = "你好 我的案号（2022）京03民终1234号 电话138 1234 5678"
    for entity in extract_entities(text):
        covered = text[entity["start"] : entity["end"]]
        assert covered == covered.strip() and covered
    assert [text[e["start"] : e["end"]] for e in extract_entities(text)] == [
        "（2022）京03民终1234号",
        "138 1234 5678",
    ]


def test_an_id_is_not_read_as_a_phone_nor_a_case_serial_as_part_of_one():
    some_id = make_id("110105", "19130113", 123)  # holds 19130113123, a mobile-like run
    text = f"身份证{some_id}，（2022）京03民终1234号13912345678"
    assert _values(text) == [
        ("id_number", some_id),
        ("case_number", "（2022）京03民终1234号"),
        ("phone", "13912345678"),
    ]


@pytest.mark.parametrize(
    ("text", "entity", "kind", "words"),
    [
        ("身份证110105194912310021", "id_number", "check_digit", ["110105********0021", "校验位"]),
        ("身份证110105194902300028", "id_number", "birth_date", ["出生日期"]),
        ("信用代码91110000802100433C", "credit_code", "check_char", ["911100********433C", "校验码"]),
        ("统一社会信用代码911101085923662401", "credit_code", "check_char", ["校验码"]),
        ("（2031）京03民终1234号", "case_number", "future_year", ["年份"]),
        ("京03民终1234号", "case_number", "missing_year", ["缺少年份"]),
        ("(2014)三中民终字第1234号", "case_number", "legacy", ["旧式案号", "（2014）三中民终字第1234号"]),
    ],
)
def test_problems_carry_a_polite_message(text, entity, kind, words):
    [problem] = find_problems(text)
    assert (problem.entity, problem.kind) == (entity, kind)
    assert all(word in problem.message for word in words)
    assert problem.message.endswith("。") and "请" in problem.message
    assert "110105194912310021" not in problem.message  # an ID is never echoed whole


def test_legacy_case_number_is_an_entity_and_a_notice():
    text = "(2014)三中民终字第1234号"
    assert _values(text) == [("case_number", "（2014）三中民终字第1234号")]
    assert [p.kind for p in find_problems(text)] == ["legacy"]


def test_valid_text_has_no_problems():
    assert find_problems(f"案号（2022）京03民终1234号，身份证{GOOD_ID}，电话13812345678") == []


def test_mistyped_id_that_is_also_a_valid_digit_credit_code_is_a_bad_id():
    from kernel.nlu.creditcode import is_valid_credit_code

    value = "110105198806152451"  # 陈思远's ID with the last character wrong
    assert is_valid_credit_code(value)
    problems = find_problems(f"陈思远 {value}")
    assert [p.kind for p in problems] == ["check_digit"] and problems[0].entity == "id_number"
    assert extract_entities(f"陈思远 {value}") == []
