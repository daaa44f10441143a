"""Places outside Vietnam (CLDR names via babel + places/foreign.yaml): what makes a question about
another country, and the words that must not count as one."""

from __future__ import annotations

import pytest

from knowledge.answering import answer_question
from knowledge.policy import Policy
from knowledge.service import KnowledgeService


@pytest.mark.parametrize(("text", "language"), [
    ("do americans need a visa for thailand", "en"),
    ("thủ đô của Canada là gì", "vi"),
    ("北京明天天气怎么样", "zh"),
    ("미국 ESTA 신청 방법", "ko"),
    ("東京の明日の天気", "ja"),
    ("visa pour le Japon pour un Français", "fr"),
    ("Brauche ich als Deutscher ein ESTA für die USA?", "de"),
    ("столица Австралии", "ru"),
    ("¿Cuánto cuesta un hotel en París?", "es"),
    ("เมืองหลวงของญี่ปุ่นคืออะไร", "th"),
])
def test_questions_about_another_country_are_recognised(text: str, language: str,
                                                       service: KnowledgeService) -> None:
    assert service.searcher().analyse(text, language).about_elsewhere


@pytest.mark.parametrize(("text", "language"), [
    ("Người Đức sang Việt Nam du lịch có cần xin visa không?", "vi"),  # names Vietnam
    ("한국인 비자 필요해요?", "ko"),                      # 한국인: a Korean person
    ("คนไทยต้องใช้วีซ่าไหม", "th"),                       # คนไทย: Thai people
    ("中国人需要签证吗", "zh"),
    ("гражданам России нужна виза?", "ru"),
    ("Can I arrive overland from Laos on an e-visa?", "en"),  # where the traveller comes from
    ("luật lao động cho người nước ngoài", "vi"),          # "lao" is labour, not Laos
    ("mỹ phẩm ở đâu rẻ", "vi"),                            # "mỹ" is beauty, not America
    ("ネクタイは必要ですか", "ja"),                         # タイ inside a katakana word
    ("can I bring my phone charger", "en"),
])
def test_nationalities_origins_and_ordinary_words_are_not_other_countries(text: str, language: str,
                                                                         service: KnowledgeService) -> None:
    assert not service.searcher().analyse(text, language).about_elsewhere


def test_only_the_message_language_and_english_are_matched(service: KnowledgeService) -> None:
    foreign = service.searcher().foreign_places
    assert foreign.find("Thái Lan", "vi") and not foreign.find("Thái Lan", "ko")


def test_a_visa_question_about_another_country_is_declined(service: KnowledgeService) -> None:
    reply = answer_question("Do Americans need a visa for Thailand?", "en", service.searcher(), Policy())
    assert reply.outcome == "out_of_scope" and reply.entry_id is None
    vietnam = answer_question("Do Americans need a visa for Vietnam?", "en", service.searcher(), Policy())
    assert vietnam.outcome == "answer" and vietnam.entry_id == "e-visa"
