"""person_name / org_name: a spaCy NER trained on our data against DIET in our Rasa model.

    .venv/bin/python benchmarks/spacy_names.py --model models/court.tar.gz [--epochs 15] [--write]

No pretrained Chinese spaCy model can be installed here, so the spaCy side is a blank `zh` pipeline
with one `ner` component, trained (seeded, a fixed number of epochs) on the person_name / org_name
annotations of data/nlu/*.yml by the pipeline's own `bot.components.names.train_ner`, once per segmenter: `char`, `jieba`, and `jieba` with the court
dictionary loaded (jieba's dictionary is process-global, so inside our Rasa process spaCy's jieba
would see bot/dict). Texts are normalised first exactly as the pipeline does (ChineseNormalizer).

Everything is scored on the held-out set tests/nlu/data/heldout.yml (never trained on): precision,
recall and F1 per entity type and overall, on exact span text + label of the normalised text.
DIET is read from the trained Rasa model (entities whose extractor is DIETClassifier); "union" adds
a spaCy model's spans to DIET's. A paired bootstrap over held-out texts gives how often spaCy's F1
beats DIET's, because the held-out set holds only a couple of dozen names.
`--write` replaces the generated block of docs/benchmarks.md between the spacy-names markers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def limit_threads() -> None:
    """2 shared cores: one BLAS / TF thread each, set before numpy or TensorFlow load."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("PYTHONHASHSEED", "0")


if __name__ == "__main__":
    limit_threads()  # before the import below loads numpy and TensorFlow

# The training code is the pipeline's own (SpacyNameExtractor), so what is measured is what runs.
from bot.components.names import BATCH, LABELS, Offset, name_offsets, overlapping, train_ner  # noqa: E402

HELDOUT = ROOT / "tests" / "nlu" / "data" / "heldout.yml"
TRAIN_GLOB = "data/nlu/*.yml"
COURT_DICT = ROOT / "bot" / "dict"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- spacy-names:start -->", "<!-- spacy-names:end -->"
SEGMENTERS = ("char", "jieba", "jieba+court")
DIET = "DIETClassifier"

#: One entity as scored: (label, exact span text of the normalised text).
Span = tuple[str, str]


@dataclass(frozen=True)
class Sample:
    """One example, normalised like the pipeline does, with its name annotations."""

    original: str
    text: str
    offsets: tuple[Offset, ...]

    @property
    def spans(self) -> list[Span]:
        return spans_of(self.text, self.offsets)


@dataclass
class System:
    """One extractor's predictions on the held-out texts and what it cost."""

    name: str
    preds: list[list[Span]]
    train_s: float | None = None
    latencies_ms: list[float] | None = None
    note: str = ""


# ---------------------------------------------------------------- pure parts (tested)


def spans_of(text: str, offsets: Iterable[Offset]) -> list[Span]:
    """Offsets → (label, span text), the unit every system is scored on."""
    return [(label, text[start:end]) for start, end, label in offsets]


def counts(
    gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]], labels: Sequence[str] = LABELS
) -> dict[str, Counter]:
    """tp / fp / fn per label over texts, as multisets (a name said twice counts twice)."""
    result = {label: Counter() for label in labels}
    for g_list, p_list in zip(gold, pred, strict=True):
        g = Counter(s for s in g_list if s[0] in result)
        p = Counter(s for s in p_list if s[0] in result)
        for key, bucket in (("tp", g & p), ("fp", p - g), ("fn", g - p)):
            for (label, _), n in bucket.items():
                result[label][key] += n
    return result


def prf(c: Counter) -> tuple[float, float, float]:
    """Precision, recall, F1; an empty denominator counts as 0, never as a perfect score."""
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return precision, recall, f1


def scores(
    gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]], labels: Sequence[str] = LABELS
) -> dict[str, tuple[float, float, float]]:
    """P/R/F1 per label and micro-averaged over all labels ("overall")."""
    per = counts(gold, pred, labels)
    result = {label: prf(c) for label, c in per.items()}
    result["overall"] = prf(sum(per.values(), Counter()))
    return result


def union(a: Sequence[Sequence[Span]], b: Sequence[Sequence[Span]]) -> list[list[Span]]:
    """Per text, every span either system found; one found by both is counted once."""
    return [sorted(set(x) | set(y)) for x, y in zip(a, b, strict=True)]


