"""What the `askvn kb …` commands do, separate from how the CLI prints it."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from bot.settings import Settings
from bot.staff import source_check
from bot.staff.source_check import SourceProblem
from knowledge.answering import reply_to
from knowledge.embedding.embedder import Embedder
from knowledge.errors import KnowledgeError, ValidationFailed
from knowledge.index.builder import BuildResult, build_and_publish
from knowledge.index.store import IndexStore
from knowledge.language_detect import detect_language
from knowledge.languages import LANGUAGES
from knowledge.loader import LoadResult, load_knowledge
from knowledge.model import Entry
from knowledge.near_duplicates import near_duplicate_problems
from knowledge.off_topic import scope_file_problems
from knowledge.service import KnowledgeService
from knowledge.source_policy import is_official_deep


def validate(settings: Settings) -> LoadResult:
    """Every entry, plus the scope files (off-topic examples, foreign places) that builds and answers use."""
    result = load_knowledge(settings.knowledge_dir, stale_after=timedelta(days=settings.stale_after_days))
    scope = settings.scope_files()
    scope_problems = scope_file_problems((scope.off_topic, scope.foreign))
    return LoadResult(result.entries, sorted([*result.problems, *scope_problems]))


def with_near_duplicates(settings: Settings, result: LoadResult) -> LoadResult:
    """Add the similar-question warnings (needs the model; reuses the published index's vectors)."""
    found = near_duplicate_problems(result.entries, Embedder(settings.embedding()),
                                    store=IndexStore(settings.index_dir), threshold=settings.near_duplicate_threshold)
    return LoadResult(result.entries, sorted([*result.problems, *found]))


def build(settings: Settings, *, force: bool = False) -> BuildResult:
    """Publish a new index; a knowledge base with errors never replaces the current one."""
    result = validate(settings)
    if result.errors:
        raise ValidationFailed(result.problems)
    return build_and_publish(result.entries, Embedder(settings.embedding()), IndexStore(settings.index_dir),
                             progress=True, force=force, scope=settings.scope_files())


def search(settings: Settings, text: str, lang: str | None, k: int) -> dict[str, Any]:
    service = KnowledgeService(settings.index_dir, settings.embedding())
    searcher = service.searcher()
    message = searcher.analyse(text, lang or detect_language(text))  # analysed and embedded once for both
    language = message.language
    reply = reply_to(message, searcher, settings.policy())
    hits = searcher.search(message, k=k)
    return {
        "language": language,
        "outcome": reply.outcome,
        "reply": reply.text,
        "build": searcher.build_id,
        "hits": [{"entry_id": h.entry.id, "score": round(h.score, 4), "title": h.entry.title_in(language),
                  "matched": h.matched.text, "matched_language": h.matched.language} for h in hits],
        **reply.outcome_message(),
    }


def rollback(settings: Settings) -> str:
    store = IndexStore(settings.index_dir)
    previous = store.previous_id()
    if previous is None:
        raise KnowledgeError("there is no previous build to roll back to")
    store.publish(previous, action="rollback")
    return previous


def stats(settings: Settings, *, today: date | None = None) -> dict[str, Any]:
    """Coverage figures staff and CI read (`askvn kb stats --json`)."""
    result = validate(settings)
    entries = result.entries
    today = today or date.today()
    by_topic: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        by_topic[entry.topic]["entries"] += 1
        for lang in entry.languages:
            by_topic[entry.topic][lang] += 1
    per_language = Counter(lang for e in entries for lang in e.languages)
    return {
        "entries": len(entries),
        "files_with_errors": len({p.path for p in result.errors}),
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "languages": {lang: per_language.get(lang, 0) for lang in LANGUAGES},
        "all_languages": sum(1 for e in entries if set(LANGUAGES) <= set(e.languages)),
        "topics": {topic: counts["entries"] for topic, counts in sorted(by_topic.items())},
        "topics_by_language": {topic: {lang: counts.get(lang, 0) for lang in LANGUAGES}
                               for topic, counts in sorted(by_topic.items())},
        "missing_sources": sorted(e.id for e in entries if not e.sources),
        "missing_review_date": [],  # the loader rejects an entry without one; kept for the contract
        "stale": sorted(e.id for e in entries if today - e.reviewed > timedelta(days=settings.stale_after_days)),
        "stale_after_days": settings.stale_after_days,
        "official_deep_source_share": _share(entries, by_topic),
        "review_due": sorted(e.id for e in entries if e.review_due(today)),
        "translation_omissions": dict(sorted(Counter(
            p.message.split("'")[1] for p in result.warnings if "answer lacks what the English says" in p.message
        ).items())),
    }


def _share(entries: list[Entry], by_topic: dict[str, Counter[str]]) -> dict[str, float]:
    """Per topic and overall: the share of entries with an official deep-link source (the source policy)."""
    deep = Counter(e.topic for e in entries if any(is_official_deep(s) for s in e.sources))
    shares = {topic: round(deep[topic] / counts["entries"], 3) for topic, counts in sorted(by_topic.items())}
    shares["all"] = round(sum(deep.values()) / len(entries), 3) if entries else 0.0
    return shares


def stats_table(data: dict[str, Any]) -> str:
    header = f"{'topic':<16}" + "".join(f"{lang:>5}" for lang in LANGUAGES) + f"{'total':>7}"
    lines = [header, "-" * len(header)]
    for topic, counts in data["topics_by_language"].items():
        lines.append(f"{topic:<16}" + "".join(f"{counts[lang]:>5}" for lang in LANGUAGES)
                     + f"{data['topics'][topic]:>7}")
    lines.append("-" * len(header))
    lines.append(f"{'all':<16}" + "".join(f"{data['languages'][lang]:>5}" for lang in LANGUAGES)
                 + f"{data['entries']:>7}")
    lines.append(f"\n{data['all_languages']} entries in all 10 languages; {len(data['stale'])} stale "
                 f"(reviewed over {data['stale_after_days']} days ago); {len(data['review_due'])} past their "
                 f"review-by date; {data['errors']} errors, {data['warnings']} warnings")
    shares = data["official_deep_source_share"]
    lines.append("official deep-link source: " + ", ".join(f"{t} {v:.0%}" for t, v in shares.items()))
    omissions = data["translation_omissions"]
    lines.append("translations lacking a number or address of the English: "
                 + (", ".join(f"{lang} {n}" for lang, n in omissions.items()) or "none"))
    return "\n".join(lines)


def check_sources(settings: Settings, *, timeout_s: float, concurrency: int) -> tuple[int, list[SourceProblem]]:
    """Fetch every source of the valid entries once; returns how many pages and what needs a look."""
    entries = validate(settings).entries  # files with errors are left out; `kb validate` names them
    run, problems = source_check.check_sources(entries, settings.source_check_log,
                                               build_id=IndexStore(settings.index_dir).current_id(),
                                               timeout_s=timeout_s, concurrency=concurrency)
    return len(run.pages), problems
