"""Table-driven tests of the identifier checks behind the API's 400 answers, and of the time-limit table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.courtdata.settings import Settings
from services.courtdata.time_limits import rule_for
from services.courtdata.validation import (
    case_number_error,
    credit_code_error,
    id_number_error,
    license_number_error,
    name_error,
    parse_case,
)

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("value", "canonical", "reason"),
    [
        ("（2022）京03民终1234号", "（2022）京03民终1234号", None),
        ("(2023)京0105执5678号", "（2023）京0105执5678号", None),
        ("〔2021〕京03执恢12号", "（2021）京03执恢12号", None),
        ("（2026）京0113民初3107", "（2026）京0113民初3107号", None),
        ("（２０２２）京０３民终１２３４号", "（2022）京03民终1234号", None),
        ("（2027）京03民终1号", None, "年份不能晚于今年"),
        ("（1985）京03民终1号", None, "年份不正确"),
        ("京03民终12号", None, "缺少年份"),
        ("（2022）京03民终0号", None, "编号不正确"),
        ("（2014）三中民终字第1234号", None, "格式不正确"),
        ("我的案号是（2022）京03民终1234号", None, "格式不正确"),
        ("（2022）京03民终1234号（2023）京03民终1号", None, "格式不正确"),
        ("1234", None, "格式不正确"),
        ("", None, "格式不正确"),
    ],
)
def test_case_numbers(value, canonical, reason):
    number, error = parse_case(value, TODAY)
    assert (number.canonical if number else None) == canonical
    assert (reason in error) if reason else error is None
    assert case_number_error(value, TODAY) == error


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("11010519491231002X", None),
        ("110105198806152450", "校验位"),
        ("11010519491231002x", "18位"),
        ("1101051949123100", "18位"),
        ("110105194913310023", "出生日期"),
        ("110105203001010012", "出生日期"),
        ("990105194912310020", "地区码"),
        ("", "18位"),
    ],
)
def test_id_numbers(value, reason):
    error = id_number_error(value, TODAY)
    assert (reason in error) if reason else error is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("91350100M000100Y43", None),
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100Y4", "18位"),
        ("91350100M0001OOY43", "18位"),  # letter O is not in the GB 32100 alphabet
        ("91350100m000100y43", "18位"),  # the API wants the canonical upper-case form
    ],
)
def test_credit_codes(value, reason):
    error = credit_code_error(value)
    assert (reason in error) if reason else error is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("11011201810112345", True),
        ("1101120181011234", False),
        ("1101120181011234X", False),
        ("", False),
    ],
)
def test_license_numbers(value, ok):
    assert (license_number_error(value) is None) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("陈思远", True),
        ("欧阳娜娜", True),
        ("北京星河云帆科技有限公司", True),
        ("北京某某（集团）有限公司", True),
        ("王", False),
        ("", False),
        ("<script>", False),
        ("王 伟", False),
    ],
)
def test_names(value, ok):
    assert (name_error(value) is None) is ok


@pytest.mark.parametrize(
    ("type_code", "procedure", "filing", "deadline"),
    [
        ("民初", "普通程序", date(2026, 1, 15), date(2026, 7, 15)),
        ("民初", "简易程序", date(2026, 10, 9), date(2027, 1, 9)),
        ("民初", "小额诉讼程序", date(2026, 12, 31), date(2027, 2, 28)),
        ("民终", "第二审程序", date(2026, 9, 14), date(2026, 12, 14)),
        ("执", "执行实施", date(2026, 2, 28), date(2026, 8, 28)),
        ("执异", "执行异议审查", date(2026, 11, 20), date(2026, 12, 5)),
        ("刑初", "简易程序", date(2026, 11, 20), date(2026, 12, 10)),
    ],
)
def test_time_limit_deadlines(type_code, procedure, filing, deadline):
    """Counted from the day after filing; 12-31 plus two months ends on the last day of February."""
    assert rule_for(type_code, procedure).deadline(filing) == deadline


def test_no_limit_for_unknown_procedure():
    assert rule_for("民初", "特别程序（未列明）") is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"port": 8010, "api_key": "", "lock_seconds": 1800, "max_attempts": 3, "otp_ttl": 300}),
        (
            {"COURTDATA_PORT": "9010", "COURTDATA_API_KEY": " k ", "COURTDATA_LOCK_SECONDS": "60"},
            {"port": 9010, "api_key": "k", "lock_seconds": 60},
        ),
        (
            {"COURTDATA_FILE": "/data/court.json", "COURTDATA_FAULT": "slow:5"},
            {"data_file": Path("/data/court.json"), "fault": "slow:5"},
        ),
        ({"COURTDATA_PORT": ""}, {"port": 8010}),
    ],
)
def test_settings_from_environment(env, expected):
    settings = Settings.from_env(env)
    assert {k: getattr(settings, k) for k in expected} == expected


def test_malformed_setting_names_the_variable():
    with pytest.raises(ValueError, match="COURTDATA_LOCK_SECONDS"):
        Settings.from_env({"COURTDATA_LOCK_SECONDS": "half an hour"})


def test_malformed_fault_stops_the_start(store):
    from kernel.kv import MemoryKV
    from kernel.sms import OutboxGateway
    from services.courtdata import create_app

    with pytest.raises(ValueError, match="COURTDATA_FAULT"):
        create_app(Settings(fault="sometimes"), store, kv=MemoryKV(), sms=OutboxGateway("/dev/null"))
