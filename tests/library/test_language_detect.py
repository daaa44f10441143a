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
