"""Examples of what we do not answer (scope/off_topic.yaml): embedded in every build, used to decline."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.errors import KnowledgeError
from knowledge.off_topic import off_topic_questions, scope_file_problems
from knowledge.service import KnowledgeService


def test_the_examples_are_in_the_build_under_no_entry(service: KnowledgeService) -> None:
    loaded = service.searcher().loaded
    off_topic = [d for d in loaded.documents if d.kind == "off_topic"]
    assert len(off_topic) == len(off_topic_questions()) and {d.entry_id for d in off_topic} == {""}
    assert loaded.manifest["documents_by_kind"]["off_topic"] == len(off_topic)
    assert all(h.entry.id for h in service.searcher().search("Tell me a joke", k=5))  # never a hit


def test_a_broken_examples_file_is_reported_with_its_path(tmp_path: Path) -> None:
    broken = tmp_path / "off_topic.yaml"
    broken.write_text("questions:\n  xx: [hello]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="off_topic.yaml"):
        off_topic_questions(broken)


def test_kb_validate_reports_broken_scope_files_with_file_and_line(tmp_path: Path) -> None:
    off_topic, foreign = tmp_path / "off_topic.yaml", tmp_path / "foreign.yaml"
    off_topic.write_text("questions:\n  en:\n    - Tell me a joke\n  - broken\n", encoding="utf-8")
    foreign.write_text("exclude: [VN]\nextra: 3\n", encoding="utf-8")
    problems = scope_file_problems((off_topic, foreign))
    assert [(Path(p.path).name, p.severity) for p in problems] == [("off_topic.yaml", "error"),
                                                                     ("foreign.yaml", "error")]
    assert problems[0].line == 4
    assert scope_file_problems() == []  # the files that ship are fine
