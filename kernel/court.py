"""The settings of the court being served (kernel/court.yml or the file named by COURT_SETTINGS)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import yaml

DEFAULT_COURT_FILE = Path(__file__).with_name("court.yml")


@functools.lru_cache(maxsize=4)
def _load(path: str) -> dict[str, str]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return {str(k): str(v) for k, v in data.items()}


def court_settings() -> dict[str, str]:
    """Read on first use (never at import): hours, address and phone differ per court."""
    return dict(_load(os.environ.get("COURT_SETTINGS") or str(DEFAULT_COURT_FILE)))
