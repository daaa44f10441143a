"""The switch from the embedded default to shared stores, by settings alone; the cluster's passwords and
its nginx configuration (checked by the real nginx)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.processes import rasa_project
from bot.processes.cluster_servers import Ports, load_or_create_secrets, nginx_command
from bot.settings import PROJECT_ROOT, Settings
from knowledge.errors import SetupError


def shared(tmp_path: Path, **extra: object) -> Settings:
    return Settings(stores="shared", postgres_password=SecretStr("pg-secret"), redis_password=SecretStr("r-secret"),
                    cluster_dir=tmp_path / "cluster", **extra)  # type: ignore[arg-type]


def test_the_default_stays_embedded_and_shared_needs_both_passwords(tmp_path: Path) -> None:
    assert Settings().rasa_endpoints == "endpoints.yml"
    assert "ASKVN_POSTGRES_HOST" not in rasa_project.rasa_env(Settings())
    with pytest.raises(SetupError, match="PASSWORD"):
        rasa_project.rasa_env(Settings(stores="shared"))


def test_every_variable_of_the_shared_endpoints_file_is_provided(tmp_path: Path) -> None:
    settings = shared(tmp_path, lock_lifetime_s=9)
    assert settings.rasa_endpoints == "endpoints.shared.yml"
    wanted = set(re.findall(r"\$\{(\w+)\}", (PROJECT_ROOT / settings.rasa_endpoints).read_text()))
    env = rasa_project.rasa_env(settings)
    assert wanted <= set(env), wanted - set(env)
    assert env["ASKVN_POSTGRES_PASSWORD"] == "pg-secret" and env["TICKET_LOCK_LIFETIME"] == "9"


def test_cluster_passwords_are_made_once_kept_private_and_the_environment_wins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASKVN_POSTGRES_PASSWORD", raising=False)
    monkeypatch.delenv("ASKVN_REDIS_PASSWORD", raising=False)
    first = load_or_create_secrets(tmp_path)
    assert load_or_create_secrets(tmp_path) == first and len(set(first.values())) == 2
    assert (tmp_path / "secrets.env").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("ASKVN_REDIS_PASSWORD", "from-env")
    assert load_or_create_secrets(tmp_path)["ASKVN_REDIS_PASSWORD"] == "from-env"


def test_nginx_accepts_the_generated_configuration(tmp_path: Path) -> None:
    settings = shared(tmp_path, rasa_replicas=3, action_replicas=2)
    command = nginx_command(settings, Ports.of(settings))  # runs `nginx -t` itself; SetupError if rejected
    conf = (tmp_path / "cluster" / "nginx" / "nginx.conf").read_text()
    assert [f"{settings.host}:{port}" for port in (5006, 5007, 5008)] == re.findall(
        r"server (\S+) max_fails", conf.split("upstream rasa_socketio")[0])
    assert "ip_hash" in conf.split("upstream rasa_socketio")[1].split("}")[0]
    check = subprocess.run([command[0], "-t", "-p", command[2], "-c", command[4]], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_askvn_serve_runs_one_process_as_the_supervisor_would_and_refuses_unknown_ones() -> None:
    from tests.stack import free_port

    askvn = [sys.executable, "-m", "bot.cli", "serve"]
    wrong = subprocess.run([*askvn, "nonsense"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 1 and "unknown process 'nonsense'" in wrong.stderr and "Traceback" not in wrong.stderr
    port = free_port()
    web = subprocess.Popen([*askvn, "web", "--port", str(port)], cwd=PROJECT_ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise AssertionError("askvn serve web did not answer /health within 60 s")
    finally:
        web.terminate()
        web.wait(timeout=30)
