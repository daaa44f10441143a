"""`askvn`: the command line for staff and developers (Typer).

    askvn run [--watch]       start the whole assistant (supervised); --watch republishes on every save
    askvn cluster run|stop    the scale-out layout on this machine (Redis, PostgreSQL, replicas, nginx)
    askvn serve PROCESS       one process in the foreground (containers, replicas)
    askvn setup               convert the model, build the index, train Rasa (each skipped if current)
    askvn kb new|validate|build|search|stats|rollback
    askvn report              staff report (HTML + CSV) from the gap log
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from bot.logs import configure_logging
from bot.settings import get_settings
from knowledge.errors import AskVnError, ModelError, ValidationFailed

app = typer.Typer(help="Ask Vietnam: curated, official answers about Vietnam in ten languages.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
kb = typer.Typer(help="Validate, build and inspect the knowledge base.", no_args_is_help=True)
app.add_typer(kb, name="kb")
cluster = typer.Typer(help="The scale-out layout on this machine: Redis, PostgreSQL, replicas, nginx.",
                      no_args_is_help=True)
app.add_typer(cluster, name="cluster")

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _fail(exc: AskVnError) -> None:
    """The one place CLI errors become a message and an exit code (no stack traces for staff)."""
    if isinstance(exc, ValidationFailed):
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    configure_logging("DEBUG" if verbose else get_settings().log_level, get_settings().log_format)


@app.command()
def run(watch: Annotated[bool, typer.Option(help="Rebuild the index whenever a knowledge file is saved.")]
        = False) -> None:
    """Start the action server and Rasa (and the channels), supervise them, stop all on Ctrl-C."""
    from bot.processes.supervisor import run_all

    try:
        sys.exit(run_all(get_settings(), watch=watch))
    except AskVnError as exc:
        _fail(exc)


@cluster.command("run")
def cluster_run() -> None:
    """Start Redis, PostgreSQL, the Rasa and action-server replicas and nginx; stop all on Ctrl-C."""
    from bot.processes.cluster import run_cluster

    try:
        sys.exit(run_cluster(get_settings()))
    except AskVnError as exc:
        _fail(exc)


@cluster.command("stop")
def cluster_stop() -> None:
    """Stop a cluster started by `askvn cluster run` (from another terminal)."""
    from bot.processes.cluster import stop_cluster

    typer.echo(stop_cluster(get_settings()))


@app.command()
def serve(
    process: Annotated[str, typer.Argument(help="rasa | actions | web | telegram")],
    port: Annotated[int | None, typer.Option(help="Listen here instead of the setting's port.")] = None,
) -> None:
    """Run one process in the foreground, as `askvn run` would start it (one per container or replica)."""
    from bot.processes.supervisor import exec_one

    try:
        exec_one(get_settings(), process, port)
    except AskVnError as exc:
        _fail(exc)


@app.command("retention")
def retention_command() -> None:
    """Delete conversations idle longer than ASKVN_TRACKER_RETENTION_DAYS (run by `askvn run` every 6 h;
    schedule it yourself where processes run one per container)."""
    from bot.processes.retention import prune_conversations

    typer.echo(f"deleted {prune_conversations(get_settings())} conversations")


@app.command()
def setup(force: Annotated[bool, typer.Option(help="Redo every step.")] = False) -> None:
    """Prepare everything `run` needs; each step is skipped when its inputs have not changed."""
    from bot.processes.setup_steps import run_setup

    try:
        run_setup(get_settings(), force=force)
    except AskVnError as exc:
        _fail(exc)


@app.command()
def train(force: Annotated[bool, typer.Option(help="Train even if nothing changed.")] = False) -> None:
    """Train the Rasa model (skipped when config, domain and data are unchanged)."""
    from bot.processes.rasa_project import train as train_model

    try:
        trained = train_model(get_settings(), force=force)
    except AskVnError as exc:
        _fail(exc)
    typer.echo("trained" if trained else "Rasa model is up to date")


@app.command("eval")
def eval_command(
    as_json: JsonFlag = False,
    rest: Annotated[str | None, typer.Option(help="Also run through a running Rasa (its URL).")] = None,
    calibrate: Annotated[bool, typer.Option(help="Search thresholds on the dev split and report them.")] = False,
    devset: Annotated[Path | None, typer.Option(
        help="Labelled questions (default knowledge/evaluation/devset.yaml).")] = None,
) -> None:
    """Measure answer quality on the labelled dev set; exit 1 below the floors in knowledge/evaluation/floors.yaml."""
    from bot.staff.evaluation import evaluate, table
    from knowledge.evaluation import DEVSET_PATH

    try:
        report = evaluate(get_settings(), devset=devset or DEVSET_PATH, rest_url=rest, do_calibrate=calibrate)
    except AskVnError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for split in report["library"]:
            typer.echo(table(report, "library", split) + "\n")
        if "conversation" in report:
            typer.echo(table(report, "conversation", "all"))
        if "calibrated_on_dev" in report:
            typer.echo(json.dumps(report["calibrated_on_dev"], indent=2))
    for failure in report["failures"]:
        typer.secho(f"below floor: {failure}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1 if report["failures"] else 0)


@app.command()
def report(
    out: Annotated[Path | None, typer.Option("--out", help="Folder for report.html and gaps.csv "
                                                           "(default: <data dir>/report).")] = None,
    days: Annotated[int, typer.Option(help="How many days up to today.")] = 30,
) -> None:
    """Staff report: questions per day, answer rates, 👍/👎 per entry, unanswered questions grouped by meaning."""
    from bot.staff.report import run_report

    try:
        html, gaps_csv = run_report(get_settings(), out, days)
    except AskVnError as exc:
        _fail(exc)
    typer.echo(f"wrote {html} and {gaps_csv}")


@kb.command("validate")
def kb_validate(
    as_json: JsonFlag = False,
    similarity: Annotated[bool, typer.Option(help="Also warn about near-identical questions (loads the model).")]
    = True,
) -> None:
    """Check every knowledge file; all problems with file and line. Exit 1 on errors, 0 on warnings."""
    from bot.staff import kb_commands  # the knowledge library: only commands that need it load it

    result = kb_commands.validate(get_settings())
    if similarity:
        try:
            result = kb_commands.with_near_duplicates(get_settings(), result)
        except ModelError as exc:
            typer.secho(f"similar-question check skipped: {exc}", fg=typer.colors.YELLOW, err=True)
    if as_json:
        typer.echo(json.dumps({"entries": len(result.entries),
                               "problems": [p.as_dict() for p in result.problems]}, indent=2))
    else:
        for problem in result.problems:
            typer.echo(str(problem))
        typer.echo(f"{len(result.entries)} entries, {len(result.errors)} errors, "
                   f"{len(result.warnings)} warnings")
    raise typer.Exit(1 if result.errors else 0)


@kb.command("new")
def kb_new(
    topic: Annotated[str, typer.Option(prompt="Topic (folder: entry-stay, money, transport, health-safety, "
                                              "practicalities, climate, destinations, culture, country, "
                                              "investment, study-work, about)")],
    entry_id: Annotated[str, typer.Option("--id", prompt="Id (lowercase-words-with-hyphens)")],
) -> None:
    """Create a ready-to-fill entry file knowledge/entries/<topic>/<id>.yaml (never overwrites)."""
    from bot.staff.kb_new import create_entry

    try:
        path = create_entry(get_settings().knowledge_dir, topic.strip(), entry_id.strip())
    except AskVnError as exc:
        _fail(exc)
    typer.echo(f"created {path}\nreplace every TODO, then run: askvn kb validate")


@kb.command("build")
def kb_build(force: Annotated[bool, typer.Option(help="Rebuild even if nothing changed.")] = False) -> None:
    """Validate, embed what changed and publish a new index (running servers switch to it)."""
    from bot.staff import kb_commands  # the knowledge library: only commands that need it load it

    try:
        result = kb_commands.build(get_settings(), force=force)
    except AskVnError as exc:
        _fail(exc)
    if result.published:
        typer.echo(f"published {result.build_id}: {result.embedded} embedded, {result.reused} reused, "
                   f"{result.seconds:.1f}s")
    else:
        typer.echo(f"index {result.build_id} is up to date")


@kb.command("search")
def kb_search(
    text: str,
    lang: Annotated[str | None, typer.Option("--lang", help="Answer language (default: detected).")] = None,
    k: Annotated[int, typer.Option("-k", help="How many entries.")] = 5,
    as_json: JsonFlag = False,
) -> None:
    """Show what the assistant would answer and the closest entries with scores."""
    from bot.staff import kb_commands  # the knowledge library: only commands that need it load it

    try:
        data = kb_commands.search(get_settings(), text, lang, k)
    except AskVnError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"language: {data['language']}   outcome: {data['outcome']}")
    for hit in data["hits"]:
        typer.echo(f"  {hit['score']:.3f}  {hit['entry_id']:<40} {hit['title']}")
    typer.echo("\n" + data["reply"])


@kb.command("stats")
def kb_stats(as_json: JsonFlag = False) -> None:
    """Coverage: entries per topic and language, missing sources or review dates, stale entries."""
    from bot.staff import kb_commands  # the knowledge library: only commands that need it load it

    data = kb_commands.stats(get_settings())
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(kb_commands.stats_table(data))


@kb.command("check-sources")
def kb_check_sources(
    as_json: JsonFlag = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each page.")] = 20.0,
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="Pages fetched at a time.")] = 4,
) -> None:
    """Fetch every source page (needs internet) and list entries whose sources broke, moved or changed
    since the entry's review. Exit 1 when any did."""
    from bot.staff import kb_commands  # the knowledge library: only commands that need it load it

    try:
        pages, problems = kb_commands.check_sources(get_settings(), timeout_s=timeout, concurrency=concurrency)
    except AskVnError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps({"pages": pages, "problems": [asdict(p) for p in problems]}, ensure_ascii=False,
                              indent=2))
    else:
        for p in problems:
            typer.echo(f"{p.path}: {p.problem}: {p.url} ({p.detail})")
        typer.echo(f"{pages} source pages checked, {len(problems)} problems "
                   f"(recorded in {get_settings().source_check_log})")
    raise typer.Exit(1 if problems else 0)


@kb.command("rollback")
def kb_rollback() -> None:
    """Serve the previously published index again."""
    from bot.staff import kb_commands  # the knowledge library: only commands that need it load it

    try:
        build_id = kb_commands.rollback(get_settings())
    except AskVnError as exc:
        _fail(exc)
    typer.echo(f"now serving {build_id}")


if __name__ == "__main__":
    app()
