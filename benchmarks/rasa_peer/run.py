"""Evaluate Rasa's own FAQ approach on our evaluation set: generate, train, predict, score.

    .venv/bin/python -m benchmarks.rasa_peer.run [--devset tests/eval/devset.yaml] [--out .cache/rasa_peer]
                                                [--epochs 150]

Training is skipped when the generated project, our tokenizer and the Rasa locks are unchanged. The
results JSON (default `<out>/results.json`) holds the peer's figures in the shape of `askvn eval --json`
(`askvn_metrics`), which the README's side-by-side tables are made from.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.rasa_peer import askvn_format, generate, predict, train
from benchmarks.rasa_peer.devset import export_jsonl
from benchmarks.rasa_peer.score import Prediction, load_predictions, score
from knowledge.evaluation import DEVSET_PATH
from knowledge.evaluation.devset import DevQuestion, load_devset

PREDICT_SCRIPT = Path(__file__).with_name("predict.py")


def run_predict(model: Path, questions: Path, out: Path, threads: int) -> dict[str, Any]:
    """Run predict.py in the Rasa venv; returns its summary (model load time)."""
    cmd = [str(train.RASA_VENV / "bin" / "python"), str(PREDICT_SCRIPT), str(model), str(questions), str(out)]
    result = subprocess.run(cmd, cwd=generate.PROJECT_ROOT, env=train.rasa_env(threads), check=False,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise RuntimeError(f"predict.py failed (exit {result.returncode})")
    summary = predict.summary_path(out)
    return json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


def format_table(results: dict[str, Any]) -> str:
    """Plain-text table: one row per group (all, each split, kind, language)."""
    deployed, selector = results["scores"]["deployed"], results["scores"]["selector_only"]
    header = (f"{'group':<22}{'n':>5}{'in':>5}{'hit@1':>8}{'correct':>9}{'oos':>5}{'answered':>10}"
              f"{'p50 ms':>8}{'p95 ms':>8}")
    lines = [header, "-" * len(header)]
    order = sorted(deployed, key=lambda k: (k != "all", not k.startswith("split:"), not k.startswith("kind:"),
                                            not k.startswith("lang:"), k))
    for name in order:
        d, s = deployed[name], selector[name]
        lines.append(f"{name:<22}{d['n']:>5}{d['in_scope']:>5}{_pct(s['hit1']):>8}{_pct(d['hit1']):>9}"
                     f"{d['out_of_scope']:>5}{_pct(d['answered_wrongly']):>10}"
                     f"{d['latency_ms']['p50']:>8.1f}{d['latency_ms']['p95']:>8.1f}")
    ab = results["scores"]["abstention"]
    lines.append(f"\nhit@1 = ResponseSelector top-1 on in-scope questions; correct = the bot's answer is right "
                 f"(DIET must route to faq); answered = share of out-of-scope/not-covered questions answered.\n"
                 f"Simulated abstention, threshold tuned on {ab['tuned_on']}: {ab['threshold']} -> correct "
                 f"{_pct(ab['tuned']['hit1'])}, answered wrongly {_pct(ab['tuned']['answered_wrongly'])}")
    if "test" in ab:
        lines.append(f"  on {ab['test']['split']}: correct {_pct(ab['test']['hit1'])}, "
                     f"answered wrongly {_pct(ab['test']['answered_wrongly'])}")
    m = results["model"]
    lines.append(f"training {m['train_seconds']} s ({'trained now' if m['trained'] else 'cached'}), "
                 f"model {m['model_bytes'] / 1e6:.1f} MB, load {m.get('load_seconds', '?')} s, "
                 f"{m.get('entries', '?')} entries / {m.get('examples', '?')} examples, epochs: ResponseSelector "
                 f"{m['epochs']}, DIET {m['diet_epochs']}{' (STALE model)' if m.get('stale_model') else ''}")
    return "\n".join(lines)


def build_results(devset: Path, questions: list[DevQuestion], predictions: dict[str, Prediction],
                  model: dict[str, Any]) -> dict[str, Any]:
    """The results document: our breakdowns (score.py) plus `askvn eval`'s metrics (askvn_format.py)."""
    scores = score(questions, predictions)
    threshold = scores["abstention"]["threshold"]
    ordered = [predictions[q.id] for q in questions]
    return {
        "system": "rasa-faq-response-selector",
        "description": "Rasa 3.6 FAQ recipe: retrieval intent faq/<entry> per entry, DIET + ResponseSelector, "
                       "same tokenizer and count-vector features as our Rasa config; follow-ups see only "
                       "the last message; no abstention (RasaHQ/rasa#9751)",
        "devset": str(devset),
        "questions": len(questions),
        "model": model,
        "scores": scores,
        # Same metrics and shape as `askvn eval`'s `library` section, for the side-by-side table.
        "askvn_metrics": {
            "rasa_peer": askvn_format.by_split(askvn_format.outcomes(questions, ordered)),
            "rasa_peer_threshold": askvn_format.by_split(askvn_format.outcomes(questions, ordered, threshold)),
            "threshold": threshold,
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET_PATH)
    parser.add_argument("--out", type=Path, default=generate.DEFAULT_OUT, help="working directory (git-ignored)")
    parser.add_argument("--json", type=Path, default=None, help="results file (default <out>/results.json)")
    parser.add_argument("--epochs", type=int, default=generate.DEFAULT_EPOCHS, help="ResponseSelector epochs")
    parser.add_argument("--diet-epochs", type=int, default=generate.DEFAULT_DIET_EPOCHS, help="DIET epochs")
    parser.add_argument("--threads", type=int, default=2, help="TensorFlow threads for training and prediction")
    parser.add_argument("--force-train", action="store_true")
    parser.add_argument("--reuse-model", action="store_true",
                        help="predict with the model already in --out even if the knowledge changed since "
                             "(a training takes ~40 min here); results then say stale_model: true")
    args = parser.parse_args(argv)

    if args.reuse_model:
        info = train.existing(args.out)
        counts: dict[str, Any] = {"stale_model": info.fingerprint != train.fingerprint(args.out)}
    else:
        counts = generate.generate(args.out, epochs=args.epochs, diet_epochs=args.diet_epochs)
        info = train.train(args.out, force=args.force_train, threads=args.threads)
    questions = load_devset(args.devset)
    questions_file, predictions_file = args.out / "questions.jsonl", args.out / "predictions.jsonl"
    export_jsonl(questions, questions_file)
    predict_info = run_predict(Path(info.model), questions_file, predictions_file, args.threads)
    model = {**asdict(info), **counts, "epochs": args.epochs, "diet_epochs": args.diet_epochs, **predict_info}
    results = build_results(args.devset, questions, load_predictions(predictions_file), model)
    json_path = args.json or args.out / "results.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(format_table(results))
    for split in ("dev", "heldout"):
        if split in results["askvn_metrics"]["rasa_peer"]:
            print("\n" + askvn_format.table(results["askvn_metrics"]["rasa_peer"][split],
                                            f"askvn eval metrics, Rasa peer as deployed / {split}"))
    print(f"\nresults: {json_path}")


if __name__ == "__main__":
    main()
