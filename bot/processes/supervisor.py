"""`askvn run`: start every process in order, wait until each is healthy, keep them up, stop all together.

The action server starts first (Rasa calls it), then Rasa, then the channels. Once running, a process
that dies, or stops answering its health check three times in a row, is restarted with exponential
back-off (logged), while the others keep serving. Everything stops only on Ctrl-C/SIGTERM, or when a
process cannot start at all (non-zero exit code, so a service manager or a terminal user notices).
Children are tied to the supervisor (Linux PR_SET_PDEATHSIG): if it is killed, they end too.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

import httpx

from bot.processes import rasa_project, retention
from bot.processes.child_tie import tied_to_this_process
from bot.settings import PROJECT_ROOT, Settings
from knowledge.errors import SetupError

log = logging.getLogger("askvn.run")


@dataclass
class Component:
    name: str
    command: list[str]
    health_url: str | None  # None: no HTTP port (the polling Telegram bot); healthy if still up after settle_s
    env: dict[str, str] | None = None
    health_tcp: tuple[str, int] | None = None  # servers without HTTP (Redis, PostgreSQL): healthy when they accept
    announce: list[str] = field(default_factory=list)
    settle_s: float = 5.0
    process: subprocess.Popen[str] | None = None
    restarts: int = 0
    restart_at: float | None = None  # when the next restart is due (the process has exited)
    started_at: float = 0.0
    healthy_since: float | None = None
    failed_probes: int = 0
    probed_at: float = 0.0


BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
PROBE_EVERY_S = 5.0
PROBE_FAILURES = 3  # consecutive failed health checks before a process counts as hung
STABLE_AFTER_S = 60.0  # healthy this long: the back-off starts again from 1 s


def rasa_command(settings: Settings, port: int) -> list[str]:
    """`rasa run` serving the trained model on `port`, with our channels and the chosen stores."""
    model = rasa_project.model_path(settings)
    if not model.exists():
        raise SetupError(f"no trained Rasa model at {model}; run `make run` or `askvn setup` first")
    # rasa_addons/run_rasa.py adds the API token from the environment (rasa_env): never on the command line
    return [str(settings.rasa_venv / "bin" / "python"), "-m", "rasa_addons.run_rasa", "run", "--model", str(model),
            "--interface", settings.host, "--port", str(port),
            "--credentials", "credentials.yml", "--endpoints", settings.rasa_endpoints,
            "--cors", *settings.cors_origins.split()]


def components(settings: Settings, *, watch: bool = False) -> list[Component]:
    rasa_cmd = rasa_command(settings, settings.rasa_port)
    found = [
        actions_component(settings),
        Component("rasa", rasa_cmd, f"{settings.rasa_url}/webhooks/rest/", env=rasa_project.rasa_env(settings),
                  announce=[f"REST: {settings.rasa_url}/webhooks/rest/webhook",
                            f"socket.io: {settings.rasa_url}/socket.io"]),
    ]
    if watch:  # `askvn run --watch`: publish on every save of a knowledge file (bot/staff/kb_watch.py)
        found.append(Component("kb-watch", [sys.executable, "-m", "bot.staff.kb_watch"], None, settle_s=3.0))
    return found + channel_components(settings)


def actions_component(settings: Settings, name: str = "actions") -> Component:
    """The action server on settings.action_port (it reads ASKVN_ACTION_PORT, so replicas override it)."""
    env = dict(os.environ, ASKVN_ACTION_PORT=str(settings.action_port))
    if settings.compute_threads:
        env["ASKVN_COMPUTE_THREADS"] = str(settings.compute_threads)
    return Component(name, [sys.executable, "-m", "bot.processes.action_server"],
                     f"http://{settings.host}:{settings.action_port}/health", env=env)


def share_cores(settings: Settings, compute_processes: int) -> Settings:
    """Unless ASKVN_COMPUTE_THREADS is set, give each model-running process its share of the cores. More
    threads than cores only thrash: on 2 cores, one thread each for Rasa and the action server took
    10 concurrent users from 16.9 to 26.5 requests/s (benchmarks/load.py, 2026-12-02)."""
    if settings.compute_threads:
        return settings
    return settings.model_copy(update={"compute_threads": max(1, (os.cpu_count() or 1) // compute_processes)})


def channel_components(settings: Settings) -> list[Component]:
    """The web page and, with a token, the Telegram bot: they reach Rasa at rasa_url."""
    found = []
    if settings.telegram_bot_token:
        log.info("Telegram bot: TELEGRAM_BOT_TOKEN is set, starting it (ASKVN_TELEGRAM_MODE picks polling/webhook)")
        found.append(Component("telegram", [sys.executable, "-m", "bot.telegram"], None, settle_s=10.0))
    else:
        log.info("Telegram bot: off (set TELEGRAM_BOT_TOKEN to start it)")
    found.append(Component("web", [sys.executable, "-m", "bot.web"], f"http://{settings.host}:{settings.web_port}/health",
                           announce=[f"web page: http://{settings.host}:{settings.web_port}/"]))
    return found


def exec_one(settings: Settings, process: str, port: int | None = None) -> None:
    """`askvn serve PROCESS`: replace this process with one component, with the same command and
    environment `askvn run` and `askvn cluster run` give it (for containers: docs/deployment.md)."""
    port_field = {"rasa": "rasa_port", "actions": "action_port", "web": "web_port"}.get(process)
    if port is not None and port_field:
        settings = settings.model_copy(update={port_field: port})
    if process == "rasa":
        command, env = rasa_command(settings, settings.rasa_port), rasa_project.rasa_env(settings)
    else:
        found = {part.name: part for part in [actions_component(settings), *channel_components(settings)]}
        if process not in found:
            raise SetupError(f"unknown process {process!r}: rasa, actions, web or telegram (with a token)")
        command = found[process].command
        env = dict(found[process].env or os.environ, ASKVN_WEB_PORT=str(settings.web_port))
    os.chdir(PROJECT_ROOT)
    os.execvpe(command[0], command, env)


def run_all(settings: Settings, *, watch: bool = False) -> int:
    """`askvn run`: the embedded default, one process of each. Returns the process exit code."""
    prepare_process(settings)
    rasa_project.prepare_tracker_db(settings)
    settings = share_cores(settings, compute_processes=2)  # Rasa and the action server
    try:
        parts = components(settings, watch=watch)
    except SetupError as exc:
        log.error("%s", exc)
        return 1
    return supervise(parts, settings.startup_timeout_s, try_it(settings.rasa_url),
                     lambda: retention.prune_conversations(settings))


def try_it(rasa_url: str) -> str:
    return (f"Try:  curl -s {rasa_url}/webhooks/rest/webhook -d "
            "'{\"sender\":\"me\",\"message\":\"Do I need a visa?\"}'")


def prepare_process(settings: Settings) -> None:
    """What every supervisor does first: private files, a private data folder, the channel token and
    the web chat session secret."""
    # Conversations and the gap log are personal data: files the processes create are the service
    # user's only (umask, inherited by the children), and so is the data folder.
    os.umask(0o077)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.data_dir.chmod(0o700)
    # Shared by Rasa's REST channel and the Telegram relay (children inherit it): only the relay may
    # speak as a Telegram user (sender `tg-…`). A fresh random one per run unless configured.
    os.environ.setdefault("ASKVN_CHANNEL_TOKEN", secrets.token_urlsafe(32))
    # Signs web chat session ids (rasa_addons/session_tokens.py); every Rasa replica of the run shares it.
    os.environ.setdefault("ASKVN_SESSION_SECRET", secrets.token_urlsafe(32))


def supervise(parts: list[Component], startup_timeout_s: float, hint: str, housekeeping: Callable[[], object]) -> int:
    """Start `parts` in order (each healthy before the next), keep them up, stop all in reverse order.

    `housekeeping` (tracker retention) runs at start and every few hours."""
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for part in parts:
            _start(part)
            _wait_healthy(part, startup_timeout_s, stopping)
            for line in part.announce:
                log.info("%s ready: %s", part.name, line)
        log.info("Ask Vietnam is running. %s   (Ctrl-C stops)", hint)
        pruned_at = 0.0
        while not stopping.wait(0.5):
            for part in parts:
                _keep_up(part, startup_timeout_s)
            if time.monotonic() - pruned_at > retention.EVERY_S:
                pruned_at = time.monotonic()
                housekeeping()
        return 0
    except SetupError as exc:
        log.error("%s", exc)
        return 1
    finally:
        _stop_all(parts)


def _keep_up(part: Component, startup_timeout_s: float) -> None:
    """Restart `part` (with back-off) when it has exited, and kill it when it stopped answering."""
    assert part.process is not None
    now = time.monotonic()
    if part.process.poll() is not None:
        if part.restart_at is None:
            delay = BACKOFF_S[min(part.restarts, len(BACKOFF_S) - 1)]
            log.error("%s exited with code %s; restarting it in %.0f s", part.name, part.process.returncode, delay)
            part.restart_at = now + delay
        elif now >= part.restart_at:
            part.restarts += 1
            log.warning("restarting %s (restart %d)", part.name, part.restarts)
            _start(part)
        return
    if (part.health_url is None and part.health_tcp is None) or now - part.probed_at < PROBE_EVERY_S:
        return
    part.probed_at = now
    if _healthy(part):
        part.failed_probes = 0
        part.healthy_since = part.healthy_since or now
        if now - part.healthy_since > STABLE_AFTER_S:
            part.restarts = 0
        return
    if part.healthy_since is None and now - part.started_at < startup_timeout_s:
        return  # still starting
    part.failed_probes += 1
    part.healthy_since = None
    if part.failed_probes >= PROBE_FAILURES:
        log.error("%s has not answered %s %d times; killing it to restart", part.name, part.health_url,
                  part.failed_probes)
        part.process.kill()


def _healthy(part: Component) -> bool:
    """One health check: its HTTP health URL answers 200, or its TCP port accepts a connection."""
    if part.health_tcp is not None:
        try:
            socket.create_connection(part.health_tcp, timeout=2).close()
            return True
        except OSError:
            return False
    try:
        return part.health_url is not None and httpx.get(part.health_url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _start(part: Component) -> None:
    log.info("starting %s", part.name)
    part.process = subprocess.Popen(
        part.command, cwd=PROJECT_ROOT, env=part.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, bufsize=1, start_new_session=True,  # Ctrl-C reaches us; we stop children in order
        preexec_fn=tied_to_this_process(),
    )
    part.restart_at, part.failed_probes, part.healthy_since = None, 0, None
    part.started_at = part.probed_at = time.monotonic()
    threading.Thread(target=_relay, args=(part,), daemon=True).start()


def _relay(part: Component) -> None:
    """Prefix each child's log lines with its name, so one terminal shows all of them."""
    assert part.process is not None and part.process.stdout is not None
    for line in part.process.stdout:
        sys.stdout.write(f"{part.name:>8} | {line}")
        sys.stdout.flush()


def _wait_healthy(part: Component, timeout_s: float, stopping: threading.Event) -> None:
    assert part.process is not None
    if part.health_url is None and part.health_tcp is None:  # no port: it checks its token at start-up, or exits
        if stopping.wait(part.settle_s):
            raise SetupError("start-up interrupted")
        if part.process.poll() is not None:
            raise SetupError(f"{part.name} exited during start-up (code {part.process.returncode})")
        log.info("%s is up (still running after %.0fs)", part.name, part.settle_s)
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stopping.is_set():
        if part.process.poll() is not None:
            raise SetupError(f"{part.name} exited during start-up (code {part.process.returncode})")
        if _healthy(part):
            log.info("%s is healthy (%s)", part.name, part.health_url or f"port {part.health_tcp}")
            return
        stopping.wait(1.0)
    if stopping.is_set():
        raise SetupError("start-up interrupted")
    raise SetupError(f"{part.name} did not become healthy within {timeout_s:.0f}s")


def _stop_all(parts: list[Component]) -> None:
    for part in reversed(parts):
        proc = part.process
        if proc is None or proc.poll() is not None:
            continue
        log.info("stopping %s", part.name)
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
