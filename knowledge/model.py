"""Knowledge entries as immutable values: what the loader produces and the index serves."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from knowledge.languages import FALLBACK_LANGUAGE

# Who an entry is written for (its `audience:`); a channel or user may say which one they are.
AUDIENCES = ("tourist", "investor", "resident", "student", "general")


def normalise_audience(value: object) -> str | None:
    """An audience we know (case-insensitive), or None for anything else."""
    text = str(value or "").strip().lower()
    return text if text in AUDIENCES else None


@dataclass(frozen=True)
class Source:
    url: str
    name: str
    kind: str | None = None  # official | press | reference (the source policy in knowledge/README.md)


@dataclass(frozen=True)
class LocalText:
    """An entry in one language."""

    title: str | None = None
    questions: tuple[str, ...] = ()
    answer: str | None = None
    details: str | None = None


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    audience: tuple[str, ...]
    reviewed: date
    sources: tuple[Source, ...]
    texts: dict[str, LocalText]
    related: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    contact: dict[str, str] = field(default_factory=dict)
    review_by: date | None = None  # changeable facts: check again by then
    source_exception: str | None = None  # why there is no official deep-link source
    verified: tuple[tuple[str, str], ...] = ()  # (claim, source URL) pairs checked on the review date
    path: str = ""

    def review_due(self, today: date) -> bool:
        """Past its review-by date: `askvn kb stats` and `askvn report` list it."""
        return self.review_by is not None and self.review_by < today

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages in which this entry has an answer."""
        return tuple(lang for lang, text in self.texts.items() if text.answer)

    def answer_in(self, language: str) -> tuple[str, LocalText]:
        """The text to answer with: the user's language if the entry has it, else English."""
        text = self.texts.get(language)
        if text is not None and text.answer:
            return language, text
        return FALLBACK_LANGUAGE, self.texts[FALLBACK_LANGUAGE]

    def title_in(self, language: str) -> str:
        text = self.texts.get(language)
        if text is not None and text.title:
            return text.title
        return self.texts[FALLBACK_LANGUAGE].title or self.id

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reviewed"] = self.reviewed.isoformat()
        data["review_by"] = self.review_by.isoformat() if self.review_by else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(
            id=data["id"],
            topic=data["topic"],
            audience=tuple(data["audience"]),
            reviewed=date.fromisoformat(data["reviewed"]),
            sources=tuple(Source(**s) for s in data["sources"]),
            texts={
                lang: LocalText(
                    title=t.get("title"),
                    questions=tuple(t.get("questions") or ()),
                    answer=t.get("answer"),
                    details=t.get("details"),
                )
                for lang, t in data["texts"].items()
            },
            related=tuple(data.get("related") or ()),
            places=tuple(data.get("places") or ()),
            contact=dict(data.get("contact") or {}),
            review_by=date.fromisoformat(data["review_by"]) if data.get("review_by") else None,
            source_exception=data.get("source_exception"),
            verified=tuple((str(c), str(u)) for c, u in data.get("verified") or ()),
            path=data.get("path", ""),
        )

    def content_hash(self) -> str:
        """Stable hash of what the entry says (not where its file is)."""
        data = self.to_json()
        data.pop("path", None)
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
