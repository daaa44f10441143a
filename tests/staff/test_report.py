"""`askvn report` on a seeded gap log: self-contained HTML with charts, and the top gap cluster first."""

from __future__ import annotations

import csv
from pathlib import Path

from knowledge.embedding.embedder import Embedder
from knowledge.gaps import GapLog
from tests.staff.conftest import Cli

DOG = ["Can I bring my dog to Vietnam?", "can i take my dog with me to vietnam",
       "bringing a pet dog into Vietnam rules", "Can I bring my dog to Vietnam?",
       "what are the rules for bringing a cat to vietnam"]
DIVING = ["Where can I go scuba diving in Vietnam?", "best scuba diving spots vietnam"]


def seed(db: Path) -> None:
    log = GapLog(db, key=b"test-key")
    for i in range(12):
        log.record_question(question="Do I need a visa?", outcome="answer", language="en" if i % 3 else "ko",
                            channel="rest" if i % 2 else "telegram", user_id=f"u{i}", entry_id="e-visa", score=0.93)
    for i, text in enumerate(DOG):
        log.record_question(question=text, outcome="no_answer", language="en", channel="rest", user_id=f"d{i}",
                            score=0.8, candidates=[("pets-and-animals", 0.8), ("e-visa", 0.78)])
    log.record_question(question="Tôi có thể mang chó vào Việt Nam không?", outcome="no_answer", language="vi",
                        channel="web", user_id="v", score=0.8, candidates=[("pets-and-animals", 0.8)])
    for i, text in enumerate(DIVING):
        log.record_question(question=text, outcome="clarify", language="en", channel="web", user_id=f"s{i}",
                            score=0.85, candidates=[("nha-trang", 0.85), ("phu-quoc", 0.84)])
    for value in ("up", "up", "down"):
        log.record_feedback(entry_id="e-visa", value=value, language="en", channel="rest", user_id="f")
    log.record_feedback(entry_id="currency", value="down", language="en", channel="rest", user_id="f")


def test_report_has_charts_rates_and_the_top_gap(cli: Cli, embedder: Embedder) -> None:
    seed(cli.data / "gaps.sqlite")
    code, output = cli("report", "--out", str(cli.data / "out"))
    assert code == 0, output
    html = (cli.data / "out" / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 5 and "Questions per day" in html and "Outcome rates" in html
    assert "src=" not in html and "<script" not in html and "<link" not in html  # self-contained
    assert "60.0 %" in html  # 12 answered of 20 questions
    assert html.index("Can I bring my dog to Vietnam?") < html.index("Where can I go scuba diving")
    assert "pets-and-animals" in html and "e-visa" in html and "👎" in html

    with (cli.data / "out" / "gaps.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["representative_question"] in DOG and int(rows[0]["times_asked"]) >= 5
    assert rows[0]["closest_entries"].startswith("pets-and-animals")
    assert any(r["representative_question"] in DIVING and r["times_asked"] == "2" for r in rows)


def test_report_on_an_empty_log(cli: Cli) -> None:
    code, output = cli("report", "--out", str(cli.data / "empty"))
    assert code == 0, output
    html = (cli.data / "empty" / "report.html").read_text(encoding="utf-8")
    assert "No unanswered questions in this period." in html and "no data" in html
