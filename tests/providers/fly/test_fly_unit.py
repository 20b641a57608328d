"""Fly provider: parsing, state mapping, sizes and the generated fly.toml (tool-contracts §1, §3.4)."""

from __future__ import annotations

import asyncio
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from sindri.providers.errors import ProviderError, ToolOutputError
from sindri.providers.fly import (
    FlyProvider,
    overall_state,
    remote_command,
    secrets_stdin,
    size_to_gb,
    size_to_mb,
)
from sindri.providers.runner import CommandResult, Runner
from sindri.providers.types import DeploymentState
from sindri.schemas.loader import LoadedConfig
from sindri.schemas.model import SindriConfig

# The top-level, [vm] and [[mounts]] keys flyctl's appconfig knows (tool-contracts §3.4).
TOP_KEYS = {
    "app", "primary_region", "kill_signal", "kill_timeout", "swap_size_mb", "console_command",
    "experimental", "build", "deploy", "env", "processes", "mounts", "http_service", "services",
    "checks", "files", "host_dedication_id", "machine_config", "container", "machine_checks",
    "restart", "vm", "statics", "metrics",
}  # fmt: skip
VM_KEYS = {"size", "memory", "processes", "cpu_kind", "cpus", "memory_mb", "gpus", "gpu_kind",
           "host_dedication_id", "kernel_args", "persist_rootfs"}  # fmt: skip
MOUNT_KEYS = {"source", "destination", "initial_size", "snapshot_retention", "scheduled_snapshots",
              "auto_extend_size_threshold", "auto_extend_size_increment", "auto_extend_size_limit",
              "processes"}  # fmt: skip


def make_provider(tmp_path: Path, secrets: dict[str, str] | None = None, **overrides: Any) -> FlyProvider:
    data: dict[str, Any] = {
        "version": "3.0",
        "name": "my-env",
        "deployment": {"provider": "fly", "image": "ghcr.io/pacphi/sindri:v3-latest"},
        "extensions": {"profile": "minimal"},
    }
    for key, value in overrides.items():
        data[key] = value
    config = SindriConfig.model_validate(data)
    loaded = LoadedConfig(config=config, path=tmp_path / "sindri.yaml", secrets=dict(secrets or {}))
    return FlyProvider(loaded, Runner(secrets=(secrets or {}).values()))


def machine(state: str, mid: str = "m1", group: str = "app") -> dict[str, Any]:
    return {"id": mid, "state": state, "config": {"metadata": {"fly_process_group": group}}}


@pytest.mark.parametrize(
    ("text", "mb"), [("4GB", 4096), ("512MB", 512), ("1GB", 1024), ("2048MB", 2048), ("1TB", 1048576)]
)
def test_memory_sizes_in_megabytes(text: str, mb: int) -> None:
    assert size_to_mb(text) == mb


def test_volume_size_rounds_megabytes_up_instead_of_defaulting() -> None:
    assert size_to_gb("10GB") == 10
    assert size_to_gb("500MB") == 1
    assert size_to_gb("1500MB") == 2
    with pytest.raises(ValueError):
        size_to_mb("4Gi")


@pytest.mark.parametrize(
    ("native", "unified"),
    [
        ("created", DeploymentState.CREATING),
        ("starting", DeploymentState.CREATING),
        ("replacing", DeploymentState.CREATING),
        ("started", DeploymentState.RUNNING),
        ("stopping", DeploymentState.STOPPED),
        ("stopped", DeploymentState.STOPPED),
        ("suspending", DeploymentState.SUSPENDED),
        ("suspended", DeploymentState.SUSPENDED),
        ("failed", DeploymentState.ERROR),
        ("launch_failed", DeploymentState.ERROR),
        ("running", DeploymentState.UNKNOWN),  # upstream accepts it; Fly never emits it
        ("weird", DeploymentState.UNKNOWN),
    ],
)
def test_machine_state_map(native: str, unified: DeploymentState) -> None:
    assert overall_state([machine(native)])[0] is unified


def test_terminal_and_release_machines_do_not_count() -> None:
    assert overall_state([])[0] is DeploymentState.NOT_DEPLOYED
    assert overall_state([machine("destroyed"), machine("replaced", "m2")])[0] is DeploymentState.NOT_DEPLOYED
    state, chosen = overall_state([machine("started", "r1", "fly_app_release_command"), machine("stopped")])
    assert state is DeploymentState.STOPPED
    assert chosen is not None and chosen["id"] == "m1"


