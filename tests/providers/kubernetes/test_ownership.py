"""Objects with the environment's names that sindri did not create are never replaced or deleted."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from k8s_helpers import cluster_state, config_dict, k8s_env, provider
from sindri.providers.errors import AlreadyDeployedError
from sindri.providers.types import DeployOptions

FOREIGN_SERVICE = """apiVersion: v1
kind: Namespace
metadata: {name: sindri-dev}
---
apiVersion: v1
kind: Service
metadata: {name: my-env, namespace: sindri-dev, labels: {team: payments}}
spec: {ports: [{port: 80}]}
"""


@pytest.fixture
def env(standin_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = k8s_env(standin_env, tmp_path)
    subprocess.run(["kubectl", "apply", "-f", "-"], input=FOREIGN_SERVICE, env=env, check=True, text=True)
    return env


async def test_deploy_refuses_to_overwrite_a_foreign_object(env: dict[str, str], tmp_path: Path) -> None:
    prov = provider(tmp_path / "cfg", config_dict(), env)
    with pytest.raises(AlreadyDeployedError, match="service my-env, not created by sindri"):
        await prov.deploy(DeployOptions(timeout=20))
    labels = cluster_state(env)["objects"]["Service/sindri-dev/my-env"]["metadata"]["labels"]
    assert labels == {"team": "payments"}


async def test_destroy_leaves_a_foreign_object_alone(env: dict[str, str], tmp_path: Path) -> None:
    done = await provider(tmp_path / "cfg", config_dict(), env).destroy()
    assert "Left service my-env in namespace sindri-dev (not created by sindri)" in done
    assert "Service/sindri-dev/my-env" in cluster_state(env)["objects"]
