"""NLU benchmark: our pipeline against Rasa's plain Chinese pipeline, trained on the same data.

    .venv/bin/python benchmarks/nlu_benchmark.py [--write]

    .venv/bin/python benchmarks/nlu_benchmark.py --folds 3 --write   # also k-fold cross-validation

Prints, side by side: intent accuracy and macro-F1, FAQ-key accuracy and per-entity F1 (canonical values)
on each evaluation set (never trained on): our own held-out set (tests/nlu/data/heldout.yml, written by
the hands that wrote the training data) and two sets written by helpers who saw only the contract
(outside.yml; heldout_b.yml, the second held-out set we decide on); training time, model size, parse
latency p50/p95, start-up time and peak RSS; the share of the real legal questions routed to a
case-specific intent, with a sweep of the fallback threshold; with `--folds K`, K-fold cross-validation
of intent accuracy on the training data (`rasa test nlu --cross-validation`).
`--write` also rewrites docs/benchmarks.md with these figures and this command.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kernel.names import CASE_SPECIFIC_INTENTS  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
RASA = str(ROOT / ".venv" / "bin" / "rasa")
HELDOUT = ROOT / "tests" / "nlu" / "data" / "heldout.yml"
SETS = {  # name in the report -> file; the blind ones were written from the contract only
    "own held-out": HELDOUT,
    "outside (blind)": ROOT / "tests" / "nlu" / "data" / "outside.yml",
    "second held-out (blind)": ROOT / "tests" / "nlu" / "data" / "heldout_b.yml",
    # written 2026-12-02 from the contract alone, after the second set's errors had been read (the topics
    # of the boundary data and of OtherBodyGuard came from them): the one set nothing here was tuned on
    "third held-out (blind)": ROOT / "tests" / "nlu" / "data" / "heldout_c.yml",
}
REAL = ROOT.parent / "shared" / "data" / "real_legal_questions" / "lawbench_questions.tsv"
COPIED_LIST = ROOT / "data" / "nlu" / "README.md"
ENTITIES = ("case_number", "id_number", "credit_code", "person_name", "org_name", "phone")
THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8)


def load_heldout(path: Path = HELDOUT) -> list[dict]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for msg in load_data(str(path)).intent_examples:
        examples.append(
            {
                "text": msg.get("text"),
                "intent": msg.get("intent"),
                "faq_key": msg.get("intent_response_key"),
                "entities": [(e["entity"], str(e["value"])) for e in msg.get("entities") or []],
            }
        )
    return examples


def training_keys() -> set[str]:
    """Training texts reduced to letters and digits: an evaluation text with the same key was trained on."""
    from rasa.shared.nlu.training_data.loading import load_data

    files = sorted((ROOT / "data" / "nlu").glob("*.yml"))  # the folder also holds a README
    return {text_key(m.get("text")) for f in files for m in load_data(str(f)).intent_examples}


def text_key(text: str) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


def load_real() -> tuple[list[str], set[str]]:
    lines = REAL.read_text(encoding="utf-8").splitlines()[1:]
    questions = [line.split("\t", 2)[2] for line in lines if line.count("\t") >= 2]
    copied = set()
    if COPIED_LIST.exists():
        text = COPIED_LIST.read_text(encoding="utf-8")
        copied = {q for q in questions if q in text}
    return questions, copied


def train(config: str, out_dir: str, name: str) -> tuple[str, float]:
    """A training from scratch: Rasa's cache is a fresh folder, or the time would be that of a restore."""
    env = dict(
        os.environ,
        TF_DETERMINISTIC_OPS="1",
        PYTHONHASHSEED="0",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONPATH=str(ROOT),
        RASA_CACHE_DIRECTORY=str(Path(out_dir) / f"cache-{name}"),
    )
    t0 = time.perf_counter()
    subprocess.run(
        [
            RASA,
            "train",
            "nlu",
            "--config",
            config,
            "--nlu",
            str(ROOT / "data" / "nlu"),
            "--domain",
            str(ROOT / "domain.yml"),
            "--out",
            out_dir,
            "--fixed-model-name",
            name,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return str(Path(out_dir) / f"{name}.tar.gz"), time.perf_counter() - t0


def evaluate(model: str, texts: list[str]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(texts, fh, ensure_ascii=False)
    out = subprocess.run(
        [PY, str(ROOT / "benchmarks" / "evaluate_model.py"), model, fh.name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT)),
    ).stdout
    return json.loads(out.split("@@RESULT@@", 1)[1])


def raw_top(parse: dict) -> tuple[str, float]:
    for name, conf in parse["ranking"]:
        if name != "nlu_fallback":
            return name, conf
    return "nlu_fallback", 0.0


def macro_f1(gold: list[str], pred: list[str]) -> float:
    labels = sorted(set(gold))
    scores = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred))
        fp = sum(p == label and g != label for g, p in zip(gold, pred))
        fn = sum(g == label and p != label for g, p in zip(gold, pred))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(scores) / len(scores)


