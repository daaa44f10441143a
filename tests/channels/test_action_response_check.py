"""rasa_addons/action_response_check.py replaces Rasa's check of action-server responses with one whose
validator is built once. Run in the Rasa server's own environment, side by side with Rasa's function:
the same responses pass, the same ones fail, with the same message."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import ROOT

SCRIPT = r"""
import json, sys
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig
action = RemoteAction("action_answer_question", EndpointConfig("http://127.0.0.1:1/webhook"))
original = RemoteAction._validate_action_result
from rasa_addons import action_response_check
action_response_check.install()
ours = RemoteAction._validate_action_result
cases = json.loads(sys.stdin.read())
out = []
for case in cases:
    row = []
    for check in (original, ours):
        try:
            row.append(["ok", check(action, case)])
        except Exception as exc:
            row.append([type(exc).__name__, getattr(exc, 'message', str(exc))])
    out.append(row)
print(json.dumps(out))
"""

CASES = [
    {"events": [{"event": "slot", "name": "language", "value": "vi"}],
     "responses": [{"text": "Xin chào", "custom": {"askvn": {"outcome": "answer"}}, "buttons": []}]},
    {"events": [], "responses": []},
    {"events": [{"event": "slot"}], "responses": []},            # a slot event without its name
    {"events": "not a list", "responses": []},
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"responses": [{"text": 5}]},
]


def test_our_check_accepts_and_rejects_exactly_what_rasas_does() -> None:
    result = subprocess.run([str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", SCRIPT], cwd=ROOT,
                            input=json.dumps(CASES), capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    assert [original == ours for original, ours in rows] == [True] * len(CASES), rows
    assert rows[0][1] == ["ok", True] and rows[1][1] == ["ok", True]
    assert any(ours[0] == "ValidationError" for _, ours in rows)
