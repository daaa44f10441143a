"""`python -m rasa_addons.run_rasa run ...`: Rasa's own command line, with the HTTP API token taken from
the environment (ASKVN_RASA_API_TOKEN) instead of `--auth-token` on the command line, where `ps` shows
it to every user of the machine. The process's environment is readable only by its own user.
"""

from __future__ import annotations

import os
import sys

TOKEN_VARIABLE = "ASKVN_RASA_API_TOKEN"


def main() -> None:
    arguments = sys.argv[1:]
    token = os.environ.pop(TOKEN_VARIABLE, None)  # not inherited by anything Rasa starts
    if token:
        arguments += ["--enable-api", "--auth-token", token]
    sys.argv = ["rasa", *arguments]  # what Rasa parses; /proc/<pid>/cmdline keeps the exec'd words
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
