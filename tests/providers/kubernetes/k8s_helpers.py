"""Helpers for the Kubernetes provider tests: a kubeconfig, the stand-in PATH and sindri.yaml files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml
from sindri.providers.kubernetes import KubernetesProvider
from sindri.providers.runner import Runner
from sindri.schemas.loader import LoadedConfig
from sindri.schemas.model import SindriConfig

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
STANDIN_DIR = HERE / "standin"
REAL_KUBECTL = REPO / ".venv" / "bin" / "kubectl"
VALIDATOR = REPO / ".venv" / "bin" / "kubernetes-validate"
SECRET_VALUE = "s3cr3t-'quote\"-#-{{ x }}-value"


def kubeconfig(path: Path, context: str) -> Path:
    """A kubeconfig whose current context is `context` (the real kubectl reads it)."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": "https://127.0.0.1:6443"}}],
        "users": [{"name": context, "user": {}}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        "current-context": context,
    }
    path.write_text(yaml.safe_dump(config))
    return path


def k8s_env(base: dict[str, str], tmp: Path, context: str = "kind-sindri-local") -> dict[str, str]:
    """The shared stand-in env plus our kubectl stand-in first on PATH, a kubeconfig and a kind cluster."""
    env = dict(base)
    env["PATH"] = f"{STANDIN_DIR}{os.pathsep}{env['PATH']}"
    env["SINDRI_REAL_KUBECTL"] = str(REAL_KUBECTL)
    env["KUBECONFIG"] = str(kubeconfig(tmp / "kubeconfig", context))
    env["HOME"] = str(tmp / "home")
    if context.startswith(("kind-", "k3d-")):
        tool, name = context.split("-", 1)
        argv = (
            [tool, "create", "cluster", "--name", name]
            if tool == "kind"
            else [tool, "cluster", "create", name]
        )
        subprocess.run(argv, env=env, check=True, capture_output=True)
    return env


def config_dict(name: str = "my-env", namespace: str = "sindri-dev", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "3.0",
        "name": name,
        "deployment": {
            "provider": "kubernetes",
            "image": "ghcr.io/pacphi/sindri:v3-latest",
            "resources": {"memory": "4GB", "cpus": 2},
            "volumes": {"workspace": {"size": "20GB"}},
        },
        "extensions": {"profile": "minimal"},
        "secrets": [{"name": "API_TOKEN", "source": "env"}],
        "providers": {"kubernetes": {"namespace": namespace}},
    }
    data.update(extra)
    return data


def write_config(directory: Path, data: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "sindri.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def provider(
    directory: Path,
    data: dict[str, Any],
    env: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
) -> KubernetesProvider:
    path = write_config(directory, data)
    loaded = LoadedConfig(SindriConfig.model_validate(data), path, dict(secrets or {}))
    runner = Runner(secrets=loaded.secrets.values(), env=env, default_timeout=30)
    return KubernetesProvider(loaded, runner)


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    """The official validator, strict mode (unknown fields rejected)."""
    return subprocess.run(
        [str(VALIDATOR), "--strict", str(path)], capture_output=True, text=True, timeout=120
    )


def cluster_state(env: dict[str, str]) -> dict[str, Any]:
    file = Path(env["SINDRI_STANDIN_STATE"]) / "kubectl.json"
    return json.loads(file.read_text()) if file.exists() else {}


def kubectl_calls(env: dict[str, str]) -> list[list[str]]:
    log = Path(env["SINDRI_STANDIN_STATE"]) / "kubectl.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
