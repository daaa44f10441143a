"""Follow-up questions ("What about Da Nang?", "and for Koreans?", "how much is it?") answered in the
context of the previous question, by reformulating the query with it.

The previous question carries the topic; the follow-up carries what changed (a place, a nationality,
an aspect). Searching "<previous question> <follow-up>" and boosting entries about the follow-up's
places answers it without a dialogue model, and works the same in all ten languages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from knowledge.places import Gazetteer

if TYPE_CHECKING:
    from knowledge.analysis import Message

# Openers that mark a follow-up, in the ten languages (matched on the lowercased message start).
_MARKERS = re.compile(
    r"^\s*(and|what about|how about|also|then|same for|còn|thế còn|vậy còn|con |the con|还有|那|那么|"
    r"그럼|그러면|그리고|じゃあ|では|それから|それで|et |et pour|et à|et en|und |was ist mit|wie ist es mit|"
    r"а |а как|а что|и |y |¿y|y en|y para|e |และ|แล้ว)",
    re.IGNORECASE,
)
SHORT_WORDS = 4
SHORT_CHARS = 12  # for scripts without spaces


def has_follow_up_marker(message: str) -> bool:
    return bool(_MARKERS.match(message.casefold()))


def is_short(message: str) -> bool:
    words = message.split()
    return len(words) <= SHORT_WORDS and (len(words) > 1 or len(message) <= SHORT_CHARS)


def contextual_query(message: str, previous: str | None) -> str | None:
    """The query to search for a follow-up, or None when the message stands on its own."""
    if not previous or not (has_follow_up_marker(message) or is_short(message)):
        return None
    return f"{previous} {message}"


def focus_places(message: Message, previous: str | None, gazetteer: Gazetteer) -> frozenset[str]:
    """Places the answer should be about: the follow-up's own, else the previous question's."""
    places = list(message.places)
    if not places and previous:
        places = gazetteer.find(previous)
    return frozenset(gazetteer.expand(places))
