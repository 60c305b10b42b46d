"""`GET /api/v1/openapi.json`: the OpenAPI document of the service API the action server calls
(work orders and live handoff; openapi.yaml beside this file). Public, as the court-data service's is:
it describes, it opens nothing. The staff API is for the desk's own pages and is not described here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, jsonify

DOCUMENT = Path(__file__).with_name("openapi.yaml")
docs_api = Blueprint("desk_docs_api", __name__)


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    return yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))


@docs_api.get("/api/v1/openapi.json")
def openapi():
    return jsonify(document())
