"""Each vocabulary is defined once; every hand-written copy a tool needs in its own format must agree.

Languages: knowledge/languages.py. Audiences, topics, source kinds: the entry schema, mirrored by
knowledge/model.py. Reply outcomes: knowledge/answering.py. Button intents: knowledge/vocabulary.py.
The web widget gets all of these generated (bot/web/widget_strings.py), so it is checked by building.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import yaml

from bot.settings import Settings
from bot.staff.report import OUTCOMES as REPORTED_OUTCOMES
from bot.staff.report_svg import OUTCOME_COLOURS
from bot.web.widget_strings import widget_strings
from knowledge.answering import Outcome
from knowledge.embedding import DEFAULT_MODEL_DIR
from knowledge.languages import LANGUAGES, NATIVE_NAMES
from knowledge.model import AUDIENCES
from knowledge.ui_text import say
from knowledge.vocabulary import ASK_ENTRY_INTENT, FEEDBACK_INTENT

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "knowledge" / "schema" / "entry.schema.json").read_text(encoding="utf-8"))


def test_every_fixed_text_is_in_exactly_the_languages_we_serve() -> None:
    messages = yaml.safe_load((ROOT / "knowledge" / "messages" / "messages.yaml").read_text(encoding="utf-8"))
    wrong = {key: sorted(set(texts) ^ set(LANGUAGES))
             for key, texts in messages.items() if set(texts) != set(LANGUAGES)}
    assert not wrong
    assert set(NATIVE_NAMES) == set(LANGUAGES)


def test_audiences_agree_with_the_entry_schema_and_settings() -> None:
    assert tuple(SCHEMA["properties"]["audience"]["items"]["enum"]) == AUDIENCES
    web_audience = typing.get_args(Settings.model_fields["web_audience"].annotation)
    assert set(typing.get_args(web_audience[0])) == set(AUDIENCES)


def test_topics_are_the_entry_folders() -> None:
    folders = {p.name for p in (ROOT / "knowledge" / "entries").iterdir() if p.is_dir()}
    assert set(SCHEMA["properties"]["topic"]["enum"]) == folders


def test_button_intents_are_declared_in_the_rasa_domain() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert {ASK_ENTRY_INTENT, FEEDBACK_INTENT} <= set(domain["intents"])


def test_the_staff_report_knows_only_real_outcomes() -> None:
    outcomes = set(typing.get_args(Outcome))
    assert set(REPORTED_OUTCOMES) <= outcomes
    assert set(OUTCOME_COLOURS) <= outcomes


def test_the_makefile_converts_the_model_where_settings_look_for_it() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    model_dir = re.search(r"^MODEL_DIR := (.+)$", makefile, re.MULTILINE)
    assert model_dir and (ROOT / model_dir.group(1)).resolve() == DEFAULT_MODEL_DIR.resolve()


def test_the_widget_vocabulary_comes_from_the_server_side_definitions() -> None:
    strings = widget_strings()
    assert [code for code, _ in strings["languages"]] == list(LANGUAGES)
    assert strings["audiences"] == list(AUDIENCES)
    assert strings["intents"] == {"askEntry": ASK_ENTRY_INTENT, "feedback": FEEDBACK_INTENT}
    for code in LANGUAGES:  # the widget says what the server says
        assert strings["texts"][code]["thanks"] == say("feedback_thanks", code)
        assert strings["texts"][code]["placeholder"] == say("widget_placeholder", code)


def test_the_widget_source_spells_no_vocabulary_itself() -> None:
    """Labels, languages and audiences reach the widget only through the generated file."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "web" / "src").glob("*.js"))
    for word in ['"Tiếng Việt"', '"tourist", "investor"', "Ask a question about Vietnam", "`/feedback", '"/ask_entry']:
        assert word not in source, word
