"""Names that the library, the actions, the channels and the web widget must spell the same way.

Languages live in knowledge/languages.py, audiences in knowledge/model.py and the reply outcomes in
knowledge/answering.py (`Outcome`); the widget gets all of them generated (bot/web/widget_strings.py),
and tests/test_vocabularies.py fails when a hand-written copy (domain.yml, the entry schema, settings)
disagrees.
"""

from __future__ import annotations

import json
from typing import Final

# Intents that buttons send as payloads ("/ask_entry{...}"): domain.yml declares them.
ASK_ENTRY_INTENT: Final[str] = "ask_entry"  # a suggestion button: {"entry_id": ...}
FEEDBACK_INTENT: Final[str] = "feedback"  # 👍/👎 on an answer: {"entry_id": ..., "value": "up" | "down"}


def button_payload(intent: str, **entities: str) -> str:
    """A Rasa payload that skips NLU: `/intent{"entity": "value"}`."""
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"
