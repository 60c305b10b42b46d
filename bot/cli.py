"""`python -m bot.cli …` is `rasa …` with personal data masked in every log line of the process.

The run command starts both the Rasa server and the action server through this wrapper.
`python -m bot.cli run actions …` is not rasa-sdk's own server but bot/action_server.py: the same actions,
bound to ACTION_SERVER_HOST (127.0.0.1) and answering only the Rasa server (ACTION_SERVER_TOKEN).
"""

from __future__ import annotations

import logging
import sys


def main() -> None:
    from kernel import logmask

    if sys.argv[1:3] == ["run", "actions"]:
        from bot.action_server import main as actions_main

        logging.basicConfig()
        logmask.install()
        actions_main(sys.argv[3:])
        return
    from rasa.__main__ import main as rasa_main

    logging.basicConfig()
    logmask.install()
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
