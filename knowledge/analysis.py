"""One visitor message, analysed once against the build that answers it.

Retrieval, the scope checks and the answer policy all read the same `Message`: its tokens, the places in
Vietnam and abroad it names, whether the knowledge base knows any of its words, its embedding and its
nearness to the off-topic examples. Each is computed on first use and then kept, so a question is
tokenised, place-matched and embedded at most once however many rules look at it.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from knowledge.text_processing import tokenize

if TYPE_CHECKING:
    from knowledge.search import Searcher


class Message:
    def __init__(self, text: str, language: str, searcher: Searcher):
        self.text = text.strip()
        self.language = language
        self._searcher = searcher

    def __repr__(self) -> str:
        return f"Message({self.text!r}, {self.language!r})"

    @cached_property
    def tokens(self) -> tuple[str, ...]:
        """Search tokens (folded, stemmed or character n-grams; knowledge/text_processing.py)."""
        return tuple(tokenize(self.text, self.language))

    @cached_property
    def places(self) -> tuple[str, ...]:
        """Places in Vietnam it names (ids in this build's gazetteer, "vietnam" included), in order."""
        return tuple(self._searcher.gazetteer.find(self.text))

    @cached_property
    def foreign_places(self) -> tuple[str, ...]:
        """Places outside Vietnam it is about (not nationalities, languages or where someone comes from)."""
        return tuple(self._searcher.foreign_places.find(self.text, self.language))

    @property
    def names_vietnam(self) -> bool:
        return bool(self.places)

    @property
    def about_elsewhere(self) -> bool:
        """It names a country or city outside Vietnam and no place in Vietnam ("visa for Thailand?")."""
        return not self.names_vietnam and bool(self.foreign_places)

    @cached_property
    def gibberish(self) -> bool:
        """No word of it occurs anywhere in the knowledge base and it names no place ("asdf qwerty")."""
        return not self._searcher.lexical.knows_any(list(self.tokens)) and not self.names_vietnam

    @cached_property
    def vector(self) -> np.ndarray:
        """Its query embedding (unit length)."""
        return self._searcher.embedder.embed_queries([self.text])[0]

    @cached_property
    def off_topic_similarity(self) -> float | None:
        """Cosine to the nearest off-topic example of the build (None when it has none)."""
        return self._searcher.off_topic_similarity(self)