def entity_f1(gold: list[list], pred: list[list]) -> dict[str, float]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for g_list, p_list in zip(gold, pred):
        g, p = Counter(map(tuple, g_list)), Counter(map(tuple, p_list))
        for (ent, _), n in (g & p).items():
            counts[ent]["tp"] += n
        for (ent, _), n in (p - g).items():
            counts[ent]["fp"] += n
        for (ent, _), n in (g - p).items():
            counts[ent]["fn"] += n
    result = {}
    for ent in ENTITIES:
        c = counts[ent]
        denom = 2 * c["tp"] + c["fp"] + c["fn"]
        result[ent] = (2 * c["tp"] / denom) if denom else float("nan")
    return result


def score(examples: list[dict], result: dict, with_fallback: bool) -> dict:
    parses = result["parses"]
    gold = [e["intent"] for e in examples]
    pred = [p["intent"] if with_fallback else raw_top(p)[0] for p in parses]
    faq = [(e, p) for e, p in zip(examples, parses) if e["intent"] == "faq"]
    return {
        "intent_accuracy": sum(g == p for g, p in zip(gold, pred)) / len(gold),
        "macro_f1": macro_f1(gold, pred),
        "faq_key_accuracy": sum(p["faq_key"] == e["faq_key"] for e, p in faq) / max(1, len(faq)),
        "entity_f1": entity_f1([e["entities"] for e in examples], [p["entities"] for p in parses]),
    }


def misroute(parses: list[dict], threshold: float | None) -> float:
    bad = 0
    for p in parses:
        name, conf = raw_top(p) if threshold is not None else (p["intent"], 1.0)
        if threshold is not None and conf < threshold:
            name = "nlu_fallback"
        bad += name in CASE_SPECIFIC_INTENTS
    return bad / len(parses)


def heldout_accuracy_at(examples: list[dict], parses: list[dict], threshold: float) -> float:
    ok = 0
    for e, p in zip(examples, parses):
        name, conf = raw_top(p)
        ok += conf >= threshold and name == e["intent"]
    return ok / len(examples)


