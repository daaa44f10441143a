"""Load and validate the knowledge files, reporting every problem with file and line.

Staff edit YAML by hand, so this reads it with ruamel.yaml (which keeps line numbers), checks it
against the published JSON Schema (the same one editors use for autocompletion) and then checks what a
schema cannot: file/folder naming, duplicate ids, required languages, links between entries.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from knowledge.errors import ValidationFailed
from knowledge.languages import LANGUAGES, REQUIRED_LANGUAGES
from knowledge.model import Entry, LocalText, Source
from knowledge.problems import Problem
from knowledge.source_policy import check_sources
from knowledge.translation_check import missing_in_translation

SCHEMA_PATH = Path(__file__).parent / "schema" / "entry.schema.json"
MAX_ANSWER_CHARS = 900  # the editor guide asks for 1-5 short sentences
DEFAULT_STALE_AFTER = timedelta(days=365)
PLACEHOLDER = "TODO"  # what `askvn kb new` writes in every text staff must fill


@dataclass(frozen=True)
class LoadResult:
    entries: list[Entry]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class _DatesAsText(RoundTripConstructor):
    """Dates stay text, so the schema reports an impossible one (2026-13-01) with its line instead of
    the YAML library raising while it reads the file."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", _DatesAsText.construct_yaml_str)


