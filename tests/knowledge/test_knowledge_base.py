"""The real knowledge base: valid, complete, covering every topic, and answering the questions
visitors ask most (through the real index that `make setup` publishes)."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from bot.staff import kb_commands
from knowledge.answering import answer_question
from knowledge.languages import LANGUAGES
from knowledge.loader import load_knowledge
from knowledge.service import KnowledgeService

TOPICS = {"entry-stay", "money", "transport", "health-safety", "practicalities", "climate", "destinations",
          "culture", "country", "investment", "study-work", "about"}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings()


def test_every_file_validates_without_errors_or_broken_links(settings: Settings) -> None:
    result = load_knowledge(settings.knowledge_dir)
    assert [str(p) for p in result.errors] == []
    assert [str(p) for p in result.warnings if "does not exist" in p.message] == []


def test_every_entry_has_english_vietnamese_source_and_review_date(settings: Settings) -> None:
    for entry in load_knowledge(settings.knowledge_dir).entries:
        assert {"en", "vi"} <= set(entry.languages), entry.id
        assert entry.sources and all(s.url.startswith("https://") or s.url.startswith("http://")
                                     for s in entry.sources), entry.id
        assert entry.reviewed.year >= 2025, entry.id
        assert len(entry.texts["en"].questions) >= 3, f"{entry.id}: English needs 3 phrasings"


def test_coverage_meets_the_knowledge_base_targets(settings: Settings) -> None:
    stats = kb_commands.stats(settings)
    assert stats["entries"] >= 250
    assert stats["all_languages"] >= 150
    assert set(stats["topics"]) == TOPICS
    assert all(stats["languages"][lang] == stats["entries"] for lang in ("en", "vi"))
    assert stats["missing_sources"] == [] and stats["errors"] == 0


@pytest.fixture(scope="module")
def real_service(settings: Settings) -> KnowledgeService:
    return KnowledgeService(settings.index_dir, settings.embedding())


@pytest.mark.parametrize(("question", "language", "topic"), [
    ("Do I need a visa to visit Vietnam?", "en", "entry-stay"),
    ("베트남에 가려면 비자가 필요한가요?", "ko", "entry-stay"),
    ("What number do I call for an ambulance in Vietnam?", "en", "health-safety"),
    ("Việt Nam có bao nhiêu tỉnh thành sau sáp nhập?", "vi", "destinations"),
    ("越南的货币是什么？", "zh", "money"),
])
def test_the_real_index_answers_common_questions(real_service: KnowledgeService, settings: Settings,
                                                 question: str, language: str, topic: str) -> None:
    reply = answer_question(question, language, real_service.searcher(), settings.policy())
    assert reply.outcome in ("answer", "clarify")
    hits = real_service.searcher().search(question, k=3, language=language)
    assert hits[0].entry.topic == topic, [(h.entry.id, round(h.score, 3)) for h in hits]
    if reply.outcome == "answer":
        assert reply.sources and reply.answer_language in LANGUAGES


VAGUE_QUESTIONS = ["Which visa do I need?", "what documents do I need", "Can I work here?", "Do I need a visa?",
                   "How much money should I bring?", "Which permits do I need?", "How long can I stay?",
                   "What taxes apply to me?", "What are the rules for foreigners?", "How do I open a bank account?"]


@pytest.mark.parametrize("audience", ["tourist", "investor", "student"])
def test_the_users_audience_brings_entries_written_for_them_forward(real_service: KnowledgeService,
                                                                    audience: str) -> None:
    """Over vague questions, more of the top three results are written for the user's audience."""
    searcher = real_service.searcher()

    def written_for(target: str | None) -> int:
        return sum(audience in h.entry.audience for q in VAGUE_QUESTIONS
                   for h in searcher.search(q, k=3, audience=target))

    assert written_for(audience) > written_for(None)


@pytest.mark.parametrize(("question", "language"), [
    ("Give me a good recipe for lasagne", "en"),
    ("Wer wird deutscher Fußballmeister?", "de"),
    ("用JavaScript写一个排序函数", "zh"),
])
def test_questions_like_the_off_topic_examples_are_declined(real_service: KnowledgeService, settings: Settings,
                                                          question: str, language: str) -> None:
    reply = answer_question(question, language, real_service.searcher(), settings.policy())
    assert reply.outcome == "out_of_scope" and reply.entry_id is None


def test_a_real_question_near_an_off_topic_example_is_still_answered(real_service: KnowledgeService,
                                                                    settings: Settings) -> None:
    reply = answer_question("What is pho? Is it a soup?", "en", real_service.searcher(), settings.policy())
    offered = {reply.entry_id, *(s.entry_id for s in reply.suggestions)}
    assert reply.outcome in ("answer", "clarify") and "pho-and-banh-mi" in offered
