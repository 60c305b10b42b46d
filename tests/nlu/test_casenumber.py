"""Case numbers in every way citizens write them, and the ones that must be refused."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.nlu.casenumber import (
    TYPE_CODES,
    CaseNumber,
    canonical_case_number,
    find_case_numbers,
    parse_case_number,
)

TODAY = dt.date(2024, 6, 1)
CANON = "（2022）京03民终1234号"


@pytest.mark.parametrize(
    "written",
    [
        "（2022）京03民终1234号",
        "(2022)京03民终1234号",
        "〔2022〕京03民终1234号",
        "[2022]京03民终1234号",
        "【2022】京03民终1234号",
        "［2022］京03民终1234号",
        "2022京03民终1234号",
        "2022年京03民终1234号",
        "（2022年）京03民终1234号",
        "（2022京03民终1234号",
        "（２０２２）京０３民终１２３４号",
        "（二〇二二）京03民终1234号",
        "（二零二二）京03民终1234号",
        "（二O二二）京03民终1234号",
        "（2022）京03民终一二三四号",
        "（2022）京03民终一千二百三十四号",
        "（2022）京03民终1234",
        "（2022）京03民终第1234号",
        "( 2022 ) 京 03 民终 1234 号",
        "（2022）京0 3民终1234号",
        "（2022）京03民终01234号",
    ],
)
def test_every_rendering_gives_the_canonical_value(written):
    assert canonical_case_number(written, TODAY) == CANON


@pytest.mark.parametrize(
    ("written", "canonical", "court", "type_code"),
    [
        ("（2023）京0105执5678号", "（2023）京0105执5678号", "京0105", "执"),
        ("（2021）京03执恢12号", "（2021）京03执恢12号", "京03", "执恢"),
        ("(2021)京03执异7号", "（2021）京03执异7号", "京03", "执异"),
        ("（2020）京73民初1号", "（2020）京73民初1号", "京73", "民初"),
        ("（2019）最高法知民终1号", "（2019）最高法知民终1号", "最高法", "知民终"),
        ("（2019）最高人民法院民申123号", "（2019）最高法民申123号", "最高法", "民申"),
        ("（2022）京民终12号", "（2022）京民终12号", "京", "民终"),
        ("（2018）内01刑初3号", "（2018）内01刑初3号", "内01", "刑初"),
        ("（2022）沪74民初88号", "（2022）沪74民初88号", "沪74", "民初"),
        ("（2022）京7101行初5号", "（2022）京7101行初5号", "京7101", "行初"),
        ("（2023）京0105司救民2号", "（2023）京0105司救民2号", "京0105", "司救民"),
        ("（2023）京03执监40号", "（2023）京03执监40号", "京03", "执监"),
        ("（2020）最高法刑核12345678号", "（2020）最高法刑核12345678号", "最高法", "刑核"),
        (
            "（1990）最高法民诉前调二百八十六万一千二百一十一号",
            "（1990）最高法民诉前调2861211号",
            "最高法",
            "民诉前调",
        ),
    ],
)
def test_courts_and_type_codes(written, canonical, court, type_code):
    number = parse_case_number(written, TODAY)
    assert number is not None
    assert (number.canonical, number.court_code, number.type_code) == (canonical, court, type_code)


def test_type_codes_cover_the_codes_citizens_meet():
    for code in "民初 民终 民申 民再 民特 民辖 执 执恢 执异 执复 执监 执保 刑初 刑终 刑申 行初 行终 行申 赔 司救 知民初 知民终".split():
        assert code in TYPE_CODES


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("（2030）京03民终1234号", "future_year"),
        ("（2025）京03民终1234号", "future_year"),
        ("（1985）京03民终1234号", "early_year"),
        ("京03民终1234号", "missing_year"),
        ("（2022）京03民终0号", "serial_zero"),
    ],
)
def test_refused_with_a_reason(written, problem):
    [match] = find_case_numbers(written, TODAY)
    assert match.problem == problem
    assert parse_case_number(written, TODAY) is None


@pytest.mark.parametrize(
    ("written", "canonical", "court", "type_code"),
    [
        ("(2014)三中民终字第1234号", "（2014）三中民终字第1234号", "三中", "民终"),
        ("（2013）朝民初字第12345号", "（2013）朝民初字第12345号", "朝", "民初"),
        ("(2014)二中民(商)终字第08312号", "（2014）二中民（商）终字第08312号", "二中", "民（商）终"),
        ("（2015）京高民终字第7号", "（2015）京高民终字第7号", "京高", "民终"),
        ("【2012】曲中法执字第66号", "（2012）曲中法执字第66号", "曲中法", "执"),
        ("（2014）民提字第12号", "（2014）民提字第12号", "", "民提"),
    ],
)
def test_legacy_style_is_recognised_and_flagged(written, canonical, court, type_code):
    [match] = find_case_numbers(written, TODAY)
    assert (match.legacy, match.problem, match.value) == (True, None, canonical)
    assert match.number == CaseNumber(int(canonical[1:5]), court, type_code, match.number.serial, legacy=True)


def test_found_inside_a_sentence_with_exact_span():
    text = "你好，我的案号是（2022）京03民终1234号，另外一个是2023京0105执5678，麻烦查下"
    found = find_case_numbers(text, TODAY)
    assert [m.value for m in found] == [CANON, "（2023）京0105执5678号"]
    assert [text[m.start : m.end] for m in found] == ["（2022）京03民终1234号", "2023京0105执5678"]


@pytest.mark.parametrize(
    "text",
    [
        "我2022年在北京打的官司",
        "电话13812345678",
        "京东快递单号1234567",
        "（2022）京03民终123456789号",  # nine digits: no court numbers that far
        "我是新民初中毕业的",
    ],
)
def test_no_case_number_where_there_is_none(text):
    assert [m for m in find_case_numbers(text, TODAY) if m.problem is None] == []
