"""Entry point of the action server process: load model and index first, then serve rasa_sdk.

Starting it this way (rather than `rasa_sdk --actions actions`) means the health check only turns
green once the knowledge base can answer, and the first visitor does not pay for loading the model.
Besides rasa_sdk's `/webhook`, `/actions` and `/health` it serves, for operators:
`/ready` (200 once the model and an index are loaded, with the build id; 503 before) and `/metrics`
(Prometheus: replies by outcome and language, answer time, HTTP requests and latency by route,
5xx responses, the index build being served).

When the embedding model runs on ONNX Runtime, PyTorch is kept out of the process: spaCy's thinc imports
torch merely because it is installed, which costs ~190 MB per action server for nothing. So this module
imports the actions (and through them spaCy) only after deciding that, in `main()`.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings
from collections.abc import Iterator

import pluggy
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import REGISTRY, GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector
from rasa_sdk.endpoint import run
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.plugin import plugin_manager
from sanic import Request, Sanic, response
from sanic.response import HTTPResponse

from bot.logs import configure_logging
from bot.settings import get_settings
from knowledge.embedding.embedder import runs_on_onnx

log = logging.getLogger("askvn.action_server")
hookimpl = pluggy.HookimplMarker("rasa_sdk")

HTTP_SECONDS = Histogram("askvn_http_request_seconds", "Action server requests by route",
                         ["route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
HTTP_RESPONSES = Counter("askvn_http_responses", "Action server responses by route and status", ["route", "status"])
KNOWN_ROUTES = {"/webhook", "/actions", "/health", "/ready", "/metrics"}


def keep_torch_out() -> None:
    """Make `import torch` fail in this process (libraries that merely probe for it then do without)."""
    if "torch" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]


class IndexCollector(Collector):
    """The build being served, read at scrape time (a publish changes it without a restart)."""

    def collect(self) -> Iterator[Metric]:
        from actions.runtime import knowledge_service

        searcher = knowledge_service().serving
        info = InfoMetricFamily("askvn_index", "The knowledge index build this server answers from")
        entries = GaugeMetricFamily("askvn_index_entries", "Entries in the index build being served")
        if searcher is not None:
            info.add_metric([], {"build_id": searcher.build_id, "model": str(searcher.loaded.manifest["model"]["id"]),
                                 "backend": knowledge_service().embedder.backend})
            entries.add_metric([], len(searcher.loaded.entries))
        yield info
        yield entries


class OperatorRoutes:
    """A rasa_sdk plugin (its documented extension hook) adding /ready, /metrics and request timing."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        from actions.runtime import knowledge_service

        @app.get("/ready")
        async def ready(_: Request) -> HTTPResponse:
            searcher = knowledge_service().serving
            if searcher is None:
                return response.json({"status": "loading"}, status=503)
            return response.json({"status": "ready", "build": searcher.build_id,
                                  "entries": len(searcher.loaded.entries)})

        @app.get("/metrics")
        async def metrics(_: Request) -> HTTPResponse:
            return response.raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)

        async def internal_error(request: Request, exception: Exception) -> HTTPResponse:
            """rasa_sdk's own handler returns the whole request (the user's conversation and sender id),
            which Rasa then writes to its log: this one returns and logs no request content."""
            log.error("action server error on %s: %s", request.path, type(exception).__name__,
                      exc_info=(type(exception), exception, exception.__traceback__))
            return response.json({"error": "internal error in the action server"}, status=500)

        app.error_handler.add(Exception, internal_error)

        @app.on_request
        async def start_timer(request: Request) -> None:
            request.ctx.askvn_started = time.perf_counter()

        @app.on_response
        async def observe(request: Request, resp: HTTPResponse) -> None:
            started = getattr(request.ctx, "askvn_started", None)
            route = request.path if request.path in KNOWN_ROUTES else "other"
            if started is not None:
                HTTP_SECONDS.labels(route).observe(time.perf_counter() - started)
            HTTP_RESPONSES.labels(route, str(resp.status)).inc()


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    # rasa_sdk 3.11 warns on every request that Rasa 3.6 sent it (two log lines each, 2,196 in one
    # benchmark run). The pairing is deliberate (pyproject.toml: the action protocol is unchanged).
    warnings.filterwarnings("ignore", message="Your versions of rasa and rasa_sdk might not be compatible")
    if runs_on_onnx(settings.embedding()):
        keep_torch_out()
    from actions.runtime import configure, knowledge_service, warm_up  # imports spaCy: after the line above

    configure(settings)
    warm_up()
    log.info("knowledge base loaded (build %s)", knowledge_service().searcher().build_id)
    disable_created_metrics()  # the *_created series only double what operators scrape
    REGISTRY.register(IndexCollector())
    plugin_manager().register(OperatorRoutes())
    os.environ.setdefault("SANIC_HOST", settings.host)
    executor = ActionExecutor()
    executor.register_package("actions")
    run(executor, port=settings.action_port, cors_origins=[])


if __name__ == "__main__":
    main()
