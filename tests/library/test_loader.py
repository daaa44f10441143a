"""The validator reports every problem a staff member can make, with the right file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from knowledge.loader import load_knowledge
from tests.conftest import FIXTURE_KB

GOOD = """\
id: {id}
topic: money
audience: [tourist]
reviewed: 2026-11-01
sources:
  - url: https://www.sbv.gov.vn/
    name: State Bank of Vietnam
en:
  title: Title
  questions:
    - A question about money?
  answer: |
    An answer about money.
vi:
  title: Tiêu đề
  questions:
    - Một câu hỏi về tiền?
  answer: |
    Một câu trả lời về tiền.
"""


def is_source_policy(message: str) -> bool:
    """Warnings of knowledge/source_policy.py, which GOOD (a bare homepage, no kind) always gets."""
    return message.startswith("no official source") or message.endswith("has no kind (official, press, reference)")


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def messages(root: Path) -> list[str]:
    return [f"{Path(p.path).name}:{p.line}:{p.severity}:{p.message}"
            for p in load_knowledge(root, today=date(2026, 11, 26)).problems]


def test_fixture_knowledge_base_is_clean() -> None:
    result = load_knowledge(FIXTURE_KB, today=date(2026, 11, 26))
    # Clean but for the source policy: these small test entries cite front pages, not deep links.
    assert [p for p in result.problems if not p.message.startswith("no official source")] == []
    assert {e.id for e in result.entries} >= {"e-visa", "tet-holiday", "emergency-numbers"}


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    write(tmp_path, "money/broken.yaml", GOOD.format(id="broken").replace("audience: [tourist]", "audience: [tourist"))
    found = messages(tmp_path)
    assert len(found) == 1 and found[0].startswith("broken.yaml:") and ":error:YAML syntax" in found[0]
    assert int(found[0].split(":")[1]) in (3, 4)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.format(id="wrong-name").replace("topic: money", "topic: shopping") \
        .replace("https://www.sbv.gov.vn/", "sbv.gov.vn").replace("vi:\n", "vx:\n")
    write(tmp_path, "money/cash.yaml", text)
    found = messages(tmp_path)
    assert any(m.startswith("cash.yaml:1:error:id 'wrong-name' must equal") for m in found)
    assert any(m.startswith("cash.yaml:2:error:topic") for m in found)
    assert any(m.startswith("cash.yaml:6:error:sources.0.url") and "URL" in m for m in found)
    assert any(":error:" in m and "'vi' is missing" in m for m in found)
    assert any("unknown field" in m for m in found)


def test_duplicate_ids_and_missing_answers(tmp_path: Path) -> None:
    write(tmp_path, "money/cash.yaml", GOOD.format(id="cash"))
    write(tmp_path, "other/cash.yaml", GOOD.format(id="cash").replace("topic: money", "topic: other"))
    no_answer = GOOD.format(id="atm").replace("  answer: |\n    Một câu trả lời về tiền.\n", "")
    write(tmp_path, "money/atm.yaml", no_answer)
    found = messages(tmp_path)
    assert any(m.startswith("atm.yaml:14:error:'vi' needs an answer") for m in found)
    assert any("cash.yaml" in m and "other" in m for m in found)  # topic/folder mismatch or duplicate


def test_unquoted_colon_gets_a_human_explanation(tmp_path: Path) -> None:
    text = GOOD.format(id="colon").replace("- A question about money?", "- cash: how much?")
    write(tmp_path, "money/colon.yaml", text)
    found = messages(tmp_path)
    assert found == ["colon.yaml:11:error:en.questions.0: this line was read as 'key: value'; put the whole "
                     "text in double quotes because it contains ': '"]


def test_warnings_do_not_block(tmp_path: Path) -> None:
    text = GOOD.format(id="old").replace("reviewed: 2026-11-01", "reviewed: 2024-01-01") \
        .replace("sources:", "related: [nowhere]\nsources:")
    write(tmp_path, "money/old.yaml", text)
    result = load_knowledge(tmp_path, today=date(2026, 11, 26))
    assert not result.errors and len(result.entries) == 1
    kinds = sorted(p.message.split(" ")[0] for p in result.warnings if not is_source_policy(p.message))
    assert kinds == ["last", "related"]
    assert [p.line for p in result.warnings if "related" in p.message] == [5]


def test_decomposed_vietnamese_is_normalised(tmp_path: Path) -> None:
    decomposed = "Tie\u0302\u0300n"  # "Tiền" typed with combining marks
    write(tmp_path, "money/nfc.yaml", GOOD.format(id="nfc").replace("Tiêu đề", decomposed))
    entry = load_knowledge(tmp_path).entries[0]
    assert entry.texts["vi"].title == "Tiền"
