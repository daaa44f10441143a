"""A Rasa tokenizer for all ten languages: words where scripts use spaces, single characters for
Chinese, Japanese and Thai (which do not), so the count-vector features see real units everywhere.

At most MAX_TOKENS tokens per message: NLU memory grows with the square of the token count, and the
channels' character limit (rasa_addons/input_guard.py) is the first line, this the second.

Runs inside the Rasa server's environment (Rasa 3.6); it has no dependencies beyond Rasa.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

# One token per CJK ideograph, kana or Thai character; otherwise runs of letters/digits.
_TOKEN = re.compile(
    r"[\u4e00-\u9fff\u3400-\u4dbf\u3040-\u30ff\u0e00-\u0e7f]|[^\W\u4e00-\u9fff\u3400-\u4dbf\u3040-\u30ff\u0e00-\u0e7f]+",
    re.UNICODE,
)
MAX_TOKENS = 256  # a 1,000-character Chinese question is ~1,000 tokens; the first 256 say what it is about


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MultilingualTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"intent_tokenization_flag": False, "intent_split_symbol": "_", "token_pattern": None,
                "prefix_separator_symbol": None}

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens = [Token(m.group(0).lower(), m.start()) for m in islice(_TOKEN.finditer(text), MAX_TOKENS)]
        if not tokens:
            tokens = [Token(text[:MAX_TOKENS], 0)] if text else []
        return self._apply_token_pattern(tokens)
