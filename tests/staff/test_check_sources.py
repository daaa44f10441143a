"""`askvn kb check-sources` against a local HTTP server that serves, moves, changes and removes pages
(every source of the fixture knowledge base is pointed at it), and what `askvn report` then lists."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from knowledge.loader import load_knowledge
from tests.stack import free_port
from tests.staff.conftest import Cli


class SourceSite:
    """Stands in for the official sites: every path is a page until a test removes, moves or edits it.
    Each response carries a fresh token in a script and an attribute, as real sites do."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.gone: set[str] = set()
        self.moved: dict[str, str] = {}
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                with site.lock:
                    site.in_flight += 1
                    site.most_in_flight = max(site.most_in_flight, site.in_flight)
                try:
                    time.sleep(0.05)  # a real site takes a while: parallel requests overlap
                    self.answer()
                finally:
                    with site.lock:
                        site.in_flight -= 1

            def answer(self) -> None:
                if self.path in site.moved:
                    self.send_response(301)
                    self.send_header("location", site.moved[self.path])
                    self.end_headers()
                    return
                if self.path in site.gone:
                    self.send_error(404)
                    return
                token = secrets.token_hex(8)
                text = site.texts.get(self.path, f"The rule stated on {self.path.rstrip('/')}.")
                body = (f'<html><head><script>var csrf="{token}";</script><style>p{{color:red}}</style></head>'
                        f'<body data-session="{token}"><p>{text}</p>\n</body></html>').encode()
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture()
def site() -> Iterator[SourceSite]:
    s = SourceSite()
    thread = threading.Thread(target=s.server.serve_forever, daemon=True)
    thread.start()
    yield s
    s.server.shutdown()


def point_sources_at(knowledge: Path, base: str) -> None:
    """Every http(s) URL in the entries now names the same host and path under `base`."""
    for path in knowledge.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"https?://", base + "/", text), encoding="utf-8")


def source_of(knowledge: Path, entry_id: str) -> str:
    entry = next(e for e in load_knowledge(knowledge).entries if e.id == entry_id)
    return entry.sources[0].url


def check(cli: Cli) -> tuple[int, dict[str, object]]:
    code, output = cli("kb", "check-sources", "--json", "--timeout", "10")
    return code, json.loads(output[output.index("{"):])


def test_broken_moved_and_changed_sources_are_listed_and_reach_the_report(cli: Cli, site: SourceSite) -> None:
    point_sources_at(cli.knowledge, site.url)
    removed, moved, edited, trailing = (source_of(cli.knowledge, e) for e in
                                        ("e-visa", "currency", "emergency-numbers", "pho"))
    code, first = check(cli)
    assert code == 0 and first["problems"] == [] and first["pages"] >= 4  # new tokens every time: no change
    assert site.most_in_flight == 2  # parallel, but never more than two requests at a time to one site

    site.gone.add(removed.removeprefix(site.url))
    site.moved[moved.removeprefix(site.url)] = "/somewhere/else"
    site.texts[edited.removeprefix(site.url)] = "The rule now says something else."
    site.moved[trailing.removeprefix(site.url).rstrip("/")] = trailing.removeprefix(site.url).rstrip("/") + "/"
    code, second = check(cli)
    assert code == 1
    found = {(p["url"], p["problem"]) for p in second["problems"]}  # type: ignore[union-attr]
    assert found == {(removed, "broken"), (moved, "moved"), (edited, "changed")}
    problem = next(p for p in second["problems"] if p["problem"] == "broken")  # type: ignore[union-attr]
    assert problem["entry_id"] == "e-visa" and problem["path"].endswith("e-visa.yaml")
    assert problem["detail"] == "HTTP 404"

    code, output = cli("report", "--out", str(cli.data / "out"))
    assert code == 0, output
    html = (cli.data / "out" / "report.html").read_text(encoding="utf-8")
    recheck = html[html.index("Entries to check again"):]
    assert "Sources last checked" in recheck
    for entry_id, problem in (("e-visa", "broken"), ("currency", "moved"), ("emergency-numbers", "changed")):
        assert entry_id in recheck and f"source {problem}" in recheck


def test_offline_records_nothing_and_says_so(cli: Cli) -> None:
    point_sources_at(cli.knowledge, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    code, output = cli("kb", "check-sources", "--timeout", "2")
    assert code == 1 and "none of" in output and "source pages answered" in output
    assert "Traceback" not in output
    assert not (cli.data / "source-checks.jsonl").exists()
    code, output = cli("report", "--out", str(cli.data / "out"))
    assert "No source check recorded yet" in (cli.data / "out" / "report.html").read_text(encoding="utf-8")
