"""Answer quality on the labelled dev set, through the library and through the full conversation.

`askvn eval` exits non-zero below the floors in knowledge/evaluation/floors.yaml; these tests run it on the real index
(published by `make setup`) so CI guards against regressions.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from bot.settings import Settings
from bot.staff.evaluation import evaluate, run_rest, table
from knowledge.evaluation import DEVSET_PATH
from knowledge.evaluation.devset import devset_problems, load_devset
from knowledge.evaluation.floors import missed_floors
from knowledge.evaluation.metrics import summarise
from tests.stack import Stack, running_stack

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


@pytest.fixture(scope="module")
def real_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The assistant over the real published index (a copy, so the test never touches var/)."""
    data_dir = tmp_path_factory.mktemp("real-stack")
    shutil.copytree(Settings().index_dir, data_dir / "index", symlinks=True)
    with running_stack(data_dir) as stack:
        yield stack


def test_conversation_answer_quality_meets_the_floors(real_stack: Stack) -> None:
    outcomes = run_rest(load_devset(DEVSET_PATH), real_stack.rasa_url)
    report = {"conversation": {"all": summarise(outcomes)}}
    for split in ("dev", "heldout"):
        report["conversation"][split] = summarise([o for o in outcomes if o.question.split == split])
        print(table(report, "conversation", split))
    assert missed_floors(report) == []
    assert all(o.outcome != "none" for o in outcomes), "every reply must carry the askvn outcome message"


