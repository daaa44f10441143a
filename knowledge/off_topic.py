"""Examples of questions that are not about Vietnam (scope/off_topic.yaml), embedded into every build.

Retrieval always finds *some* entry, and e5 cosines are compressed (an unrelated question still scores
~0.85), so a threshold alone cannot tell "Python for loop?" from a real question. Comparing with
examples of what we do not answer can: a message nearer to them than to any entry is out of scope.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.errors import KnowledgeError
from knowledge.languages import LANGUAGES
from knowledge.problems import Problem
from knowledge.scope_files import OFF_TOPIC_PATH


def off_topic_questions(path: Path = OFF_TOPIC_PATH) -> list[tuple[str, str]]:
    """(language, question) pairs; a malformed file is reported with its path, never half-read."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: {exc}") from exc
    questions = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(questions, dict):
        raise KnowledgeError(f"{path}: expected a mapping `questions:` of language -> list of questions")
    pairs: list[tuple[str, str]] = []
    for language, texts in questions.items():
        if language not in LANGUAGES or not isinstance(texts, list):
            raise KnowledgeError(f"{path}: `{language}` must be one of {', '.join(LANGUAGES)} with a list")
        pairs.extend((str(language), str(t).strip()) for t in texts if str(t).strip())
    return pairs


def scope_file_problems(paths: tuple[Path, ...] | None = None) -> list[Problem]:
    """Errors in the two scope files staff may edit (off-topic examples, foreign places), for `kb validate`."""
    from knowledge.foreign_places import FOREIGN_PATH, ForeignPlaces

    off_topic_path, foreign_path = paths or (OFF_TOPIC_PATH, FOREIGN_PATH)
    problems = []
    for path, load in ((off_topic_path, off_topic_questions), (foreign_path, ForeignPlaces.from_file)):
        try:
            load(path)
        except (KnowledgeError, OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as exc:
            mark = getattr(exc.__cause__ or exc, "problem_mark", None)
            problems.append(Problem(str(path), mark.line + 1 if mark else 1, "error", str(exc).splitlines()[0]))
    return problems
