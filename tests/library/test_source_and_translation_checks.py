"""`kb validate`'s source policy and translation consistency: broken examples are reported with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loader import load_knowledge
from knowledge.translation_check import missing_in_translation
from tests.library.test_loader import GOOD, write


def _problems(tmp_path: Path, text: str) -> list[str]:
    write(tmp_path, "money/checked.yaml", text)
    return [str(p) for p in load_knowledge(tmp_path).problems]


OFFICIAL = """sources:
  - url: https://www.sbv.gov.vn/webcenter/portal/en/home/sbv/exchange-rates
    name: State Bank of Vietnam, exchange rates
    kind: official
"""


def test_a_dataset_or_visa_agent_source_is_an_error_on_its_line(tmp_path: Path) -> None:
    text = GOOD.format(id="checked").replace(
        "  - url: https://www.sbv.gov.vn/\n", "  - url: https://huggingface.co/datasets/x/vn-tax\n")
    problems = _problems(tmp_path, text)
    assert any(":6: error:" in p and "huggingface.co" in p for p in problems), problems


def test_an_entry_without_an_official_deep_link_is_warned_unless_it_says_why(tmp_path: Path) -> None:
    homepage = GOOD.format(id="checked").replace("    name: State Bank of Vietnam\n",
                                                 "    name: State Bank of Vietnam\n    kind: official\n")
    assert any("no official source" in p for p in _problems(tmp_path, homepage))  # a bare homepage
    exception = "source_exception: The decree is not published online in any language yet\n"
    excused = homepage.replace("en:\n", exception + "en:\n")
    problems = _problems(tmp_path, excused)
    assert any("exception: The decree is not published" in p for p in problems)
    deep = GOOD.format(id="checked").replace(
        "sources:\n  - url: https://www.sbv.gov.vn/\n    name: State Bank of Vietnam\n", OFFICIAL)
    assert not any("official" in p or "kind" in p for p in _problems(tmp_path, deep))


def test_a_source_without_kind_is_warned(tmp_path: Path) -> None:
    assert any(":6: warning:" in p and "has no kind" in p for p in _problems(tmp_path, GOOD.format(id="checked")))


def test_a_translation_that_drops_a_fee_and_the_official_site_is_warned_on_its_answer_line(tmp_path: Path) -> None:
    english = "    The e-visa costs US$25 (single) or US$50 (multiple) on evisa.gov.vn."
    text = GOOD.format(id="checked").replace("    An answer about money.", english).replace(
        "    Một câu trả lời về tiền.", "    Thị thực điện tử giá 25 USD.")
    problems = [p for p in _problems(tmp_path, text) if "lacks" in p]
    assert len(problems) == 1 and ":18: warning: 'vi' answer" in problems[0]  # the line of vi's answer
    assert problems[0].endswith("lacks what the English says: 50, evisa.gov.vn")


@pytest.mark.parametrize("english, translation", [
    ("Declare over VND 15 million or US$5,000.", "申报超过1500万越南盾或5000美元。"),
    ("Declare over VND 15 million or US$5,000.", "Khai báo trên 15 triệu đồng hoặc 5.000 USD."),
    ("1.5 litres, VND 10 million", "1,5 Liter, 10 Mio. VND"),
    ("US$38.42 billion", "384억 2천만 달러"),
    ("VND 3 billion", "3 พันล้านดอง"),
    ("28 provinces", "28 tỉnh"),  # "tỉ" (billion) only as a whole word
    ("45 days, call 113", "45日間、113番"),
    ("See https://evisa.gov.vn/", "Xem evisa.gov.vn"),
])
def test_local_number_formats_count_as_the_same_fact(english: str, translation: str) -> None:
    assert missing_in_translation(english, translation) == []


def test_single_digit_numbers_are_not_compared_because_they_are_often_spelled_out() -> None:
    assert missing_in_translation("Stay 2 weeks", "Ở lại hai tuần") == []
    assert missing_in_translation("Stay 14 days", "Ở lại hai tuần") == ["14"]
