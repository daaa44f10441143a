"""What gets embedded for each entry: every question phrasing, and the title with the answer.

Questions are embedded as e5 *queries* (a user's question is compared question-to-question), answers
as *passages* (so a question phrased unlike any listed one can still match the answer text).
Off-topic examples (scope/off_topic.yaml) are embedded as queries too, under no entry.
Vietnamese questions are also embedded without diacritics, the way many people type them: e5 reads
"visa viet nam bao lau" poorly, but it lies next to the same words folded from "Visa Việt Nam bao lâu".
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Literal

from knowledge.model import Entry
from knowledge.text_processing import fold

DocKind = Literal["question", "answer", "off_topic"]
# Bump when documents_for() changes what it produces, so existing builds are rebuilt (builder.content_hash).
DOCUMENT_SCHEME = 3
OFF_TOPIC = ""  # entry_id of the off-topic examples (knowledge/off_topic.py): they belong to no entry


@dataclass(frozen=True)
class Document:
    entry_id: str
    language: str
    kind: DocKind
    text: str

    def embedding_key(self, model_id: str, prefix: str) -> str:
        """Content hash that decides whether a stored vector can be reused."""
        raw = f"{model_id}\x00{prefix}\x00{self.text}".encode()
        return hashlib.sha256(raw).hexdigest()

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def documents_for(entries: list[Entry]) -> list[Document]:
    docs: list[Document] = []
    for entry in entries:
        for lang, text in entry.texts.items():
            docs.extend(Document(entry.id, lang, "question", q) for q in text.questions)
            if lang == "vi":
                docs.extend(Document(entry.id, lang, "question", fold(q)) for q in text.questions
                            if fold(q) != q.casefold())
            if text.answer:
                passage = f"{text.title}. {text.answer}" if text.title else text.answer
                docs.append(Document(entry.id, lang, "answer", passage))
    return docs


def off_topic_documents(questions: list[tuple[str, str]]) -> list[Document]:
    return [Document(OFF_TOPIC, language, "off_topic", text) for language, text in questions]
