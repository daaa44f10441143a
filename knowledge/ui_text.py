"""Fixed things the assistant says (greetings, fallbacks, labels) in every language we serve.

The texts live in messages/messages.yaml so translators edit them like knowledge entries.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.languages import FALLBACK_LANGUAGE, NATIVE_NAMES

MESSAGES_PATH = Path(__file__).parent / "messages" / "messages.yaml"


@lru_cache(maxsize=1)
def _messages() -> dict[str, dict[str, str]]:
    with MESSAGES_PATH.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return {str(k): {str(lang): str(t) for lang, t in v.items()} for k, v in data.items()}


def say(key: str, language: str, **values: object) -> str:
    """The text for `key` in `language` (English if missing), with {placeholders} filled in."""
    texts = _messages()[key]
    text = texts.get(language) or texts[FALLBACK_LANGUAGE]
    values.setdefault("language_name", NATIVE_NAMES.get(language, language))
    return text.format(**values)


def texts_with_prefix(prefix: str) -> list[str]:
    """The keys that start with `prefix`, without it (the widget's `widget_*` labels)."""
    return [key.removeprefix(prefix) for key in _messages() if key.startswith(prefix)]
