"""The court dictionary keeps the terms citizens use whole, and no token is whitespace."""

from __future__ import annotations

import csv
from pathlib import Path

import jieba
import pytest

from kernel.nlu.normalize import normalize
from tests.nlu.rasa_helpers import DICT_DIR, Pipeline, tokens

REAL_QUESTIONS = Path("/work/shared/data/real_legal_questions/lawbench_questions.tsv")

SENTENCES = [
    ("查一下我是不是失信被执行人", ["失信被执行人"]),
    ("查一下我是不是失信別執行人", ["失信被执行人"]),
    ("我被列入失信被执行人名单了怎么办", ["失信被执行人"]),
    ("想找承办法官问问我的案子", ["承办法官"]),
    ("承半法官的电话是多少", ["承办法官"]),
    ("对方不还钱 我要申请强制执行", ["强制执行"]),
    ("诉讼费怎么交，能退吗", ["诉讼费"]),
    ("诉送费可以缓交吗", ["诉讼费"]),
    ("被限制高消费了还能坐高铁吗", ["限制高消费"]),
    ("怎么解除限制消费令", ["限制消费令"]),
    ("执行款什么时候能打到我卡上", ["执行款"]),
    ("立案庭在几楼", ["立案庭"]),
    ("诉讼服务中心周六上班吗", ["诉讼服务中心"]),
    ("可以用移动微法院网上立案吗", ["移动微法院", "网上立案"]),
    ("在中国裁判文书网上查不到我的裁判文书", ["中国裁判文书网", "裁判文书"]),
    ("调解书什么时候生效", ["调解书"]),
    ("收到开庭传票了 不去会怎样", ["开庭传票"]),
    ("北京市第三中级人民法院在哪", ["北京市第三中级人民法院"]),
    ("我的案子在三中院，案号（2021）京03执恢12号", ["三中院", "执恢"]),
    ("12368几点有人接", ["12368"]),
    ("公司的统一社会信用代码填哪", ["统一社会信用代码"]),
    ("判決書下來了嗎", ["判决书"]),
]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("dict"))


@pytest.mark.parametrize(("sentence", "terms"), SENTENCES)
def test_terms_stay_single_tokens(pipeline, sentence, terms):
    words = tokens(pipeline.parse(sentence))
    assert all(term in words for term in terms), words
    assert not any(word.isspace() or not word for word in words)


def test_the_dictionary_is_what_keeps_them_whole():
    """Plain Jieba splits most of these terms, so the tests above can fail."""
    plain = jieba.Tokenizer()
    split = [t for s, terms in SENTENCES for t in terms if t not in plain.lcut(normalize(s))]
    assert len(split) >= 10, split


def test_dictionary_folder_holds_only_dictionary_lines():
    """JiebaTokenizer loads every file in `dictionary_path`; a stray README would become words."""
    files = list(DICT_DIR.iterdir())
    assert [f.name for f in files] == ["court_dict.txt"]
    lines = files[0].read_text(encoding="utf-8").splitlines()
    words = [line.split(" ")[0] for line in lines]
    assert len(words) == len(set(words)) >= 500
    assert all(len(line.split(" ")) == 3 and line.split(" ")[1].isdigit() for line in lines)


@pytest.mark.skipif(not REAL_QUESTIONS.exists(), reason="shared real questions not mounted")
def test_real_questions_give_no_whitespace_tokens(pipeline):
    with REAL_QUESTIONS.open(encoding="utf-8") as handle:
        questions = [row["question"] for row in csv.DictReader(handle, delimiter="\t")]
    bad = [q for q in questions if any(w.isspace() for w in tokens(pipeline.parse(q)))]
    assert bad == []
