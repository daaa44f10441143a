"""The dev set's own check: a label that names no entry, an unknown value or a duplicate is reported,
and `askvn eval` refuses to score a dev set with problems (it would measure the labels)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from bot.staff.evaluation import evaluate
from knowledge.errors import DevsetInvalid
from knowledge.evaluation.devset import devset_problems

GOOD = "  - {q: 'Do I need a visa?', lang: en, expected: e-visa, kind: in_scope, split: dev, style: short}\n"


def _devset(tmp_path: Path, *items: str) -> Path:
    path = tmp_path / "devset.yaml"
    path.write_text("questions:\n" + "".join(items), encoding="utf-8")
    return path


def test_a_clean_devset_has_no_problems(tmp_path: Path) -> None:
    assert devset_problems(_devset(tmp_path, GOOD), {"e-visa"}) == []


@pytest.mark.parametrize(("item", "problem"), [
    ("  - {q: 'Visa?', lang: en, expected: no-such-entry, kind: in_scope, split: dev, style: short}\n",
     "'no-such-entry' is not an entry"),
    ("  - {q: 'Visa?', lang: pt, expected: e-visa, kind: in_scope, split: dev, style: short}\n", "lang 'pt'"),
    ("  - {q: 'Visa?', lang: en, expected: e-visa, kind: in_scope, split: test, style: short}\n", "split 'test'"),
    ("  - {q: 'Pasta?', lang: en, expected: e-visa, kind: out_of_scope, split: dev, style: short}\n",
     "must have expected: null"),
    ("  - {q: 'And Da Nang?', lang: en, expected: e-visa, kind: in_scope, split: dev, style: follow_up}\n",
     "context go together"),
    (GOOD, "duplicate question"),
])
def test_each_kind_of_mistake_is_reported(tmp_path: Path, item: str, problem: str) -> None:
    problems = devset_problems(_devset(tmp_path, GOOD, item), {"e-visa"})
    assert any(problem in p for p in problems), problems


def test_eval_refuses_a_devset_with_problems(tmp_path: Path, fixture_index_dir: Path) -> None:
    settings = Settings(data_dir=fixture_index_dir.parent)
    bad = _devset(tmp_path, GOOD.replace("e-visa", "no-such-entry"))
    with pytest.raises(DevsetInvalid, match="1 problem"):
        evaluate(settings, devset=bad)
