"""A change to a rule the model was trained through retrains; a change to code it never sees does not."""

from __future__ import annotations

from pathlib import Path

from bot.components.sources import ROOT, digest, kernel_sources, training_inputs


def _names(paths: list[Path]) -> set[str]:
    return {path.relative_to(ROOT).as_posix() for path in paths}


def test_the_normaliser_is_fingerprinted_by_the_rules_it_runs() -> None:
    sources = _names(kernel_sources([ROOT / "bot/components/normalizer.py"]))
    assert {"kernel/nlu/normalize.py", "kernel/nlu/digits.py", "kernel/nlu/idrules.py"} <= sources
    assert "kernel/nlu/identity.py" not in sources and "kernel/nlu/casenumber.py" not in sources


def test_training_inputs_leave_out_what_only_the_actions_run() -> None:
    inputs = _names(training_inputs())
    assert "bot/dict/court_dict.txt" in inputs and "kernel/nlu/extract.py" in inputs
    assert not any(name.startswith(("kernel/nlu/identity", "kernel/clients", "actions/")) for name in inputs)


def test_the_digest_follows_the_bytes(tmp_path: Path) -> None:
    rule = tmp_path / "normalize.py"
    rule.write_text("A = 1\n", encoding="utf-8")
    before = digest([rule])
    rule.write_text("A = 2\n", encoding="utf-8")
    assert digest([rule]) != before and digest([rule]) == digest([rule])


def test_components_with_module_level_helpers_fingerprint_their_own_module(monkeypatch) -> None:
    """Rasa fingerprints a component's class source only: a change to a helper beside the class (how the
    classifier reads a message) restored the old model from the cache, which then read messages the new way."""
    import bot.components.intent as intent
    import bot.components.normalizer as normalizer

    for module, component in (
        (intent, intent.NgramIntentClassifier),
        (normalizer, normalizer.ChineseNormalizer),
    ):
        seen: list[Path] = []
        monkeypatch.setattr(module, "digest", lambda paths, seen=seen: seen.extend(paths) or "x")
        component.fingerprint_addon({})
        assert Path(module.__file__).resolve() in {p.resolve() for p in seen}
