"""The web chat as a visitor uses it: real Chromium, real page server, real Rasa and action server."""

from __future__ import annotations

import http.server
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from knowledge.ui_text import say
from tests.stack import Stack
from tests.web.socketio_polling import PollingClient

pytestmark = pytest.mark.integration
ANSWER_TIMEOUT_MS = 60_000


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh visitor: empty localStorage, English browser."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    yield ctx
    ctx.close()


def open_chat(context: BrowserContext, stack: Stack) -> Page:
    page = context.new_page()
    page.goto(stack.web_url + "/")
    expect(page.locator("#askvn-input")).to_be_visible()
    return page


def ask(page: Page, text: str) -> None:
    page.locator("#askvn-input").fill(text)
    page.locator("#askvn-input").press("Enter")


def bot_answers(page: Page) -> Locator:
    """Bot messages that are answers (they carry the structured source footer)."""
    return page.locator("li.msg.bot:has(.meta)")


def test_page_server_headers_limits_and_bundle(stack: Stack) -> None:
    page = httpx.get(stack.web_url + "/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and f"connect-src 'self' {stack.rasa_url}" in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    assert f'data-server="{stack.rasa_url}"' in page.text
    bundle = httpx.get(stack.web_url + "/askvn-chat.js")
    assert bundle.status_code == 200 and "javascript" in bundle.headers["content-type"]
    assert bundle.headers["cross-origin-resource-policy"] == "cross-origin"
    assert httpx.get(stack.web_url + "/health").json() == {"status": "ok", "widget": True}
    assert httpx.post(stack.web_url + "/", content=b"x" * 100).status_code == 405
    assert httpx.request("GET", stack.web_url + "/", content=b"x" * 100_000).status_code == 413
    evil = httpx.get(stack.web_url + "/", headers={"host": 'evil"><script>x</script>'})
    assert "<script>x" not in evil.text and "evil" not in evil.headers["content-security-policy"]


def test_answers_in_two_languages_with_source_link(context: BrowserContext, stack: Stack, artifacts: Path) -> None:
    page = open_chat(context, stack)
    start = time.monotonic()
    ask(page, "Do I need a visa to visit Vietnam?")
    answer = bot_answers(page).first
    expect(answer.locator(".source a")).to_have_attribute("href", "https://evisa.gov.vn/", timeout=ANSWER_TIMEOUT_MS)
    first_answer_s = time.monotonic() - start
    expect(answer.locator(".source a")).to_have_attribute("rel", "noopener noreferrer")
    expect(answer.locator(".source a")).to_have_attribute("target", "_blank")
    expect(answer.locator(".reviewed")).to_contain_text("Reviewed: 20")
    # The trailing "Source: … — url" line is shown once, from the structured outcome, not also in the text.
    body = " ".join(answer.locator(".bubble > p").all_inner_texts())
    assert "90 days" in body and "evisa.gov.vn" not in body
    expect(answer.locator("button.vote")).to_have_count(2)
    page.screenshot(path=str(artifacts / "web-chat-answer-en.png"))

    page.locator("#askvn-lang").select_option("ko")
    expect(page.locator("#askvn-input")).to_have_attribute("placeholder", "베트남에 대해 질문하세요…")
    ask(page, "베트남에 가려면 비자가 필요한가요?")
    korean = bot_answers(page).nth(1)
    expect(korean).to_contain_text("전자비자", timeout=ANSWER_TIMEOUT_MS)
    expect(korean).to_have_attribute("lang", "ko")
    expect(korean.locator(".source a")).to_have_attribute("href", "https://evisa.gov.vn/")
    expect(korean.locator(".source")).to_contain_text("출처")
    page.screenshot(path=str(artifacts / "web-chat-answer-ko.png"))
    (artifacts / "web-chat-timings.json").write_text(json.dumps({"first_answer_s": round(first_answer_s, 2)}))


def test_suggestion_button_gets_an_answer_and_history_survives_reload(
        context: BrowserContext, stack: Stack, artifacts: Path) -> None:
    page = open_chat(context, stack)
    ask(page, "asdf qwerty")
    chips = page.locator("li.msg.bot .quick button.chip")
    expect(chips).to_have_count(3, timeout=ANSWER_TIMEOUT_MS)
    expect(bot_answers(page)).to_have_count(0)  # the honest fallback: no source, no 👍/👎
    title = chips.first.inner_text()
    chips.first.click()
    expect(page.locator("li.msg.user .bubble").last).to_have_text(title)  # the title is shown, the payload is hidden
    expect(bot_answers(page)).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#askvn-input")).to_be_focused()
    page.screenshot(path=str(artifacts / "web-chat-suggestion.png"))
    before = page.locator("li.msg").all_inner_texts()

    page.reload()
    expect(bot_answers(page)).to_have_count(1)
    assert page.locator("li.msg").all_inner_texts() == before
    # Navigating to another page of the site keeps the conversation too (same origin, same storage).
    page.goto(stack.web_url + "/?page=2")
    expect(page.locator("li.msg.user")).to_have_count(2)
    # The same Rasa session continues: the tracker knows the language and the conversation.
    ask(page, "What currency is used in Vietnam?")
    expect(bot_answers(page)).to_have_count(2, timeout=ANSWER_TIMEOUT_MS)


def test_untrusted_text_is_shown_literally(context: BrowserContext, stack: Stack, artifacts: Path) -> None:
    page = open_chat(context, stack)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    attacks = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1)) **bold**"]
    for attack in attacks:
        ask(page, attack)
    expect(page.locator("li.msg.bot")).to_have_count(1 + len(attacks), timeout=ANSWER_TIMEOUT_MS)
    assert page.locator("li.msg.user .bubble").all_inner_texts() == attacks
    log = page.locator(".log")
    expect(log.locator("img, script, iframe")).to_have_count(0)
    expect(log.locator("a[href^='javascript']")).to_have_count(0)
    page.wait_for_timeout(500)
    assert dialogs == []
    page.screenshot(path=str(artifacts / "web-chat-escaping.png"))