def _read_yaml(text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.Constructor = _DatesAsText
    return yaml.load(text)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def entry_files(root: Path) -> list[Path]:
    """Every entry file under `root`, in a stable order."""
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


def load_knowledge(root: Path, *, today: date | None = None,
                   stale_after: timedelta = DEFAULT_STALE_AFTER) -> LoadResult:
    """Read every entry under `root`; never raises for content problems, it reports them."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    field_lines: dict[str, dict[str, int]] = {}
    for path in entry_files(root):
        rel = _display_path(path)
        entry, file_problems, lines = _load_file(path, rel, root)
        problems.extend(file_problems)
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(Problem(rel, 1, "error", f"duplicate id '{entry.id}' (also in {seen[entry.id]})"))
            continue
        seen[entry.id] = rel
        field_lines[entry.id] = lines
        entries.append(entry)
    problems.extend(_cross_entry_warnings(entries, field_lines, today or date.today(), stale_after))
    if not entries and not problems:
        problems.append(Problem(_display_path(root), 0, "error", "no entries found (*.yaml files)"))
    return LoadResult(entries, sorted(problems))


def load_valid_knowledge(root: Path) -> list[Entry]:
    """Entries, or ValidationFailed with every problem if any file has an error."""
    result = load_knowledge(root)
    if result.errors:
        raise ValidationFailed(result.problems)
    return result.entries


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _load_file(path: Path, rel: str, root: Path) -> tuple[Entry | None, list[Problem], dict[str, int]]:
    """The entry (None if it has errors), its problems, and the lines of `related` and `reviewed`."""
    try:
        raw_text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(rel, 1, "error", f"file is not UTF-8 text ({exc.reason})")], {}
    try:
        data = _read_yaml(raw_text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(rel, line, "error", f"YAML syntax: {exc.problem or exc.context}")], {}
    except YAMLError as exc:  # e.g. a control character; the reader gives a character position
        position = getattr(exc, "position", None)
        line = raw_text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
        return None, [Problem(rel, line, "error", f"YAML: {str(exc).splitlines()[0]}")], {}
    except RecursionError:
        return None, [Problem(rel, 1, "error", "YAML nesting is too deep to be an entry")], {}
    if not isinstance(data, CommentedMap):
        return None, [Problem(rel, 1, "error", "the file must be a mapping of fields (id, topic, …)")], {}

    plain = _to_plain(data)
    problems = [
        Problem(rel, _line_of(data, list(err.absolute_path)), "error", _schema_message(err))
        for err in _validator().iter_errors(plain)
    ]
    problems.extend(_file_rules(plain, data, path, rel, root))
    lines = {key: _line_of(data, [key]) for key in ("related", "reviewed")}
    if any(p.severity == "error" for p in problems):
        return None, problems, lines
    entry = _to_entry(plain, rel)
    problems.extend(_entry_rules(entry, data, rel))
    if any(p.severity == "error" for p in problems):
        return None, problems, lines
    return entry, problems, lines


def _entry_rules(entry: Entry, node: CommentedMap, rel: str) -> list[Problem]:
    """The source policy (knowledge/source_policy.py) and translation consistency
    (knowledge/translation_check.py), on an entry that passed the schema."""
    out = [Problem(rel, _line_of(node, ["sources", f.source_index] if f.source_index is not None else ["sources"]),
                   "error" if f.severity == "error" else "warning", f.message)
           for f in check_sources(entry)]
    english = entry.texts["en"].answer or ""
    for lang, text in entry.texts.items():
        if lang == "en" or not text.answer:
            continue
        missing = missing_in_translation(english, text.answer)
        if missing:
            out.append(Problem(rel, _line_of(node, [lang, "answer"]), "warning",
                               f"'{lang}' answer lacks what the English says: {', '.join(missing[:6])}"))
    return out


def _file_rules(plain: dict[str, Any], node: CommentedMap, path: Path, rel: str, root: Path) -> list[Problem]:
    """Rules the schema cannot express."""
    out: list[Problem] = []
    if isinstance(plain.get("id"), str) and plain["id"] != path.stem:
        out.append(Problem(rel, _line_of(node, ["id"]), "error",
                           f"id '{plain['id']}' must equal the file name '{path.stem}'"))
    folder = path.parent.name if path.parent != root else ""
    if isinstance(plain.get("topic"), str) and plain["topic"] != folder:
        out.append(Problem(rel, _line_of(node, ["topic"]), "error",
                           f"topic '{plain['topic']}' must equal the folder the file is in ('{folder or '(top)'}')"))
    for lang in REQUIRED_LANGUAGES:
        text = plain.get(lang)
        if not isinstance(text, dict):
            continue  # the schema already reports a missing required language
        line = _line_of(node, [lang])
        if not text.get("answer"):
            out.append(Problem(rel, line, "error", f"'{lang}' needs an answer"))
        if not text.get("questions"):
            out.append(Problem(rel, line, "error", f"'{lang}' needs at least one question"))
    if isinstance(plain.get("en"), dict) and not plain["en"].get("title"):
        out.append(Problem(rel, _line_of(node, ["en"]), "error", "'en' needs a title"))
    for lang in LANGUAGES:
        text = plain.get(lang)
        if not isinstance(text, dict):
            continue
        line = _line_of(node, [lang])
        if text.get("questions") and not text.get("answer"):
            out.append(Problem(rel, line, "warning", f"'{lang}' has questions but no answer"))
        if text.get("answer") and not text.get("questions"):
            out.append(Problem(rel, line, "warning", f"'{lang}' has an answer but no questions"))
        if isinstance(text.get("answer"), str) and len(text["answer"]) > MAX_ANSWER_CHARS:
            out.append(Problem(rel, _line_of(node, [lang, "answer"]), "warning",
                               f"'{lang}' answer is {len(text['answer'])} characters; keep it under "
                               f"{MAX_ANSWER_CHARS}: say it more briefly ('details' is not shown to visitors)"))
    out.extend(Problem(rel, _line_of(node, where), "error",
                       f"{'.'.join(map(str, where))}: still has the {PLACEHOLDER} placeholder from `askvn kb new`; "
                       "write the real text")
               for where in _placeholders(plain, []))
    return out


def _placeholders(value: Any, where: list[Any]) -> Iterable[list[Any]]:
    """Paths of every text still containing the scaffold's placeholder, so nothing half-written ships."""
    if isinstance(value, str) and PLACEHOLDER in value:
        yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _placeholders(item, [*where, key])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _placeholders(item, [*where, i])


def _cross_entry_warnings(entries: list[Entry], field_lines: dict[str, dict[str, int]], today: date,
                          stale_after: timedelta) -> Iterable[Problem]:
    ids = {e.id for e in entries}
    for entry in entries:
        for rel_id in entry.related:
            if rel_id not in ids:
                yield Problem(entry.path, field_lines.get(entry.id, {}).get("related", 1), "warning",
                              f"related entry '{rel_id}' does not exist")
        reviewed_line = field_lines.get(entry.id, {}).get("reviewed", 1)
        if entry.reviewed > today:
            yield Problem(entry.path, reviewed_line, "warning", f"review date {entry.reviewed} is in the future")
        elif today - entry.reviewed > stale_after:
            yield Problem(entry.path, reviewed_line, "warning",
                          f"last reviewed {entry.reviewed}, over {stale_after.days} days ago: please re-check")


def _to_entry(plain: dict[str, Any], rel: str) -> Entry:
    texts = {
        lang: LocalText(
            title=_nfc(plain[lang].get("title")),
            questions=tuple(_nfc(q) or "" for q in plain[lang].get("questions") or ()),
            answer=_nfc((plain[lang].get("answer") or "").strip()) or None,
            details=_nfc((plain[lang].get("details") or "").strip()) or None,
        )
        for lang in LANGUAGES
        if isinstance(plain.get(lang), dict)
    }
    return Entry(
        id=plain["id"],
        topic=plain["topic"],
        audience=tuple(plain["audience"]),
        reviewed=date.fromisoformat(plain["reviewed"]),
        sources=tuple(Source(url=s["url"], name=s["name"], kind=s.get("kind")) for s in plain["sources"]),
        texts=texts,
        related=tuple(plain.get("related") or ()),
        places=tuple(plain.get("places") or ()),
        contact={k: str(v) for k, v in (plain.get("contact") or {}).items()},
        review_by=date.fromisoformat(plain["review_by"]) if plain.get("review_by") else None,
        source_exception=plain.get("source_exception"),
        verified=tuple((v["claim"], v["source"]) for v in plain.get("verified") or ()),
        path=rel,
    )


def _nfc(text: str | None) -> str | None:
    return unicodedata.normalize("NFC", text) if isinstance(text, str) else text


def _to_plain(node: Any) -> Any:
    """ruamel nodes to plain JSON-like values; YAML dates become ISO strings as the schema expects."""
    if isinstance(node, dict):
        return {str(k): _to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_plain(v) for v in node]
    if isinstance(node, date):
        return node.isoformat()
    if isinstance(node, str):
        return str(node)
    return node


def _line_of(node: Any, path: list[Any]) -> int:
    """1-based line of the value at `path`, or of the deepest ancestor that has one."""
    line = 1
    for key in path:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def _schema_message(err: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
    if err.validator == "required":
        return f"{where}: {err.message.replace('is a required property', 'is missing')}"
    if err.validator == "additionalProperties":
        return f"{where}: unknown field ({err.message})"
    if err.validator == "enum":
        return f"{where}: {err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if err.validator == "type" and isinstance(err.instance, dict) and err.validator_value == "string":
        return (f"{where}: this line was read as 'key: value'; put the whole text in double quotes "
                "because it contains ': '")
    if err.validator == "pattern" and "url" in where:
        return f"{where}: {err.instance!r} is not a valid http(s) URL"
    return f"{where}: {err.message}"
