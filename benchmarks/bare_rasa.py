"""The bare-Rasa baseline of `make bench`: the same Rasa (the same NLU pipeline and training data, policies,
channels and SQLite tracker store) answering every message with one fixed domain response by rule: no
custom action, no action server, no knowledge base. It gets the same load (benchmarks/load.py, the dev
set's questions) as the assistant gets in benchmarks/replicas.py; our p95 over this p95 is what the
actions and the knowledge base add to Rasa itself. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.bare_rasa --users 1 10 30 --seconds 20 --json benchmarks/results/bare_rasa.json

The project is generated into .cache/bare_rasa/ and trained once (again only when the Rasa project changes).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from ruamel.yaml import YAML

from benchmarks.load import NO_FLOOD_LIMITS, run_load, table
from bot.processes import rasa_project
from bot.settings import PROJECT_ROOT, Settings
from tests.stack import free_port

PROJECT = PROJECT_ROOT / ".cache" / "bare_rasa"
MODEL = PROJECT / "models" / "bare.tar.gz"
REPLY = "utter_bare"
OURS = PROJECT_ROOT / "benchmarks" / "results" / "load.json"


def write_project(target: Path) -> str:
    """config.yml and data/nlu.yml as they are; the domain's intents and entities; every rule (and the
    core fallback) answering with the response `utter_bare`. Returns the project's fingerprint."""
    yaml = YAML(typ="safe")
    config = yaml.load(PROJECT_ROOT / "config.yml")
    for policy in config["policies"]:
        if "core_fallback_action_name" in policy:
            policy["core_fallback_action_name"] = REPLY
    domain = yaml.load(PROJECT_ROOT / "domain.yml")
    bare_domain = {"version": domain["version"], "intents": domain["intents"], "entities": domain.get("entities", []),
                   "responses": {REPLY: [{"text": "A fixed reply from the domain."}]},
                   "session_config": domain["session_config"]}
    rules = yaml.load(PROJECT_ROOT / "data" / "rules.yml")
    for rule in rules["rules"]:
        for step in rule["steps"]:
            if "action" in step:
                step["action"] = REPLY
    endpoints = {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": "${ASKVN_TRACKER_DB}"},
                 "lock_store": {"type": "in_memory"}}
    (target / "data").mkdir(parents=True, exist_ok=True)
    out = YAML()
    for name, data in (("config.yml", config), ("domain.yml", bare_domain), ("data/rules.yml", rules),
                       ("endpoints.yml", endpoints)):
        with (target / name).open("w", encoding="utf-8") as fh:
            out.dump(data, fh)
    shutil.copyfile(PROJECT_ROOT / "data" / "nlu.yml", target / "data" / "nlu.yml")
    digest = hashlib.sha256(rasa_project.fingerprint().encode())
    for name in ("config.yml", "domain.yml", "data/rules.yml", "data/nlu.yml"):
        digest.update((target / name).read_bytes())
    return digest.hexdigest()


def train(settings: Settings) -> float:
    """Train unless the fingerprint matches; the seconds it took (0 when skipped)."""
    fingerprint = write_project(PROJECT)
    started = time.perf_counter()
    trained = rasa_project.train_if_changed(settings, PROJECT, MODEL, fingerprint)
    return time.perf_counter() - started if trained else 0.0


def measure(settings: Settings, users: list[int], seconds: float) -> list[dict[str, Any]]:
    """Serve the bare model as `askvn run` serves ours (rasa_addons.run_rasa, our channels) and load it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bare-rasa-") as tmp:
        env = (rasa_project.rasa_env(settings) | NO_FLOOD_LIMITS
               | {"ASKVN_TRACKER_DB": str(Path(tmp) / "tracker.sqlite")})
        log = (Path(tmp) / "rasa.log").open("wb")
        rasa = subprocess.Popen([str(settings.rasa_venv / "bin" / "python"), "-m", "rasa_addons.run_rasa", "run",
                                 "--model", str(MODEL), "--interface", "127.0.0.1", "--port", str(port),
                                 "--credentials", str(PROJECT_ROOT / "credentials.yml"),
                                 "--endpoints", str(PROJECT / "endpoints.yml")],
                                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_answering(url, rasa)
            asyncio.run(run_load(url, 1, 10, answered=_fixed_reply))  # warm-up
            return [asyncio.run(run_load(url, n, seconds, answered=_fixed_reply)) for n in users]
        finally:
            rasa.terminate()
            rasa.wait(timeout=60)
            log.close()


def compare(bare: list[dict[str, Any]]) -> dict[str, float]:
    """Our embedded layout's p95 (benchmarks/results/load.json, written earlier by the same `make bench`)
    over the bare p95, per number of users."""
    if not OURS.exists():
        return {}
    ours = next((layout["load"] for layout in json.loads(OURS.read_text()) if layout["layout"].startswith("embedded")),
                [])
    bare_p95 = {row["users"]: row["p95_s"] for row in bare}
    return {str(row["users"]): round(row["p95_s"] / bare_p95[row["users"]], 2)
            for row in ours if bare_p95.get(row["users"])}


def _fixed_reply(replies: list[dict]) -> bool:
    return any(m.get("text") for m in replies)


def _wait_until_answering(url: str, rasa: subprocess.Popen[bytes], timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if rasa.poll() is not None:
            raise RuntimeError(f"bare Rasa exited with {rasa.returncode}")
        try:
            reply = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": "warm", "message": "hello"}, timeout=30)
            if reply.status_code == 200 and _fixed_reply(reply.json()):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"bare Rasa did not answer within {timeout_s:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    settings = Settings()
    trained_s = train(settings)
    rows = measure(settings, args.users, args.seconds)
    ratios = compare(rows)
    print("bare Rasa (rule → domain response, no action server)\n" + table(rows))
    shown = ", ".join(f"{users}: {ratio}×" for users, ratio in ratios.items())
    print("our p95 / bare p95 by users: " + (shown or "no figures of ours"))
    if args.json:
        args.json.write_text(json.dumps({"layout": "bare Rasa: same NLU, policies, channels and SQLite tracker; "
                                                   "every message answered by a rule with a domain response",
                                         "train_seconds": round(trained_s, 1), "load": rows,
                                         "ours_p95_over_bare_p95": ratios}, indent=2) + "\n")


if __name__ == "__main__":
    main()