def test_all_machines_are_considered_not_just_the_first() -> None:
    state, chosen = overall_state(
        [machine("destroyed", "old"), machine("stopped", "a"), machine("started", "b")]
    )
    assert state is DeploymentState.RUNNING
    assert chosen is not None and chosen["id"] == "b"
    assert overall_state([machine("stopped", "a"), machine("failed", "b")])[0] is DeploymentState.ERROR
    assert overall_state([machine("stopped", "a"), machine("suspended", "b")])[0] is DeploymentState.SUSPENDED


def render(provider: FlyProvider) -> dict[str, Any]:
    return tomllib.loads(provider.render_fly_toml())


def test_fly_toml_structure(tmp_path: Path) -> None:
    provider = make_provider(
        tmp_path,
        secrets={"API_TOKEN": "s3cr3t-value"},
        deployment={
            "provider": "fly",
            "image": "ghcr.io/pacphi/sindri:v3.1.0",
            "resources": {"memory": "4GB", "cpus": 2},
            "volumes": {"workspace": {"size": "20GB"}},
        },
        extensions={"profile": "minimal", "additional": ["python", "nodejs"]},
        providers={
            "fly": {"region": "ord", "sshPort": 10222, "autoStopMachines": False, "cpuKind": "shared"}
        },
    )
    text = provider.render_fly_toml()
    doc = tomllib.loads(text)
    assert set(doc) <= TOP_KEYS
    assert doc["app"] == "my-env"
    assert doc["primary_region"] == "ord"
    assert doc["build"] == {"image": "ghcr.io/pacphi/sindri:v3.1.0"}
    assert doc["swap_size_mb"] == 2048  # top level, not in [vm] (tool-contracts §9.9)
    assert doc["vm"] == {"cpu_kind": "shared", "cpus": 2, "memory_mb": 4096}
    assert set(doc["vm"]) <= VM_KEYS
    [mount] = doc["mounts"]
    assert set(mount) <= MOUNT_KEYS
    assert mount["source"] == "home_data"
    assert mount["destination"] == "/alt/home/developer"
    assert mount["initial_size"] == "20gb"
    [service] = doc["services"]
    assert service["internal_port"] == 2222
    assert service["auto_stop_machines"] == "off"
    assert service["auto_start_machines"] is True
    assert service["ports"] == [{"port": 10222}]
    env = doc["env"]
    assert env["ADDITIONAL_EXTENSIONS"] == "python,nodejs"
    assert env["INSTALL_PROFILE"] == "minimal"
    assert env["SSH_PORT"] == "2222"
    assert env["SKIP_AUTO_INSTALL"] == "false"
    # No provider internals (upstream leaks fly_region, fly_memory_mb, ...) and no secrets.
    assert not [key for key in env if key.lower().startswith("fly_")]
    assert "API_TOKEN" not in env
    assert "s3cr3t-value" not in text


def test_fly_toml_defaults_and_auto_suspend(tmp_path: Path) -> None:
    doc = render(make_provider(tmp_path))
    assert doc["vm"] == {"cpu_kind": "shared", "cpus": 2, "memory_mb": 2048}
    assert doc["mounts"][0]["initial_size"] == "10gb"
    assert doc["services"][0]["auto_stop_machines"] == "suspend"
    assert doc["services"][0]["ports"] == [{"port": 10022}]
    assert doc["primary_region"] == "sjc"


def test_memory_in_megabytes_reaches_vm(tmp_path: Path) -> None:
    doc = render(
        make_provider(
            tmp_path,
            deployment={"provider": "fly", "image": "x:1", "resources": {"memory": "512MB", "cpus": 1}},
        )
    )
    assert doc["vm"]["memory_mb"] == 512
    assert doc["vm"]["cpus"] == 1


@pytest.mark.parametrize(
    ("tier", "size", "cpus", "memory"),
    [
        (None, "a100-40gb", 8, 32768),
        ("gpu-small", "a100-40gb", 8, 32768),
        ("gpu-medium", "a100-40gb", 16, 65536),
        ("gpu-large", "l40s", 16, 65536),
        ("gpu-xlarge", "a100-80gb", 32, 131072),
    ],
)
def test_gpu_tiers_map_to_fly_gpu_sizes(
    tmp_path: Path, tier: str | None, size: str, cpus: int, memory: int
) -> None:
    gpu: dict[str, Any] = {"enabled": True}
    if tier:
        gpu["tier"] = tier
    provider = make_provider(
        tmp_path, deployment={"provider": "fly", "image": "x:1", "resources": {"memory": "4GB", "gpu": gpu}}
    )
    doc = render(provider)
    assert doc["vm"] == {"size": size, "cpu_kind": "performance", "cpus": cpus, "memory_mb": memory}
    assert "guest_type" not in doc["vm"]  # upstream's key is not a fly.toml key
    assert "swap_size_mb" not in doc
    assert provider.supports_gpu()