def bootstrap_wins(
    gold: Sequence[Sequence[Span]],
    pred_a: Sequence[Sequence[Span]],
    pred_b: Sequence[Sequence[Span]],
    label: str | None,
    rounds: int = 2000,
    seed: int = 2024,
) -> tuple[float, float]:
    """Paired bootstrap over texts: shares of resamples where F1(a) > F1(b) and where F1(a) < F1(b).

    `label=None` scores all labels together. Only texts that matter to the label (a gold or a
    predicted span of it) are resampled, so the many name-free texts do not dilute the figure.
    """
    key = "overall" if label is None else label

    def relevant(spans: Sequence[Span]) -> bool:
        return any(label is None or s[0] == label for s in spans)

    idx = [i for i in range(len(gold)) if relevant(gold[i]) or relevant(pred_a[i]) or relevant(pred_b[i])]
    if not idx:
        return 0.0, 0.0
    rng = random.Random(seed)
    wins = losses = 0
    for _ in range(rounds):
        pick = [rng.choice(idx) for _ in idx]
        g = [gold[i] for i in pick]
        fa = scores(g, [pred_a[i] for i in pick])[key][2]
        fb = scores(g, [pred_b[i] for i in pick])[key][2]
        wins += fa > fb
        losses += fa < fb
    return wins / rounds, losses / rounds


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); the same rule as benchmarks/nlu_benchmark.py."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[int(q / 100 * (len(ordered) - 1))]


def render(gold: Sequence[Sequence[Span]], systems: Sequence[System]) -> str:
    """The markdown table: P/R/F1 per type and overall, training time, latency per text."""
    head = ["system"]
    for key in (*LABELS, "overall"):
        head += [f"{key} P", f"{key} R", f"{key} F1"]
    head += ["training (s)", "latency p50 / p95 (ms)"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for system in systems:
        s = scores(gold, system.preds)
        row = [system.name]
        for key in (*LABELS, "overall"):
            row += [f"{v:.3f}" for v in s[key]]
        row.append("–" if system.train_s is None else f"{system.train_s:.1f}")
        lat = system.latencies_ms
        row.append(f"{percentile(lat, 50):.1f} / {percentile(lat, 95):.1f}" if lat else "–")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def error_lines(texts: Sequence[str], gold: Sequence[Sequence[Span]], systems: Sequence[System]) -> list[str]:
    """One line per held-out text some system got wrong: what was wanted, what each one said."""
    lines = []
    for i, text in enumerate(texts):
        wrong = [s for s in systems if Counter(s.preds[i]) != Counter(gold[i])]
        if wrong:
            said = "; ".join(f"{s.name}: {_show(s.preds[i])}" for s in wrong)
            lines.append(f"{text} | gold: {_show(gold[i])} | {said}")
    return lines


def _show(spans: Iterable[Span]) -> str:
    return ", ".join(f"{text}/{label.split('_')[0]}" for label, text in sorted(set(spans))) or "none"


def replace_block(doc: str, block: str) -> str:
    """Put `block` between the spacy-names markers; append markers if missing. Nothing else moves."""
    wrapped = f"{START}\n{block}\n{END}"
    if START in doc and END in doc:
        return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: wrapped, doc, flags=re.S)
    heading = "## person_name and org_name: spaCy vs DIET"
    if heading not in doc:
        return doc.rstrip("\n") + f"\n\n{heading}\n\n{wrapped}\n"
    return doc.replace(heading, f"{heading}\n\n{wrapped}", 1)


# ---------------------------------------------------------------- data


def load_samples(paths: Iterable[Path]) -> list[Sample]:
    """Intent examples of each file, normalised by the pipeline's own code, offsets moved along."""
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.components.normalizer import normalize_message

    samples, seen = [], set()
    for path in paths:
        for message in load_data(str(path)).intent_examples:
            original = message.get("text")
            normalize_message(message)
            text = message.get("text")
            if text in seen:
                continue
            seen.add(text)
            offsets = name_offsets(message.get("entities") or [])
            if overlapping(offsets):
                raise ValueError(f"overlapping name annotations in {path}: {original}")
            samples.append(Sample(original, text, offsets))
    return samples


# ---------------------------------------------------------------- spaCy


def load_court_dict() -> None:
    """Load bot/dict into the process-global jieba, as JiebaTokenizer does in our Rasa process."""
    from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer

    JiebaTokenizer._load_custom_dictionary(str(COURT_DICT))


def spacy_predict(nlp, texts: Sequence[str]) -> tuple[list[list[Span]], list[float]]:
    preds, latencies = [], []
    for text in texts:
        t0 = time.perf_counter()
        doc = nlp(text)
        latencies.append((time.perf_counter() - t0) * 1000)
        preds.append([(ent.label_, ent.text) for ent in doc.ents if ent.label_ in LABELS])
    return preds, latencies


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


