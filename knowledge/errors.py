"""The one exception tree of Ask Vietnam.

    AskVnError                    base: anything the application reports to a person
    ├── KnowledgeError            the knowledge files or index cannot be used
    │   ├── ValidationFailed      entries have errors (carries every problem, with file and line)
    │   ├── IndexNotFound         no published index yet (run `askvn kb build`)
    │   └── IndexCorrupt          a build on disk is incomplete or inconsistent
    ├── DevsetInvalid             the labelled dev set names unknown entries or values (`askvn eval`)
    ├── SourcesUnreachable        no source page answered at all: offline (`askvn kb check-sources`)
    ├── ModelError                the embedding model cannot be loaded or converted
    └── SetupError                a component of the running system could not start

Code raises these deep down and catches them only at the edges (CLI, action server, channels).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.problems import Problem


class AskVnError(Exception):
    """Base of every error Ask Vietnam reports on purpose."""


class KnowledgeError(AskVnError):
    """The knowledge base or its index cannot be used."""


class ValidationFailed(KnowledgeError):
    """Knowledge files have errors; `problems` lists all of them, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the knowledge files")


class IndexNotFound(KnowledgeError):
    """No index has been published yet."""


class IndexCorrupt(KnowledgeError):
    """A build on disk is missing files or does not match its manifest."""


class DevsetInvalid(AskVnError):
    """The labelled dev set names entries that do not exist or has unknown field values: scoring it
    would measure the labels, not the assistant. `problems` lists all of them."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n  ".join(problems[:20]) + (f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else "")
        super().__init__(f"{len(problems)} problem(s) in the dev set:\n  {shown}")


class SourcesUnreachable(AskVnError):
    """Not one source page answered (no network here?): a check that saw nothing is not recorded."""


class ModelError(AskVnError):
    """The embedding model cannot be loaded or converted."""


class SetupError(AskVnError):
    """A component (Rasa, action server, channel) could not be started."""
