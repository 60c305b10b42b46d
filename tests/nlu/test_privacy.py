"""Masking of ID and phone numbers in values and free text."""

from __future__ import annotations

import pytest

from kernel.privacy import mask_code, mask_credit_code, mask_id, mask_phone, mask_text


@pytest.mark.parametrize(
    ("fn", "value", "masked"),
    [
        (mask_id, "110105199001011234", "110105********1234"),
        (mask_id, "11010519491231002x", "110105********002X"),
        (mask_id, "110105 19491231 002X", "110105********002X"),
        (mask_phone, "13812345678", "138****5678"),
        (mask_phone, "+86 138-1234-5678", "138****5678"),
        (mask_phone, "１３８１２３４５６７８", "138****5678"),
        (mask_credit_code, "91110000802100433B", "911100********433B"),
        (mask_id, "123", "***"),
    ],
)
def test_mask_value(fn, value, masked):
    assert fn(value) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的电话13812345678", "我的电话138****5678"),
        ("身份证110105199001011234，电话13812345678", "身份证110105********1234，电话138****5678"),
        ("身份证110105199001019999", "身份证110105********9999"),  # invalid IDs are masked too
        ("号码12812345678", "号码128****5678"),  # mobile-like, not valid: masked anyway
        ("电话 138 1234 5678", "电话 138 **** 5678"),
        ("电话 +86-138-1234-5678", "电话 +86-138-****-5678"),
        ("１３８１２３４５６７８", "１３８****５６７８"),
        ("身份证 110105 19900101 123x", "身份证 110105 ******** 123x"),
        ("2022 13812345678", "**** 138****5678"),
        ("卡号6222021234567890123", "卡号622************0123"),
        ("案号（2022）京03民终1234号，座机010-12345678", "案号（2022）京03民终1234号，座机010-12345678"),
        ("没有号码", "没有号码"),
    ],
)
def test_mask_text(text, masked):
    assert mask_text(text) == masked


def test_mask_code_hides_short_codes_and_personal_numbers():
    assert mask_code("验证码是 482913") == "验证码是 ******"
    assert mask_code("4829") == "****"
    assert mask_code("码 12 34 56 电话13812345678") == "码 ** ** ** 电话138****5678"
    assert mask_code("123") == "123"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("已为您登记工单，编号 GD20261128-0006。", "已为您登记工单，编号 GD20261128-0006。"),
        ("GD20261128-0006 13900001001", "GD20261128-0006 139****1001"),
        ("工单GD20261128-0006，手机13812345678", "工单GD20261128-0006，手机138****5678"),
        ("20261128-0006", "202*****-0006"),  # without the prefix it is just a long number
    ],
)
def test_work_order_numbers_are_never_masked(text, masked):
    assert mask_text(text) == masked
