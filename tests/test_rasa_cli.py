"""The Rasa API token reaches Rasa from the environment, never through the command line."""

from __future__ import annotations

import pytest

from bot.cli import StartRefused, rasa_argv

RUN = ["run", "-m", "models/court.tar.gz", "--enable-api", "--port", "5005"]


def test_the_token_is_added_inside_the_process() -> None:
    assert rasa_argv(RUN, {"RASA_TOKEN": "s3cret"}) == [*RUN, "--auth-token", "s3cret"]


def test_without_the_api_nothing_is_added() -> None:
    assert rasa_argv(["run", "-m", "m.tar.gz"], {"RASA_TOKEN": "s3cret"}) == ["run", "-m", "m.tar.gz"]
    assert rasa_argv(["train"], {}) == ["train"]


@pytest.mark.parametrize("env", [{}, {"RASA_TOKEN": "  "}])
def test_an_open_api_is_refused(env) -> None:
    with pytest.raises(StartRefused, match="RASA_TOKEN"):
        rasa_argv(RUN, env)


@pytest.mark.parametrize("flag", [["--auth-token", "s3cret"], ["--auth-token=s3cret"]])
def test_a_token_on_the_command_line_is_refused(flag) -> None:
    with pytest.raises(StartRefused, match="command line"):
        rasa_argv([*RUN, *flag], {"RASA_TOKEN": "s3cret"})
