"""`kb validate` never shows a traceback, whatever a knowledge file contains: every problem is a
file-and-line report (hypothesis generates the files)."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.loader import load_knowledge
from tests.library.test_loader import GOOD

FIELDS = ["id", "topic", "audience", "reviewed", "review_by", "sources", "verified", "source_exception",
          "related", "places", "contact", "en", "vi", "zh", "title", "questions", "answer", "url", "name", "kind"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
    st.sampled_from(["2026-13-01", "2026-02-30", "0000-00-00", "9999-99-99", "2026-11-01 25:00", "~",
                     "!!binary AA", "&a", "*a", "[", "{", "'", '"', ": x", "- ", "\t", "%YAML 9", "---", "...",
                     "!!python/object:os.system"]),
)
YAMLISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4),
    max_leaves=10,
)


def _render(value: object, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        return "\n".join(f"{pad}{k}:\n{_render(v, indent + 2)}" for k, v in value.items()) or f"{pad}{{}}"
    if isinstance(value, list):
        return "\n".join(f"{pad}-\n{_render(v, indent + 2)}" for v in value) or f"{pad}[]"
    return f"{pad}{value}"


def _validate(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "money" / "fuzzed.yaml"
        path.parent.mkdir()
        path.write_bytes(raw)
        result = load_knowledge(root)  # must not raise
        for problem in result.problems:
            assert problem.path.endswith("fuzzed.yaml") and problem.line >= 0 and problem.message


@given(st.binary(max_size=400))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_random_bytes(raw: bytes) -> None:
    _validate(raw)


@given(YAMLISH)
@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow])
def test_random_yaml_structures(value: object) -> None:
    _validate(_render(value).encode())


def _paths(value: object, where: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every key path into a parsed entry, so any field at any depth can be swapped."""
    found = [where]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*where, i))
    return found


GOOD_ENTRY = yaml.safe_load(GOOD.format(id="fuzzed"))
GOOD_ENTRY["zh"] = dict(GOOD_ENTRY["en"])
GOOD_ENTRY["sources"][0]["kind"] = "official"
PATHS = [p for p in _paths(GOOD_ENTRY) if p]


@given(st.sampled_from(PATHS), SCALARS | YAMLISH)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_one_field_of_a_good_entry_replaced(path: tuple[object, ...], value: object) -> None:
    """A good entry with the value at any depth swapped for anything: only reports, never a crash."""
    entry = copy.deepcopy(GOOD_ENTRY)
    target = entry
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    _validate(yaml.safe_dump(entry, allow_unicode=True).encode())


def test_impossible_date_is_reported_with_its_line() -> None:
    text = GOOD.format(id="fuzzed").replace("reviewed: 2026-11-01", "reviewed: 2026-13-01")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "money" / "fuzzed.yaml"
        path.parent.mkdir()
        path.write_text(text)
        problems = load_knowledge(Path(tmp)).errors
    assert [p.line for p in problems] == [4] and "reviewed" in problems[0].message


def test_huge_and_wrongly_encoded_files_are_reported() -> None:
    _validate(("answer: " + "x" * 2_000_000).encode())
    _validate(GOOD.format(id="fuzzed").encode("utf-16"))
    _validate(GOOD.format(id="fuzzed").encode("latin-1", "replace") + b"\xff\xfe")
    _validate(b"a: " + b"[" * 5000)  # nesting deeper than the parser's recursion limit
