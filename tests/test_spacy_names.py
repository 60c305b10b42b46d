"""The pure parts of benchmarks/spacy_names.py: a wrong count here would crown the wrong extractor."""

from __future__ import annotations

import pytest

from benchmarks.spacy_names import (
    END,
    START,
    System,
    bootstrap_wins,
    counts,
    error_lines,
    name_offsets,
    overlapping,
    percentile,
    prf,
    render,
    replace_block,
    scores,
    spans_of,
    union,
)

PER, ORG = "person_name", "org_name"


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        ([], ()),
        ([{"entity": PER, "start": 2, "end": 5, "value": "王秀兰"}], ((2, 5, PER),)),
        # rule-extracted types are not this benchmark's business
        (
            [{"entity": "phone", "start": 0, "end": 11}, {"entity": ORG, "start": 12, "end": 20}],
            ((12, 20, ORG),),
        ),
        # sorted by position, duplicates collapse
        (
            [
                {"entity": ORG, "start": 9, "end": 12},
                {"entity": PER, "start": 0, "end": 2},
                {"entity": PER, "start": 0, "end": 2},
            ],
            ((0, 2, PER), (9, 12, ORG)),
        ),
        # an entity without offsets (a /intent{...} trigger) cannot be trained on
        ([{"entity": PER, "value": "张伟"}], ()),
    ],
)
def test_name_offsets(entities, expected):
    assert name_offsets(entities) == expected


@pytest.mark.parametrize(
    ("text", "offsets", "expected"),
    [
        ("我叫王秀兰", [(2, 5, PER)], [(PER, "王秀兰")]),
        (
            "原告陈明，被告北京华信建材有限公司",
            [(2, 4, PER), (7, 17, ORG)],
            [(PER, "陈明"), (ORG, "北京华信建材有限公司")],
        ),
        ("你好", [], []),
    ],
)
def test_spans_of(text, offsets, expected):
    assert spans_of(text, offsets) == expected


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ([], False),
        ([(0, 2, PER), (2, 4, ORG)], False),
        ([(0, 3, PER), (2, 4, ORG)], True),
        ([(5, 9, ORG), (0, 6, PER)], True),
    ],
)
def test_overlapping(offsets, expected):
    assert overlapping(offsets) is expected


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        # exact match
        ([[(PER, "王秀兰")]], [[(PER, "王秀兰")]], {PER: (1, 0, 0), ORG: (0, 0, 0)}),
        # a span one character short is a false positive AND a false negative
        ([[(PER, "王秀兰")]], [[(PER, "王秀")]], {PER: (0, 1, 1), ORG: (0, 0, 0)}),
        # right text, wrong label
        (
            [[(ORG, "北京华信建材有限公司")]],
            [[(PER, "北京华信建材有限公司")]],
            {PER: (0, 1, 0), ORG: (0, 0, 1)},
        ),
        # counted per text: the same name found in the wrong text does not help
        ([[(PER, "陈明")], []], [[], [(PER, "陈明")]], {PER: (0, 1, 1), ORG: (0, 0, 0)}),
        # a name said twice must be found twice
        ([[(PER, "陈明"), (PER, "陈明")]], [[(PER, "陈明")]], {PER: (1, 0, 1), ORG: (0, 0, 0)}),
        # other labels are ignored
        ([[("phone", "13800001234")]], [[("phone", "13800001234")]], {PER: (0, 0, 0), ORG: (0, 0, 0)}),
    ],
)
def test_counts(gold, pred, expected):
    got = counts(gold, pred)
    assert {k: (c["tp"], c["fp"], c["fn"]) for k, c in got.items()} == expected


def test_counts_refuses_misaligned_lists():
    with pytest.raises(ValueError):
        counts([[], []], [[]])


@pytest.mark.parametrize(
    ("tp", "fp", "fn", "expected"),
    [
        (0, 0, 0, (0.0, 0.0, 0.0)),  # nothing found of nothing: no free perfect score
        (3, 1, 0, (0.75, 1.0, 6 / 7)),
        (1, 0, 3, (1.0, 0.25, 0.4)),
        (0, 2, 2, (0.0, 0.0, 0.0)),
    ],
)
def test_prf(tp, fp, fn, expected):
    from collections import Counter

    assert prf(Counter(tp=tp, fp=fp, fn=fn)) == pytest.approx(expected)


