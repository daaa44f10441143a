"""Children that end with the process that started them (Linux PR_SET_PDEATHSIG), so that a killed
supervisor leaves no orphans behind."""
from __future__ import annotations

import ctypes
import functools
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the parent dies.

    The request only covers a parent that dies after it is made; if the parent was killed between fork
    and this call, the child has already been re-parented and must not go on alone."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def tied_to_this_process() -> Callable[[], None] | None:
    """A `preexec_fn` for subprocess: the child ends with this process (None where Linux's tie is missing)."""
    return functools.partial(die_with_parent, os.getpid()) if sys.platform == "linux" else None
