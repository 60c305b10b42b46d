"""`python -m bot.cli …` is `rasa …` with personal data masked in every log line of the process.

The run command starts both the Rasa server and the action server through this wrapper.
"""

from __future__ import annotations

import logging
import sys


def main() -> None:
    from rasa.__main__ import main as rasa_main

    from bot import logmask

    logging.basicConfig()
    logmask.install()
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