def test_phone_sized_screen(browser: Browser, stack: Stack, artifacts: Path) -> None:
    ctx = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True,
                              device_scale_factor=2, locale="fr-FR")
    try:
        page = open_chat(ctx, stack)
        panel = page.locator(".panel")
        box = panel.bounding_box()
        assert box is not None and box["width"] == 360 and box["height"] == 640
        expect(page.locator("#askvn-lang")).to_have_value("fr")  # from the browser's language
        expect(page.locator("#askvn-input")).to_be_in_viewport()
        page.locator("#askvn-input").tap()
        ask(page, "Ai-je besoin d'un visa pour le Vietnam ?")
        answer = bot_answers(page).first
        expect(answer.locator(".source a")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        expect(answer.locator(".reviewed")).to_contain_text("Vérifié le")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, "no horizontal scrolling on a phone"
        page.screenshot(path=str(artifacts / "web-chat-phone.png"))
        page.locator(".close").tap()
        expect(page.locator(".launcher")).to_be_visible()
    finally:
        ctx.close()


def test_thumbs_up_records_feedback(context: BrowserContext, stack: Stack) -> None:
    page = open_chat(context, stack)
    ask(page, "What are the emergency phone numbers in Vietnam?")
    answer = bot_answers(page).first
    expect(answer.locator("button.vote.up")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    answer.locator("button.vote.up").click()
    expect(answer.locator("button.vote.up")).to_have_attribute("aria-pressed", "true")
    expect(answer.locator("button.vote.down")).to_be_disabled()
    rows: list[tuple[str, str, str]] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not rows:
        with sqlite3.connect(stack.data_dir / "gaps.sqlite") as db:
            rows = db.execute("SELECT entry_id, value, channel FROM feedback WHERE channel = 'web'").fetchall()
        time.sleep(0.5)
    assert ("emergency-numbers", "up", "web") in rows
    # The feedback command itself is never shown as a visitor message.
    assert not any(text.startswith("/feedback") for text in page.locator("li.msg.user").all_inner_texts())


def test_keyboard_and_screen_reader_basics(context: BrowserContext, stack: Stack) -> None:
    page = open_chat(context, stack)
    expect(page.locator(".log")).to_have_attribute("role", "log")
    expect(page.locator(".log")).to_have_attribute("aria-live", "polite")
    page.locator("#askvn-input").focus()
    page.keyboard.press("Escape")
    expect(page.locator(".panel")).to_be_hidden()
    expect(page.locator(".launcher")).to_be_focused()
    expect(page.locator(".launcher")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page.locator(".panel")).to_be_visible()
    expect(page.locator("#askvn-input")).to_be_focused()
    for control in ("#askvn-lang", "button.send", "button.close", "button.clear", "#askvn-input"):
        assert page.locator(control).get_attribute("aria-label") or page.locator(f"label[for='{control[1:]}']").count()


def test_messages_typed_offline_are_sent_on_reconnect(context: BrowserContext, stack: Stack) -> None:
    page = open_chat(context, stack)
    expect(page.locator(".status")).to_be_hidden()
    context.set_offline(True)
    expect(page.locator(".status")).to_contain_text("Reconnecting", timeout=60_000)
    ask(page, "What is the capital of Vietnam?")
    expect(page.locator(".typing")).to_be_visible()
    context.set_offline(False)
    expect(bot_answers(page)).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator(".status")).to_be_hidden()


def test_typed_language_request_moves_the_picker(context: BrowserContext, stack: Stack) -> None:
    page = open_chat(context, stack)
    ask(page, "answer in German please")
    expect(page.locator("li.msg.bot .bubble").last).to_have_text(say("language_changed", "de"),
                                                                 timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#askvn-lang")).to_have_value("de")
    expect(page.locator("#askvn-input")).to_have_attribute("placeholder", re.compile("Frage"))


def test_the_messages_own_language_wins_over_the_browser_default(context: BrowserContext, stack: Stack) -> None:
    """English browser, nothing picked: a Korean question is answered in Korean. Picking French is a real
    choice: the next Korean question is answered in French."""
    page = open_chat(context, stack)
    expect(page.locator("#askvn-lang")).to_have_value("en")
    ask(page, "베트남에 가려면 비자가 필요한가요?")
    korean = bot_answers(page).first
    expect(korean).to_contain_text("전자비자", timeout=ANSWER_TIMEOUT_MS)
    expect(korean).to_have_attribute("lang", "ko")
    page.locator("#askvn-lang").select_option("fr")
    ask(page, "베트남에 가려면 비자가 필요한가요?")
    expect(bot_answers(page).nth(1)).to_have_attribute("lang", "fr", timeout=ANSWER_TIMEOUT_MS)


@contextmanager
def partner_site(stack: Stack, page_html: str) -> Iterator[str]:
    """Another website (its own origin) that embeds the widget: a stdlib HTTP server serving one page."""
    body = page_html.encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", stack.ports["partner"]), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stack.partner_url + "/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_partner_sites_audience_setting_reaches_the_conversation(context: BrowserContext, stack: Stack) -> None:
    """An investment agency's site embeds the widget with data-audience="investor"."""
    html = (f'<!doctype html><html lang="en"><title>Invest</title><h1>Invest in Vietnam</h1>'
            f'<script src="{stack.web_url}/askvn-chat.js" data-server="{stack.rasa_url}" data-open="true" '
            f'data-audience="investor" defer></script></html>')
    question = "Which taxes and which visa apply to my new company in Vietnam?"
    with partner_site(stack, html) as url:
        page = context.new_page()
        page.goto(url)
        expect(page.locator("#askvn-input")).to_be_visible()
        ask(page, question)
        expect(page.locator("li.msg.bot")).to_have_count(2, timeout=ANSWER_TIMEOUT_MS)  # greeting + reply
    with sqlite3.connect(stack.data_dir / "rasa-tracker.sqlite") as db:
        rows = [json.loads(r[0]) for r in db.execute("SELECT data FROM events WHERE sender_id IN (SELECT sender_id "
                                                     "FROM events WHERE data LIKE ?)", (f"%{question}%",))]
    assert [e["value"] for e in rows if e.get("event") == "slot" and e.get("name") == "audience"] == ["investor"]


def socketio_connect(rasa_url: str, origin: str) -> tuple[str | None, str]:
    """Engine.io handshake + socket.io CONNECT over long-polling, as a browser on `origin` would do it."""
    query = {"EIO": "4", "transport": "polling"}
    with httpx.Client(base_url=rasa_url, headers={"origin": origin}, timeout=30) as client:
        handshake = client.get("/socket.io/", params=query)
        sid = json.loads(handshake.text[1:])["sid"]
        client.post("/socket.io/", params={**query, "sid": sid}, content="40")
        answer = client.get("/socket.io/", params={**query, "sid": sid}).text
        return handshake.headers.get("access-control-allow-origin"), answer


def test_socketio_accepts_only_configured_origins(stack: Stack) -> None:
    allowed, answer = socketio_connect(stack.rasa_url, stack.web_url)
    assert allowed == stack.web_url and answer.startswith("40{")
    allowed, answer = socketio_connect(stack.rasa_url, "http://evil.example")
    assert allowed is None and answer.startswith("44")  # socket.io CONNECT_ERROR


def test_a_browser_cannot_name_or_take_over_another_visitors_session(stack: Stack) -> None:
    alice = PollingClient(stack.rasa_url, stack.web_url)
    mallory = PollingClient(stack.rasa_url, stack.web_url)
    try:
        alice_session = alice.request_session(None)
        assert mallory.request_session("alice-rest-sender") != "alice-rest-sender"  # no chosen ids
        forged = alice_session.split(".")[0] + "." + "0" * 32
        assert mallory.request_session(forged) != forged  # no forged signatures
        # A message naming Alice's session is handled in Mallory's own: Alice's connection gets nothing.
        mallory.emit("user_uttered", {"message": "What currency is used in Vietnam?", "session_id": alice_session,
                                      "metadata": {"language": "en", "channel": "web"}})
        assert any("custom" in m for m in mallory.wait_for("bot_uttered", 2))
        assert alice.wait_for("bot_uttered", 1, timeout_s=3) == []
        # Alice's own kept id (a page reload) continues her session.
        again = PollingClient(stack.rasa_url, stack.web_url)
        assert again.request_session(alice_session) == alice_session
        again.close()
    finally:
        alice.close()
        mallory.close()
