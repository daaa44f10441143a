"""The labelled dev set (knowledge/evaluation/devset.yaml): questions as users write them, with the
entry that answers each one, or null when none should (out of scope / not covered)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from knowledge.languages import LANGUAGES

Kind = Literal["in_scope", "out_of_scope", "not_covered"]
SPLITS = ("dev", "heldout")
STYLES = ("formal", "casual", "typo", "no_diacritics", "short", "long", "mixed_language", "follow_up")


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
    id: str = ""  # "q0001" for the first question of the file, and so on

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
            also=tuple(item.get("also") or ()), context=tuple(item.get("context") or ()), id=f"q{number:04d}",
        )
        for number, item in enumerate(data["questions"], start=1)
    ]


def devset_problems(path: Path, entry_ids: AbstractSet[str]) -> list[str]:
    """Everything wrong with the dev set's labels: unknown entry ids or field values, duplicates, a
    follow-up without its context. `askvn eval` refuses to score a dev set with problems."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = (data.get("questions") or []) if isinstance(data, dict) else []
    if not items:
        return [f"{path}: no questions"]
    problems = [f"duplicate question ({n}x): {text!r}"
                for text, n in Counter(str(d.get("q", "")).strip().lower() for d in items).items() if n > 1]
    for number, item in enumerate(items, start=1):
        problems += [f"q{number:04d} {item.get('q')!r}: {p}" for p in _item_problems(item, entry_ids)]
    return problems


def _item_problems(item: dict[str, Any], entry_ids: AbstractSet[str]) -> list[str]:
    found = [f"{name} {item.get(name)!r} is not one of {', '.join(allowed)}"
             for name, allowed in (("lang", LANGUAGES), ("kind", get_args(Kind)), ("split", SPLITS),
                                   ("style", STYLES)) if item.get(name) not in allowed]
    expected = item.get("expected")
    if item.get("kind") == "in_scope" and expected not in entry_ids:
        found.append(f"expected {expected!r} is not an entry")
    elif item.get("kind") != "in_scope" and expected is not None:
        found.append(f"{item.get('kind')} must have expected: null")
    for also in item.get("also") or []:
        if also not in entry_ids:
            found.append(f"also {also!r} is not an entry")
        if also == expected:
            found.append(f"also repeats expected {also!r}")
    if (item.get("style") == "follow_up") != bool(item.get("context")):
        found.append("a follow_up style and its context go together")
    return found
