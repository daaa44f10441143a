"""Places outside Vietnam named in a message: countries and major cities (places/foreign.yaml).

A question that names another country or a foreign city and no place in Vietnam is about somewhere
else ("Do Americans need a visa for Thailand?"); without this, retrieval finds Vietnam's visa entry and
answers confidently. Names come from the Unicode CLDR via `babel` (countries in every language, cities
for a list of time zones) plus the file's `extra` names. Only the message's language and English are
matched, so a Vietnamese name like "Mỹ" can never hit the English word "my".
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from babel import Locale
from spacy.matcher import PhraseMatcher

from knowledge.languages import LANGUAGES
from knowledge.places import prepare_for_matching
from knowledge.scope_files import FOREIGN_PATH
from knowledge.text_processing import fold

MIN_LATIN_LETTERS = 4  # CLDR names shorter than this ("US", "UK") are ordinary words too often


def _is_latin(name: str) -> bool:
    return all(ch < "\u0250" or not ch.isalpha() for ch in name)


def _cldr_names(language: str, exclude: set[str], zones: list[str]) -> list[str]:
    """Country names (territory codes with two letters) and time-zone city names in `language`."""
    locale = Locale.parse(language)
    names = [name for code, name in locale.territories.items()
             if len(code) == 2 and code.isalpha() and code not in exclude]
    for zone in zones:
        city = locale.time_zones.get(zone, {}).get("city")
        names.append(city or zone.rsplit("/", 1)[-1].replace("_", " "))
    return names


def _usable(name: str, language: str) -> bool:
    """Leave out names that are ordinary words: short Latin ones, Vietnamese one-word ones."""
    folded = fold(name).strip()
    if language == "vi" and len(folded.split()) == 1 and _is_latin(folded):
        return False
    return not (_is_latin(folded) and len(folded.replace(" ", "")) < MIN_LATIN_LETTERS)


def _katakana(text: str) -> bool:
    return bool(text) and all("\u30a0" <= ch <= "\u30ff" for ch in text.replace(" ", ""))


def _inside_katakana_word(name: str, before: str, after: str) -> bool:
    """タイ (Thailand) inside ネクタイ or タイム: katakana words are written without spaces."""
    return _katakana(name) and (_katakana(before.rstrip()[-1:]) or _katakana(after.lstrip()[:1]))


class ForeignPlaces:
    """Finds names of places outside Vietnam, per message language."""

    def __init__(self, names: dict[str, set[str]], not_the_subject: dict[str, list[str]]):
        self.nlp = spacy.blank("xx")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for language, language_names in names.items():
            self.matcher.add(language, [self.nlp.make_doc(prepare_for_matching(n)) for n in sorted(language_names)])
        self.before = [fold(m).replace(" ", "") for m in not_the_subject.get("before", [])]
        self.after = [fold(m).replace(" ", "") for m in not_the_subject.get("after", [])]

    @classmethod
    def from_file(cls, path: Path = FOREIGN_PATH) -> ForeignPlaces:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        exclude = set(data.get("exclude") or ())
        zones = list(data.get("time_zone_cities") or ())
        names: dict[str, set[str]] = defaultdict(set)
        for language in LANGUAGES:
            names[language].update(n for n in _cldr_names(language, exclude, zones) if _usable(n, language))
        for item in data.get("extra") or ():
            for language, extra_names in (item.get("names") or {}).items():
                names[language].update(str(n) for n in extra_names)
        markers: dict[str, list[str]] = defaultdict(list)
        for group in ("nationality_markers", "origin_markers"):
            for side, words in (data.get(group) or {}).items():
                markers[side].extend(str(w) for w in words)
        return cls(dict(names), markers)

    def find(self, text: str, language: str) -> list[str]:
        """Foreign places the message is about (folded names, in order), leaving out nationalities and
        languages ("người Hàn Quốc", 한국어) and where the traveller comes from ("from Laos")."""
        doc = self.nlp.make_doc(prepare_for_matching(text))
        wanted = {self.nlp.vocab.strings[language], self.nlp.vocab.strings["en"]}
        found: list[str] = []
        for match_id, start, end in self.matcher(doc):
            if match_id not in wanted:
                continue
            span = doc[start:end]
            before, after = doc.text[:span.start_char], doc.text[span.end_char:]
            if _inside_katakana_word(span.text, before, after) or self._not_the_subject(before, after):
                continue
            found.append(span.text)
        return list(dict.fromkeys(found))

    def _not_the_subject(self, before: str, after: str) -> bool:
        """A marker next to the name: a person or language (한국인, คนไทย), or an origin ("aus Laos")."""
        before_joined = before.replace(" ", "")
        last_word = before.split()[-1] if before.split() else ""
        after_joined = after.replace(" ", "")
        first_word = after.split()[0] if after.split() else ""
        return (any(before_joined.endswith(m) or last_word.startswith(m) for m in self.before if m)
                or any(after_joined.startswith(m) and (not m.isascii() or first_word.startswith(m))
                       for m in self.after if m))


@lru_cache(maxsize=4)
def _foreign_places_of(path: Path, digest: str) -> ForeignPlaces:
    return ForeignPlaces.from_file(path)


def foreign_places_for(path: Path) -> ForeignPlaces:
    """The matcher of a build's foreign.yaml (CLDR names load in about a second), shared by builds whose
    file has the same content."""
    return _foreign_places_of(path, hashlib.sha256(path.read_bytes()).hexdigest())
