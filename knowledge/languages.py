"""The ten languages Ask Vietnam serves, in one place."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final[tuple[str, ...]] = ("en", "vi", "zh", "ko", "ja", "fr", "de", "ru", "es", "th")
REQUIRED_LANGUAGES: Final[tuple[str, ...]] = ("en", "vi")
FALLBACK_LANGUAGE: Final[str] = "en"

NATIVE_NAMES: Final[dict[str, str]] = {
    "en": "English", "vi": "Tiếng Việt", "zh": "中文", "ko": "한국어", "ja": "日本語",
    "fr": "Français", "de": "Deutsch", "ru": "Русский", "es": "Español", "th": "ไทย",
}


def normalise_language(code: str | None) -> str | None:
    """Map a channel's language tag (`en-US`, `zh-Hans`, `pt`) to one we serve, or None."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None
