"""Every generated manifest passes `kubernetes-validate --strict`, and says what the config says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from k8s_helpers import SECRET_VALUE, config_dict, provider, validate
from sindri.providers.errors import ProviderError

NASTY = "quote\" 'single' # hash {{ braces }} {% tag %}\nnew: line"


def docs(text: str) -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in yaml.safe_load_all(text) if d}


def test_manifest_is_valid_and_faithful(tmp_path: Path) -> None:
    data = config_dict(namespace="team-a")
    data["providers"]["kubernetes"]["storageClass"] = "fast-ssd"
    data["deployment"]["buildFromSource"] = {"enabled": False, "gitRef": NASTY}
    data["deployment"]["resources"]["memory"] = "512MB"
    data["extensions"] = {"profile": "minimal", "additional": ["a#b", 'c"d']}
    prov = provider(tmp_path, data, secrets={"API_TOKEN": SECRET_VALUE})
    text = prov.render_manifests()
    assert SECRET_VALUE not in text
    path = tmp_path / "out.yaml"
    path.write_text(text)
    result = validate(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed") == 3

    kinds = docs(text)
    assert set(kinds) == {"PersistentVolumeClaim", "Deployment", "Service"}
    assert {d["metadata"]["namespace"] for d in kinds.values()} == {"team-a"}
    pvc = kinds["PersistentVolumeClaim"]
    assert pvc["metadata"]["name"] == "my-env-home-pvc"
    assert pvc["spec"]["resources"]["requests"]["storage"] == "20Gi"
    assert pvc["spec"]["storageClassName"] == "fast-ssd"
    dep = kinds["Deployment"]
    container = dep["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"] == {"memory": "512Mi", "cpu": "2"}
    assert container["envFrom"] == [{"secretRef": {"name": "my-env-secrets"}}]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["SINDRI_SOURCE_REF"] == NASTY  # escaped, not injected
    assert env["INSTALL_PROFILE"] == "minimal"
    assert env["ADDITIONAL_EXTENSIONS"] == 'a#b,c"d'
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert labels["instance"] == "my-env" and labels["app.kubernetes.io/instance"] == "my-env"
    assert labels["app.kubernetes.io/managed-by"] == "sindri"
    assert dep["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert kinds["Service"]["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]
    assert (
        dep["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
        == "my-env-home-pvc"
    )


def test_no_secrets_no_envfrom_and_gpu_limits(tmp_path: Path) -> None:
    data = config_dict()
    data["secrets"] = []
    data["deployment"]["resources"]["gpu"] = {"enabled": True, "count": 2}
    data["deployment"]["image"] = 'registry.local/img:"odd#tag'
    data["providers"]["kubernetes"]["storageClass"] = NASTY
    text = provider(tmp_path, data).render_manifests()
    path = tmp_path / "out.yaml"
    path.write_text(text)
    assert validate(path).returncode == 0
    container = docs(text)["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert "envFrom" not in container
    assert container["image"] == 'registry.local/img:"odd#tag'
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert docs(text)["PersistentVolumeClaim"]["spec"]["storageClassName"] == NASTY


def test_namespace_manifest_is_valid(tmp_path: Path) -> None:
    prov = provider(tmp_path, config_dict(namespace="fresh-ns"))
    path = tmp_path / "ns.yaml"
    path.write_text(prov.render_namespace())
    result = validate(path)
    assert result.returncode == 0, result.stdout + result.stderr
    ns = yaml.safe_load(path.read_text())
    assert ns["metadata"]["name"] == "fresh-ns"
    assert ns["metadata"]["labels"]["sindri.dev/created-by"] == "my-env"


def test_secret_manifest_is_valid_and_only_in_memory(tmp_path: Path) -> None:
    prov = provider(tmp_path, config_dict(), secrets={"API_TOKEN": SECRET_VALUE, "OTHER": "line1\nline2"})
    secret = json.loads(prov.secret_manifest())
    kubernetes_validate.validate(secret, "1.37.0", strict=True)
    assert secret["metadata"] == {**secret["metadata"], "name": "my-env-secrets", "namespace": "sindri-dev"}
    assert SECRET_VALUE not in prov.secret_manifest()  # base64, and never rendered to a file


@pytest.mark.parametrize(
    ("name", "ns"), [("a" * 64, "default"), ("my-env-", "default"), ("my-env", "Bad_NS")]
)
def test_invalid_kubernetes_names_are_refused(tmp_path: Path, name: str, ns: str) -> None:
    with pytest.raises(ProviderError, match="not a valid Kubernetes name"):
        provider(tmp_path, config_dict(name=name, namespace=ns)).render_manifests()


def test_image_resolution(tmp_path: Path) -> None:
    data = config_dict()
    data["deployment"]["image_config"] = {"registry": "ghcr.io/pacphi/sindri", "tag_override": "v3.1.4"}
    assert provider(tmp_path, data).image() == "ghcr.io/pacphi/sindri:v3.1.4"
    data["deployment"]["image_config"] = {"registry": "ghcr.io/pacphi/sindri", "version": "^3.0"}
    with pytest.raises(ProviderError, match="range"):
        provider(tmp_path, data).image()
    del data["deployment"]["image_config"], data["deployment"]["image"]
    with pytest.raises(ProviderError, match="No image configured"):
        provider(tmp_path, data).image()
