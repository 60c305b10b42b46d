"""The pure parts of benchmarks/names.py: a wrong count here would report the wrong part as good."""

from __future__ import annotations

from benchmarks.names import END, START, names_of, replace_block_names, table

PER, ORG = "person_name", "org_name"


def test_names_overlapping_a_rule_entity_are_not_counted():
    text = "王伟11010519780315149X北京华信建材有限公司"
    entities = [
        {"entity": PER, "start": 0, "end": 2},
        {"entity": PER, "start": 2, "end": 6},  # digits of the ID read as a name: dropped
        {"entity": "id_number", "start": 2, "end": 20},
        {"entity": ORG, "start": 20, "end": len(text)},
    ]
    assert names_of(text, entities) == [(PER, "王伟"), (ORG, "北京华信建材有限公司")]


def test_table_scores_each_label_and_counts_the_gold_names():
    gold = [[(PER, "陈晓")], [(ORG, "北京华信建材有限公司")], []]
    pred = [[(PER, "陈晓上")], [(ORG, "北京华信建材有限公司")], [(PER, "王法官")]]
    row = table([("set", "rules", gold, pred)]).splitlines()[2]
    cells = [c.strip() for c in row.strip("|").split("|")]
    # person: 0 of 2 predictions right, 0 of 1 found; org: all right
    assert cells[2:8] == ["0.000", "0.000", "0.000", "1.000", "1.000", "1.000"]
    assert cells[8] == "1 / 1"


def test_only_the_names_block_is_replaced():
    doc = f"# B\n\nbefore\n\n{START}\nold\n{END}\n\nafter\n"
    out = replace_block_names(doc, "new")
    assert out == f"# B\n\nbefore\n\n{START}\nnew\n{END}\n\nafter\n"
