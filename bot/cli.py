"""`python -m bot.cli …` is `rasa …` with personal data masked in every log line of the process.

The run command starts both the Rasa server and the action server through this wrapper.
`python -m bot.cli run actions …` is not rasa-sdk's own server but bot/action_server.py: the same actions,
bound to ACTION_SERVER_HOST (127.0.0.1) and answering only the Rasa server (ACTION_SERVER_TOKEN).

With `--enable-api`, the HTTP API's token comes from RASA_TOKEN in the environment and is handed to Rasa
inside the process: a token on the command line is readable by every user of the machine (`ps`). Without
a token the API would answer anyone, so the server refuses to start.

The Rasa server answers FAQs itself, without the action server (bot/local_actions.py), and answers the
citizen when a custom action fails or is slow (bot/resilience.py)
and when the tracker store cannot be read or written (bot/store_guard.py: no silent fall-back to memory).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping


class StartRefused(SystemExit):
    """The Rasa server must not start this way; the message says why and what to set."""


def rasa_argv(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """Rasa's arguments with the API token added from RASA_TOKEN (never taken from the command line)."""
    if "--enable-api" not in argv:
        return list(argv)
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise StartRefused("rasa: do not pass --auth-token on the command line (ps shows it); set RASA_TOKEN")
    token = env.get("RASA_TOKEN", "").strip()
    if not token:
        raise StartRefused("rasa: --enable-api needs RASA_TOKEN, otherwise the HTTP API answers anyone")
    return [*argv, "--auth-token", token]


def main() -> None:
    from kernel import logmask

    if sys.argv[1:3] == ["run", "actions"]:
        from bot.action_server import main as actions_main

        logging.basicConfig()
        logmask.install()
        actions_main(sys.argv[3:])
        return
    from rasa.__main__ import main as rasa_main

    from bot import action_validation, local_actions, resilience, store_guard

    logging.basicConfig()
    logmask.install()
    resilience.install()
    store_guard.install()
    action_validation.install()
    local_actions.install()
    sys.argv = ["rasa", *rasa_argv(sys.argv[1:], os.environ)]
    rasa_main()


if __name__ == "__main__":
    main()
