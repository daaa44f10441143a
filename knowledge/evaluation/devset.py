"""The labelled dev set (tests/eval/devset.yaml): questions as users write them, with the entry that
answers each one, or null when none should (out of scope / not covered)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

Kind = Literal["in_scope", "out_of_scope", "not_covered"]


@dataclass(frozen=True)
class DevQuestion:
    q: str
    lang: str
    expected: str | None
    kind: Kind
    split: str
    style: str = ""
    also: tuple[str, ...] = ()
    context: tuple[str, ...] = ()

    @property
    def acceptable(self) -> set[str]:
        return {e for e in (self.expected, *self.also) if e}

    @property
    def should_answer(self) -> bool:
        return self.kind == "in_scope"


def load_devset(path: Path) -> list[DevQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        DevQuestion(
            q=str(item["q"]), lang=str(item["lang"]), expected=item.get("expected"), kind=item["kind"],
            split=str(item.get("split", "dev")), style=str(item.get("style", "")),
            also=tuple(item.get("also") or ()), context=tuple(item.get("context") or ()),
        )
        for item in data["questions"]
    ]
