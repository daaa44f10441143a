"""Does each translation say what the English says? A check `askvn kb validate` runs on every entry.

An audit found translations that silently dropped sentences with fees, caveats and warnings. Most such
sentences carry a fact a machine can compare: a number, an amount, a date, a phone number, an e-mail or
a web address. Every one of those in the English answer must appear in each translation, in any local
format: "1,000" = "1.000" = "1 000", "15 million" = "1500万" = "15 triệu" = "1.500만", "45 days" = "45日".

Single-digit numbers are not compared: translations often spell them out ("two weeks", "hai tuần").
Dropped sentences without such a fact are not caught here (left to reviewers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_URL = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+(?:vn|com|org|net|int|gov|edu|info|travel)(?:/[^\s)\]>\"'，。、]*)?",
                  re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A number with optional thousands/decimal separators, then an optional scale word in any of our languages.
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9][.,])(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    # a scale word: spaced-script words end at a word boundary ("28 tỉnh" is not "28 tỉ"); CJK, Korean
    # and Thai scale characters are followed directly by the next word
    r"\s*(?:((?:million|millions|billion|billions|thousand|mio\.?|mrd\.?|millionen|milliarden?|milliards?|"
    r"millones|millón|mil millones|mil|млн|млрд|тыс|triệu|tỷ|tỉ|nghìn|ngàn)(?![^\W\d_]))"
    r"|([万萬亿億千만억천]+|พันล้าน|หมื่นล้าน|ล้าน|พัน|หมื่น|แสน))?",
    re.IGNORECASE,
)
_SCALES = {
    "million": 1e6, "millions": 1e6, "mio": 1e6, "mio.": 1e6, "millionen": 1e6, "millones": 1e6, "millón": 1e6,
    "млн": 1e6, "triệu": 1e6, "ล้าน": 1e6,
    "billion": 1e9, "billions": 1e9, "mrd": 1e9, "mrd.": 1e9, "milliarde": 1e9, "milliarden": 1e9,
    "milliard": 1e9, "milliards": 1e9, "mil millones": 1e9, "млрд": 1e9, "tỷ": 1e9, "tỉ": 1e9,
    "thousand": 1e3, "mil": 1e3, "тыс": 1e3, "nghìn": 1e3, "ngàn": 1e3, "千": 1e3, "천": 1e3, "พัน": 1e3,
    "พันล้าน": 1e9, "หมื่นล้าน": 1e10,
    "万": 1e4, "萬": 1e4, "만": 1e4, "หมื่น": 1e4, "แสน": 1e5, "亿": 1e8, "億": 1e8, "억": 1e8,
}


@dataclass(frozen=True)
class Number:
    spelled: str  # as written, for the message
    readings: frozenset[float]  # every value this spelling may denote


def _readings(digits: str) -> set[float]:
    """Every value a locally formatted number may denote ("1.500" is 1500 in German, 1.5 in English)."""
    plain = re.sub(r"[ \u00a0\u202f]", "", digits)
    values = {float(re.sub(r"[.,]", "", plain))}  # every separator a thousands separator
    for decimal, other in ((".", ","), (",", ".")):
        head, sep, tail = plain.rpartition(decimal)
        if sep and other not in tail:
            values.add(float(head.replace(other, "").replace(decimal, "") + "." + tail))
    return values


def _scale(word: str | None) -> float:
    """10**n for a scale word; CJK/Korean scale characters multiply ("천만" = 1,000 × 10,000)."""
    word = (word or "").lower().rstrip()
    if word in _SCALES:
        return _SCALES[word]
    value = 1.0
    for char in word:
        value *= _SCALES.get(char, 1.0)
    return value


def numbers_in(text: str) -> list[Number]:
    """The numbers of a text (not inside addresses), single-digit integers left out. A CJK/Korean amount
    in parts ("384억 2천만", "1亿5000万") also counts as its sum."""
    cleaned = _URL.sub(" ", _EMAIL.sub(" ", text))
    found: list[Number] = []
    previous: tuple[int, float, frozenset[float]] | None = None  # end, scale, readings of the last match
    for match in _NUMBER.finditer(cleaned):
        scale = _scale(match.group(2) or match.group(3))
        readings = frozenset(round(v * scale, 6) for v in _readings(match.group(1)))
        if previous and not cleaned[previous[0]:match.start()].strip() and previous[1] > scale > 1:
            readings |= {round(a + b, 6) for a in previous[2] for b in readings}
        previous = (match.end(), scale, readings)
        if not all(v < 10 and v == int(v) for v in readings):
            found.append(Number(match.group(0).strip(), readings))
    return found


def addresses_in(text: str) -> set[str]:
    """Web addresses and e-mails, lowercase, without scheme, "www." and trailing punctuation."""
    found = {m.group(0).lower() for m in _EMAIL.finditer(text)}
    for match in _URL.finditer(_EMAIL.sub(" ", text)):
        found.add(re.sub(r"^https?://(www\.)?", "", match.group(0).lower()).rstrip("/.,;:"))
    return found


def missing_in_translation(english: str, translation: str) -> list[str]:
    """The English answer's numbers and addresses that the translation lacks, as written in English."""
    values = {v for number in numbers_in(translation) for v in number.readings}
    missing = [n.spelled for n in numbers_in(english) if not n.readings & values]
    theirs = addresses_in(translation)
    missing += sorted(a for a in addresses_in(english)
                      if not any(t.startswith(a) or a.startswith(t) for t in theirs))
    return missing
