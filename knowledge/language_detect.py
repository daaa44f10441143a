"""Which of our ten languages a message is in, combining a detector with the hints we have.

Short messages ("ok", "Hanoi?") carry little signal, so a confident detection is needed to override
the conversation's language or the channel's hint.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from knowledge.languages import FALLBACK_LANGUAGE, normalise_language

_LINGUA = {
    "en": Language.ENGLISH, "vi": Language.VIETNAMESE, "zh": Language.CHINESE, "ko": Language.KOREAN,
    "ja": Language.JAPANESE, "fr": Language.FRENCH, "de": Language.GERMAN, "ru": Language.RUSSIAN,
    "es": Language.SPANISH, "th": Language.THAI,
}
_CODES = {v: k for k, v in _LINGUA.items()}
CONFIDENT = 0.6  # lingua's relative confidence above which a detection beats a hint

# Vietnamese typed without diacritics ("visa viet nam bao lau") is common and detectors read it as
# English or French. Every Vietnamese syllable is onset + vowel cluster + coda from short closed lists,
# which most English words are not; a message whose words are nearly all such syllables, with at least
# one word typical of Vietnamese, is Vietnamese.
_VI_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(uyu|uye|uya|uoi|uou|ieu|yeu|oai|oay|oeo|uay|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ya|ye|"
    r"[aeiouy])(ch|ng|nh|[cmnpt])?$")
_VI_TYPICAL = frozenset(
    ["khong", "duoc", "nhieu", "nguoi", "gi", "bao", "lau", "cua", "nao", "thi", "toi", "minh", "phai", "voi",
     "nhu", "sao", "dau", "viet", "xin", "di", "den", "ve", "tien", "nuoc", "ngay", "thang", "nhat", "mot",
     "hai", "nhung", "cac", "cho", "lam", "muon", "biet", "ai", "dang", "roi", "chua", "kho", "de", "sang",
     "chieu", "xe", "goi", "thue", "giay"])
VI_SYLLABLE_SHARE = 0.8


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LINGUA.values()).build()


def _script_language(text: str) -> str | None:
    """Scripts that name their language outright."""
    for ch in text:
        code = ord(ch)
        if 0x0E00 <= code <= 0x0E7F:
            return "th"
        if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
            return "ko"
        if 0x3040 <= code <= 0x30FF:
            return "ja"
    return None


def detect_language(text: str, *, hint: str | None = None, previous: str | None = None) -> str:
    """The language to answer in: script, then a confident detection, then previous turn, then hint."""
    fallback = normalise_language(previous) or normalise_language(hint) or FALLBACK_LANGUAGE
    by_script = _script_language(text)
    if by_script:
        return by_script
    letters = sum(ch.isalpha() for ch in text)
    if letters < 2:
        return fallback
    if looks_like_unaccented_vietnamese(text):
        return "vi"
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return fallback
    top = values[0]
    code = _CODES[top.language]
    han_script = code in ("zh", "ja")  # Han characters leave no doubt between our ten languages
    long_enough = letters >= 12 and top.value >= CONFIDENT / 2  # longer text: a weaker lead suffices
    if han_script or long_enough:
        return code
    return code if top.value >= CONFIDENT else fallback


def looks_like_unaccented_vietnamese(text: str) -> bool:
    """Three or more ASCII words, nearly all valid Vietnamese syllables, one of them typical of Vietnamese."""
    if not text.isascii():
        return False
    words = re.findall(r"[a-z]+", text.lower())
    if len(words) < 3:
        return False
    syllables = sum(1 for w in words if _VI_SYLLABLE.match(w))
    return syllables / len(words) >= VI_SYLLABLE_SHARE and any(w in _VI_TYPICAL for w in words)
