"""The OpenAPI document describes what the service really does: every route, and real answers fit its schemas."""

from __future__ import annotations

import jsonschema
import pytest
import requests

from tests.courtdata.conftest import API_KEY
from tests.courtdata.test_client_http import ORG_CASE, PERSON_CASE, verify

HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def check(doc: dict, schema_name: str, instance: dict) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    jsonschema.Draft202012Validator(schema).validate(instance)


def quoted(case_number: str) -> str:
    return requests.utils.quote(case_number, safe="")


def test_every_route_is_documented(service):
    doc = requests.get(service.url + "/openapi.json", timeout=5).json()
    app = service.server.app
    routes = {
        (str(rule).replace("<", "{").replace(">", "}"), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert routes == documented


def test_real_answers_fit_the_documented_schemas(service, demo):
    doc = requests.get(service.url + "/openapi.json", timeout=5).json()
    base = service.url + "/api/v1"
    check(doc, "Health", requests.get(service.url + "/health", timeout=5).json())
    check(
        doc,
        "CaseSummary",
        requests.get(f"{base}/cases/{quoted(PERSON_CASE)}", headers=HEADERS, timeout=5).json(),
    )
    lawyer = demo.lawyer(ORG_CASE, "周婷")
    _, grant = verify(service, ORG_CASE, "周婷", license_number=lawyer["license_number"])
    progress = requests.get(
        f"{base}/cases/{quoted(ORG_CASE)}/progress",
        timeout=5,
        headers={**HEADERS, "X-Access-Token": grant.access_token},
    ).json()
    check(doc, "CaseProgress", progress)
    entry = demo.debtors("北京鼎盛嘉业建筑工程有限公司")[0]
    found = requests.get(
        f"{base}/dishonest-debtors",
        params={"name": entry["name"], "credit_code": entry["credit_code"]},
        headers=HEADERS,
        timeout=5,
    ).json()
    check(doc, "DebtorSearchResult", found)
    error = requests.get(
        f"{base}/dishonest-debtors", params={"name": "王伟"}, headers=HEADERS, timeout=5
    ).json()
    check(doc, "Error", error)


@pytest.mark.parametrize("number", [PERSON_CASE, "（2021）京03执恢12号", "（2025）京03执88号"])
def test_progress_of_various_cases_fits_the_schema(service, demo, number):
    doc = requests.get(service.url + "/openapi.json", timeout=5).json()
    party = next(p for p in demo.case(number)["parties"] if p["kind"] == "person" or p.get("credit_code"))
    identifier = (
        {"id_number": party["id_number"]}
        if party["kind"] == "person"
        else {"credit_code": party["credit_code"]}
    )
    _, grant = verify(service, number, party["name"], **identifier)
    progress = requests.get(
        f"{service.url}/api/v1/cases/{quoted(number)}/progress",
        timeout=5,
        headers={**HEADERS, "X-Access-Token": grant.access_token},
    ).json()
    check(doc, "CaseProgress", progress)
