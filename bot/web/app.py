"""Starlette app: the "Visit Vietnam" demo page, the widget bundle, static files, /health, /ready and
/metrics (Prometheus, answered only to clients on this machine: a scraper on the host or a sidecar).

Every response carries security headers; the page's CSP allows scripts, styles and images only from
this server and network connections only to this server and the Rasa origin the widget talks to. Only
GET and HEAD are served and request bodies are refused, so nothing here parses visitor input except
the path and the Host header (checked before it is used).
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.settings import Settings

log = logging.getLogger("askvn.web")

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
BUNDLE = STATIC_DIR / "dist" / "askvn-chat.js"
PAGE_TEMPLATE = HERE / "templates" / "index.html"
MAX_BODY_BYTES = 16 * 1024
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
ROUTE_LABELS = {"/", "/askvn-chat.js", "/health", "/ready", "/metrics"}
RESPONSES = Counter("askvn_web_responses", "Web page responses by route and status", ["route", "status"])
_HOSTNAME = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$")


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL (CSP and CORS speak in origins)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def rasa_url_for(request: Request, settings: Settings) -> str:
    """Rasa as this visitor's browser reaches it: the setting, else the page's own host on rasa_port.

    Using the page's host keeps "localhost" pages on localhost and LAN pages on the LAN address.
    A Host header that is not a plain host name falls back to settings.host, so it is never reflected.
    """
    if settings.web_rasa_url:
        return settings.web_rasa_url.rstrip("/")
    raw = request.headers.get("host") or ""
    host = raw.split("]")[0] + "]" if raw.startswith("[") else raw.split(":")[0]
    if not _HOSTNAME.match(host):
        host = settings.host
    scheme = "https" if request.url.scheme == "https" else "http"
    return f"{scheme}://{host}:{settings.rasa_port}"


def content_security_policy(rasa_origin: str) -> str:
    ws_origin = re.sub(r"^http", "ws", rasa_origin)
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {rasa_origin} {ws_origin}; font-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'; object-src 'none'")


class GuardMiddleware:
    """Only GET/HEAD, no request bodies, and the security headers on every response."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self.refuse(request)
        csp = content_security_policy(origin_of(rasa_url_for(request, self.settings)))
        embeddable = scope["path"] in ("/askvn-chat.js", "/static/dist/askvn-chat.js")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                RESPONSES.labels(route_label(scope["path"]), str(message["status"])).inc()
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    # The widget bundle is meant to be loaded by other sites' <script> tags.
                    (b"cross-origin-resource-policy", b"cross-origin" if embeddable else b"same-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)

    @staticmethod
    def refuse(request: Request) -> Response | None:
        if request.method not in ("GET", "HEAD"):
            return PlainTextResponse("method not allowed", status_code=405, headers={"allow": "GET, HEAD"})
        length = request.headers.get("content-length")
        if request.headers.get("transfer-encoding") or (length and (not length.isdigit() or int(length) > 0)):
            return PlainTextResponse("request bodies are not accepted", status_code=413)
        if len(request.url.path) > 512 or len(request.url.query) > 2048:
            return PlainTextResponse("request too long", status_code=414)
        return None


def route_label(path: str) -> str:
    """A bounded label set: visitors choose paths, metrics must not grow with them."""
    if path in ROUTE_LABELS:
        return path
    return "/static" if path.startswith("/static/") else "other"


def create_app(settings: Settings) -> Starlette:
    """The web app; the page template is read once, the bundle is looked up per request (`make web` may rebuild it)."""
    template = PAGE_TEMPLATE.read_text(encoding="utf-8")
    if not BUNDLE.exists():
        log.error("widget bundle %s is missing: run `make web` (the page will show without the chat)", BUNDLE)

    async def page(request: Request) -> Response:
        body = template.replace("{{rasa_url}}", html.escape(rasa_url_for(request, settings), quote=True))
        body = body.replace("{{audience}}", settings.web_audience or "")
        return HTMLResponse(body, headers={"cache-control": "no-cache"})

    async def bundle(_: Request) -> Response:
        if not BUNDLE.exists():
            return PlainTextResponse("widget not built: run `make web`", status_code=404)
        return FileResponse(BUNDLE, media_type="text/javascript; charset=utf-8",
                            headers={"cache-control": "public, max-age=300", "access-control-allow-origin": "*"})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "widget": BUNDLE.exists()})

    async def ready(_: Request) -> Response:
        """Ready to serve what it is for: the page with a working chat widget."""
        if not BUNDLE.exists():
            return JSONResponse({"status": "widget bundle missing"}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def metrics(request: Request) -> Response:
        if (request.client.host if request.client else "") not in LOOPBACK:
            return PlainTextResponse("not found", status_code=404)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def not_found(_: Request, __: Exception) -> Response:
        return PlainTextResponse("not found", status_code=404)

    routes = [
        Route("/", page, methods=["GET", "HEAD"]),
        Route("/askvn-chat.js", bundle, methods=["GET", "HEAD"]),
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/ready", ready, methods=["GET", "HEAD"]),
        Route("/metrics", metrics, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    app.add_middleware(GuardMiddleware, settings=settings)
    return app
