"""The DevPod provider through the real `sindri` CLI (subprocess) against the devpod stand-in."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from support import run_sindri

from .conftest import SECRET, base_config

WriteConfig = Callable[[dict[str, object]], Path]
SECRET_DIGEST = hashlib.sha256(SECRET.encode()).hexdigest()
SECRET_CHECK = f'test "$(printf %s "$API_TOKEN" | sha256sum | cut -d" " -f1)" = {SECRET_DIGEST}'


def sindri(
    config: Path, env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    command, *rest = args
    result = run_sindri(command, "-c", str(config), *rest, env=env, timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr
    assert "s3cr3t" not in result.stdout + result.stderr
    return result


def state_of(config: Path, env: dict[str, str]) -> str:
    result = sindri(config, env, "status")
    assert result.returncode == 0, result.stderr
    return next(
        line.split(":", 1)[1].strip() for line in result.stdout.splitlines() if line.startswith("State:")
    )


def lifecycle(config: Path, env: dict[str, str]) -> None:
    """plan, deploy, status, stop, status, start, connect -- CMD, destroy, status; secrets stay off disk."""
    plan = sindri(config, env, "plan")
    assert plan.returncode == 0, plan.stderr
    assert "workspace:" in plan.stdout + plan.stderr
    deploy = sindri(config, env, "deploy")
    assert deploy.returncode == 0, deploy.stderr
    assert state_of(config, env) == "running"
    assert sindri(config, env, "stop").returncode == 0
    assert state_of(config, env) == "stopped"
    assert sindri(config, env, "start").returncode == 0
    assert state_of(config, env) == "running"

    hello = sindri(config, env, "connect", "--", "echo", "hi there")
    assert hello.returncode == 0 and hello.stdout.strip() == "hi there"
    assert sindri(config, env, "connect", "--", "sh", "-c", "exit 3").returncode == 3
    assert sindri(config, env, "connect", "--", "sh", "-c", SECRET_CHECK).returncode == 0

    files = [p for p in config.parent.rglob("*") if p.is_file()]
    assert any(p.name == "devcontainer.json" for p in files)
    assert [p for p in files if "s3cr3t" in p.read_text(errors="replace")] == []

    destroy = sindri(config, env, "destroy", "--yes")
    assert destroy.returncode == 0, destroy.stderr
    assert state_of(config, env) == "not deployed"
    assert not (config.parent / ".sindri" / "devpod").exists()


def test_docker_backend_lifecycle(write_config: WriteConfig, devpod_env: dict[str, str]) -> None:
    lifecycle(write_config(base_config()), devpod_env)


def test_aws_backend_lifecycle_with_build_and_push(
    write_config: WriteConfig, devpod_env: dict[str, str]
) -> None:
    data = base_config(type="aws", buildRepository="ghcr.io/bob/sindri", aws={"region": "eu-west-1"})
    del data["deployment"]["image"]  # type: ignore[attr-defined]
    env = {**devpod_env, "DOCKER_USERNAME": "bob", "DOCKER_PASSWORD": "hunter2-registry"}
    lifecycle(write_config(data), env)
    docker_log = (Path(env["SINDRI_STANDIN_STATE"]) / "docker.log").read_text()
    assert "hunter2" not in docker_log and '"push", "ghcr.io/bob/sindri:latest"' in docker_log


def test_runs_from_another_directory(
    write_config: WriteConfig, devpod_env: dict[str, str], tmp_path: Path
) -> None:
    config = write_config(base_config())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_sindri("deploy", "-c", str(config), env=devpod_env, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert list(elsewhere.iterdir()) == []
    assert (config.parent / ".sindri" / "devpod" / ".devcontainer" / "devcontainer.json").is_file()


@pytest.mark.parametrize(
    ("knobs", "args", "message"),
    [
        ({"SINDRI_STANDIN_FAIL": "up"}, ("deploy",), "exit code 1"),
        ({"SINDRI_STANDIN_GARBAGE": "status"}, ("status",), "no workspace state"),
        ({"SINDRI_STANDIN_GARBAGE": "provider list"}, ("deploy",), "JSON object"),
        ({"SINDRI_STANDIN_HANG": "up"}, ("deploy", "--timeout", "2"), "did not finish"),
        ({}, ("stop",), "does not exist"),
        ({}, ("connect", "--", "true"), "does not exist"),
    ],
)
def test_failures_end_with_a_clear_message(
    write_config: WriteConfig,
    devpod_env: dict[str, str],
    knobs: dict[str, str],
    args: tuple[str, ...],
    message: str,
) -> None:
    result = sindri(write_config(base_config()), {**devpod_env, **knobs}, *args)
    assert result.returncode != 0
    assert message in result.stderr


def test_devpod_missing(write_config: WriteConfig, devpod_env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    result = sindri(write_config(base_config()), {**devpod_env, "PATH": str(empty)}, "deploy")
    assert result.returncode != 0
    assert "devpod" in result.stderr and "devpod.sh" in result.stderr


def test_already_exists(write_config: WriteConfig, devpod_env: dict[str, str]) -> None:
    config = write_config(base_config())
    assert sindri(config, devpod_env, "deploy").returncode == 0
    again = sindri(config, devpod_env, "deploy")
    assert again.returncode != 0 and "already exists" in again.stderr and "--force" in again.stderr
    assert sindri(config, devpod_env, "deploy", "--force").returncode == 0


def test_missing_build_repository(write_config: WriteConfig, devpod_env: dict[str, str]) -> None:
    data = base_config(type="gcp")
    del data["deployment"]["image"]  # type: ignore[attr-defined]
    result = sindri(write_config(data), devpod_env, "deploy")
    assert result.returncode != 0 and "buildRepository" in result.stderr


def test_destroy_force_goes_on_when_the_workspace_is_gone_remotely(
    write_config: WriteConfig, devpod_env: dict[str, str]
) -> None:
    """README: `destroy --force` goes on when parts of the environment are already gone."""
    config = write_config(base_config())
    assert sindri(config, devpod_env, "deploy").returncode == 0
    gone = {**devpod_env, "SINDRI_STANDIN_DEVPOD_REMOTE_GONE": "1"}
    refused = sindri(config, gone, "destroy", "--yes")
    assert refused.returncode == 1 and "sindri destroy --force" in refused.stderr
    assert state_of(config, devpod_env) == "running"
    forced = sindri(config, gone, "destroy", "--yes", "--force")
    assert forced.returncode == 0, forced.stderr
    assert state_of(config, devpod_env) == "not deployed"


def test_file_secrets_are_installed_over_ssh_with_their_mode(
    write_config: WriteConfig, devpod_env: dict[str, str], tmp_path: Path
) -> None:
    content = b"-----BEGIN KEY-----\n" + SECRET.encode() + b"\n\x00\xff\n"
    target = tmp_path / "in-workspace" / ".ssh" / "id key"  # the stand-in's workspace runs locally
    data = base_config()
    (tmp_path / "id_key").write_bytes(content)
    data["secrets"] = [  # type: ignore[index]
        *data["secrets"],  # type: ignore[misc]
        {
            "name": "SSH_KEY",
            "source": "file",
            "path": str(tmp_path / "id_key"),
            "mountPath": str(target),
            "permissions": "0600",
        },
    ]
    config = write_config(data)
    deploy = sindri(config, devpod_env, "deploy")
    assert deploy.returncode == 0, deploy.stderr
    assert target.read_bytes() == content
    assert target.stat().st_mode & 0o777 == 0o600
    log = (Path(devpod_env["SINDRI_STANDIN_STATE"]) / "devpod.log").read_text()
    assert SECRET not in log and base64.b64encode(content).decode() not in log
    assert [p for p in config.parent.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()] == []
    assert sindri(config, devpod_env, "destroy", "--yes").returncode == 0
