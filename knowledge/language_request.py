"""Requests to switch the answer language, typed in the chat: "answer in French", "tiếng Việt nhé",
"用中文回答", "日本語でお願いします", "на русском", "auf Deutsch bitte", "ตอบเป็นภาษาไทย".

Only whole requests count: an imperative at the start of a short message, or a language name on its
own. "Do guides speak English?" or "Is Vietnamese hard to learn?" are questions, not requests.
Language names come from the Unicode CLDR (babel) in each of the ten languages, plus each language's
own name (English, Tiếng Việt, 中文 ...), so "answer in Tiếng Việt" works too.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

from knowledge.languages import LANGUAGES, NATIVE_NAMES
from knowledge.text_processing import fold

MAX_WORDS = 8
MAX_CHARS = 60

# Per language of the request: patterns with {name} for a language name in that language.
_TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (r"^(?:please |pls |can you |could you )?(?:answer|reply|respond|speak|talk|write|switch|change)"
           r"(?: to me| back| me)?(?: in| to| into)? {name}\b",
           r"^(?:in )?{name}(?: please| pls)?$"),
    "vi": (r"^(?:hay |vui long |lam on |ban )?(?:tra loi|noi|viet|chuyen sang|dung)(?: cho toi| giup toi| voi toi)?"
           r"(?: bang)? {name}", r"^(?:bang )?{name}(?: di| nhe| duoc khong)?$"),
    "zh": (r"^(?:请)?(?:用|说|讲|切换到|换成|改用)\s*{name}", r"^{name}(?:回答|吧)?$"),
    "ja": (r"^{name}で(?:答え|話し|お願い|回答|返事|書い|説明)", r"^{name}$"),
    "ko": (r"^{name}\s*(?:로|으로)\s*(?:답|대답|말|얘기|해|바꿔|부탁|알려|설명)", r"^{name}(?:로|으로)?$"),
    "fr": (r"^(?:s'il (?:te|vous) plait,? )?(?:reponds|repondez|parle|parlez|ecris|ecrivez)(?:-moi| moi)?"
           r"(?: en)? {name}\b", r"^(?:en )?{name}(?: svp| s'il (?:te|vous) plait)?$"),
    "de": (r"^(?:bitte )?(?:antworte|antworten sie|sprich|sprechen sie|schreib|schreibe|schreiben sie)"
           r"(?: mir| bitte)*(?: auf| in)? {name}\b", r"^(?:auf |in )?{name}(?: bitte)?$"),
    "ru": (r"^(?:пожалуйста,? )?(?:ответь|отвечай|ответьте|отвечайте|говори|говорите|пиши|напиши|напишите)"
           r"(?: мне)?(?: на| по-)?\s*{name}", r"^(?:на |по-)?{name}(?: пожалуйста)?$"),
    "es": (r"^(?:por favor,? )?(?:responde|respondeme|contesta|contestame|habla|hablame|escribe|escribeme)"
           r"(?: en)? {name}\b", r"^(?:en )?{name}(?: por favor)?$"),
    "th": (r"^(?:ช่วย|กรุณา)?(?:ตอบ|พูด|เขียน|เปลี่ยนเป็น)(?:เป็น)?(?:ภาษา)?{name}", r"^(?:ภาษา)?{name}$"),
}


def _names(request_language: str) -> dict[str, str]:
    """Folded language name -> code: CLDR names in `request_language` and every language's own name."""
    locale = Locale.parse(request_language)
    names: dict[str, str] = {}
    for code in LANGUAGES:
        for name in (locale.languages.get(code), NATIVE_NAMES[code]):
            if name:
                folded = fold(name)
                if request_language == "ru" and folded.endswith(("ий", "ой", "ый")):
                    folded = folded[:-2]  # Russian names decline ("на русском", "по-русски"): match the stem
                names[folded] = code
    return names


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], dict[str, str]]]:
    compiled: list[tuple[re.Pattern[str], dict[str, str]]] = []
    for language, templates in _TEMPLATES.items():
        names = _names(language)
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        group = f"(?P<name>{alternation})" + ("[а-яё]*" if language == "ru" else "")  # declined endings
        compiled.extend((re.compile(t.replace("{name}", group)), names) for t in templates)
    return compiled


def requested_language(message: str) -> str | None:
    """The language a message asks the assistant to answer in, or None when it is not such a request."""
    text = " ".join(re.sub(r"[,，、]", " ", fold(message)).strip(" .!?。！？").split())
    if not text or len(text) > MAX_CHARS or len(text.split()) > MAX_WORDS:
        return None
    for pattern, names in _patterns():
        match = pattern.search(text)
        if match:
            return names[match.group("name")]
    return None
