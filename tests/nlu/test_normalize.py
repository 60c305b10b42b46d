"""Normalisation: what the tokenizer sees, and that entity offsets follow the text."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import jieba
import pytest

from kernel.nlu import normalize as norm
from kernel.nlu.normalize import fix_typos, move_span, normalize, normalize_with_map

REAL_QUESTIONS = Path("/work/shared/data/real_legal_questions/lawbench_questions.tsv")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Traditional → Simplified
        ("失信被執行人名單怎麼查", "失信被执行人名单怎么查"),
        ("請問開庭時間", "请问开庭时间"),
        ("我要聯繫承辦法官", "我要联系承办法官"),
        # full-width digits, letters, spaces; Chinese punctuation kept
        ("（２０２２）京０３民终１２３４号", "（2022）京03民终1234号"),
        ("身份证１１０１０５１９４９１２３１００２Ｘ", "身份证11010519491231002X"),
        ("【2022】京03民终1234号〔二〕", "【2022】京03民终1234号〔二〕"),
        ("你好，请问！", "你好，请问！"),
        # whitespace
        ("   我想查 一下  我的案子   ", "我想查一下我的案子"),
        ("我\u3000想\t查\n案子", "我想查案子"),
        ("案号 （2022） 京03 民终 1234 号", "案号（2022）京03民终1234号"),
        ("电话 138 1234 5678", "电话13812345678"),
        ("电话 1381 234 5678", "电话13812345678"),
        ("电话 +86 138 1234 5678", "电话+8613812345678"),
        ("身份证 110105 19491231 002X", "身份证11010519491231002X"),
        ("2 3个人", "2、3个人"),
        ("2022 13812345678", "2022、13812345678"),
        ("hello   world 你好", "hello world你好"),
        ("iPhone 13 坏了", "iPhone 13坏了"),  # a word and a number keep their space
        ("credit code 91110117MA0Y1RDN8E", "credit code 91110117MA0Y1RDN8E"),
        # a credit code written in groups becomes one code; a wrong check character is joined too (and told)
        ("信用代码是9133 0106 MA27 XQ9J 05", "信用代码是91330106MA27XQ9J05"),
        ("code 9111 0117 ma0y 1rdn 8e ok", "code 91110117ma0y1rdn8e ok"),
        ("代码9111 0117 MA0Y 1RDN 8F", "代码91110117MA0Y1RDN8F"),
        ("case 2023 MA27 XQ9J", "case 2023 MA27 XQ9J"),  # not 18 characters in the layout: words stay apart
        ("零宽\u200b字符", "零宽字符"),
        # typos and homophones in court terms
        ("我的安件进度", "我的案件进度"),
        ("查一下失信别执行人", "查一下失信被执行人"),
        ("失信被执行任名单", "失信被执行人名单"),
        ("什么时候开廷", "什么时候开庭"),
        ("找不到法管", "找不到法官"),
        ("承半法官电话", "承办法官电话"),
        ("诉送费多少钱", "诉讼费多少钱"),
        ("立按了吗", "立案了吗"),
        ("判绝书下来了吗", "判决书下来了吗"),
        ("拿调节书", "拿调解书"),
        ("申请强质执行", "申请强制执行"),
        ("別執行人", "被执行人"),
        ("对了，法院几点下班", "法院几点下班"),
        ("顺便问一下，诉讼费多少", "诉讼费多少"),
        ("对了", "对了"),
        ("对了对了", "对了对了"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "correct",
    [
        "依法管理",
        "司法管辖",
        "分别执行人民法院的判决",
        "批判绝不手软",
        "设立按照规定",
        "被执行任务",
        "平安件",
        "区别执行人员",
    ],
)
def test_typo_fixes_leave_correct_text_alone(correct):
    assert normalize(correct) == correct


def test_typo_fixes_change_no_word_of_jiebas_dictionary():
    """349k ordinary Chinese words: a typo rule that changes one would damage correct text."""
    path = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    words = [line.split(" ", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]
    fixed = fix_typos("\n".join(words))[0].split("\n")  # one pass: no rule spans a newline
    assert [w for w, f in zip(words, fixed) if f != w] == []


@pytest.mark.skipif(not REAL_QUESTIONS.exists(), reason="shared real questions not mounted")
def test_real_questions_survive_a_traditional_round_trip():
    """Simplified → Traditional → normalise gives what normalising the original gives."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    with REAL_QUESTIONS.open(encoding="utf-8") as handle:
        questions = [row["question"] for row in csv.DictReader(handle, delimiter="\t")]
    assert len(questions) == 1000
    assert [q for q in questions if normalize(s2t.convert(q)) != normalize(q)] == []
    assert [q for q in questions if fix_typos(q)[0] != q] == []


def test_map_moves_entity_spans():
    raw = "  我的身份證 110105 19491231 002X ，電話１３８ １２３４ ５６７８"
    text, mapping = normalize_with_map(raw)
    assert len(mapping) == len(text)
    id_start = raw.index("110105")
    span = move_span(mapping, id_start, raw.index("002X") + 4)
    assert text[span[0] : span[1]] == "11010519491231002X"
    phone_start = raw.index("１３８")
    span = move_span(mapping, phone_start, len(raw))
    assert text[span[0] : span[1]] == "13812345678"
    assert move_span(mapping, 0, 2) is None  # leading spaces vanished


def test_length_changing_conversion_keeps_offsets_usable(monkeypatch):
    """If OpenCC ever changes a phrase's length, offsets are re-aligned, not trusted."""

    class Longer:
        def convert(self, text):
            return text.replace("乾", "干干")

    monkeypatch.setattr(norm, "_t2s", lambda: Longer())
    raw = "乾隆案号（2022）京03民终1234号"
    text, mapping = normalize_with_map(raw)
    assert text == "干干隆案号（2022）京03民终1234号"
    start = raw.index("（")
    span = move_span(mapping, start, len(raw))
    assert text[span[0] : span[1]] == "（2022）京03民终1234号"


def test_output_has_no_whitespace_except_between_latin_words():
    for raw in ["我 想 查", " 1 2 3 4 ", "案号 2022 京03", "a b 中 文 c", "１ ２"]:
        text = normalize(raw)
        for i, ch in enumerate(text):
            if ch.isspace():
                assert text[i - 1].isascii() and text[i - 1].isalpha() and text[i + 1].isalpha()


def test_opencc_t2s_maps_every_cjk_character_to_one_character():
    """Why the identity offset map is normally right (the aligned fallback covers the rest)."""
    import opencc

    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0)]
    chars = [chr(cp) for start, stop in ranges for cp in range(start, stop)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    assert len(converted) == len(chars)
    assert [c for c, out in zip(chars, converted) if len(out) != 1] == []