# ---------------------------------------------------------------- DIET


async def diet_predict(model_path: str, texts: Sequence[str]) -> tuple[list[list[Span]], list[float]]:
    """DIET's name spans from a trained Rasa model; latency is the whole NLU parse of one text."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)  # else every parse is logged to stdout, among the figures
    agent = Agent.load(model_path)
    preds, latencies = [], []
    for text in texts:
        t0 = time.perf_counter()
        parsed = await agent.parse_message(text)
        latencies.append((time.perf_counter() - t0) * 1000)
        norm = parsed["text"]
        preds.append(
            [
                (e["entity"], norm[e["start"] : e["end"]])
                for e in parsed.get("entities") or []
                if e.get("extractor") == DIET and e.get("entity") in LABELS
            ]
        )
    return preds, latencies


# ---------------------------------------------------------------- main


def run(args: argparse.Namespace) -> str:
    train = load_samples(sorted(ROOT.glob(TRAIN_GLOB)))
    held = load_samples([HELDOUT])
    gold = [s.spans for s in held]
    texts = [s.text for s in held]
    train_names = Counter(label for s in train for *_, label in s.offsets)
    gold_names = Counter(label for s in gold for label, _ in s)
    systems: list[System] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for segmenter in args.segmenters:
            if segmenter == "jieba+court":
                load_court_dict()  # from here on jieba is the one our Rasa process would have
            nlp, seconds, misaligned, trace = train_ner(
                [(s.text, s.offsets) for s in train], segmenter, args.epochs, args.seed
            )
            out = Path(tmp) / segmenter
            nlp.to_disk(out)
            import spacy

            loaded = spacy.load(out)
            preds, lat = spacy_predict(loaded, texts)
            systems.append(System(f"spaCy {segmenter}", preds, seconds, lat))
            notes.append(
                f"spaCy {segmenter}: {misaligned} training names cut by a token boundary "
                f"(trained as unknown), model {dir_size_mb(out):.1f} MB on disk, NER loss by epoch "
                + " ".join(f"{v:.0f}" for v in trace)
            )
    if args.model:
        preds, lat = asyncio.run(diet_predict(args.model, [s.original for s in held]))
        diet = System("DIET (our Rasa model)", preds, None, lat)
        spacy_systems = list(systems)
        systems.append(diet)
        for s in spacy_systems:
            systems.append(System(f"DIET ∪ {s.name}", union(diet.preds, s.preds)))
        for s in spacy_systems:
            for label in (*LABELS, None):
                win, loss = bootstrap_wins(gold, s.preds, diet.preds, label, args.rounds, args.seed)
                notes.append(
                    f"bootstrap {s.name} vs DIET, {label or 'overall'}: spaCy higher in "
                    f"{win:.0%}, DIET higher in {loss:.0%} of {args.rounds} resamples"
                )
    head = (
        f"Training: {len(train)} normalised examples from {TRAIN_GLOB}, names "
        f"{dict(train_names)}; held-out: {len(held)} texts, names {dict(gold_names)}. "
        f"spaCy {args.epochs} epochs, batch {BATCH}, seed {args.seed}; {os.cpu_count()} cores, 1 thread per library. "
        f"Latency: spaCy = one `nlp(text)`; DIET = one whole Rasa NLU parse (`Agent.parse_message`)."
    )
    report = "\n".join([head, "", render(gold, systems), ""] + [f"- {n}" for n in notes])
    if args.errors:
        single = [s for s in systems if "∪" not in s.name]
        print("\n".join(["Held-out texts with a wrong answer:"] + error_lines(texts, gold, single)) + "\n")
    return report


def main() -> None:
    limit_threads()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", help="trained Rasa model (.tar.gz) whose DIET is compared; none: spaCy only"
    )
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--rounds", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--segmenters", nargs="+", choices=SEGMENTERS, default=list(SEGMENTERS))
    parser.add_argument(
        "--errors", action="store_true", help="also print every held-out text a system got wrong"
    )
    parser.add_argument(
        "--write", action="store_true", help="rewrite the generated block in docs/benchmarks.md"
    )
    args = parser.parse_args()
    if args.model and not Path(args.model).exists():
        parser.error(f"no such model: {args.model}")
    report = run(args)
    print(report)
    if args.write:
        command = "`.venv/bin/python benchmarks/spacy_names.py " + " ".join(sys.argv[1:]) + "`"
        block = f"Command: {command} ({time.strftime('%Y-%m-%d')})\n\n{report}"
        doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
        DOC.write_text(replace_block(doc, block), encoding="utf-8")


if __name__ == "__main__":
    main()