@pytest.mark.parametrize(
    "nasty",
    [
        'quote " here',
        "new\nline",
        "hash # not a comment",
        "{{ jinja }} {% raw %}",
        "back\\slash",
        "tab\tand 'single'",
    ],
)
def test_values_cannot_break_or_inject_into_fly_toml(tmp_path: Path, nasty: str) -> None:
    provider = make_provider(
        tmp_path,
        deployment={"provider": "fly", "image": f"img:{nasty}"},
        extensions={"active": [nasty, "b"]},
        providers={"fly": {"region": nasty}},
    )
    doc = render(provider)
    assert doc["build"]["image"] == f"img:{nasty}"
    assert doc["primary_region"] == nasty
    assert doc["env"]["CUSTOM_EXTENSIONS"] == f"{nasty},b"
    assert set(doc) <= TOP_KEYS


def test_config_path_with_newline_stays_in_the_comment(tmp_path: Path) -> None:
    odd = tmp_path / 'dir\n[evil]\nx = "1"'
    odd.mkdir()
    doc = render(make_provider(odd))
    assert "evil" not in doc


def test_image_resolution(tmp_path: Path) -> None:
    def image(**cfg: Any) -> str:
        return make_provider(tmp_path, deployment={"provider": "fly", "image_config": cfg}).image()

    assert image(registry="ghcr.io/p/s", digest="sha256:abc", tag_override="t") == "ghcr.io/p/s@sha256:abc"
    assert image(registry="ghcr.io/p/s", tag_override="v3.0.1") == "ghcr.io/p/s:v3.0.1"
    assert image(registry="ghcr.io/p/s") == "ghcr.io/p/s:latest"
    with pytest.raises(ProviderError, match="tag_override"):
        image(registry="ghcr.io/p/s", version="^3")
    unset = make_provider(tmp_path, deployment={"provider": "fly"})  # no image: built from source (#12)
    with pytest.raises(ProviderError, match="built from source"):
        unset.image()
    source = unset.source()
    assert source is not None and source.dockerfile == "v3/Dockerfile" and source.ref == "v3"


def test_secrets_stdin_format() -> None:
    text = secrets_stdin({"B": "x=y # z", "A": "line1\nline2"})
    assert text == 'A="""line1\nline2"""\nB=x=y # z\n'
    with pytest.raises(ProviderError) as err:
        secrets_stdin({"C": 'bad\n"""'})
    assert 'bad\n"""' not in str(err.value)


def test_remote_command_is_quoted_for_su() -> None:
    import shlex

    cmd = ["echo", "a b", "$HOME", "it's; rm -rf /"]
    words = shlex.split(remote_command(cmd))
    assert words[:4] == ["su", "-", "developer", "-c"]
    assert shlex.split(words[4]) == cmd


def test_parse_errors_are_tool_output_errors(tmp_path: Path) -> None:
    from sindri.providers.fly import parse_list

    garbage = CommandResult(["flyctl"], 0, "<html>502</html>", "")
    with pytest.raises(ToolOutputError, match="not JSON"):
        parse_list(garbage, "apps list")
    with pytest.raises(ToolOutputError, match="expected a list"):
        parse_list(CommandResult(["flyctl"], 0, json.dumps({"a": 1}), ""), "apps list")


def test_warnings_for_settings_fly_cannot_honour(tmp_path: Path) -> None:
    provider = make_provider(
        tmp_path,
        deployment={"provider": "fly", "image": "x:1", "resources": {"memory": "300MB", "cpus": 1}},
        providers={"fly": {"highAvailability": True}},
    )
    text = " ".join(provider.warnings())
    assert "highAvailability" in text
    assert "multiple of 256" in text


# -- the provider against the flyctl stand-in, through the Python API -----------------------------


@pytest.fixture
def fly_env(tmp_path: Path) -> dict[str, str]:
    repo = Path(__file__).resolve().parents[3]
    env = dict(os.environ)
    env["PATH"] = f"{repo / 'tests' / 'standins'}{os.pathsep}{env.get('PATH', '')}"
    env["SINDRI_STANDIN_STATE"] = str(tmp_path / "state")
    env["PYTHONPATH"] = str(repo / "tests" / "standins")
    return env


