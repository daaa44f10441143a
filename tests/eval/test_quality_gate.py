"""The answer-quality gate fails closed: no floors file, or a floor without its figure, is a failure."""

from __future__ import annotations

from pathlib import Path

from knowledge.evaluation.floors import missed_floors

REPORT = {"library": {"heldout": {"all": {"hit_at_1": 0.9, "answer_precision": 0.97}}}}


def _floors(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "floors.yaml"
    path.write_text(text)
    return path


def test_figures_above_their_floors_pass(tmp_path: Path) -> None:
    assert missed_floors(REPORT, _floors(tmp_path, "library:\n  heldout:\n    hit_at_1: 0.8\n")) == []


def test_a_figure_below_its_floor_fails(tmp_path: Path) -> None:
    assert missed_floors(REPORT, _floors(tmp_path, "library:\n  heldout:\n    hit_at_1: 0.95\n")) == [
        "library/heldout: hit_at_1 = 0.900 < 0.95"]


def test_a_floor_whose_metric_is_missing_fails(tmp_path: Path) -> None:
    failures = missed_floors(REPORT, _floors(tmp_path, "library:\n  heldout:\n    first_reply_correct: 0.8\n"))
    assert len(failures) == 1 and "missing" in failures[0]


def test_a_missing_or_empty_floors_file_fails(tmp_path: Path) -> None:
    assert missed_floors(REPORT, tmp_path / "nope.yaml")
    assert missed_floors(REPORT, _floors(tmp_path, ""))


def test_a_section_this_run_did_not_measure_is_skipped(tmp_path: Path) -> None:
    floors = _floors(tmp_path, "conversation:\n  heldout:\n    answer_precision: 0.9\n")
    assert missed_floors(REPORT, floors) == []
