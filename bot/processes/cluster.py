"""`askvn cluster run` (make run-cluster): the scale-out layout, on this one machine, for testing it.

    Redis (conversation locks) and PostgreSQL (conversations), on loopback, data in ASKVN_CLUSTER_DIR
    action servers ×ASKVN_ACTION_REPLICAS on action_port+1…, all serving the same published index
    Rasa ×ASKVN_RASA_REPLICAS on rasa_port+1…, with ASKVN_STORES=shared
    nginx on the public ports (rasa_port, action_port): round robin with retry on the next replica,
        socket.io sticky by client address, per-address rate limit and body size limit
    the web page and (with a token) the Telegram bot, as in `askvn run`

Each replica is an ordinary process under the same supervisor as `askvn run` (restart with back-off).
A published build reaches every action server through the shared data folder: each one checks the
`CURRENT` pointer every ASKVN_INDEX_CHECK_INTERVAL_S and switches atomically (knowledge/service.py).
"""

from __future__ import annotations

import logging
import os
import signal
import time

from pydantic import SecretStr

from bot.processes import rasa_project, retention
from bot.processes.cluster_servers import Ports, load_or_create_secrets, nginx_command, postgres_command, redis_command
from bot.processes.supervisor import (
    Component,
    actions_component,
    channel_components,
    prepare_process,
    rasa_command,
    share_cores,
    supervise,
    try_it,
)
from bot.settings import Settings
from knowledge.errors import SetupError

log = logging.getLogger("askvn.cluster")
PID_FILE = "supervisor.pid"


def cluster_components(settings: Settings) -> list[Component]:
    """Every process of the local cluster, in start order (each healthy before the next starts)."""
    ports = Ports.of(settings)
    settings = share_cores(settings, compute_processes=settings.rasa_replicas + settings.action_replicas)
    password = settings.postgres_password.get_secret_value() if settings.postgres_password else ""
    redis_password = settings.redis_password.get_secret_value() if settings.redis_password else ""
    parts = [
        Component("redis", redis_command(settings, redis_password), None,
                  health_tcp=(settings.redis_host, settings.redis_port)),
        Component("postgres", postgres_command(settings, password), None,
                  health_tcp=(settings.postgres_host, settings.postgres_port)),
    ]
    for i, port in enumerate(ports.actions, start=1):
        parts.append(actions_component(settings.model_copy(update={"action_port": port}), f"actions-{i}"))
    parts.append(Component("nginx", nginx_command(settings, ports), None,
                           health_tcp=(settings.host, settings.rasa_port),
                           announce=[f"REST: {settings.rasa_url}/webhooks/rest/webhook (round robin over "
                                     f"{len(ports.rasa)} Rasa replicas)",
                                     f"actions: {settings.action_url} (over {len(ports.actions)} replicas)"]))
    env = rasa_project.rasa_env(settings)
    env["SANIC_PROXIES_COUNT"] = "1"  # behind nginx: the client address is its X-Forwarded-For
    for i, port in enumerate(ports.rasa, start=1):
        parts.append(Component(f"rasa-{i}", rasa_command(settings, port), f"http://{settings.host}:{port}/webhooks/rest/",
                               env=env))
    # The channels, exactly as in `askvn run` (they talk to rasa_port, which is nginx here).
    parts += channel_components(settings)
    return parts


def run_cluster(settings: Settings) -> int:
    """Start, supervise and stop the local cluster. Returns the process exit code."""
    prepare_process(settings)
    secrets = load_or_create_secrets(settings.cluster_dir)  # passed to Rasa through its environment
    shared = settings.model_copy(update={
        "stores": "shared",
        "postgres_password": SecretStr(secrets["ASKVN_POSTGRES_PASSWORD"]),  # the environment's, if set
        "redis_password": SecretStr(secrets["ASKVN_REDIS_PASSWORD"]),
    })
    try:
        parts = cluster_components(shared)
    except SetupError as exc:
        log.error("%s", exc)
        return 1
    pid_file = settings.cluster_dir / PID_FILE
    pid_file.write_text(f"{os.getpid()}\n")
    try:
        return supervise(parts, settings.startup_timeout_s, try_it(settings.rasa_url),
                         lambda: retention.prune_conversations(shared))
    finally:
        pid_file.unlink(missing_ok=True)


def stop_cluster(settings: Settings, timeout_s: float = 60.0) -> str:
    """Ask a running `askvn cluster run` to stop (SIGTERM: it stops every process in order) and wait."""
    pid_file = settings.cluster_dir / PID_FILE
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return "no cluster is running"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return "cluster stopped"
        time.sleep(0.5)
    return f"cluster (pid {pid}) is still stopping after {timeout_s:.0f} s"
