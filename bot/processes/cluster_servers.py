"""The local cluster's servers from Debian's packages: Redis, PostgreSQL and nginx, with their data and
configuration in the cluster folder (ASKVN_CLUSTER_DIR), on loopback, with generated passwords.

Nothing here is used by the embedded default (`askvn run`). `make cluster-deps` installs the packages.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.settings import Settings
from knowledge.errors import SetupError

SECRETS_FILE = "secrets.env"
POSTGRES_OS_USER = "postgres"  # PostgreSQL refuses to run as root; Debian's package creates this user


@dataclass(frozen=True)
class Ports:
    """Where each replica listens: the public ports belong to nginx, replicas take the ports after them."""

    rasa: list[int]
    actions: list[int]

    @classmethod
    def of(cls, settings: Settings) -> Ports:
        return cls([settings.rasa_port + 1 + i for i in range(settings.rasa_replicas)],
                   [settings.action_port + 1 + i for i in range(settings.action_replicas)])


def load_or_create_secrets(cluster_dir: Path) -> dict[str, str]:
    """Passwords for PostgreSQL and Redis: from the environment if set, else generated once per cluster
    folder and kept in secrets.env (mode 0600), so a restarted cluster still opens its own database."""
    path = cluster_dir / SECRETS_FILE
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, _, value = line.partition("=")
            stored[name.strip()] = value.strip()
    for name in ("ASKVN_POSTGRES_PASSWORD", "ASKVN_REDIS_PASSWORD"):
        stored[name] = os.environ.get(name) or stored.get(name) or secrets.token_urlsafe(24)
    cluster_dir.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{name}={value}\n" for name, value in stored.items()))
    path.chmod(0o600)
    return stored


def _binary(name: str, *candidates: str) -> str:
    found = shutil.which(name) or next((c for c in candidates if Path(c).exists()), None)
    if found is None:
        raise SetupError(f"{name} is not installed; run `make cluster-deps` (Debian: redis-server postgresql nginx)")
    return found


def _postgres_bin(name: str) -> str:
    """Debian keeps server programs off PATH, under /usr/lib/postgresql/<version>/bin (newest wins)."""
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    return str(versions[-1]) if versions else _binary(name)


def _as_postgres_user(command: list[str]) -> list[str]:
    """Run as the postgres user when we are root; it still dies with the supervisor (pdeathsig, which a
    change of user would otherwise clear)."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", f"--reuid={POSTGRES_OS_USER}", f"--regid={POSTGRES_OS_USER}", "--init-groups",
            "--pdeathsig=INT", *command]


def redis_command(settings: Settings, password: str) -> list[str]:
    folder = settings.cluster_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    # Only conversation locks live here (they expire within seconds): no snapshots, no append-only file.
    return [_binary("redis-server", "/usr/bin/redis-server"), "--bind", settings.redis_host,
            "--port", str(settings.redis_port), "--dir", str(folder), "--save", "", "--appendonly", "no",
            "--requirepass", password, "--protected-mode", "yes"]


def postgres_command(settings: Settings, password: str) -> list[str]:
    """Initialise the database folder on first use (a superuser named postgres_user), then the server
    command: TCP on loopback only, no Unix socket, password (SCRAM) for every connection."""
    folder = settings.cluster_dir / "postgres"
    if not (folder / "PG_VERSION").exists():
        _initdb(settings, folder, password)
    return _as_postgres_user([_postgres_bin("postgres"), "-D", str(folder), "-h", settings.postgres_host,
                              "-p", str(settings.postgres_port), "-c", "unix_socket_directories=",
                              "-c", "max_connections=100", "-c", "listen_addresses=" + settings.postgres_host])


def _initdb(settings: Settings, folder: Path, password: str) -> None:
    settings.cluster_dir.chmod(0o711)  # the postgres user must be able to reach its own folder
    folder.mkdir(parents=True, exist_ok=True)
    pwfile = settings.cluster_dir / "postgres.pw"
    pwfile.write_text(password + "\n")
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam(POSTGRES_OS_USER)
            os.chown(folder, user.pw_uid, user.pw_gid)
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        folder.chmod(0o700)
        result = subprocess.run(
            _as_postgres_user([_postgres_bin("initdb"), "-D", str(folder), "-U", settings.postgres_user,
                               f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8", "--no-locale"]),
            capture_output=True, text=True, check=False)
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise SetupError(f"initdb failed: {result.stderr.strip()[-500:]}")


def render_nginx_conf(settings: Settings, **where: object) -> str:
    """nginx.conf from bot/processes/templates/nginx.conf.j2: `where` says where nginx and the replicas listen
    (loopback ports here; service names in deploy/nginx.conf, which tests/cluster checks is this output)."""
    templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), undefined=StrictUndefined,
                            keep_trailing_newline=True)
    return templates.get_template("nginx.conf.j2").render(
        max_body_bytes=settings.max_body_bytes * 4, rate_per_s=settings.proxy_rate_per_s, **where)


def compose_nginx_conf(settings: Settings) -> str:
    """deploy/nginx.conf: the same configuration for deploy/docker-compose.yml's services."""
    return render_nginx_conf(
        settings, prefix="/var/cache/nginx", as_root=True, rasa_listen="5005", action_listen="5055",
        rasa_servers=["rasa-1:5005", "rasa-2:5005"], action_servers=["actions-1:5055", "actions-2:5055"])


def nginx_command(settings: Settings, ports: Ports) -> list[str]:
    """Write the nginx configuration for these replicas and return the command that runs it in the foreground."""
    prefix = settings.cluster_dir / "nginx"
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    for folder in (settings.cluster_dir, prefix, prefix / "tmp"):
        folder.chmod(0o711)  # nginx's workers (nobody) reach the temp folders the master makes for them
    conf = render_nginx_conf(
        settings, prefix=str(prefix), as_root=os.geteuid() == 0,
        rasa_listen=f"{settings.host}:{settings.rasa_port}", action_listen=f"{settings.host}:{settings.action_port}",
        rasa_servers=[f"{settings.host}:{port}" for port in ports.rasa],
        action_servers=[f"{settings.host}:{port}" for port in ports.actions])
    (prefix / "nginx.conf").write_text(conf)
    nginx = _binary("nginx", "/usr/sbin/nginx")
    check = subprocess.run([nginx, "-t", "-q", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                           capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise SetupError(f"nginx configuration rejected: {check.stderr.strip()[-500:]}")
    return [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]



if __name__ == "__main__":  # regenerate deploy/nginx.conf:  python -m bot.processes.cluster_servers > deploy/nginx.conf
    print(compose_nginx_conf(Settings()), end="")
