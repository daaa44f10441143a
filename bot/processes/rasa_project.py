"""Training the Rasa model, skipped when the Rasa project files have not changed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings
from knowledge.errors import SetupError

MODEL_NAME = "askvn"
# The training inputs; channel code in rasa_addons/ is loaded at run time only, so it is not listed.
PROJECT_FILES = ("config.yml", "domain.yml", "data", "rasa_addons/multilingual_tokenizer.py",
                 "requirements/rasa-deps.lock", "requirements/rasa.txt")


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    """Hash of everything that changes the trained model."""
    digest = hashlib.sha256()
    for name in PROJECT_FILES:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def model_path(settings: Settings) -> Path:
    return settings.rasa_model_dir / f"{MODEL_NAME}.tar.gz"


def rasa_env(settings: Settings) -> dict[str, str]:
    """Environment for Rasa processes: endpoints.yml reads the action URL and tracker db from it."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    env["ASKVN_ACTION_ENDPOINT"] = settings.action_url
    env["ASKVN_TRACKER_DB"] = str(settings.tracker_db)
    env["ASKVN_MAX_MESSAGE_CHARS"] = str(settings.max_message_chars)  # the channels cut text before NLU
    env["ASKVN_MAX_BODY_BYTES"] = str(settings.max_body_bytes)
    env["ASKVN_REPLY_TIMEOUT_S"] = str(settings.reply_timeout_s)
    env.pop("ASKVN_RASA_API_TOKEN", None)  # Rasa's HTTP API stays off unless the setting is set
    if settings.rasa_api_token:  # read by rasa_addons/run_rasa.py, kept off the command line
        env["ASKVN_RASA_API_TOKEN"] = settings.rasa_api_token.get_secret_value()
    for name in ("sender_burst", "sender_refill_s", "address_burst", "address_refill_s"):
        env[f"ASKVN_{name.upper()}"] = str(getattr(settings, name))
    # Sanic reads SANIC_* variables into its config: no request body over this reaches a channel at all.
    env["SANIC_REQUEST_MAX_SIZE"] = str(settings.max_body_bytes * 4)
    if settings.stores == "shared":  # endpoints.shared.yml: PostgreSQL tracker store, Redis lock store
        env.update(_shared_store_env(settings))
    if settings.compute_threads:  # Rasa reads these for TensorFlow's thread pools
        for name in ("TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS", "OMP_NUM_THREADS"):
            env[name] = str(settings.compute_threads)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return env


def prepare_tracker_db(settings: Settings) -> None:
    """Put the embedded SQLite tracker store in write-ahead-log mode before Rasa opens it (the mode is kept
    in the file): each turn's save then costs one sequential write instead of a rollback journal plus the
    database (profiled 2026-12-02: saving and loading the tracker was about half of Rasa's time per message)."""
    if settings.stores != "embedded":
        return
    settings.tracker_db.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(settings.tracker_db)) as db:
        db.execute("PRAGMA journal_mode=WAL")


def _shared_store_env(settings: Settings) -> dict[str, str]:
    if settings.postgres_password is None or settings.redis_password is None:
        raise SetupError("ASKVN_STORES=shared needs ASKVN_POSTGRES_PASSWORD and ASKVN_REDIS_PASSWORD")
    return {
        "ASKVN_POSTGRES_HOST": settings.postgres_host, "ASKVN_POSTGRES_PORT": str(settings.postgres_port),
        "ASKVN_POSTGRES_DB": settings.postgres_db, "ASKVN_POSTGRES_USER": settings.postgres_user,
        "ASKVN_POSTGRES_PASSWORD": settings.postgres_password.get_secret_value(),
        "ASKVN_REDIS_HOST": settings.redis_host, "ASKVN_REDIS_PORT": str(settings.redis_port),
        "ASKVN_REDIS_PASSWORD": settings.redis_password.get_secret_value(),
        # Rasa's Redis lock store: a crashed replica's lock on a conversation expires this soon (default 60 s)
        "TICKET_LOCK_LIFETIME": str(settings.lock_lifetime_s),
    }


def train(settings: Settings, *, force: bool = False) -> bool:
    """Train our project unless its fingerprint matches the last trained model; True if it trained."""
    return train_if_changed(settings, PROJECT_ROOT, model_path(settings), fingerprint(), force=force)


def train_if_changed(settings: Settings, project: Path, target: Path, current: str, *, force: bool = False) -> bool:
    """Train the Rasa project in `project` into `target` (…/<name>.tar.gz) unless the stamp next to it
    says `current` was trained already; True if it trained. The bare-Rasa benchmark trains its own copy."""
    stamp = target.with_suffix(".fingerprint")
    if not force and target.exists() and stamp.exists() and stamp.read_text().strip() == current:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(settings.rasa_venv / "bin" / "rasa"), "train", "--fixed-model-name", target.name.removesuffix(".tar.gz"),
           "--out", str(target.parent), "--force"]
    result = subprocess.run(cmd, cwd=project, env=rasa_env(settings), check=False)
    if result.returncode != 0 or not target.exists():
        raise SetupError(f"rasa train failed in {project} (exit {result.returncode})")
    stamp.write_text(current + "\n")
    return True
