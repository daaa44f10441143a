"""The source policy `askvn kb validate` enforces (see knowledge/README.md, "Sources").

- A source on the blocked list (knowledge/sources/blocked.yaml: datasets, visa agents, personal pages)
  is an error.
- Every source says what it is (`kind`: official, press or reference); a missing kind is a warning.
- Every entry needs an official source whose URL is the page that states the rule, not a bare homepage;
  without one, a warning asks for it, or repeats the entry's reasoned `source_exception`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from knowledge.model import Entry, Source

BLOCKED_PATH = Path(__file__).parent / "sources" / "blocked.yaml"
KINDS = ("official", "press", "reference")


@dataclass(frozen=True)
class SourceFinding:
    """One policy finding; `source_index` is None when it concerns the entry's sources as a whole."""

    severity: str
    message: str
    source_index: int | None = None


@lru_cache(maxsize=1)
def blocked_domains(path: Path = BLOCKED_PATH) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(domain).lower(): str(reason) for domain, reason in (data.get("blocked") or {}).items()}


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def blocked_reason(url: str, blocked: dict[str, str]) -> str | None:
    host = host_of(url)
    for domain, reason in blocked.items():
        if host == domain or host.endswith("." + domain):
            return reason
    return None


def is_deep_link(url: str) -> bool:
    """A page, not a site's front page: some path or query beyond "/" (and not just a language folder)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    return bool(parts.query) or (bool(path) and path.lower() not in ("en", "vi", "index.html", "home", "en-us"))


def is_official_deep(source: Source) -> bool:
    return source.kind == "official" and is_deep_link(source.url)


def check_sources(entry: Entry) -> list[SourceFinding]:
    findings: list[SourceFinding] = []
    blocked = blocked_domains()
    for i, source in enumerate(entry.sources):
        reason = blocked_reason(source.url, blocked)
        if reason:
            findings.append(SourceFinding("error", f"{host_of(source.url)} is never acceptable as a source "
                                                   f"({reason}); cite the official page instead", i))
        if source.kind is None:
            findings.append(SourceFinding("warning", f"source {source.url} has no kind "
                                                     f"({', '.join(KINDS)})", i))
    if not any(is_official_deep(s) for s in entry.sources):
        if entry.source_exception:
            findings.append(SourceFinding("warning", "no official deep-link source; exception: "
                                                     + entry.source_exception.strip().splitlines()[0][:160]))
        else:
            findings.append(SourceFinding("warning", "no official source that links to the page stating the rule "
                                                     "(kind: official, not a homepage); add one, or a "
                                                     "source_exception saying why there is none"))
    return findings
