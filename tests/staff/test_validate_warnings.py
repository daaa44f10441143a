"""Every warning `askvn kb validate` gives, on fixture files, with the file and line a person must fix."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from bot.staff import kb_commands
from knowledge.embedding.embedder import Embedder
from knowledge.loader import MAX_ANSWER_CHARS, load_knowledge
from knowledge.near_duplicates import find_near_duplicates
from tests.library.test_loader import GOOD, is_source_policy, write
from tests.staff.conftest import Cli


def found(root: Path, *, stale_after_days: int = 365) -> list[str]:
    """Problems `askvn kb validate --no-similarity` reports, as 'file:line:severity:message'."""
    settings = Settings(knowledge_dir=root, stale_after_days=stale_after_days)
    return [f"{Path(p.path).name}:{p.line}:{p.severity}:{p.message}" for p in kb_commands.validate(settings).problems
            if not is_source_policy(p.message)]  # tested in tests/library/test_source_and_translation_checks.py


def test_stale_review_date_follows_the_setting(tmp_path: Path) -> None:
    write(tmp_path, "money/cash.yaml", GOOD.format(id="cash").replace("reviewed: 2026-11-01", "reviewed: 2025-01-01"))
    assert any(m.startswith("cash.yaml:4:warning:last reviewed 2025-01-01") for m in found(tmp_path))
    assert found(tmp_path, stale_after_days=1000) == []


def test_review_date_in_the_future(tmp_path: Path) -> None:
    write(tmp_path, "money/cash.yaml", GOOD.format(id="cash").replace("reviewed: 2026-11-01", "reviewed: 2099-01-01"))
    assert found(tmp_path) == ["cash.yaml:4:warning:review date 2099-01-01 is in the future"]


def test_answer_too_long_points_at_the_answer(tmp_path: Path) -> None:
    long = "Cash is widely used. " * (MAX_ANSWER_CHARS // 20)
    write(tmp_path, "money/cash.yaml", GOOD.format(id="cash").replace("An answer about money.", long))
    [message] = found(tmp_path)
    assert message.startswith("cash.yaml:12:warning:'en' answer is 9") and f"under {MAX_ANSWER_CHARS}" in message


def test_questions_without_answer_and_the_reverse(tmp_path: Path) -> None:
    extra = "fr:\n  questions:\n    - Quelle monnaie ?\nde:\n  title: Geld\n  answer: |\n    Eine Antwort über Geld.\n"
    write(tmp_path, "money/cash.yaml", GOOD.format(id="cash") + extra)
    assert found(tmp_path) == ["cash.yaml:20:warning:'fr' has questions but no answer",
                               "cash.yaml:23:warning:'de' has an answer but no questions"]


def test_near_identical_questions_of_two_entries(tmp_path: Path, embedder: Embedder) -> None:
    write(tmp_path, "money/cash.yaml", GOOD.format(id="cash").replace(
        "- A question about money?", "- Can I pay with US dollars in Vietnam?"))
    write(tmp_path, "money/dollars.yaml", GOOD.format(id="dollars").replace(
        "- A question about money?", "- How far is Hanoi from Saigon?\n    - can i pay with US dollars in vietnam")
        .replace("Một câu hỏi về tiền?", "Đổi đô la Mỹ ở đâu?"))
    entries = load_knowledge(tmp_path).entries
    duplicates = find_near_duplicates(entries, embedder, threshold=Settings().near_duplicate_threshold)
    messages = [str(d.problem()) for d in duplicates]
    assert len(duplicates) == 1, messages
    [dup] = duplicates
    problem = dup.problem()
    assert (Path(problem.path).name, problem.line, problem.severity) == ("cash.yaml", 11, "warning")
    assert dup.other.path.endswith("dollars.yaml") and dup.other.line == 12
    assert "dollars.yaml:12" in problem.message and "'dollars'" in problem.message


def test_validate_cli_reports_near_duplicates_and_can_skip_them(cli: Cli) -> None:
    copy = cli.knowledge / "money" / "currency-again.yaml"
    text = (cli.knowledge / "money" / "currency.yaml").read_text(encoding="utf-8")
    copy.write_text(text.replace("id: currency", "id: currency-again"), encoding="utf-8")
    code, output = cli("kb", "validate")
    assert code == 0, output  # warnings never block
    assert ("currency-again.yaml:12: warning: question 'What currency is used in Vietnam?' is nearly identical to "
            "'What currency is used in Vietnam?' of entry 'currency' (") in output
    assert "money/currency.yaml:12, similarity 1.000)" in output
    code, output = cli("kb", "validate", "--no-similarity")
    assert code == 0 and "nearly identical" not in output
