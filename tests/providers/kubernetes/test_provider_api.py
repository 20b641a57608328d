"""The provider against the stand-ins, at the Python API level (the CLI tests cover the same paths)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from k8s_helpers import (
    REAL_KUBECTL,
    SECRET_VALUE,
    cluster_state,
    config_dict,
    k8s_env,
    kubectl_calls,
    provider,
)
from sindri.providers.errors import AlreadyDeployedError, NotDeployedError, ProviderError
from sindri.providers.types import DeploymentState, DeployOptions


def real_kubectl_version() -> str:
    """gitVersion of the kubectl the dev dependency installed (its version is not pinned)."""
    out = subprocess.run(
        [str(REAL_KUBECTL), "version", "--client", "-o", "json"], capture_output=True, text=True, timeout=30
    ).stdout
    version: str = json.loads(out)["clientVersion"]["gitVersion"]
    assert version.startswith("v1.")
    return version


@pytest.fixture
def env(standin_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return k8s_env(standin_env, tmp_path)


async def test_prerequisites(env: dict[str, str], tmp_path: Path) -> None:
    status = await provider(tmp_path / "cfg", config_dict(), env).check_prerequisites()
    assert status.satisfied, status
    versions = {p.name: p.version for p in status.available}
    assert versions["kubectl"] == real_kubectl_version()  # the stand-in delegates `version --client`
    assert versions["kind"] == "kind v0.32.0 go1.25.1 linux/amd64"


async def test_lifecycle_keeps_pvc_on_force_and_cleans_up(env: dict[str, str], tmp_path: Path) -> None:
    prov = provider(tmp_path / "cfg", config_dict(), env, secrets={"API_TOKEN": SECRET_VALUE})
    assert (await prov.status()).state is DeploymentState.NOT_DEPLOYED

    result = await prov.deploy(DeployOptions(timeout=20))
    assert result.instance_id and result.instance_id.startswith("my-env-")
    objects = cluster_state(env)["objects"]
    assert "Namespace//sindri-dev" in objects
    assert {
        "Deployment/sindri-dev/my-env",
        "Service/sindri-dev/my-env",
        "Secret/sindri-dev/my-env-secrets",
        "PersistentVolumeClaim/sindri-dev/my-env-home-pvc",
    } <= set(objects)
    kind_log = (Path(env["SINDRI_STANDIN_STATE"]) / "kind.log").read_text()
    assert '["load", "docker-image", "ghcr.io/pacphi/sindri:v3-latest", "--name", "sindri-local"]' in kind_log
    manifest = prov.output_dir / "k8s-deployment.yaml"
    assert manifest.is_file() and SECRET_VALUE not in manifest.read_text()
    secret_applies = [c for c in kubectl_calls(env) if c[:3] == ["apply", "-f", "-"]]
    assert len(secret_applies) == 1  # through stdin, never a file

    status = await prov.status()
    assert status.state is DeploymentState.RUNNING
    assert status.details["namespace"] == "sindri-dev" and status.instance_id == result.instance_id

    with pytest.raises(AlreadyDeployedError, match="already exists in namespace 'sindri-dev'"):
        await prov.deploy(DeployOptions(timeout=20))
    pvc_uid = objects["PersistentVolumeClaim/sindri-dev/my-env-home-pvc"]["metadata"]["uid"]
    again = await prov.deploy(DeployOptions(force=True, timeout=20))
    assert again.instance_id != result.instance_id  # the Deployment was recreated...
    after = cluster_state(env)["objects"]
    assert (
        after["PersistentVolumeClaim/sindri-dev/my-env-home-pvc"]["metadata"]["uid"] == pvc_uid
    )  # ...not the PVC
    assert not any(c[:2] == ["delete", "pvc"] for c in kubectl_calls(env))

    await prov.stop()
    stopped = await prov.status()
    assert stopped.state is DeploymentState.STOPPED and stopped.details["replicas"] == "0"
    with pytest.raises(ProviderError, match="stopped"):
        await prov.connect(["true"])
    await prov.start()
    assert (await prov.status()).state is DeploymentState.RUNNING

    done = await prov.destroy()
    assert any("namespace sindri-dev" in d.lower() for d in done)
    assert not [k for k in cluster_state(env)["objects"] if "/sindri-dev/" in k or k.endswith("/sindri-dev")]
    assert not manifest.exists()
    assert (await prov.status()).state is DeploymentState.NOT_DEPLOYED
    assert "Nothing to destroy" in (await prov.destroy())[0]


async def test_destroy_keeps_a_namespace_it_did_not_create(env: dict[str, str], tmp_path: Path) -> None:
    prov = provider(tmp_path / "cfg", config_dict(namespace="default"), env)
    await prov.deploy(DeployOptions(timeout=20))
    await prov.destroy()
    objects = cluster_state(env)["objects"]
    assert "Namespace//default" in objects
    assert not [k for k in objects if k.startswith(("Deployment/", "PersistentVolumeClaim/", "Service/"))]


async def test_namespace_shared_by_two_environments_survives_the_first_destroy(
    env: dict[str, str], tmp_path: Path
) -> None:
    first = provider(tmp_path / "a", config_dict(name="env-a", namespace="shared"), env)
    second = provider(tmp_path / "b", config_dict(name="env-b", namespace="shared"), env)
    await first.deploy(DeployOptions(timeout=20))
    await second.deploy(DeployOptions(timeout=20))
    await first.destroy()
    assert (await second.status()).state is DeploymentState.RUNNING
    assert "Namespace//shared" in cluster_state(env)["objects"]


@pytest.mark.parametrize(
    ("knob", "state"),
    [
        ("ImagePullBackOff", DeploymentState.ERROR),
        ("CrashLoopBackOff", DeploymentState.ERROR),
        ("ContainerCreating", DeploymentState.CREATING),
        ("NotReady", DeploymentState.CREATING),
        ("Failed", DeploymentState.ERROR),
        ("Terminating", DeploymentState.STOPPED),
    ],
)
async def test_status_maps_pod_states(
    env: dict[str, str], tmp_path: Path, knob: str, state: DeploymentState
) -> None:
    prov = provider(tmp_path / "cfg", config_dict(), env)
    await prov.deploy(DeployOptions(wait=False))
    env["SINDRI_STANDIN_K8S_POD"] = knob
    assert (await provider(tmp_path / "cfg", config_dict(), env).status()).state is state


async def test_wait_reports_why_the_pod_is_not_ready(env: dict[str, str], tmp_path: Path) -> None:
    env["SINDRI_STANDIN_K8S_POD"] = "ImagePullBackOff"
    prov = provider(tmp_path / "cfg", config_dict(), env)
    with pytest.raises(ProviderError, match=r"did not become ready within 1s \(ImagePullBackOff"):
        await prov.deploy(DeployOptions(timeout=1))


async def test_k3d_image_import_and_remote_warning(standin_env: dict[str, str], tmp_path: Path) -> None:
    env = k8s_env(standin_env, tmp_path, context="k3d-dev")
    await provider(tmp_path / "cfg", config_dict(), env).deploy(DeployOptions(timeout=20))
    log = (Path(env["SINDRI_STANDIN_STATE"]) / "k3d.log").read_text()
    assert '["image", "import", "ghcr.io/pacphi/sindri:v3-latest", "-c", "dev"]' in log

    remote = k8s_env(standin_env, tmp_path, context="prod-eks")
    result = await provider(tmp_path / "cfg2", config_dict(name="other"), remote).deploy(
        DeployOptions(timeout=20)
    )
    assert any("must be pullable" in w for w in result.warnings)


async def test_image_missing_locally_is_a_warning_not_an_abort(env: dict[str, str], tmp_path: Path) -> None:
    env["SINDRI_STANDIN_LOCAL_IMAGES"] = "something-else:1"
    result = await provider(tmp_path / "cfg", config_dict(), env).deploy(DeployOptions(timeout=20))
    assert any("not in the local Docker" in w for w in result.warnings)


async def test_not_deployed_errors(env: dict[str, str], tmp_path: Path) -> None:
    prov = provider(tmp_path / "cfg", config_dict(), env)
    for call in (prov.start(), prov.stop(), prov.connect(["true"])):
        with pytest.raises(NotDeployedError, match="not found in namespace 'sindri-dev'"):
            await call


async def test_connect_runs_in_the_container_with_the_secret(env: dict[str, str], tmp_path: Path) -> None:
    prov = provider(tmp_path / "cfg", config_dict(), env, secrets={"API_TOKEN": SECRET_VALUE})
    await prov.deploy(DeployOptions(timeout=20))
    code = await prov.connect(["sh", "-c", 'test "$API_TOKEN" = "$1" && exit 7', "sh", SECRET_VALUE])
    assert code == 7


def test_real_kubectl_reads_the_kubeconfig(env: dict[str, str]) -> None:
    out = subprocess.run(["kubectl", "config", "current-context"], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "kind-sindri-local"
    assert yaml.safe_load(Path(env["KUBECONFIG"]).read_text())["current-context"] == "kind-sindri-local"