def test_overall_is_micro_averaged():
    gold = [[(PER, "a"), (PER, "b"), (PER, "c")], [(ORG, "x")]]
    pred = [[(PER, "a"), (PER, "b"), (PER, "c")], [(ORG, "y")]]
    s = scores(gold, pred)
    assert s[PER][2] == 1.0 and s[ORG][2] == 0.0
    assert s["overall"] == pytest.approx((0.75, 0.75, 0.75))  # not the macro 0.5


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([[(PER, "陈明")]], [[(PER, "陈明")]], [[(PER, "陈明")]]),
        ([[(PER, "陈明")]], [[(ORG, "某公司")]], [[(ORG, "某公司"), (PER, "陈明")]]),
        ([[], [(PER, "甲")]], [[(PER, "乙")], []], [[(PER, "乙")], [(PER, "甲")]]),
    ],
)
def test_union(a, b, expected):
    assert union(a, b) == expected


def test_bootstrap_prefers_the_better_system():
    gold = [[(PER, f"名{i}")] for i in range(10)]
    good = [[(PER, f"名{i}")] for i in range(10)]
    bad = [[(PER, f"名{i}")] if i < 5 else [] for i in range(10)]
    win, loss = bootstrap_wins(gold, good, bad, PER, rounds=200)
    assert win > 0.95 and loss == 0.0
    assert bootstrap_wins(gold, bad, good, None, rounds=200)[1] > 0.95


def test_bootstrap_of_identical_systems_has_no_winner():
    gold = [[(PER, "甲")], [(ORG, "乙")], []]
    assert bootstrap_wins(gold, gold, gold, None, rounds=50) == (0.0, 0.0)


def test_bootstrap_without_relevant_texts():
    assert bootstrap_wins([[]], [[]], [[]], ORG, rounds=10) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([5.0], 50, 5.0), ([3.0, 1.0, 2.0], 50, 2.0), (list(map(float, range(1, 101))), 95, 95.0)],
)
def test_percentile(values, q, expected):
    assert percentile(values, q) == expected


def test_render_has_one_row_per_system_and_the_figures():
    gold = [[(PER, "陈明")], [(ORG, "北京某公司")]]
    systems = [System("spaCy char", [[(PER, "陈明")], []], 12.34, [1.0, 2.0, 3.0]), System("DIET", gold)]
    table = render(gold, systems).splitlines()
    assert len(table) == 4
    assert table[2].startswith(
        "| spaCy char | 1.000 | 1.000 | 1.000 | 0.000 | 0.000 | 0.000 | 1.000 | 0.500 | 0.667"
    )
    assert table[2].endswith("| 12.3 | 2.0 / 2.0 |")
    assert table[3].endswith("| – | – |")


@pytest.mark.parametrize(
    "doc",
    [
        "# Benchmarks\n",
        "# Benchmarks\n\n<!-- nlu-benchmark:start -->\nX\n<!-- nlu-benchmark:end -->\n",
        "# Benchmarks\n\n## person_name and org_name: spaCy vs DIET\n\nWhy we chose.\n",
        f"# Benchmarks\n\n## person_name and org_name: spaCy vs DIET\n\n{START}\nold\n{END}\n\nWhy.\n"
        "<!-- nlu-benchmark:start -->\nX\n<!-- nlu-benchmark:end -->\n",
    ],
)
def test_replace_block_touches_only_its_markers(doc):
    out = replace_block(doc, "new table")
    assert out.count(START) == 1 and f"{START}\nnew table\n{END}" in out and "old" not in out
    assert out.count("## person_name and org_name: spaCy vs DIET") == 1
    for kept in ("<!-- nlu-benchmark:start -->\nX\n<!-- nlu-benchmark:end -->", "Why"):
        assert (kept in doc) == (kept in out)
    assert replace_block(out, "new table") == out  # idempotent


def test_error_lines_name_only_the_wrong_systems():
    texts = ["我叫陈明", "你好", "被告北京某公司"]
    gold = [[(PER, "陈明")], [], [(ORG, "北京某公司")]]
    right = System("right", [list(g) for g in gold])
    short = System("short", [[(PER, "陈")], [], [(ORG, "北京某公司")]])
    lines = error_lines(texts, gold, [right, short])
    assert lines == ["我叫陈明 | gold: 陈明/person | short: 陈/person"]
    assert error_lines(texts, gold, [right]) == []
