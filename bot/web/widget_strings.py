"""Generate the web chat widget's vocabulary from the one place each part is defined.

    python -m bot.web.widget_strings web/src/strings.generated.json     (run by `make web`)

The widget's labels are the `widget_*` texts of knowledge/messages/messages.yaml (plus the server's
source, reviewed and feedback-thanks labels, so both say the same); the language list and names come
from knowledge/languages.py, the audiences from knowledge/model.py, the message size limit from the
answer policy and the button payload intents from knowledge/vocabulary.py. Staff edit the texts in one
file; the JavaScript never spells them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from knowledge.languages import LANGUAGES, NATIVE_NAMES
from knowledge.model import AUDIENCES
from knowledge.policy import Policy
from knowledge.ui_text import say, texts_with_prefix
from knowledge.vocabulary import ASK_ENTRY_INTENT, FEEDBACK_INTENT

PREFIX = "widget_"
SHARED = {"source": "source_label", "reviewed": "reviewed_label", "thanks": "feedback_thanks"}


def widget_strings() -> dict[str, Any]:
    labels = texts_with_prefix(PREFIX)
    return {
        "languages": [[code, NATIVE_NAMES[code]] for code in LANGUAGES],
        "audiences": list(AUDIENCES),
        "maxChars": Policy().max_chars,
        "intents": {"askEntry": ASK_ENTRY_INTENT, "feedback": FEEDBACK_INTENT},
        "texts": {code: {**{key: say(PREFIX + key, code) for key in labels},
                         **{key: say(message, code) for key, message in SHARED.items()}}
                  for code in LANGUAGES},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    target = Path(argv[0])
    target.write_text(json.dumps(widget_strings(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
