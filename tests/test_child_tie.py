"""Children tied to the process that starts them, without starting the stack (a stack test kills a real supervisor)."""
from __future__ import annotations

import functools
import os
import subprocess
import sys

import pytest

from bot.processes.child_tie import die_with_parent, tied_to_this_process

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux only")


def test_a_child_whose_supervisor_died_before_the_tie_does_not_start() -> None:
    """The race behind an orphan: the supervisor is killed between fork and prctl. The child sees that
    its parent is no longer the one that started it and exits instead of running on alone."""
    gone_supervisor = functools.partial(die_with_parent, os.getpid() + 1_000_000)
    child = subprocess.Popen(["sleep", "30"], preexec_fn=gone_supervisor)
    assert child.wait(timeout=10) == 1


def test_a_child_of_a_live_supervisor_runs() -> None:
    child = subprocess.Popen(["sleep", "30"], preexec_fn=tied_to_this_process())
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=1)
    finally:
        child.kill()
        child.wait()
