"""`make cluster`'s HAProxy template renders for any ports and HAProxy accepts the result; the settings
come from the environment."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.cluster import ClusterSettings, render_haproxy

needs_haproxy = pytest.mark.skipif(
    shutil.which("haproxy") is None, reason="Debian's haproxy is not installed"
)


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        "CLUSTER_PORT": "6005",
        "CLUSTER_RASA_PORTS": "6006, 6007",
        "CLUSTER_ACTIONS_PORT": "6055",
        "CLUSTER_ACTIONS_PORTS": "6056,6057",
        "CLUSTER_MODEL": str(tmp_path / "m.tar.gz"),
        "CLUSTER_RUN_DIR": str(tmp_path),
        "CLUSTER_RESTART": "0",
    }
    settings = ClusterSettings.from_env(env)
    assert (settings.port, settings.rasa_ports, settings.actions_ports) == (6005, (6006, 6007), (6056, 6057))
    assert settings.model == tmp_path / "m.tar.gz" and settings.run_dir == tmp_path
    assert settings.restart is False
    assert ClusterSettings.from_env({}).port == 5005


def test_one_replica_port_is_refused() -> None:
    with pytest.raises(SystemExit, match="expected 2"):
        ClusterSettings.from_env({"CLUSTER_RASA_PORTS": "6006"})


@needs_haproxy
def test_the_rendered_configuration_is_valid_and_routes_to_the_given_ports(tmp_path: Path) -> None:
    settings = ClusterSettings(
        port=16005,
        rasa_ports=(16006, 16007),
        actions_port=16055,
        actions_ports=(16056, 16057),
        run_dir=tmp_path,
    )
    text = render_haproxy(settings)
    for port in (16005, 16006, 16007, 16055, 16056, 16057):
        assert f"127.0.0.1:{port}" in text
    assert "json_query('$.sender')" in text  # the doubled dollar sign of the template became one
    config = tmp_path / "haproxy.cfg"
    config.write_text(text, encoding="utf-8")
    check = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
