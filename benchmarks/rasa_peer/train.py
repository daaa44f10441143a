"""Train the peer's Rasa NLU model, skipped when nothing that shapes the model changed.

Training runs `rasa train nlu` in `.venv-rasa` (Rasa cannot be imported into the app venv). The time and
model size are stored next to the model, so a skipped run can still report what training cost.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.rasa_peer.generate import PROJECT_ROOT

MODEL_NAME = "rasa_peer"
RASA_VENV = PROJECT_ROOT / ".venv-rasa"
# Inputs besides the generated project that change the trained model.
EXTRA_INPUTS = ("rasa_addons", "requirements/rasa-deps.lock", "requirements/rasa.txt")
PROJECT_FILES = ("config.yml", "domain.yml", "data")


@dataclass(frozen=True)
class TrainInfo:
    model: str
    trained: bool
    train_seconds: float
    model_bytes: int
    fingerprint: str


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [path] if path.exists() else []


def fingerprint(project: Path) -> str:
    """Hash of the generated project plus our tokenizer and the Rasa environment's locks."""
    digest = hashlib.sha256()
    for base, names in ((project, PROJECT_FILES), (PROJECT_ROOT, EXTRA_INPUTS)):
        for name in names:
            for file in _files(base / name):
                digest.update(str(file.relative_to(base)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def rasa_env(threads: int) -> dict[str, str]:
    """PYTHONPATH makes our tokenizer importable; thread limits keep training polite on a shared machine."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", str(threads))
    env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    return env


def train_command(project: Path, models: Path, threads: int) -> list[str]:
    return [str(RASA_VENV / "bin" / "rasa"), "train", "nlu", "--config", str(project / "config.yml"),
            "--domain", str(project / "domain.yml"), "--nlu", str(project / "data"), "--out", str(models),
            "--fixed-model-name", MODEL_NAME, "--num-threads", str(threads)]


def train(project: Path, *, force: bool = False, threads: int = 2) -> TrainInfo:
    """Train unless the stored fingerprint matches; raises RuntimeError if Rasa fails."""
    models = project / "models"
    model = models / f"{MODEL_NAME}.tar.gz"
    stamp = models / f"{MODEL_NAME}.train.json"
    current = fingerprint(project)
    if not force and model.exists() and stamp.exists():
        stored = json.loads(stamp.read_text())
        if stored.get("fingerprint") == current:
            return TrainInfo(**{**stored, "trained": False})
    models.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result = subprocess.run(train_command(project, models, threads), cwd=PROJECT_ROOT, env=rasa_env(threads),
                            check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0 or not model.exists():
        raise RuntimeError(f"rasa train nlu failed (exit {result.returncode})")
    info = TrainInfo(model=str(model), trained=True, train_seconds=round(seconds, 1),
                     model_bytes=model.stat().st_size, fingerprint=current)
    stamp.write_text(json.dumps(asdict(info), indent=2) + "\n")
    return info


def existing(project: Path) -> TrainInfo:
    """The model already trained in `project`, whatever changed since (see `run.py --reuse-model`)."""
    stamp = project / "models" / f"{MODEL_NAME}.train.json"
    if not stamp.exists():
        raise RuntimeError(f"no trained model in {project / 'models'}")
    return TrainInfo(**{**json.loads(stamp.read_text()), "trained": False})
