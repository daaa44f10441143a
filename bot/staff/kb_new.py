"""`askvn kb new`: a ready-to-fill entry file in the right place, so staff never start from a blank page.

Every field is present; the texts are `TODO` placeholders that the validator rejects, so a half-written
entry cannot be published by `askvn kb build`.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

from knowledge.errors import KnowledgeError
from knowledge.loader import SCHEMA_PATH, entry_files

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ID_MAX = 80

TEMPLATE = """\
# yaml-language-server: $schema=../../schema/entry.schema.json
# Created by `askvn kb new` on {today}. Replace every TODO, then run `askvn kb validate`.
# How to write an entry: knowledge/README.md
id: {id}                       # = the file name; never rename it
topic: {topic}                 # = the folder name
audience: [tourist]            # who asks: tourist, investor, resident, student, general
reviewed: {today}              # the day you checked every fact against the sources
sources:                       # official sources first (.gov.vn, embassies, operators)
  - url: https://TODO.gov.vn/
    name: TODO name of the organisation or page
related: []                    # optional: ids of follow-up entries, e.g. [e-visa]
places: []                     # optional: e.g. [da-nang, hoi-an]
en:                            # English: required
  title: TODO short title
  questions:                   # at least 3 ways to ask: formal, casual, keywords
    - TODO How would a visitor ask this?
    - TODO how would someone ask it casually
    - TODO keywords only
  answer: |
    TODO Direct answer first, in 1-5 short sentences. Write "as of <month year>" for facts that change.
vi:                            # Vietnamese: required
  title: TODO tiêu đề ngắn
  questions:
    - TODO Người nước ngoài sẽ hỏi thế nào?
  answer: |
    TODO Câu trả lời trực tiếp trước, 1-5 câu ngắn.
# Optional languages, same shape: zh, ko, ja, fr, de, ru, es, th (title, questions, answer).
"""


@lru_cache(maxsize=1)
def topics() -> tuple[str, ...]:
    """The topics the schema allows (one folder each)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return tuple(schema["properties"]["topic"]["enum"])


def check_new_id(knowledge_dir: Path, topic: str, entry_id: str) -> Path:
    """The path for a new entry, or KnowledgeError saying what is wrong with topic or id."""
    if topic not in topics():
        raise KnowledgeError(f"unknown topic '{topic}'; choose one of: {', '.join(topics())}")
    if not ID_PATTERN.match(entry_id) or len(entry_id) > ID_MAX:
        raise KnowledgeError(f"id '{entry_id}' must be lowercase words joined by hyphens "
                             f"(a-z, 0-9, at most {ID_MAX} characters), e.g. 'visa-exemption-list'")
    target = knowledge_dir / topic / f"{entry_id}.yaml"
    if target.exists():
        raise KnowledgeError(f"{target} already exists; edit it instead (nothing was overwritten)")
    taken = [p for p in entry_files(knowledge_dir) if p.stem == entry_id]
    if taken:
        raise KnowledgeError(f"id '{entry_id}' is already used by {taken[0]}; ids must be unique")
    return target


def create_entry(knowledge_dir: Path, topic: str, entry_id: str, *, today: date | None = None) -> Path:
    """Write the scaffold; never overwrites (exclusive create, even against a concurrent writer)."""
    target = check_new_id(knowledge_dir, topic, entry_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.format(id=entry_id, topic=topic, today=(today or date.today()).isoformat())
    try:
        with target.open("x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError as exc:
        raise KnowledgeError(f"{target} already exists; nothing was overwritten") from exc
    return target
