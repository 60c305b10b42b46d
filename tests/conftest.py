"""Session-wide fixtures: one seeded model trained per test run, one running stack shared by e2e tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory) -> Path:
    """Trains the real config on the real data once per run (nothing cached between runs).

    COURT_TEST_MODEL=path reuses a model you trained yourself, for quick local iterations; CI never sets it.
    """
    import os

    from tests.stack import train_model

    if os.environ.get("COURT_TEST_MODEL"):
        return Path(os.environ["COURT_TEST_MODEL"])
    return train_model(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def stack(trained_model, tmp_path_factory):
    from tests.stack import start_stack

    running = start_stack(trained_model, tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


@pytest.fixture
def chat(stack, request):
    from tests.stack import Chat

    return Chat(stack.urls["rasa"], f"t-{request.node.name[:40]}-{id(request)}")


def pytest_configure(config) -> None:
    """Browser assertions wait up to 15 s (Playwright's default is 5 s): on a 2-core CI machine that also
    trains and runs the stack, a page's first script can take longer than 5 s to bind its handlers."""
    try:
        from playwright.async_api import expect as async_expect
        from playwright.sync_api import expect as sync_expect
    except ImportError:
        return
    sync_expect.set_options(timeout=15_000)
    async_expect.set_options(timeout=15_000)
