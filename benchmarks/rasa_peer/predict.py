"""Ask the trained peer model every question of a JSONL file and write its predictions as JSONL.

Runs with `.venv-rasa/bin/python` and imports only Rasa and the standard library: the app packages
(`knowledge`, `bot`) live in the other venv, whose numpy TensorFlow 2.12 cannot load.

Each output line: `{"id", "predicted_entry", "confidence", "ms", "intent", "intent_confidence",
"selector_entry", "ranking"}`. `selector_entry`/`confidence` are the ResponseSelector's top key and
confidence whatever the intent; `ranking` its top entry ids, best first. `predicted_entry` is what the
deployed bot would answer: the rule `faq -> utter_faq` only fires when DIET predicts `faq`, so it is null
when a small-talk intent wins. Rasa's selector has no abstention threshold (RasaHQ/rasa#9751), so the
confidence is recorded for the scorer to simulate one.

Usage: PYTHONPATH=. .venv-rasa/bin/python benchmarks/rasa_peer/predict.py MODEL QUESTIONS.jsonl OUT.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

RETRIEVAL_INTENT = "faq"  # duplicated from generate.py on purpose: this file cannot import the app venv's code


def _entry_id(key: str | None) -> str | None:
    prefix = f"{RETRIEVAL_INTENT}/"
    return key[len(prefix):] if key and key.startswith(prefix) else None


def summary_path(predictions: Path) -> Path:
    """Where the run summary (count, model load time) goes, next to the predictions."""
    return predictions.with_name(predictions.stem + ".summary.json")


def to_prediction(qid: str, parsed: dict[str, Any], ms: float) -> dict[str, Any]:
    """One prediction row from Rasa's parse result."""
    selector = (parsed.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    response = selector.get("response") or {}
    intent = parsed.get("intent") or {}
    selector_entry = _entry_id(response.get("intent_response_key"))
    return {
        "id": qid,
        "predicted_entry": selector_entry if intent.get("name") == RETRIEVAL_INTENT else None,
        "confidence": float(response.get("confidence") or 0.0),
        "ms": round(ms, 2),
        "intent": intent.get("name"),
        "intent_confidence": float(intent.get("confidence") or 0.0),
        "selector_entry": selector_entry,
        "ranking": [e for e in (_entry_id(r.get("intent_response_key")) for r in selector.get("ranking") or []) if e],
    }


async def predict(model: Path, questions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    """Predictions in input order and the model load time in seconds; one warm-up parse is not timed."""
    from rasa.core.agent import Agent  # imported here so `--help` does not pay for TensorFlow

    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    await agent.parse_message("hello")
    rows = []
    for item in questions:
        started = time.perf_counter()
        parsed = await agent.parse_message(item["q"])
        rows.append(to_prediction(item["id"], parsed, (time.perf_counter() - started) * 1000))
    return rows, load_seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="trained model .tar.gz")
    parser.add_argument("questions", type=Path, help='JSONL with at least {"id", "q"}')
    parser.add_argument("out", type=Path, help="predictions JSONL to write")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line]
    rows, load_seconds = asyncio.run(predict(args.model, questions))
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    # A side file, not stderr: Rasa's coloured warnings leave escape codes in front of whatever follows.
    summary = json.dumps({"predictions": len(rows), "load_seconds": round(load_seconds, 2)})
    summary_path(args.out).write_text(summary + "\n", encoding="utf-8")
    print(summary, file=sys.stderr)


if __name__ == "__main__":
    main()
