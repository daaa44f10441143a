"""The production files mirror the tested local cluster: deploy/nginx.conf is what the cluster's template
renders for the compose services, and docker-compose.yml runs the same processes as `askvn cluster run`."""

from __future__ import annotations

import yaml

from bot.processes.cluster_servers import compose_nginx_conf
from bot.settings import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"


def test_the_compose_nginx_conf_is_the_tested_template_rendered_for_the_compose_services() -> None:
    expected = compose_nginx_conf(Settings())
    assert (DEPLOY / "nginx.conf").read_text(encoding="utf-8") == expected, \
        "regenerate: .venv/bin/python -m bot.processes.cluster_servers > deploy/nginx.conf"


def test_compose_runs_the_processes_of_the_local_cluster() -> None:
    settings = Settings()
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    replicas = {f"rasa-{i}" for i in range(1, settings.rasa_replicas + 1)}
    replicas |= {f"actions-{i}" for i in range(1, settings.action_replicas + 1)}
    assert set(services) == {"redis", "postgres", "nginx", "web"} | replicas
    assert all(services[name]["environment"]["ASKVN_STORES"] == "shared" for name in replicas)
    assert {services[f"rasa-{i}"]["command"][1] for i in range(1, settings.rasa_replicas + 1)} == {"rasa"}
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert all(f"server {name}:" in conf for name in replicas)
