"""An entry the fixture knowledge base does not have, for tests that publish a new build."""

from __future__ import annotations

from pathlib import Path

ENTRY_ID = "bringing-pets"
QUESTION = "Can I bring my dog to Vietnam?"
ANSWER_MARKER = "veterinary health certificate"
TEXT = """\
id: bringing-pets
topic: entry-stay
audience: [tourist, resident]
reviewed: 2026-11-20
sources:
  - url: https://www.dah.gov.vn/
    name: Department of Animal Health (Vietnam)
en:
  title: Bringing a pet dog or cat
  questions:
    - Can I bring my dog to Vietnam?
    - can i travel to vietnam with my cat
    - pet import vietnam
  answer: |
    Yes: a dog or cat needs a microchip, a rabies vaccination and a veterinary health certificate from your
    country, and is checked by animal quarantine on arrival.
vi:
  title: Mang chó mèo vào Việt Nam
  questions:
    - Tôi có thể mang chó vào Việt Nam không?
  answer: |
    Được: chó mèo cần gắn chip, tiêm phòng dại và có giấy chứng nhận thú y, được kiểm dịch khi nhập cảnh.
"""


def add_to(knowledge_dir: Path) -> Path:
    path = knowledge_dir / "entry-stay" / f"{ENTRY_ID}.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return path
