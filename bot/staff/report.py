"""`askvn report`: what visitors asked and where the knowledge base fell short, for staff (HTML + CSV).

Reads the gap log read-only (`var/gaps.sqlite`): every question's outcome, the text of unanswered ones,
and 👍/👎 feedback. Unanswered questions are grouped by meaning with the embedding model, so the CSV lists
requests ("can I bring my dog") rather than thousands of individual phrasings. It also lists the entries
to check again: past their `review_by` date, or with a source that the last `askvn kb check-sources`
found broken, moved or changed since the entry's review.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2

from bot.settings import Settings
from bot.staff.report_svg import OUTCOME_COLOURS, hbar_chart, stacked_columns
from bot.staff.source_check import read_runs, source_problems
from knowledge.clustering import DEFAULT_SIMILARITY, cluster_vectors
from knowledge.embedding.embedder import Embedder
from knowledge.loader import load_knowledge
from knowledge.model import Entry

OUTCOMES = ("answer", "clarify", "no_answer", "out_of_scope")
MAX_GAP_TEXTS = 3000  # newest distinct unanswered phrasings embedded per report (bounds its run time)
TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass
class GapCluster:
    """One request visitors made that the knowledge base did not answer outright."""

    count: int
    representative: str
    examples: list[str]
    languages: Counter[str]
    outcomes: Counter[str]
    closest_entries: list[str]
    last_seen: str


@dataclass(frozen=True)
class Recheck:
    """An entry staff should check again, and why."""

    entry_id: str
    path: str
    reason: str


@dataclass
class ReportData:
    since: date
    until: date
    days: list[str]
    per_day: dict[str, list[int]]
    by_language: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    feedback: list[tuple[str, int, int]] = field(default_factory=list)
    clusters: list[GapCluster] = field(default_factory=list)
    recheck: list[Recheck] = field(default_factory=list)
    sources_checked: str | None = None  # when `askvn kb check-sources` last ran (None: never)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def rate(self, outcome: str) -> float:
        return 100.0 * self.outcomes.get(outcome, 0) / self.total if self.total else 0.0


def build_report(db_path: Path, embedder: Embedder, *, days: int = 30, today: date | None = None,
                 similarity: float = DEFAULT_SIMILARITY) -> ReportData:
    """Everything the report shows, for the `days` days up to and including `today`."""
    until = today or datetime.now(UTC).date()
    since = until - timedelta(days=days - 1)
    day_list = [(since + timedelta(days=i)).isoformat() for i in range(days)]
    questions, gaps, feedback = _read(db_path, since.isoformat())
    data = ReportData(since, until, day_list, {o: [0] * days for o in OUTCOMES})
    slot = {d: i for i, d in enumerate(day_list)}
    for row in questions:
        day, outcome = row["at"][:10], row["outcome"]
        if outcome not in OUTCOMES or day not in slot:
            continue
        data.per_day[outcome][slot[day]] += 1
        data.outcomes[outcome] += 1
        data.by_language[row["language"]] += 1
        data.by_channel[row["channel"]] += 1
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for row in feedback:
        votes[row["entry_id"]][row["value"]] += 1
    data.feedback = sorted(((e, c["up"], c["down"]) for e, c in votes.items()), key=lambda t: (-t[2], -t[1], t[0]))
    data.clusters = cluster_gaps(gaps, embedder, similarity=similarity)
    return data


def cluster_gaps(gaps: list[dict[str, Any]], embedder: Embedder, *,
                 similarity: float = DEFAULT_SIMILARITY) -> list[GapCluster]:
    """Unanswered questions grouped by meaning, most asked first; identical texts are embedded once."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(gaps, key=lambda r: r["at"], reverse=True):
        key = " ".join(row["question"].casefold().split())
        if key and (key in groups or len(groups) < MAX_GAP_TEXTS):
            groups[key].append(row)
    if not groups:
        return []
    rows_by_text = list(groups.values())
    vectors = embedder.embed_queries([rows[0]["question"] for rows in rows_by_text])
    out: list[GapCluster] = []
    for members in cluster_vectors(vectors, [len(r) for r in rows_by_text], similarity=similarity):
        rows = [row for i in members for row in rows_by_text[i]]
        closest = Counter(_top_candidate(r) for r in rows)
        closest.pop(None, None)
        out.append(GapCluster(
            count=len(rows),
            representative=rows_by_text[members[0]][0]["question"],
            examples=[rows_by_text[i][0]["question"] for i in members[:5]],
            languages=Counter(r["language"] for r in rows),
            outcomes=Counter(r["outcome"] for r in rows),
            closest_entries=[str(e) for e, _ in closest.most_common(3)],
            last_seen=max(r["at"] for r in rows)[:10],
        ))
    return out


