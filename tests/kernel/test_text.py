"""Control and invisible characters never reach the classifier, the stores or a log line as such."""

from __future__ import annotations

import json
import logging

import pytest

from bot.channels.rest import parse_message
from kernel.logmask import MaskingFilter
from kernel.nlu.normalize import normalize
from kernel.text import escape_controls, strip_invisible
from services.desk.domain.validation import text_field


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("查\x00案件进度", "查案件进度"),
        ("\x1b[31m红色\x1b[0m", "[31m红色[0m"),
        ("案号\u202e号9民", "案号号9民"),  # a right-to-left override
        ("\ufeff你好\u200b", "你好"),
        ("第一行\r\n第二行\t末尾", "第一行\n第二行\t末尾"),
        ("普通文字 abc 123", "普通文字 abc 123"),
    ],
)
def test_strip_invisible(raw, clean) -> None:
    assert strip_invisible(raw) == clean


def test_escape_controls_keeps_one_line() -> None:
    assert escape_controls("a\nb\rc\x00d\te") == "a\\nb\\rc\\u0000d\te"


def test_text_after_a_nul_is_classified_not_lost() -> None:
    assert normalize("你好\x00我想查一下案件进度") == "你好我想查一下案件进度"


def test_rest_input_is_cleaned_before_the_bot_sees_it() -> None:
    _, text = parse_message(json.dumps({"sender": "a", "message": "查进度\x00\x1b[2J"}).encode())
    assert text == "查进度[2J"


def test_a_staff_reply_is_stored_without_control_characters() -> None:
    assert text_field({"body": "请补交材料\x00\x1b[2J\r\n谢谢"}, "body", "回复", 500) == "请补交材料[2J\n谢谢"


def test_a_log_record_cannot_forge_a_second_line() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "user said %s", ("hi\nINFO fake line",), None)
    MaskingFilter().filter(record)
    assert "\n" not in record.getMessage() and "\\n" in record.getMessage()
