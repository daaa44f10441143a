"""Read the evaluation set (`tests/eval/devset.yaml`) and export it as the JSONL that `predict.py` reads.

The peer is a plain NLU model without our follow-up handling, so for a question with `context` it sees
only the last message (`q`), exactly as a Rasa FAQ bot would.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

IN_SCOPE = "in_scope"


@dataclass(frozen=True)
class Question:
    id: str
    q: str
    lang: str
    expected: str | None
    also: list[str] = field(default_factory=list)
    kind: str = IN_SCOPE
    split: str = "dev"
    style: str | None = None

    @property
    def in_scope(self) -> bool:
        """In scope means the knowledge base has an answer to give; anything else should not be answered."""
        return self.kind == IN_SCOPE and self.expected is not None

    def accepts(self, entry_id: str | None) -> bool:
        return entry_id is not None and (entry_id == self.expected or entry_id in self.also)


def _question(index: int, raw: dict[str, Any]) -> Question:
    return Question(id=str(raw.get("id") or f"q{index:04d}"), q=str(raw["q"]), lang=str(raw.get("lang") or "?"),
                    expected=raw.get("expected") or None, also=list(raw.get("also") or []),
                    kind=str(raw.get("kind") or IN_SCOPE), split=str(raw.get("split") or "dev"),
                    style=raw.get("style"))


def load_devset(path: Path) -> list[Question]:
    """Questions in file order; ids are taken from the file or made from the position."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    return [_question(i, raw) for i, raw in enumerate(data.get("questions") or [], start=1)]


def export_jsonl(questions: list[Question], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(q), ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
