"""deploy/k8s: every manifest is valid Kubernetes (kubernetes-validate, offline schemas) and the pieces fit.

Validation alone would pass a Service that selects no pod or a probe that kills Rasa while its model loads,
so the checks below also follow the references between the files: selectors to pod labels, named ports
to container ports, the autoscaler to its Deployment, every variable to .env.example, secrets to the
Secret and never to the ConfigMap.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.test_env_example import variables_listed

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
VERSION = "1.28.0"
SECRET_WORDS = re.compile(r"TOKEN|SECRET|PASSWORD|_KEY$|DATABASE_URL")


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return found


DOCS = documents()


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in DOCS if doc["kind"] == kind}


def containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    return deployment["spec"]["template"]["spec"]["containers"]


@pytest.mark.parametrize(
    ("name", "doc"), DOCS, ids=[f"{n}:{d['kind']}/{d['metadata']['name']}" for n, d in DOCS]
)
def test_every_manifest_is_valid_kubernetes(name: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, VERSION, strict=True)
    assert (
        doc["metadata"].get("namespace", "court-assistant") == "court-assistant" or doc["kind"] == "Namespace"
    )


def test_the_validator_rejects_a_broken_manifest() -> None:
    """The check above can fail: a misspelt field and a port that is not a number are refused."""
    rasa = copy.deepcopy(of_kind("Deployment")["rasa"])
    containers(rasa)[0]["readinessProbe"]["httpGett"] = containers(rasa)[0]["readinessProbe"].pop("httpGet")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(rasa, VERSION, strict=True)
    rasa = copy.deepcopy(of_kind("Deployment")["rasa"])
    containers(rasa)[0]["ports"][0]["containerPort"] = "fünf"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(rasa, VERSION, strict=True)


def test_every_service_selects_a_deployment_and_its_named_port() -> None:
    deployments = of_kind("Deployment")
    for name, service in of_kind("Service").items():
        if service["spec"].get("type") == "ExternalName":
            continue
        selector = service["spec"]["selector"]
        matches = [
            d
            for d in deployments.values()
            if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert matches, f"Service {name} selects no pod"
        ports = {p["name"] for c in containers(matches[0]) for p in c["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports, name


def test_rasa_has_two_replicas_and_time_to_load_its_model() -> None:
    rasa = of_kind("Deployment")["rasa"]
    assert rasa["spec"]["replicas"] >= 2 and rasa["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    probe = containers(rasa)[0]["startupProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] >= 240  # READY_TIMEOUT of make run: model load
    assert containers(rasa)[0]["readinessProbe"]["httpGet"]["port"] == "http"
    hpa = of_kind("HorizontalPodAutoscaler")["rasa"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "rasa" and hpa["spec"]["minReplicas"] >= 2


def test_the_processes_run_what_the_procfile_runs() -> None:
    """The commands are the Procfile's, so a fix to how a process starts cannot miss the cluster."""
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8")
    for deployment in of_kind("Deployment").values():
        module = containers(deployment)[0]["command"][2]
        assert f"-m {module}" in procfile, module


def test_every_variable_is_documented_and_no_secret_sits_in_the_configmap() -> None:
    listed = variables_listed((ROOT / ".env.example").read_text(encoding="utf-8"))
    config = of_kind("ConfigMap")["court-config"]["data"]
    secrets = set(variables_listed((K8S / "secrets.env.example").read_text(encoding="utf-8")))
    assert not [k for k in config if SECRET_WORDS.search(k)]
    assert not (set(config) | secrets) - listed
    for deployment in of_kind("Deployment").values():
        refs = {r.get("secretRef", {}).get("name") for r in containers(deployment)[0]["envFrom"]}
        assert "court-secrets" in refs


def test_production_settings_in_the_cluster() -> None:
    config = of_kind("ConfigMap")["court-config"]["data"]
    assert config["COURT_MODE"] == "production" and config["RASA_ENDPOINTS"] == "endpoints.production.yml"
    assert config["DESK_SEED_DEMO"] == "false" and config["DESK_COOKIE_SECURE"] == "true"