def render_html(data: ReportData, *, generated: datetime | None = None) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    charts = {
        "per_day": stacked_columns(data.days, data.per_day, title="Questions per day, by outcome"),
        "outcomes": hbar_chart([(o, round(data.rate(o), 1)) for o in OUTCOMES], title="Outcome rates",
                               unit=" %", colours=OUTCOME_COLOURS),
        "languages": hbar_chart(data.by_language.most_common(), title="Questions by language"),
        "channels": hbar_chart(data.by_channel.most_common(), title="Questions by channel"),
        "feedback": hbar_chart([(e, d) for e, _, d in data.feedback if d][:15],
                               title="Not helpful (👎) per entry, most first",
                               colour=OUTCOME_COLOURS["no_answer"]),
    }
    return env.get_template("report.html.j2").render(
        data=data, charts={k: jinja2.filters.Markup(v) for k, v in charts.items()}, outcomes=OUTCOMES,
        generated=(generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"))


def write_csv(clusters: list[GapCluster], path: Path) -> None:
    """The gaps to work on, one row per request, most asked first (opens in any spreadsheet)."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel then reads UTF-8 correctly
        writer = csv.writer(fh)
        writer.writerow(["rank", "times_asked", "representative_question", "example_questions", "languages",
                         "outcomes", "closest_entries", "last_seen"])
        for rank, c in enumerate(clusters, 1):
            writer.writerow([rank, c.count, c.representative, " | ".join(c.examples),
                             " ".join(f"{k}:{v}" for k, v in c.languages.most_common()),
                             " ".join(f"{k}:{v}" for k, v in c.outcomes.most_common()),
                             " ".join(c.closest_entries), c.last_seen])


def knowledge_to_recheck(entries: list[Entry], source_log: Path, today: date) -> tuple[list[Recheck], str | None]:
    """Entries past their review-by date, then those whose sources the last check found broken, moved or
    changed; and when that check ran."""
    due = [Recheck(e.id, e.path, f"review due since {e.review_by}")
           for e in sorted(entries, key=lambda e: (e.review_by or today, e.id)) if e.review_due(today)]
    runs = read_runs(source_log)
    sources = [Recheck(p.entry_id, p.path, f"source {p.problem}: {p.url} ({p.detail})")
               for p in source_problems(entries, runs)]
    return due + sources, (runs[-1].checked_at.strftime("%Y-%m-%d %H:%M UTC") if runs else None)


def write_report(db_path: Path, out_dir: Path, embedder: Embedder, *, days: int = 30, today: date | None = None,
                 entries: list[Entry] | None = None, source_log: Path | None = None) -> tuple[Path, Path]:
    """Write report.html and gaps.csv into `out_dir`; returns both paths."""
    data = build_report(db_path, embedder, days=days, today=today)
    if entries is not None and source_log is not None:
        data.recheck, data.sources_checked = knowledge_to_recheck(entries, source_log, data.until)
    out_dir.mkdir(parents=True, exist_ok=True)
    html, gaps_csv = out_dir / "report.html", out_dir / "gaps.csv"
    html.write_text(render_html(data), encoding="utf-8")
    write_csv(data.clusters, gaps_csv)
    return html, gaps_csv


def run_report(settings: Settings, out_dir: Path | None, days: int) -> tuple[Path, Path]:
    """`askvn report` with the configured gap log, knowledge base and model; default folder <data dir>/report."""
    return write_report(settings.gap_db, out_dir or settings.data_dir / "report", Embedder(settings.embedding()),
                        days=days, entries=load_knowledge(settings.knowledge_dir).entries,
                        source_log=settings.source_check_log)


def _read(db_path: Path, since: str) -> tuple[list[dict[str, Any]], ...]:
    """Rows since a day, read-only; a log that does not exist yet is simply empty."""
    if not db_path.exists():
        return [], [], []
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    db.row_factory = sqlite3.Row
    try:
        return tuple(_rows(db, table, since) for table in ("questions", "gaps", "feedback"))
    finally:
        db.close()


def _rows(db: sqlite3.Connection, table: str, since: str) -> list[dict[str, Any]]:
    try:
        return [dict(r) for r in db.execute(f"SELECT * FROM {table} WHERE at >= ? ORDER BY id", (since,))]
    except sqlite3.OperationalError:  # a log written before this table existed
        return []


def _top_candidate(row: dict[str, Any]) -> str | None:
    try:
        candidates = json.loads(row.get("candidates") or "[]")
    except ValueError:
        return None
    return str(candidates[0][0]) if candidates and candidates[0] else None
