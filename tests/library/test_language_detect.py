"""Language detection combined with hints: short messages must not flip the conversation's language."""

from __future__ import annotations

import pytest

from knowledge.language_detect import detect_language
from knowledge.languages import normalise_language


@pytest.mark.parametrize(("text", "expected"), [
    ("Do I need a visa to visit Vietnam?", "en"),
    ("Tôi có cần thị thực để đến Việt Nam không?", "vi"),
    ("我去越南需要签证吗？", "zh"),
    ("베트남에 가려면 비자가 필요한가요?", "ko"),
    ("ベトナムに行くにはビザが必要ですか？", "ja"),
    ("Ai-je besoin d'un visa pour le Vietnam ?", "fr"),
    ("Brauche ich ein Visum für Vietnam?", "de"),
    ("Нужна ли мне виза во Вьетнам?", "ru"),
    ("¿Necesito visa para viajar a Vietnam?", "es"),
    ("ต้องใช้วีซ่าไปเวียดนามไหม", "th"),
])
def test_detects_each_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_short_messages_keep_the_previous_language() -> None:
    assert detect_language("ok", previous="de") == "de"
    assert detect_language("Hanoi?", previous="fr", hint="en") == "fr"
    assert detect_language("?", hint="ja-JP") == "ja"


def test_channel_tags_are_normalised() -> None:
    assert normalise_language("zh-Hans") == "zh"
    assert normalise_language("pt-BR") is None
    assert normalise_language(None) is None


@pytest.mark.parametrize("text", ["visa viet nam bao lau", "goi xe cuu thuong so may",
                                  "tu san bay noi bai ve pho co di xe buyt so may",
                                  "tien viet nam goi la gi, ky hieu la gi"])
def test_vietnamese_typed_without_diacritics_is_vietnamese(text: str) -> None:
    assert detect_language(text, hint="en") == "vi"


@pytest.mark.parametrize("text", ["can i take the long bus to hanoi", "what to do in hoi an for 2 days",
                                  "the best pho in hanoi", "do i need a visa"])
def test_plain_english_with_vietnamese_names_stays_english(text: str) -> None:
    assert detect_language(text) == "en"