def api_provider(tmp_path: Path, env: dict[str, str], secrets: dict[str, str] | None = None) -> FlyProvider:
    provider = make_provider(tmp_path, secrets=secrets)
    provider.runner = Runner(secrets=(secrets or {}).values(), env=env)
    return provider


def flyctl_calls(env: dict[str, str]) -> list[list[str]]:
    log = Path(env["SINDRI_STANDIN_STATE"]) / "flyctl.log"
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_lifecycle_through_the_api(tmp_path: Path, fly_env: dict[str, str]) -> None:
    from sindri.providers.types import DeployOptions

    provider = api_provider(tmp_path, fly_env, secrets={"API_TOKEN": "tok-123456"})

    async def scenario() -> None:
        prereqs = await provider.check_prerequisites()
        assert prereqs.satisfied, prereqs
        assert (await provider.status()).state is DeploymentState.NOT_DEPLOYED
        plan = await provider.plan()
        assert {a.resource for a in plan.actions} >= {"app:my-env", "volume:home_data", "machine:my-env"}
        result = await provider.deploy(DeployOptions(timeout=60))
        assert result.success and result.instance_id
        assert (tmp_path / ".sindri" / "fly" / "fly.toml").is_file()
        status = await provider.status()
        assert status.state is DeploymentState.RUNNING
        assert status.instance_id == result.instance_id
        await provider.stop()
        assert (await provider.status()).state is DeploymentState.STOPPED
        await provider.start()
        assert (await provider.status()).state is DeploymentState.RUNNING
        # A second deploy updates the same app instead of failing or creating another volume.
        await provider.deploy(DeployOptions(timeout=60))
        done = await provider.destroy()
        assert any("destroyed" in line for line in done)
        assert (await provider.status()).state is DeploymentState.NOT_DEPLOYED
        assert not (tmp_path / ".sindri").exists()

    asyncio.run(scenario())
    calls = flyctl_calls(fly_env)
    assert sum(c[:2] == ["volumes", "create"] for c in calls) == 1
    assert sum(c[:2] == ["apps", "create"] for c in calls) == 1
    [deploy, *_] = [c for c in calls if c[0] == "deploy"]
    assert deploy[deploy.index("-c") + 1] == str(tmp_path / ".sindri" / "fly" / "fly.toml")
    assert deploy[deploy.index("-a") + 1] == "my-env"
    assert ["secrets", "import", "--stage", "-a", "my-env"] in calls
    assert not any(c[:2] == ["ips", "allocate-v4"] for c in calls)  # no paid IPv4 by default
    assert any(c[:2] == ["ips", "allocate-v6"] for c in calls)
    assert "tok-123456" not in json.dumps(calls)


def test_no_wait_detaches_and_gpu_machine_is_accepted(tmp_path: Path, fly_env: dict[str, str]) -> None:
    from sindri.providers.types import DeployOptions

    provider = make_provider(
        tmp_path,
        deployment={
            "provider": "fly",
            "image": "x:1",
            "resources": {"gpu": {"enabled": True, "tier": "gpu-large"}},
        },
    )
    provider.runner = Runner(env=fly_env)
    asyncio.run(provider.deploy(DeployOptions(wait=False, timeout=60)))
    deploy = next(c for c in flyctl_calls(fly_env) if c[0] == "deploy")
    assert "--detach" in deploy and "--wait-timeout" not in deploy
    state = json.loads((Path(fly_env["SINDRI_STANDIN_STATE"]) / "flyctl.json").read_text())
    [machine] = state["apps"]["my-env"]["machines"]
    assert machine["config"]["guest"] == {
        "cpu_kind": "performance",
        "cpus": 16,
        "memory_mb": 65536,
        "gpu_kind": "l40s",
        "gpus": 1,
    }


def test_fly_alias_is_used_when_flyctl_is_absent(tmp_path: Path, fly_env: dict[str, str]) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "fly").symlink_to(Path(__file__).resolve().parents[2] / "standins" / "flyctl")
    env = {**fly_env, "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"}
    provider = api_provider(tmp_path, env)
    status = asyncio.run(provider.check_prerequisites())
    assert status.satisfied
    assert status.available[0].version == "0.4.87"
    assert asyncio.run(provider.status()).state is DeploymentState.NOT_DEPLOYED
