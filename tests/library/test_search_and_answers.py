"""Retrieval and the answer policy on the fixture knowledge base, with the real model."""

from __future__ import annotations

import pytest

from knowledge.answering import answer_question
from knowledge.policy import Policy, decide
from knowledge.service import KnowledgeService

POLICY = Policy()


@pytest.mark.parametrize(("question", "entry_id"), [
    ("Do I need a visa to visit Vietnam?", "e-visa"),
    ("베트남 여행에 비자가 필요한가요?", "e-visa"),
    ("Cần gọi số nào khi gặp cấp cứu?", "emergency-numbers"),
    ("越南使用哪种货币？", "currency"),
    ("フォーってどんな料理？", "pho"),
])
def test_the_right_entry_ranks_first_in_any_language(service: KnowledgeService, question: str,
                                                     entry_id: str) -> None:
    hits = service.searcher().search(question, k=3)
    assert hits[0].entry.id == entry_id


def test_answer_in_the_users_language_with_source(service: KnowledgeService) -> None:
    reply = answer_question("베트남에 가려면 비자가 필요한가요?", "ko", service.searcher(), POLICY)
    assert reply.outcome == "answer" and reply.entry_id == "e-visa"
    assert reply.answer_language == "ko" and "전자비자" in reply.text
    assert "https://evisa.gov.vn/" in reply.text
    message = reply.outcome_message()["askvn"]
    assert message["sources"][0]["url"] == "https://evisa.gov.vn/" and message["language"] == "ko"


def test_english_answer_with_a_note_when_no_translation(service: KnowledgeService) -> None:
    searcher = service.searcher()
    entry = searcher.loaded.entries["tet-holiday"]
    assert "fr" not in entry.texts
    reply = answer_question("What is Tet and how does it affect travel?", "fr", searcher, POLICY)
    assert reply.outcome == "answer" and reply.answer_language == "en"
    first_line = reply.text.splitlines()[0]
    assert "Français" in first_line and entry.texts["en"].answer.split()[0] in reply.text  # type: ignore[union-attr]


def test_a_bare_acknowledgement_is_never_answered_with_an_entry(service: KnowledgeService) -> None:
    assert answer_question("ok", "en", service.searcher(), POLICY).outcome in ("no_answer", "clarify")


@pytest.mark.parametrize("nonsense", ["asdf qwerty", "zzzz"])
def test_nonsense_gets_an_honest_no_answer_with_closest_topics(service: KnowledgeService, nonsense: str) -> None:
    reply = answer_question(nonsense, "en", service.searcher(), POLICY)
    assert reply.outcome == "no_answer"
    assert reply.entry_id is None and len(reply.suggestions) == 3
    assert reply.candidates  # what staff will see in the gap report


@pytest.mark.parametrize("question", ["Who won the football world cup in 2018?",
                                      "Wie wird das Wetter morgen in Berlin?",
                                      "Write me a poem about autumn leaves"])
def test_questions_about_other_things_are_declined_as_out_of_scope(service: KnowledgeService,
                                                                  question: str) -> None:
    reply = answer_question(question, "en", service.searcher(), POLICY)
    assert reply.outcome == "out_of_scope" and reply.entry_id is None and not reply.suggestions
    assert "Vietnam" in reply.text


def test_a_vietnam_question_without_an_entry_is_an_honest_gap_not_out_of_scope(service: KnowledgeService) -> None:
    reply = answer_question("How many bridges cross the river in Da Nang?", "en", service.searcher(), POLICY)
    assert reply.outcome in ("no_answer", "clarify")


def test_empty_and_oversized_messages_are_answered_politely(service: KnowledgeService) -> None:
    assert answer_question("   ", "en", service.searcher(), POLICY).outcome == "no_answer"
    long = answer_question("visa " * 1000, "de", service.searcher(), POLICY)
    assert long.outcome == "no_answer" and "1000" in long.text


def test_decide_prefers_clarifying_when_two_entries_are_close(service: KnowledgeService) -> None:
    hits = service.searcher().search("Do I need a visa to visit Vietnam?", k=3)
    assert decide(hits, POLICY) == "answer"
    close = Policy(answer_threshold=0.5, clarify_threshold=0.5, clarify_margin=1.0, likely_threshold=0.5,
                   likely_margin=1.0)
    assert decide(hits, close) == "clarify"
    assert decide([], POLICY) == "no_answer"


def test_a_likely_but_not_certain_entry_is_answered_with_the_runners_up_as_buttons(service: KnowledgeService) -> None:
    """Answer first: when the top entry leads without a clear margin, answer it and offer the alternatives."""
    searcher = service.searcher()
    hits = searcher.search("Do I need a visa to visit Vietnam?", k=3)
    lead = hits[0].score - hits[1].score
    likely = Policy(answer_threshold=0.5, clarify_threshold=0.5, clarify_margin=lead + 0.01, likely_threshold=0.5,
                    likely_margin=lead - 0.001)
    assert decide(hits, likely) == "likely"
    reply = answer_question("Do I need a visa to visit Vietnam?", "en", searcher, likely)
    assert reply.outcome == "answer" and reply.entry_id == hits[0].entry.id and not reply.confident
    assert [a.entry_id for a in reply.alternatives] == [h.entry.id for h in hits[1:3]]
    assert [s.entry_id for s in reply.suggestions[:2]] == [h.entry.id for h in hits[1:3]]
    assert reply.outcome_message()["askvn"]["alternatives"][0]["entry_id"] == hits[1].entry.id


def test_vietnamese_bigrams_rank_but_do_not_change_the_coverage_scale(service: KnowledgeService) -> None:
    from knowledge.text_processing import is_bigram, tokenize
    lexical = service.searcher().lexical
    tokens = tokenize("Cần gọi số nào khi gặp cấp cứu?", "vi")
    assert any(is_bigram(t) for t in tokens)
    words = [t for t in tokens if not is_bigram(t)]
    assert lexical.coverage(tokens, "emergency-numbers") == lexical.coverage(words, "emergency-numbers")


def test_vietnamese_without_diacritics_finds_the_entry(service: KnowledgeService) -> None:
    hits = service.searcher().search("goi so nao khi gap cap cuu", k=3, language="vi")
    assert hits[0].entry.id == "emergency-numbers"
