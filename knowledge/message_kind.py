"""Is a message a question or small talk? A check on Rasa's NLU, which reads characters for zh/ja/ko/th
and sometimes takes "夜遅くに着いても安全ですか?" for "are you a bot?", while "hello" or "bonjour" must
get a greeting even when an entry (the phrasebook) matches them well.

Rules, per language: a question mark or a question word or particle makes a question; a brief message
without either is small talk; anything else is decided by whether an entry answers it confidently.
"""

from __future__ import annotations

import re

# Question words and particles people type, per language (lowercase; matched as words where the script
# has spaces, as substrings in zh/ja/th and for Korean endings).
_QUESTION_MARKERS: dict[str, tuple[str, ...]] = {
    "en": ("what", "how", "where", "when", "why", "who", "which", "can i", "do i", "is it", "are there",
           "should", "need", "is there", "does"),
    "vi": ("không", "gì", "sao", "nào", "đâu", "bao nhiêu", "bao lâu", "chưa", "có phải", "ko", "k?", "hok"),
    "zh": ("吗", "嗎", "什么", "甚麼", "怎么", "怎麼", "怎样", "如何", "哪", "多少", "多长", "多久", "几", "幾", "是否",
           "能不能", "可不可以", "是不是", "要不要", "有没有", "呢"),
    "ja": ("か", "何", "どこ", "いつ", "どう", "いくら", "どれ", "だれ", "誰", "大丈夫"),
    "ko": ("까", "나요", "가요", "어디", "언제", "얼마", "무엇", "뭐", "어떻게", "있어요", "되나요", "인가요", "는지",
           "몇", "어느", "어때", "왜", "무슨", "누가"),
    "fr": ("est-ce", "comment", "où", "quand", "pourquoi", "combien", "quel", "quelle", "faut-il", "peut-on"),
    "de": ("wie", "wo", "wann", "warum", "was", "welche", "welcher", "kann", "muss", "brauche", "gibt es"),
    "ru": ("как", "где", "когда", "почему", "что", "сколько", "можно", "нужно", "ли", "какой", "какая"),
    "es": ("qué", "que", "cómo", "dónde", "cuándo", "por qué", "cuánto", "cuánta", "necesito", "puedo", "hay"),
    "th": ("ไหม", "มั้ย", "หรือไม่", "อะไร", "ไหน", "เมื่อไร", "อย่างไร", "ยังไง", "เท่าไร", "หรือเปล่า", "กี่", "ทำไม",
           "ล่ะ"),
}
_SUBSTRING_LANGUAGES = ("zh", "ja", "th", "ko")
_SPACELESS = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u0e00-\u0e7f\uac00-\ud7af]")
BRIEF_WORDS = 3  # "thanks a lot", "xin chào bạn": small talk is short
BRIEF_SPACELESS_CHARS = 6  # "ありがとう", "谢谢你", "안녕하세요"; Thai letters carry vowel signs, so 12 there
_THAI = re.compile(r"[\u0e00-\u0e7f]")
# Words that make "are you ...?" a question about the assistant itself (NLU's bot_challenge).
_ABOUT_THE_BOT = re.compile(
    r"(?<!\w)(bot|robot|human|ai|machine|real person|người thật|máy|con người|humain|mensch|maschine|"
    r"бот|человек|робот|humano|máquina|บอท|คนจริง|หุ่นยนต์)(?!\w)|机器人|真人|人工智能|ロボット|人間|ボット|로봇|봇이|봇인|"
    r"사람이야|사람이에요|사람인가요|사람 맞",
    re.IGNORECASE)


def looks_like_question(text: str, language: str) -> bool:
    lowered = text.lower().strip()
    if "?" in lowered or "？" in lowered:
        return True
    for marker in _QUESTION_MARKERS.get(language, ()):
        if language in _SUBSTRING_LANGUAGES:
            if language == "ja" and marker == "か":
                if re.search(r"(?:です|ます|でしょう|ません|ない|の)か[。！!]?$", lowered):
                    return True
            elif marker in lowered:
                return True
        elif re.search(rf"(?<!\w){re.escape(marker)}(?!\w)", lowered):
            return True
    return False


def is_brief(text: str) -> bool:
    """A few words (or, in scripts without spaces, a few characters)."""
    if _SPACELESS.search(text):
        limit = 2 * BRIEF_SPACELESS_CHARS if _THAI.search(text) else BRIEF_SPACELESS_CHARS
        return len(re.sub(r"\s", "", text)) <= limit
    return len(text.split()) <= BRIEF_WORDS


def is_about_the_assistant(text: str) -> bool:
    """"Are you a bot?", "là người thật không?", "你是机器人吗": a question for small talk, not the knowledge base."""
    return bool(_ABOUT_THE_BOT.search(text))
