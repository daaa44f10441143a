"""Answer quality on the labelled dev set, through the library and through the full conversation.

`askvn eval` exits non-zero below the floors in knowledge/evaluation/floors.yaml; these tests run it on the real index
(published by `make setup`) so CI guards against regressions.
"""

from __future__ import annotations

import pytest

from bot.settings import Settings
from bot.staff.evaluation import evaluate, run_rest, table
from knowledge.evaluation import DEVSET_PATH
from knowledge.evaluation.devset import devset_problems, load_devset
from knowledge.evaluation.floors import missed_floors
from knowledge.evaluation.metrics import summarise
from tests.stack import Stack, serving_index

pytestmark = pytest.mark.integration


def test_devset_is_labelled_with_existing_entries() -> None:
    from knowledge.loader import load_knowledge

    ids = {e.id for e in load_knowledge(Settings().knowledge_dir).entries}
    questions = load_devset(DEVSET_PATH)
    assert len(questions) >= 400 and len({q.lang for q in questions}) == 10
    assert sum(1 for q in questions if q.kind == "out_of_scope") >= 60
    assert devset_problems(DEVSET_PATH, ids) == []


def test_library_answer_quality_meets_the_floors() -> None:
    report = evaluate(Settings())
    print(table(report, "library", "heldout"))
    assert report["failures"] == []


def test_conversation_answer_quality_meets_the_floors(stack: Stack) -> None:
    """Over REST through Rasa, with the real published knowledge base hot-swapped into the shared stack
    (three conversations at a time, to keep both cores busy; the p50 column is then not one visitor's)."""
    with serving_index(stack, Settings().index_dir):
        outcomes = run_rest(load_devset(DEVSET_PATH), stack.rasa_url, concurrent=3)
    report = {"conversation": {"all": summarise(outcomes)}}
    for split in ("dev", "heldout"):
        report["conversation"][split] = summarise([o for o in outcomes if o.question.split == split])
        print(table(report, "conversation", split))
    assert missed_floors(report) == []
    assert all(o.outcome != "none" for o in outcomes), "every reply must carry the askvn outcome message"


