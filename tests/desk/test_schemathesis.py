"""The desk's service API (what the action server calls) conforms to its OpenAPI document under fuzzing:
schemathesis sends generated requests to every operation of `GET /api/v1/openapi.json` with the service
token; no 5xx, no undocumented status, every answer shaped as documented (tests/courtdata/test_schemathesis.py
runs the same against the court-data service)."""

from __future__ import annotations

import requests

from tests.courtdata.test_schemathesis import run_schemathesis
from tests.desk.conftest import API_TOKEN
from tests.desk.fakes import Served


def test_the_document_is_served_and_names_every_service_operation(desk_app):
    with Served(desk_app) as served:
        document = requests.get(served.url + "/api/v1/openapi.json", timeout=10).json()
    assert set(document["paths"]) == {
        "/api/v1/workorders",
        "/api/v1/workorders/lookup",
        "/api/v1/workorders/rating",
        "/api/v1/workorders/{number}/supplements",
        "/api/v1/handoff/status",
        "/api/v1/handoff",
    }
    rules = {
        r.rule
        for r in desk_app.url_map.iter_rules()
        if r.rule.startswith(("/api/v1/workorders", "/api/v1/handoff"))
    }
    assert {r.replace("<number>", "{number}") for r in rules} == set(
        document["paths"]
    )  # nothing undocumented


def test_the_service_api_conforms_to_its_openapi_document(desk_app):
    with Served(desk_app) as served:
        done = run_schemathesis(served.url + "/api/v1/openapi.json", API_TOKEN)
    assert done.returncode == 0, done.stdout[-6000:]
    assert "not_a_server_error" in done.stdout
