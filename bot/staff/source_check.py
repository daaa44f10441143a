"""`askvn kb check-sources`: fetch every source page, remember what it said, and list the entries whose
sources broke, moved or changed since the entry was reviewed.

Each run appends one line to `<data dir>/source-checks.jsonl`: when, against which index build, and per
URL the HTTP status (or the network error), the final URL after redirects and a hash of the page's
visible text. The hash ignores markup, scripts and whitespace, so a new session token or a reformatted
page is not a change; a changed sentence is. A source "changed since review" when its hash differs from
the one recorded by the first run on or after the entry's `reviewed` day: the page as the reviewer saw
it, as closely as the runs allow (run it after each review day, e.g. nightly in a deployment's CI).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from knowledge.errors import SourcesUnreachable
from knowledge.model import Entry

PER_HOST = 2  # requests at a time to one site: a check must not load a government portal
MAX_PAGE_BYTES = 5_000_000  # read at most this much of a page (a PDF law text can be large)
USER_AGENT = "AskVietnam-source-check/1 (staff tool: one request per source page)"
Problem = Literal["broken", "moved", "changed"]


@dataclass(frozen=True)
class PageCheck:
    """What one source URL answered in one run."""

    url: str
    status: int | None  # None: no HTTP answer at all (see error)
    final_url: str
    text_hash: str | None
    error: str | None = None

    @property
    def broken(self) -> bool:
        return self.status is None or self.status >= 400

    @property
    def moved(self) -> bool:
        """Redirected elsewhere; http→https and a trailing slash are not a move."""
        return not self.broken and _comparable(self.final_url) != _comparable(self.url)


@dataclass(frozen=True)
class CheckRun:
    checked_at: datetime
    build_id: str | None
    pages: dict[str, PageCheck]


@dataclass(frozen=True)
class SourceProblem:
    """One source of one entry that staff should look at."""

    entry_id: str
    path: str
    url: str
    problem: Problem
    detail: str


def check_sources(entries: Sequence[Entry], log_path: Path, *, build_id: str | None, timeout_s: float = 20,
                  concurrency: int = 4, now: datetime | None = None) -> tuple[CheckRun, list[SourceProblem]]:
    """Fetch every source once, record the run, and return it with the problems it shows."""
    urls = sorted({source.url for entry in entries for source in entry.sources})
    pages = asyncio.run(fetch_pages(urls, timeout_s=timeout_s, concurrency=concurrency))
    if pages and all(page.status is None for page in pages.values()):
        raise SourcesUnreachable(f"none of {len(pages)} source pages answered (first error: "
                                 f"{next(iter(pages.values())).error}); nothing was recorded")
    run = CheckRun(now or datetime.now(UTC), build_id, pages)
    runs = [*read_runs(log_path), run]  # read before appending: the log is not parsed twice
    append_run(log_path, run)
    return run, source_problems(entries, runs)


async def fetch_pages(urls: Iterable[str], *, timeout_s: float, concurrency: int) -> dict[str, PageCheck]:
    """Each URL fetched once (redirects followed), `concurrency` at a time and at most PER_HOST at a time
    from one site (many sources are pages of the same government portal)."""
    limit = asyncio.Semaphore(concurrency)
    per_host: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(PER_HOST))
    async with httpx.AsyncClient(follow_redirects=True, timeout=timeout_s, headers={"user-agent": USER_AGENT},
                                 limits=httpx.Limits(max_connections=concurrency)) as client:
        async def one(url: str) -> PageCheck:
            async with per_host[urlsplit(url).netloc.lower()], limit:
                return await fetch_page(client, url)

        checks = await asyncio.gather(*(one(url) for url in urls))
    return {check.url: check for check in checks}


async def fetch_page(client: httpx.AsyncClient, url: str) -> PageCheck:
    try:
        async with client.stream("GET", url) as response:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= MAX_PAGE_BYTES:
                    break
            text_hash = None if response.status_code >= 400 else visible_text_hash(
                bytes(body), response.headers.get("content-type", ""))
            return PageCheck(url, response.status_code, str(response.url), text_hash)
    except httpx.HTTPError as exc:  # refused, timed out, TLS, too many redirects, bad URL: the page is broken
        return PageCheck(url, None, url, None, error=f"{type(exc).__name__}: {exc}"[:200])


def visible_text_hash(body: bytes, content_type: str) -> str:
    """SHA-256 of what a reader sees: HTML without tags, scripts and styles, whitespace collapsed;
    any other content (PDF, plain text) as bytes."""
    if "html" in content_type.lower() or body.lstrip()[:1] == b"<":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(body, "html.parser")
        for hidden in soup(["script", "style", "noscript", "template"]):
            hidden.decompose()
        body = " ".join(soup.get_text(" ").split()).encode("utf-8")
    return hashlib.sha256(body).hexdigest()


def source_problems(entries: Sequence[Entry], runs: Sequence[CheckRun]) -> list[SourceProblem]:
    """What the latest run shows for each entry's sources: broken, moved, or text changed since the
    entry's review day (compared with the first run on or after that day)."""
    if not runs:
        return []
    latest = runs[-1]
    found: list[SourceProblem] = []
    for entry in entries:
        for source in entry.sources:
            page = latest.pages.get(source.url)
            if page is None:
                continue
            if page.broken:
                detail = f"HTTP {page.status}" if page.status is not None else str(page.error)
                found.append(SourceProblem(entry.id, entry.path, source.url, "broken", detail))
            elif page.moved:
                found.append(SourceProblem(entry.id, entry.path, source.url, "moved", f"now {page.final_url}"))
            else:
                seen = _as_reviewed(source.url, entry.reviewed, runs)
                if seen is not None and seen.text_hash and page.text_hash != seen.text_hash:
                    found.append(SourceProblem(entry.id, entry.path, source.url, "changed",
                                               f"text changed since the review on {entry.reviewed.isoformat()}"))
    return found


def append_run(log_path: Path, run: CheckRun) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    record = {"checked_at": run.checked_at.isoformat(), "build_id": run.build_id,
              "pages": [asdict(page) for page in run.pages.values()]}
    with log_path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_runs(log_path: Path) -> list[CheckRun]:
    """Every recorded run, oldest first (none yet: an empty list)."""
    if not log_path.exists():
        return []
    runs = []
    for line in log_path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            pages = {p["url"]: PageCheck(**p) for p in record["pages"]}
            runs.append(CheckRun(datetime.fromisoformat(record["checked_at"]), record["build_id"], pages))
        except (ValueError, KeyError, TypeError):  # a blank line, or the end of a run that was killed mid-write
            continue
    return runs


def _as_reviewed(url: str, reviewed: date, runs: Sequence[CheckRun]) -> PageCheck | None:
    """The page as first recorded on or after the review day."""
    for run in runs:
        if run.checked_at.date() >= reviewed and url in run.pages and not run.pages[url].broken:
            return run.pages[url]
    return None


def _comparable(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.netloc.lower().removeprefix("www."), parts.path.rstrip("/") or "/", parts.query
