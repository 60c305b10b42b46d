"""Fixtures of the end-to-end browser tests."""

from __future__ import annotations

import pytest

from tests.chromium import sync_browser


@pytest.fixture
def browser():
    yield from sync_browser()
