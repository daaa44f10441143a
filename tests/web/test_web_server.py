"""The page server alone (no browser, no Rasa): headers, limits, and the Rasa URL the page hands the widget."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bot.settings import Settings
from bot.web.app import BUNDLE, content_security_policy, create_app


@pytest.fixture()
def client() -> TestClient:
    return TestClient(create_app(Settings(rasa_port=5999, web_port=8999)), base_url="http://localhost:8999")


def test_page_points_the_widget_at_rasa_on_the_pages_host(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
    assert 'data-server="http://localhost:5999"' in page.text and 'src="/askvn-chat.js"' in page.text
    csp = page.headers["content-security-policy"]
    assert "connect-src 'self' http://localhost:5999 ws://localhost:5999;" in csp
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp


def test_configured_public_rasa_url_wins() -> None:
    app = create_app(Settings(web_rasa_url="https://chat.example.org/"))
    page = TestClient(app).get("/")
    assert 'data-server="https://chat.example.org"' in page.text
    csp = page.headers["content-security-policy"]
    assert "connect-src 'self' https://chat.example.org wss://chat.example.org;" in csp


def test_hostile_host_header_is_not_reflected(client: TestClient) -> None:
    page = client.get("/", headers={"host": 'x"><script>alert(1)</script>'})
    assert "<script>alert" not in page.text and "alert" not in page.headers["content-security-policy"]
    assert 'data-server="http://127.0.0.1:5999"' in page.text


def test_only_get_without_body(client: TestClient) -> None:
    assert client.post("/", content=b"{}").status_code == 405
    assert client.request("GET", "/", content=b"x" * 20_000).status_code == 413
    assert client.get("/" + "a" * 600).status_code == 414
    refused = client.delete("/health")
    assert refused.status_code == 405 and refused.headers["x-content-type-options"] == "nosniff"


def test_health_static_files_and_bundle_headers(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "widget": BUNDLE.exists()}
    css = client.get("/static/demo.css")
    assert css.status_code == 200 and css.headers["cross-origin-resource-policy"] == "same-origin"
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/nope").status_code == 404
    if BUNDLE.exists():
        bundle = client.get("/askvn-chat.js")
        assert bundle.headers["content-type"].startswith("text/javascript")
        assert bundle.headers["cross-origin-resource-policy"] == "cross-origin"


def test_csp_has_no_wildcards() -> None:
    assert "*" not in content_security_policy("http://127.0.0.1:5005")


def test_ready_and_metrics_for_operators_on_this_machine(client: TestClient) -> None:
    ready = client.get("/ready")
    assert ready.status_code == (200 if BUNDLE.exists() else 503)
    assert client.get("/metrics").status_code == 404  # a visitor's address: not for them
    local = TestClient(client.app, base_url="http://localhost:8999", client=("127.0.0.1", 40000))
    local.get("/")
    local.get("/static/does-not-exist.css")
    text = local.get("/metrics").text
    assert 'askvn_web_responses_total{route="/",status="200"}' in text
    assert 'askvn_web_responses_total{route="/static",status="404"}' in text