def size_mb(path: str) -> float:
    return Path(path).stat().st_size / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite docs/benchmarks.md")
    parser.add_argument(
        "--ours-model", help="evaluate this already trained model of config.yml instead of training one"
    )
    parser.add_argument(
        "--ours-train-seconds",
        type=float,
        default=float("nan"),
        help="with --ours-model: how long its training took (wall clock)",
    )
    parser.add_argument("--baseline-model", help="evaluate this already trained baseline model")
    parser.add_argument("--baseline-train-seconds", type=float, default=float("nan"))
    parser.add_argument(
        "--folds", type=int, default=0, help="also K-fold cross-validation (K trainings each)"
    )
    args = parser.parse_args()
    sets = {name: load_heldout(path) for name, path in SETS.items() if path.exists()}
    trained = training_keys()
    for name in [n for n in sets if "blind" in n]:  # the same set without the texts that are also trained on
        sets[f"{name}, not in training"] = [e for e in sets[name] if text_key(e["text"]) not in trained]
    examples = sets["own held-out"]
    questions, copied = load_real()
    texts = [e["text"] for exs in sets.values() for e in exs] + questions
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, config in (
            ("ours", ROOT / "config.yml"),
            ("baseline", ROOT / "benchmarks" / "baseline_config.yml"),
        ):
            if label == "ours" and args.ours_model:
                model, seconds = args.ours_model, args.ours_train_seconds
            elif label == "baseline" and args.baseline_model:
                model, seconds = args.baseline_model, args.baseline_train_seconds
            else:
                model, seconds = train(str(config), tmp, label)
            result = evaluate(model, texts)
            scores, start = {}, 0
            for name, exs in sets.items():
                held = dict(result, parses=result["parses"][start : start + len(exs)])
                scores[name] = score(exs, held, with_fallback=True)
                if name == "own held-out":
                    own_parses = held["parses"]
                    score_raw = score(exs, held, with_fallback=False)
                start += len(exs)
            rows[label] = {
                "train_s": seconds,
                "size_mb": size_mb(model),
                "result": result,
                "scores": scores,
                "score": scores["own held-out"],
                "score_raw": score_raw,
                "real": result["parses"][start:],
                "held_parses": own_parses,
                # K trainings each: ours only (the plain pipeline's held-out figures are beside it above)
                "cv": cross_validate(str(config), args.folds, tmp)
                if args.folds and label == "ours"
                else None,
            }
    report = render(rows, examples, questions, copied, sets)
    print(report)
    if args.write:
        write_doc(report)


