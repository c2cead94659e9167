"""Intent accuracy per language on the held-out sets in tests/nlu/ (`make nlu-report`).

For each language, runs ``rasa test nlu`` with tests/nlu/test_nlu_<lang>.yml against
models/prescreen.tar.gz into results/nlu_<lang>/ and prints intent weighted F1, macro F1 and
accuracy from intent_report.json.

``--compare`` also trains one NLU model per language (data/nlu/<lang> only, same config.yml, in a
temporary directory), tests it on the same held-out set, and prints its figures next to the
single multilingual model's. A per-language deployment also has to pick the model for each
message; the "routed" column shows what that costs when the language must be guessed from the
text (``bot.understanding.parsing.guess_language``, English when it cannot tell), as it must for a message
without ``metadata.language``.

Nothing here touches the models/ directory except reading models/prescreen.tar.gz.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "zh", "es")
MODEL = ROOT / "models" / "prescreen.tar.gz"
RASA = Path(sys.executable).with_name("rasa")
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
os.environ.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"})  # routed_scores


def test_file(lang: str) -> Path:
    return ROOT / "tests" / "nlu" / f"test_nlu_{lang}.yml"


def run(cmd: List[str]) -> None:
    """Runs a rasa command quietly; on failure shows its output and stops."""
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}")


def rasa_test_nlu(model: Path, lang: str, out: Path) -> Dict[str, float]:
    """``rasa test nlu`` on one language's held-out set; the figures from intent_report.json."""
    run([str(RASA), "test", "nlu", "--model", str(model), "--nlu", str(test_file(lang)),
         "--out", str(out), "--no-plot", "--quiet"])
    return read_report(out / "intent_report.json")


def read_report(path: Path) -> Dict[str, float]:
    report = json.loads(path.read_text(encoding="utf-8"))
    return {
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "accuracy": float(report["accuracy"]),
        "support": int(report["weighted avg"]["support"]),
    }


def train_per_language(lang: str, out_dir: Path) -> Path:
    """One NLU-only model from data/nlu/<lang>, with the production config.yml."""
    name = f"nlu_{lang}"
    run([str(RASA), "train", "nlu", "--config", str(ROOT / "config.yml"),
         "--nlu", str(ROOT / "data" / "nlu" / lang), "--out", str(out_dir),
         "--fixed-model-name", name, "--quiet"])
    return out_dir / f"{name}.tar.gz"


def routed_scores(models: Dict[str, Path]) -> Dict[str, Dict[str, float]]:
    """Every held-out message sent to the per-language model its text looks like."""
    sys.path.insert(0, str(ROOT))
    import asyncio
    import logging
    import warnings

    from rasa.core.agent import Agent
    from rasa.nlu.classifiers.fallback_classifier import (
        is_fallback_classifier_prediction,
        undo_fallback_prediction,
    )
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.metrics import accuracy_score, f1_score

    from bot.understanding.parsing import guess_language

    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    agents = {lang: Agent.load(str(path)) for lang, path in models.items()}

    async def predict(text: str) -> str:
        guess = guess_language(text)
        agent = agents[guess if guess in agents else "en"]
        result = await agent.parse_message(text)
        if is_fallback_classifier_prediction(result):  # as `rasa test nlu` does
            result = undo_fallback_prediction(result)
        return (result.get("intent") or {}).get("name") or ""

    scores = {}
    for lang in LANGUAGES:
        examples = [m for m in load_data(str(test_file(lang))).intent_examples]
        gold = [m.get("intent") for m in examples]
        pred = [asyncio.run(predict(m.get("text"))) for m in examples]
        scores[lang] = {
            "weighted_f1": f1_score(gold, pred, average="weighted", zero_division=0),
            "macro_f1": f1_score(gold, pred, average="macro", labels=sorted(set(gold)), zero_division=0),
            "accuracy": accuracy_score(gold, pred),
            "support": len(gold),
        }
    return scores


def fmt(scores: Optional[Dict[str, float]], key: str) -> str:
    return f"{scores[key]:.3f}" if scores else "  -  "


def print_table(multi: Dict[str, Dict[str, float]]) -> None:
    print("\nIntent classification on the held-out sets (tests/nlu/test_nlu_<lang>.yml), "
          "multilingual model models/prescreen.tar.gz")
    print(f"{'language':<9} {'n':>4}  {'weighted F1':>11}  {'macro F1':>8}  {'accuracy':>8}")
    for lang in LANGUAGES:
        s = multi[lang]
        print(f"{lang:<9} {s['support']:>4}  {s['weighted_f1']:>11.3f}  {s['macro_f1']:>8.3f}  "
              f"{s['accuracy']:>8.3f}")


def print_comparison(multi, per_lang, routed) -> None:
    print("\nOne multilingual model vs one model per language (same config.yml, same held-out sets)")
    header = (f"{'language':<9} {'metric':<12} {'multilingual':>12} {'per-language':>12} "
              f"{'routed':>8}")
    print(header)
    print("-" * len(header))
    for lang in LANGUAGES:
        for key, label in (("weighted_f1", "weighted F1"), ("macro_f1", "macro F1"),
                           ("accuracy", "accuracy")):
            print(f"{lang:<9} {label:<12} {fmt(multi[lang], key):>12} "
                  f"{fmt(per_lang.get(lang), key):>12} {fmt(routed.get(lang) if routed else None, key):>8}")
    print("\nper-language: the language is known (metadata.language); routed: guessed from the text.")
    mean = lambda d: sum(d[lang]["weighted_f1"] for lang in LANGUAGES) / len(LANGUAGES)  # noqa: E731
    m, p = mean(multi), mean(per_lang)
    if abs(m - p) < 0.005:
        verdict = "a tie when the language is known"
    else:
        verdict = ("multilingual" if m > p else "per-language") + " is better when the language is known"
    if routed:
        verdict += f"; guessing the language per message costs per-language models {p - mean(routed):.3f}"
    print(f"mean weighted F1: multilingual {m:.3f}, per-language {p:.3f}"
          + (f", routed {mean(routed):.3f}" if routed else "") + f" -> {verdict}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare", action="store_true",
                        help="also train one model per language and compare")
    parser.add_argument("--model", type=Path, default=MODEL, help="the multilingual model")
    parser.add_argument("--no-routed", action="store_true",
                        help="with --compare, skip the routed (guessed language) column")
    args = parser.parse_args(argv)
    if not args.model.exists():
        raise SystemExit(f"{args.model} is missing: run `make train` first")

    started = time.time()
    multi = {lang: rasa_test_nlu(args.model, lang, ROOT / "results" / f"nlu_{lang}") for lang in LANGUAGES}
    print_table(multi)
    print("(details: results/nlu_<lang>/intent_report.json and intent_errors.json)")

    if args.compare:
        with tempfile.TemporaryDirectory(prefix="nlu-compare-") as tmp:
            tmpdir = Path(tmp)
            models = {lang: train_per_language(lang, tmpdir) for lang in LANGUAGES}
            per_lang = {lang: rasa_test_nlu(models[lang], lang, tmpdir / f"results_{lang}")
                        for lang in LANGUAGES}
            routed = None if args.no_routed else routed_scores(models)
            print_comparison(multi, per_lang, routed)
    print(f"\n({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
