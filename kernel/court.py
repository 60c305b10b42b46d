"""The settings of the court being served (kernel/court.yml or another file of the same shape)."""

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


def load_court_settings(path: str | os.PathLike[str] = "") -> dict[str, str]:
    """Hours, address and phone from `path` (empty: the packaged court.yml); the file is read once per path.

    The caller names the file (a process's settings object holds it), so the kernel reads no environment."""
    return dict(_load(str(path or DEFAULT_COURT_FILE)))
