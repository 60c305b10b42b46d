"""NameRuleExtractor in the pipeline: rule names win, the NER's fill the rest, IDs stay IDs."""

from __future__ import annotations

import pytest

from tests.nlu.rasa_helpers import Pipeline


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("names"), names=True)


def _names(message) -> list[tuple[str, str, str]]:
    text = message.get("text")
    return [
        (e["entity"], text[e["start"] : e["end"]], e["extractor"])
        for e in message.get("entities", [])
        if e["entity"] in ("person_name", "org_name")
    ]


def _ner(text: str, value: str, label: str) -> dict:
    start = text.index(value)
    return {
        "entity": label,
        "start": start,
        "end": start + len(value),
        "value": value,
        "extractor": "SpacyNameExtractor",
    }


def test_the_rule_name_replaces_a_wrongly_cut_ner_name(pipeline):
    text = "帮我查一下我儿子诸葛文杰那个案子"
    message = pipeline.parse(text, [_ner(text, "葛文杰", "person_name")])
    assert _names(message) == [("person_name", "诸葛文杰", "NameRuleExtractor")]
    assert message.get("entities")[0]["value"] == "诸葛文杰"


def test_an_ner_name_the_rules_do_not_give_is_kept(pipeline):
    text = "对方叫莫言，北京华信建材有限公司欠我钱"
    message = pipeline.parse(text, [_ner(text, "莫言", "person_name")])
    assert sorted(_names(message)) == [
        ("org_name", "北京华信建材有限公司", "NameRuleExtractor"),
        ("person_name", "莫言", "SpacyNameExtractor"),
    ]


def test_traditional_input_gives_the_simplified_name_and_ids_stay_ids(pipeline):
    message = pipeline.parse("我叫諸葛文傑，身份證110106198308117471")
    entities = {(e["entity"], e["value"]) for e in message.get("entities")}
    assert ("person_name", "诸葛文杰") in entities
    assert ("id_number", "110106198308117471") in entities
    assert not any(e["entity"] == "person_name" and e["value"].isdigit() for e in message.get("entities"))


def test_titles_and_courts_give_no_name(pipeline):
    message = pipeline.parse("王法官说北京市朝阳区人民法院下周开庭")
    assert _names(message) == []


def test_config_runs_the_rules_after_the_ner_and_before_the_rule_entities():
    """In the predict graph built from config.yml, the rules see spaCy's names, and
    CourtEntityExtractor sees the merged names (so an ID is still never a name)."""
    from pathlib import Path

    import yaml
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.shared.data import TrainingType

    config = yaml.safe_load((Path(__file__).resolve().parents[2] / "config.yml").read_text(encoding="utf-8"))
    nodes = DefaultV1Recipe().graph_config_for_recipe(config, {}, TrainingType.NLU).predict_schema.nodes

    def node(name: str) -> str:
        return next(key for key in nodes if key.startswith(f"run_{name}"))

    rules = node("bot.components.name_rules.NameRuleExtractor")
    assert nodes[rules].needs["messages"] == node("bot.components.names.SpacyNameExtractor")
    assert nodes[node("bot.components.entities.CourtEntityExtractor")].needs["messages"] == rules
