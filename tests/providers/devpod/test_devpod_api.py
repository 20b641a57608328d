"""DevpodProvider through its Python API against the devpod stand-in (and a private docker stand-in)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from sindri.providers.devpod import DevpodProvider
from sindri.providers.errors import (
    AlreadyDeployedError,
    NotDeployedError,
    ProviderError,
    ToolFailedError,
    ToolNotFoundError,
    ToolOutputError,
    ToolTimeoutError,
)
from sindri.providers.types import DeploymentState, DeployOptions

from .conftest import HERE, SECRET, base_config

Make = Callable[..., DevpodProvider]
SCHEMA = json.loads((HERE / "devContainer.base.schema.json").read_text())


def devpod_calls(env: dict[str, str]) -> list[list[str]]:
    log = Path(env["SINDRI_STANDIN_STATE"]) / "devpod.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_text(errors="replace")]


def secret_check() -> list[str]:
    """A command that exits 0 only when the workspace has API_TOKEN = SECRET (compared by digest, so
    the secret is neither printed nor put on a command line)."""
    digest = hashlib.sha256(SECRET.encode()).hexdigest()
    return ["sh", "-c", f'test "$(printf %s "$API_TOKEN" | sha256sum | cut -d" " -f1)" = {digest}']


def validate_devcontainer(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text())
    jsonschema.Draft201909Validator(SCHEMA).validate(data)
    return data


async def test_devcontainer_is_valid_escaped_and_free_of_secrets(make_provider: Make, project: Path) -> None:
    nasty = 'we"ird\n#x {{ name }}\\'
    data = base_config()
    data["deployment"] = {"provider": "devpod", "image": f"img:{nasty}", "buildFromSource": {"gitRef": nasty}}
    data["extensions"] = {
        "profile": "minimal",
        "additional": ["a#b", "{{c}}", 'q"uote'],
        "auto_install": False,
    }
    data["deployment"]["resources"] = {"memory": "8GB", "cpus": 4, "gpu": {"enabled": True}}  # type: ignore[index]
    provider = make_provider(data)
    text = provider.render_devcontainer(provider._explicit_image() or "")
    path = project / "devcontainer.json"
    path.write_text(text)
    doc = validate_devcontainer(path)
    assert doc["image"] == f"img:{nasty}"
    env = doc["containerEnv"]
    assert isinstance(env, dict)
    assert env["ADDITIONAL_EXTENSIONS"] == 'a#b,{{c}},q"uote'
    assert env["SINDRI_SOURCE_REF"] == nasty
    assert env["SKIP_AUTO_INSTALL"] == "true"
    assert "API_TOKEN" not in env and SECRET not in text
    assert doc["hostRequirements"] == {"cpus": 4, "memory": "8gb", "gpu": True}
    assert doc["runArgs"] == ["--gpus", "all"]


BACKENDS: dict[str, tuple[dict[str, object], str, dict[str, str]]] = {
    "aws": (
        {"region": "eu-west-1", "instanceType": "t3.large", "diskSize": 80, "subnetId": "sn-1"},
        "aws",
        {
            "AWS_REGION": "eu-west-1",
            "AWS_INSTANCE_TYPE": "t3.large",
            "AWS_DISK_SIZE": "80",
            "AWS_SUBNET_ID": "sn-1",
        },
    ),
    "gcp": (
        {"project": "p1", "zone": "europe-west1-b"},
        "gcloud",
        {"PROJECT": "p1", "ZONE": "europe-west1-b", "MACHINE_TYPE": "e2-standard-4", "DISK_SIZE": "40"},
    ),
    "azure": (
        {"subscription": "sub", "location": "westeurope"},
        "azure",
        {
            "AZURE_SUBSCRIPTION_ID": "sub",
            "AZURE_RESOURCE_GROUP": "devpod-resources",
            "AZURE_REGION": "westeurope",
            "AZURE_INSTANCE_SIZE": "Standard_D4s_v3",
            "AZURE_DISK_SIZE": "40",
        },
    ),
    "digitalocean": (
        {"region": "fra1", "diskSize": 50},
        "digitalocean",
        {"REGION": "fra1", "MACHINE_TYPE": "s-4vcpu-8gb", "DISK_SIZE": "50"},
    ),
    "kubernetes": (
        {
            "namespace": "dev",
            "context": "prod",
            "storageClass": "fast",
            "nodeSelector": {"b": "2", "a": "1"},
        },
        "kubernetes",
        {
            "KUBERNETES_NAMESPACE": "dev",
            "KUBERNETES_CONTEXT": "prod",
            "STORAGE_CLASS": "fast",
            "NODE_SELECTOR": "a=1,b=2",
        },
    ),
    "ssh": (
        {"host": "box.example", "user": "dev", "port": 2222, "keyPath": "/k/id"},
        "ssh",
        {"HOST": "dev@box.example", "PORT": "2222", "EXTRA_FLAGS": "-i /k/id"},
    ),
    "docker": ({"dockerHost": "tcp://h:2375"}, "docker", {"DOCKER_HOST": "tcp://h:2375"}),
}
"""Per backend: its sindri.yaml block, the DevPod provider and the options it gets."""


def test_backend_options_map_to_devpod_provider_options(make_provider: Make) -> None:
    for backend, (block, devpod_name, expected) in BACKENDS.items():
        provider = make_provider(base_config(type=backend, **{backend: block}))
        options, _ = provider._backend_options()
        assert provider.devpod_provider == devpod_name
        assert options == expected, backend


@pytest.mark.parametrize("backend", sorted(BACKENDS))
async def test_every_backend_option_reaches_the_devpod_provider(
    make_provider: Make, devpod_env: dict[str, str], backend: str
) -> None:
    """DevPod drops an option name its provider does not define without a word (so does the
    stand-in): every option sindri sends must come back from `devpod provider list`."""
    block, devpod_name, expected = BACKENDS[backend]
    provider = make_provider(base_config(type=backend, **{backend: block}))
    await provider._ensure_provider()
    listed = subprocess.run(
        ["devpod", "provider", "list", "--output", "json"],
        env=devpod_env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    stored = json.loads(listed.stdout)[devpod_name]["state"]["options"]
    assert {k: v["value"] for k, v in stored.items()} == expected


def test_ssh_backend_without_host_is_a_clear_error(make_provider: Make) -> None:
    with pytest.raises(ProviderError, match=r"providers\.devpod\.ssh\.host"):
        make_provider(base_config(type="ssh"))._backend_options()


async def test_docker_backend_lifecycle(
    make_provider: Make, devpod_env: dict[str, str], project: Path
) -> None:
    provider = make_provider(base_config())
    assert (await provider.status()).state == DeploymentState.NOT_DEPLOYED
    plan = await provider.plan()
    assert [a.resource for a in plan.actions] == ["devcontainer.json", "provider:docker", "workspace:dp-env"]

    result = await provider.deploy(DeployOptions())
    assert result.success and result.instance_id == "dp-env"
    validate_devcontainer(provider.devcontainer_path)
    assert provider.devcontainer_path.is_relative_to(project / ".sindri" / "devpod")
    status = await provider.status()
    assert status.state == DeploymentState.RUNNING and status.instance_id == "dp-env"

    await provider.stop()
    assert (await provider.status()).state == DeploymentState.STOPPED
    await provider.start()
    assert (await provider.status()).state == DeploymentState.RUNNING
    # the secret reached the workspace (compared inside it, never printed)
    assert await provider.connect(secret_check()) == 0
    assert await provider.connect(["sh", "-c", "exit 7"]) == 7

    done = await provider.destroy()
    assert any("Deleted" in line for line in done)
    assert (await provider.status()).state == DeploymentState.NOT_DEPLOYED
    assert not (project / ".sindri" / "devpod").exists()

    calls = devpod_calls(devpod_env)
    assert ["provider", "list", "--output", "json"] in calls
    assert not any("s3cr3t" in arg for call in calls for arg in call)
    assert files_containing(project, "s3cr3t") == []


async def test_provider_already_installed_gets_options_not_add(
    make_provider: Make, devpod_env: dict[str, str]
) -> None:
    devpod_env["SINDRI_STANDIN_DEVPOD_PROVIDERS"] = "docker"
    provider = make_provider(base_config(docker={"dockerHost": "unix:///x.sock"}))
    await provider.deploy(DeployOptions())
    calls = devpod_calls(devpod_env)
    assert not any(c[:2] == ["provider", "add"] for c in calls)
    assert ["provider", "set-options", "docker", "-o", "DOCKER_HOST=unix:///x.sock"] in calls


async def test_deploy_twice_needs_force(make_provider: Make, devpod_env: dict[str, str]) -> None:
    provider = make_provider(base_config())
    await provider.deploy(DeployOptions())
    with pytest.raises(AlreadyDeployedError, match="already exists"):
        await provider.deploy(DeployOptions())
    await provider.deploy(DeployOptions(force=True))
    assert ["delete", "dp-env", "--force"] in devpod_calls(devpod_env)
    assert (await provider.status()).state == DeploymentState.RUNNING


async def test_aws_builds_pushes_and_logs_in_via_stdin(
    make_provider: Make, devpod_env: dict[str, str]
) -> None:
    devpod_env["DOCKER_USERNAME"] = "bob"
    devpod_env["DOCKER_PASSWORD"] = "hunter2-registry"
    data = base_config(type="aws", buildRepository="ghcr.io/bob/sindri", aws={"region": "eu-west-1"})
    del data["deployment"]["image"]  # type: ignore[attr-defined]
    provider = make_provider(data)
    plan = await provider.plan()
    assert "image:ghcr.io/bob/sindri:latest" in [a.resource for a in plan.actions]
    await provider.deploy(DeployOptions())

    docker = [json.loads(line) for line in (Path(devpod_env["SINDRI_STANDIN_STATE"]) / "docker.log").open()]
    assert docker[0] == ["login", "ghcr.io", "-u", "bob", "--password-stdin"]
    assert docker[1][:3] == ["build", "-t", "ghcr.io/bob/sindri:latest"]
    assert docker[2] == ["push", "ghcr.io/bob/sindri:latest"]
    assert json.loads(provider.devcontainer_path.read_text())["image"] == "ghcr.io/bob/sindri:latest"
    add = next(c for c in devpod_calls(devpod_env) if c[:2] == ["provider", "add"])
    assert add[2] == "aws" and "AWS_REGION=eu-west-1" in add
    up = next(c for c in devpod_calls(devpod_env) if c[0] == "up")
    assert up[up.index("--provider") + 1] == "aws"
    assert await provider.connect(secret_check()) == 0


async def test_cloud_backend_without_image_needs_build_repository(make_provider: Make) -> None:
    data = base_config(type="gcp")
    del data["deployment"]["image"]  # type: ignore[attr-defined]
    with pytest.raises(ProviderError, match="buildRepository"):
        await make_provider(data).deploy(DeployOptions())


async def test_configured_image_is_used_without_build_on_cloud(
    make_provider: Make, devpod_env: dict[str, str]
) -> None:
    provider = make_provider(base_config(type="azure"))
    await provider.deploy(DeployOptions())
    assert not (Path(devpod_env["SINDRI_STANDIN_STATE"]) / "docker.log").exists()


async def test_kubernetes_remote_context_does_not_crash(make_provider: Make) -> None:
    data = base_config(type="kubernetes", buildRepository="reg.example/sindri")
    del data["deployment"]["image"]  # type: ignore[attr-defined]
    plan = await make_provider(data).plan()
    assert "image:reg.example/sindri:latest" in [a.resource for a in plan.actions]


async def test_failures_are_typed(make_provider: Make, devpod_env: dict[str, str]) -> None:
    def knob(name: str, value: str) -> DevpodProvider:
        return make_provider(base_config(), env={**devpod_env, name: value})

    with pytest.raises(ToolOutputError, match="no workspace state"):
        await knob("SINDRI_STANDIN_GARBAGE", "status").status()
    with pytest.raises(ToolOutputError, match="JSON object"):
        await knob("SINDRI_STANDIN_GARBAGE", "provider list").deploy(DeployOptions())
    with pytest.raises(ToolFailedError, match="exit code 1"):
        await knob("SINDRI_STANDIN_FAIL", "status").status()
    with pytest.raises(ToolFailedError, match="exit code 1"):
        await knob("SINDRI_STANDIN_FAIL", "up").deploy(DeployOptions())
    with pytest.raises(ToolTimeoutError):
        await knob("SINDRI_STANDIN_HANG", "up").deploy(DeployOptions(timeout=1))


async def test_not_deployed_operations(make_provider: Make) -> None:
    provider = make_provider(base_config())
    for op in (provider.stop(), provider.start(), provider.connect(["true"])):
        with pytest.raises(NotDeployedError, match="sindri deploy"):
            await op
    assert any("nothing to delete" in line for line in await provider.destroy())


async def test_devpod_missing(make_provider: Make, devpod_env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {**devpod_env, "PATH": str(empty)}
    provider = make_provider(base_config(), env=env)
    with pytest.raises(ToolNotFoundError) as err:
        await provider.status()
    assert "devpod.sh" in str(err.value)
    prereq = await provider.check_prerequisites()
    assert [p.name for p in prereq.missing] == ["devpod"]


async def test_connect_starts_a_stopped_workspace(make_provider: Make) -> None:
    provider = make_provider(base_config())
    await provider.deploy(DeployOptions())
    await provider.stop()
    assert await provider.connect(["true"]) == 0
    assert (await provider.status()).state == DeploymentState.RUNNING


def test_output_dir_is_below_config_not_cwd(make_provider: Make, project: Path) -> None:
    provider = make_provider(base_config())
    assert provider.output_dir == project / ".sindri" / "devpod"
    assert Path(os.getcwd()) not in provider.output_dir.parents