def cross_validate(config: str, folds: int, tmp: str) -> dict:
    """Rasa's own K-fold cross-validation on data/nlu: intent accuracy and FAQ-key accuracy (test folds)."""
    out = Path(tmp) / f"cv-{Path(config).stem}"
    env = dict(os.environ, TF_DETERMINISTIC_OPS="1", PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = str(ROOT)
    subprocess.run(
        [RASA, "test", "nlu", "--nlu", str(ROOT / "data" / "nlu"), "--config", config, "--cross-validation",
         "--folds", str(folds), "--out", str(out), "--domain", str(ROOT / "domain.yml")],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    intent = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    selector = out / "response_selection_report.json"
    faq = json.loads(selector.read_text(encoding="utf-8")) if selector.exists() else {}
    return {"folds": folds, "intent_accuracy": intent.get("accuracy", float("nan")),
            "faq_key_accuracy": faq.get("accuracy", float("nan"))}  # fmt: skip


def fmt(v: float) -> str:
    return "n/a" if v != v else f"{v:.3f}"


def render(
    rows: dict, examples: list[dict], questions: list[str], copied: set[str], sets: dict[str, list[dict]]
) -> str:
    ours, base = rows["ours"], rows["baseline"]
    lines = [
        "Evaluation sets (never trained on): "
        + ", ".join(f"{name} {len(exs)}" for name, exs in sets.items())
        + f"; real questions: {len(questions)} ({len(copied)} of them also in training data).",
        "",
        "| set | intent accuracy ours / plain | FAQ key ours / plain | person_name F1 ours / plain | "
        "org_name F1 ours / plain | case_number, id_number, credit_code, phone F1 (ours) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in sets:
        o, b = ours["scores"][name], base["scores"][name]
        rules = ", ".join(
            fmt(o["entity_f1"][e]) for e in ("case_number", "id_number", "credit_code", "phone")
        )
        lines.append(
            f"| {name} | {fmt(o['intent_accuracy'])} / {fmt(b['intent_accuracy'])} | "
            f"{fmt(o['faq_key_accuracy'])} / {fmt(b['faq_key_accuracy'])} | "
            f"{fmt(o['entity_f1']['person_name'])} / {fmt(b['entity_f1']['person_name'])} | "
            f"{fmt(o['entity_f1']['org_name'])} / {fmt(b['entity_f1']['org_name'])} | {rules} |"
        )
    if ours["cv"]:
        lines.append(
            f"| {ours['cv']['folds']}-fold cross-validation (training data; ours only) | "
            f"{fmt(ours['cv']['intent_accuracy'])} / – | {fmt(ours['cv']['faq_key_accuracy'])} / – | | | |"
        )
    lines += [
        "",
        f"Own held-out set in detail ({len(examples)} examples):",
        "",
        "| figure | ours | Rasa plain Chinese pipeline |",
        "| --- | --- | --- |",
    ]

    def add(name, a, b):
        lines.append(f"| {name} | {a} | {b} |")

    add(
        "intent accuracy (with fallback)",
        fmt(ours["score"]["intent_accuracy"]),
        fmt(base["score"]["intent_accuracy"]),
    )
    add(
        "intent accuracy (top intent)",
        fmt(ours["score_raw"]["intent_accuracy"]),
        fmt(base["score_raw"]["intent_accuracy"]),
    )
    add("intent macro-F1 (with fallback)", fmt(ours["score"]["macro_f1"]), fmt(base["score"]["macro_f1"]))
    add("FAQ key accuracy", fmt(ours["score"]["faq_key_accuracy"]), fmt(base["score"]["faq_key_accuracy"]))
    for ent in ENTITIES:
        add(
            f"entity F1 {ent} (canonical value)",
            fmt(ours["score"]["entity_f1"][ent]),
            fmt(base["score"]["entity_f1"][ent]),
        )
    add("training time (s)", f"{ours['train_s']:.0f}", f"{base['train_s']:.0f}")
    add("model size (MB)", f"{ours['size_mb']:.1f}", f"{base['size_mb']:.1f}")
    add(
        "parse latency p50 (ms)",
        f"{ours['result']['latency_p50_ms']:.1f}",
        f"{base['result']['latency_p50_ms']:.1f}",
    )
    add(
        "parse latency p95 (ms)",
        f"{ours['result']['latency_p95_ms']:.1f}",
        f"{base['result']['latency_p95_ms']:.1f}",
    )
    add(
        "start-up (model load, s)", f"{ours['result']['startup_s']:.1f}", f"{base['result']['startup_s']:.1f}"
    )
    add("peak RSS (MB)", f"{ours['result']['peak_rss_mb']:.0f}", f"{base['result']['peak_rss_mb']:.0f}")
    unseen = [i for i, q in enumerate(questions) if q not in copied]
    for row in (ours, base):
        row["misroute_all"] = misroute(row["real"], None)
        row["misroute_unseen"] = misroute([row["real"][i] for i in unseen], None)
    add(
        "real questions routed to a case-specific intent (all)",
        fmt(ours["misroute_all"]),
        fmt(base["misroute_all"]),
    )
    add(
        f"  … of the {len(unseen)} never trained on",
        fmt(ours["misroute_unseen"]),
        fmt(base["misroute_unseen"]),
    )
    lines += [
        "",
        "Fallback threshold sweep (our model, top intent below the threshold → nlu_fallback):",
        "",
        "| threshold | held-out accuracy | misroute share (real questions) |",
        "| --- | --- | --- |",
    ]
    for t in THRESHOLDS:
        lines.append(
            f"| {t} | {fmt(heldout_accuracy_at(examples, ours['held_parses'], t))} | "
            f"{fmt(misroute(ours['real'], t))} |"
        )
    wrong = Counter(
        (e["intent"], p["intent"])
        for e, p in zip(examples, ours["held_parses"])
        if e["intent"] != p["intent"]
    )
    if wrong:
        lines += [
            "",
            "Our held-out confusions (gold → predicted: count): "
            + ", ".join(f"{g}→{p}: {n}" for (g, p), n in wrong.most_common(10)),
        ]
    routed = Counter(p["intent"] for p in ours["real"])
    lines += [
        "",
        "Where our model routes the real questions: "
        + ", ".join(f"{k} {v}" for k, v in routed.most_common()),
    ]
    return "\n".join(lines)


def write_doc(report: str) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    block = (
        f"<!-- nlu-benchmark:start -->\nCommand: `.venv/bin/python benchmarks/nlu_benchmark.py --write` "
        f"({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)\n\n{report}\n<!-- nlu-benchmark:end -->"
    )
    if "<!-- nlu-benchmark:start -->" in text:
        text = re.sub(
            r"<!-- nlu-benchmark:start -->.*<!-- nlu-benchmark:end -->", lambda _: block, text, flags=re.S
        )
    else:
        text += "\n## NLU: ours vs Rasa's plain Chinese pipeline\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
