"""person_name / org_name per part: the rules, the NER of a trained model, and both merged.

    .venv/bin/python benchmarks/names.py [--model /tmp/court-main.tar.gz] [--real TSV] [--errors] [--write]

Sets: the annotated messages of data/nlu/*.yml (the NER trained on them, so its figures there say
little), tests/nlu/data/heldout.yml and tests/nlu/data/outside.yml (written by other hands).
Texts are normalised as the pipeline does; a name is scored on label + exact text of the
normalised message (the contract's canonical value of a name is the text as written).

- rules: `kernel.nlu.name_finder.find_names` with the JiebaTokenizer's word boundaries (bot/dict loaded,
  as in our Rasa process), and without any (`rules, no tokens`).
- NER: the person/org entities of `--model`'s parse (SpacyNameExtractor in today's models).
- combined: the model's parse merged by `bot.components.name_rules.merge_entities`, the function
  NameRuleExtractor runs, then names overlapping a rule entity (ID, phone, case number) dropped,
  as CourtEntityExtractor does after it. A model trained with NameRuleExtractor in its pipeline
  gives the same names (`--model` of such a model: the NER column is then already combined).
`--write` replaces the block between the names markers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.spacy_names import (  # noqa: E402
    LABELS,
    Span,
    _show,
    limit_threads,
    load_court_dict,
    load_samples,
    scores,
)

SETS = {
    "data/nlu (training)": sorted((ROOT / "data" / "nlu").glob("*.yml")),
    "heldout": [ROOT / "tests" / "nlu" / "data" / "heldout.yml"],
    "outside": [ROOT / "tests" / "nlu" / "data" / "outside.yml"],
}
REAL = ROOT.parent / "shared" / "data" / "real_legal_questions" / "lawbench_questions.tsv"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- names:start -->", "<!-- names:end -->"
HEADING = "## Names: rules, NER, combined"


def boundaries(text: str) -> set[int]:
    """Word boundaries of the pipeline's JiebaTokenizer (the court dictionary must be loaded)."""
    from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
    from rasa.shared.nlu.training_data.message import Message

    tokenizer = JiebaTokenizer({**JiebaTokenizer.get_default_config()}, None, None)  # type: ignore[arg-type]
    tokens = tokenizer.tokenize(Message(data={"text": text}), "text")
    return {offset for token in tokens for offset in (token.start, token.end)}


def rule_spans(text: str, bounds: set[int] | None) -> list[Span]:
    from kernel.nlu.name_finder import find_names

    return [(s.label, s.value) for s in find_names(text, bounds)]


def names_of(text: str, entities: Sequence[dict]) -> list[Span]:
    """Names of a parse, minus those a rule entity overlaps (CourtEntityExtractor's last word)."""
    from kernel.nlu.extract import RULE_ENTITIES

    claimed = [(e["start"], e["end"]) for e in entities if e.get("entity") in RULE_ENTITIES]
    return [
        (e["entity"], text[e["start"] : e["end"]])
        for e in entities
        if e.get("entity") in LABELS and not any(e["start"] < b and a < e["end"] for a, b in claimed)
    ]


async def model_parses(model: str, texts: Sequence[str]) -> list[tuple[str, list[dict]]]:
    """(normalised text, entities) of each text through the whole Rasa NLU pipeline of `model`."""
    import logging

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(model)
    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        out.append((parsed["text"], list(parsed.get("entities") or [])))
    return out


def table(rows: Sequence[tuple[str, str, list[list[Span]], list[list[Span]]]]) -> str:
    head = ["set", "system"] + [f"{label} {m}" for label in LABELS for m in ("P", "R", "F1")]
    head.append("names (person / org)")
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for set_name, system, gold, pred in rows:
        s = scores(gold, pred)
        n = Counter(label for spans in gold for label, _ in spans)
        cells = [f"{v:.3f}" for label in LABELS for v in s[label]]
        lines.append(
            "| " + " | ".join([set_name, system, *cells, f"{n['person_name']} / {n['org_name']}"]) + " |"
        )
    return "\n".join(lines)


