"""`askvn kb new`: a complete scaffold in the right place that cannot be published until it is filled."""

from __future__ import annotations

from datetime import date

from knowledge.loader import load_knowledge
from tests.staff.conftest import Cli


def test_scaffold_is_complete_and_blocks_until_filled(cli: Cli) -> None:
    code, output = cli("kb", "new", "--topic", "money", "--id", "atm-withdrawal-limits")
    path = cli.knowledge / "money" / "atm-withdrawal-limits.yaml"
    assert code == 0 and path.exists() and "created" in output
    text = path.read_text(encoding="utf-8")
    assert f"reviewed: {date.today().isoformat()}" in text
    assert "id: atm-withdrawal-limits" in text and "topic: money" in text and "\nen:" in text and "\nvi:" in text

    problems = [p for p in load_knowledge(cli.knowledge).errors if p.path.endswith("atm-withdrawal-limits.yaml")]
    where = {p.message.split(":")[0] for p in problems}
    assert where == {"sources.0.url", "sources.0.name", "en.title", "en.questions.0", "en.questions.1",
                     "en.questions.2", "en.answer", "vi.title", "vi.questions.0", "vi.answer"}
    assert all("TODO placeholder" in p.message and p.line > 1 for p in problems)

    code, output = cli("kb", "build")  # half-written entries are never published
    assert code == 1 and "atm-withdrawal-limits.yaml:" in output


def test_filled_scaffold_validates(cli: Cli) -> None:
    assert cli("kb", "new", "--topic", "money", "--id", "tipping")[0] == 0
    path = cli.knowledge / "money" / "tipping.yaml"
    text = path.read_text(encoding="utf-8").replace("https://TODO.gov.vn/", "https://vietnam.travel/")
    text = text.replace("TODO ", "Real text ")
    path.write_text(text, encoding="utf-8")
    result = load_knowledge(cli.knowledge)
    assert result.errors == [] and "tipping" in {e.id for e in result.entries}


def test_asks_interactively(cli: Cli) -> None:
    code, output = cli("kb", "new", input="culture\nlion-dance\n")
    assert code == 0, output
    assert "Topic" in output and "Id" in output
    assert (cli.knowledge / "culture" / "lion-dance.yaml").exists()


def test_refuses_to_overwrite_and_bad_ids(cli: Cli) -> None:
    existing = cli.knowledge / "entry-stay" / "e-visa.yaml"
    before = existing.read_bytes()
    code, output = cli("kb", "new", "--topic", "entry-stay", "--id", "e-visa")
    assert code == 1 and "already exists" in output and existing.read_bytes() == before
    code, output = cli("kb", "new", "--topic", "money", "--id", "e-visa")  # ids are unique across topics
    assert code == 1 and "already used" in output
    assert not (cli.knowledge / "money" / "e-visa.yaml").exists()
    for bad in ("Visa Fees", "visa_fees", "-visa", "visa--fees", "x" * 81):
        code, output = cli("kb", "new", "--topic", "money", "--id", bad)
        assert code == 1 and "lowercase words joined by hyphens" in output, bad
    code, output = cli("kb", "new", "--topic", "shopping", "--id", "markets")
    assert code == 1 and "unknown topic" in output
