"""Export the evaluation set (knowledge/evaluation/devset.yaml, read by knowledge.evaluation.devset) as
the JSONL that `predict.py` reads: it runs in Rasa's environment, which cannot import the app packages.

The peer is a plain NLU model without our follow-up handling, so for a question with `context` it sees
only the last message (`q`), exactly as a Rasa FAQ bot would.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from knowledge.evaluation.devset import DevQuestion


def export_jsonl(questions: list[DevQuestion], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(q), ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