def real_questions(path: Path) -> str:
    """Precision where nobody annotated: names the rules find in real legal questions, which
    name almost nobody. Every hit is listed, so a reader can judge it."""
    from kernel.nlu.normalize import normalize

    if not path.exists():
        return f"(no {path}: real questions not measured; see --real)"
    questions = [line.split("\t")[2] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    hits = []
    for question in questions:
        text = normalize(question)
        hits += [f"{value}/{label.split('_')[0]}" for label, value in rule_spans(text, boundaries(text))]
    shown = ", ".join(hits) or "none"
    return f"Rules on {len(questions)} real legal questions (`{path.name}`, not annotated): {len(hits)} names found: {shown}."


def run(args: argparse.Namespace) -> str:
    from bot.components.name_rules import merge_entities

    load_court_dict()
    rows, errors = [], []
    for set_name, paths in SETS.items():
        samples = load_samples(paths)
        gold = [s.spans for s in samples]
        texts = [s.text for s in samples]
        bounds = [boundaries(t) for t in texts]
        rules = [rule_spans(t, b) for t, b in zip(texts, bounds)]
        rows.append((set_name, "rules", gold, rules))
        rows.append((set_name, "rules, no tokens", gold, [rule_spans(t, None) for t in texts]))
        systems = {"rules": rules}
        if args.model:
            parses = asyncio.run(model_parses(args.model, [s.original for s in samples]))
            ner = [names_of(text, ents) for text, ents in parses]
            both = [names_of(text, merge_entities(text, ents, boundaries(text))) for text, ents in parses]
            rows.append((set_name, "NER (model)", gold, ner))
            rows.append((set_name, "combined", gold, both))
            systems.update({"NER": ner, "combined": both})
        for i, text in enumerate(texts):
            wrong = {k: v[i] for k, v in systems.items() if Counter(v[i]) != Counter(gold[i])}
            if wrong and set_name != "data/nlu (training)":
                said = "; ".join(f"{k}: {_show(v)}" for k, v in wrong.items())
                errors.append(f"[{set_name}] {text} | gold: {_show(gold[i])} | {said}")
    model = f"model `{args.model}`" if args.model else "no model (rules only)"
    report = f"{model}; scored on label + exact text of the normalised message.\n\n" + table(rows)
    report += "\n\n" + real_questions(Path(args.real))
    if args.errors:
        print("\n".join(["Texts some system got wrong:", *errors]) + "\n")
    return report


def main() -> None:
    limit_threads()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="trained Rasa model (.tar.gz): adds the NER and combined rows")
    parser.add_argument(
        "--real", default=str(REAL), help="the real legal questions (source, topic, question TSV)"
    )
    parser.add_argument("--errors", action="store_true", help="print every text a system got wrong")
    parser.add_argument("--write", action="store_true", help="rewrite the names block of docs/benchmarks.md")
    args = parser.parse_args()
    if args.model and not Path(args.model).exists():
        parser.error(f"no such model: {args.model}")
    report = run(args)
    print(report)
    if args.write:
        command = "`.venv/bin/python benchmarks/names.py " + " ".join(sys.argv[1:]) + "`"
        block = f"Command: {command} ({time.strftime('%Y-%m-%d')})\n\n{report}"
        doc = DOC.read_text(encoding="utf-8")
        if START not in doc:
            doc = doc.rstrip("\n") + f"\n\n{HEADING}\n\n{START}\n{END}\n"
        DOC.write_text(replace_block_names(doc, block), encoding="utf-8")


def replace_block_names(doc: str, block: str) -> str:
    """Put `block` between the names markers; nothing else in the document moves."""
    pattern = re.escape(START) + r".*?" + re.escape(END)
    return re.sub(pattern, lambda _: f"{START}\n{block}\n{END}", doc, flags=re.S)


if __name__ == "__main__":
    main()
