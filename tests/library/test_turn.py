"""One turn in, one reply out (knowledge/turn.py): the order of the rules and what the conversation
remembers, on the fixture knowledge base with the real model and no Rasa."""

from __future__ import annotations

import pytest

from knowledge.policy import Policy
from knowledge.service import KnowledgeService
from knowledge.turn import Turn, answer_language, respond

POLICY = Policy()


def test_a_question_is_answered_logged_and_becomes_the_topic(service: KnowledgeService) -> None:
    result = respond(Turn("Do I need a visa to visit Vietnam?"), service.searcher(), POLICY)
    assert result.reply.outcome == "answer" and result.reply.entry_id == "e-visa"
    assert result.logged and result.topic == "Do I need a visa to visit Vietnam?"
    assert result.language_choice is None


def test_a_follow_up_keeps_the_earlier_topic(service: KnowledgeService) -> None:
    turn = Turn("and for children?", previous_question="Do I need a visa to visit Vietnam?")
    result = respond(turn, service.searcher(), POLICY)
    assert result.reply.followup_of == turn.previous_question
    assert result.topic == turn.previous_question


def test_a_typed_language_request_wins_even_over_small_talk(service: KnowledgeService) -> None:
    result = respond(Turn("répondez en français s'il vous plaît", smalltalk=True, intent="thank"),
                     service.searcher(), POLICY)
    assert result.reply.outcome == "language_changed" and result.language_choice == "fr"
    assert not result.logged


def test_a_button_for_a_removed_entry_is_a_polite_no_answer(service: KnowledgeService) -> None:
    turn = Turn('/ask_entry{"entry_id": "no-such-entry"}', entry_id="no-such-entry", previous_language="de")
    result = respond(turn, service.searcher(), POLICY)
    assert result.reply.outcome == "no_answer" and result.reply.language == "de"
    assert not result.logged and result.topic is None


def test_a_question_nlu_took_for_small_talk_still_gets_the_knowledge_base(service: KnowledgeService) -> None:
    result = respond(Turn("What currency is used in Vietnam?", smalltalk=True, intent="greet"),
                     service.searcher(), POLICY)
    assert result.reply.outcome == "answer" and result.reply.entry_id == "currency" and result.logged


def test_thanks_after_a_question_is_small_talk_and_keeps_the_topic(service: KnowledgeService) -> None:
    turn = Turn("thanks!", smalltalk=True, intent="thank", previous_question="What currency is used in Vietnam?")
    result = respond(turn, service.searcher(), POLICY)
    assert result.reply.outcome == "smalltalk" and not result.logged and result.topic is None


@pytest.mark.parametrize(("turn", "language"), [
    (Turn("Do I need a visa?", language_choice="ja"), "ja"),  # the picker beats the message's language
    (Turn("/ask_entry", previous_language="ko", language_hint="fr"), "ko"),  # a button keeps the conversation's
    (Turn("/ask_entry", language_hint="fr-FR"), "fr"),
    (Turn("하롱베이 가기 좋은 계절은 언제인가요?", language_hint="en"), "ko"),  # a hint is not a choice
])
def test_answer_language(turn: Turn, language: str) -> None:
    assert answer_language(turn) == language
