"""Places in messages, recognised by a spaCy EntityRuler over the gazetteer (places/places.yaml).

Matching runs on folded text (lowercase, no diacritics), so "da nang", "Đà Nẵng" and "DANANG" all match.
CJK, Thai and Hangul characters are spaced apart first, so "다낭에" (Da Nang + particle) or "岘港呢"
still contain the name as a token sequence. Former province names map to the unit they joined.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
import yaml
from spacy.language import Language

from knowledge.scope_files import PLACES_PATH
from knowledge.text_processing import fold

_SPACED_SCRIPTS = re.compile(r"([\u4e00-\u9fff\u3400-\u4dbf\u3040-\u30ff\u0e00-\u0e7f\uac00-\ud7af])")


@dataclass(frozen=True)
class Place:
    id: str
    kind: str
    part_of: str | None
    former: bool
    name_en: str


def prepare_for_matching(text: str) -> str:
    """Folded text with CJK, Thai and Hangul characters spaced apart, the form names are matched in."""
    return " ".join(_SPACED_SCRIPTS.sub(r" \1 ", fold(text)).split())


class Gazetteer:
    def __init__(self, places: dict[str, Place], names: dict[str, list[str]]):
        self.places = places
        self.nlp: Language = spacy.blank("xx")
        ruler = self.nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
        patterns = [{"label": "PLACE", "pattern": prepare_for_matching(name), "id": place_id}
                    for place_id, place_names in names.items() for name in place_names if len(fold(name)) >= 2]
        ruler.add_patterns(patterns)  # type: ignore[attr-defined]

    @classmethod
    def from_file(cls, path: Path = PLACES_PATH) -> Gazetteer:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        places: dict[str, Place] = {}
        names: dict[str, list[str]] = {}
        for item in data["places"]:
            all_names = [str(n) for lang_names in (item.get("names") or {}).values() for n in lang_names or ()]
            en = (item.get("names") or {}).get("en") or [item["id"]]
            places[item["id"]] = Place(item["id"], item.get("kind", ""), item.get("part_of"),
                                       bool(item.get("former")), str(en[0]))
            names[item["id"]] = all_names
        return cls(places, names)

    def find(self, text: str) -> list[str]:
        """Place ids mentioned in `text`, in order of appearance, without repeats."""
        doc = self.nlp(prepare_for_matching(text))
        return list(dict.fromkeys(ent.ent_id_ for ent in doc.ents))

    def expand(self, place_ids: list[str]) -> set[str]:
        """The places and the units they are part of (Hoi An counts for Da Nang too)."""
        found = set(place_ids)
        for place_id in place_ids:
            place = self.places.get(place_id)
            if place is not None and place.part_of:
                found.add(place.part_of)
        return found - {"vietnam"}


@lru_cache(maxsize=4)
def _gazetteer_of(path: Path, digest: str) -> Gazetteer:
    return Gazetteer.from_file(path)


def gazetteer_for(path: Path) -> Gazetteer:
    """The gazetteer of a build's places file, shared by builds whose file has the same content."""
    return _gazetteer_of(path, hashlib.sha256(path.read_bytes()).hexdigest())

