"""Each stand-in refuses what its real tool refuses: a misspelled flag or option fails here as it
would on a real machine (texts and exit codes from tool-contracts.md and the tools' sources), so a
wrong command line in a provider cannot pass the provider tests."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support import REPO, STANDINS

KUBECTL = REPO / "tests" / "providers" / "kubernetes" / "standin" / "kubectl"


def run(tool: str | Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = tool if isinstance(tool, Path) else STANDINS / tool
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=30)


def refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert message in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "ws", "--outpt", "json"], "fatal unknown flag: --outpt"),
        (["up", ".", "--id", "ws", "--timeout", "60s"], "fatal unknown flag: --timeout"),
        (["delete", "ws", "-f"], "fatal unknown shorthand flag: 'f' in -f"),
        (["provider", "add", "docker", "--use=false", "--optoin", "X=1"], "fatal unknown flag: --optoin"),
        (["provider", "add", "docker", "-o", "DOCKER_HOST"], "expected format KEY=VALUE"),
    ],
)
def test_devpod_refuses_unknown_flags(standin_env: dict[str, str], args: list[str], message: str) -> None:
    refused(run("devpod", *args, env=standin_env), message)


def test_devpod_drops_an_option_its_provider_does_not_define(standin_env: dict[str, str]) -> None:
    """DevPod's option resolver reads only the options a provider.yaml defines: a misspelled name is
    accepted without a word and never reaches the provider (keys are upper-cased first)."""
    added = run(
        "devpod",
        *("provider", "add", "kubernetes", "--use=false"),
        *("-o", "STORAGE_CLAS=fast", "-o", "kubernetes_namespace=dev"),
        env=standin_env,
    )
    assert added.returncode == 0, added.stderr
    listed = run("devpod", "provider", "list", "--output", "json", env=standin_env)
    options = json.loads(listed.stdout)["kubernetes"]["state"]["options"]
    assert options == {"KUBERNETES_NAMESPACE": {"value": "dev", "userProvided": True}}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["delete", "deployment", "x", "-n", "ns", "--ignore-not-fund"],
            "error: unknown flag: --ignore-not-fund",
        ),
        (["scale", "deployment", "x", "--replica", "0"], "error: unknown flag: --replica"),
        (["rollout", "status", "deployment/x", "--timout=5s"], "See 'kubectl rollout status --help'"),
        (["get", "pods", "-x"], "error: unknown shorthand flag: 'x' in -x"),
        (["exec", "-it", "-q", "-z", "pod", "--", "sh"], "error: unknown shorthand flag: 'z' in -z"),
    ],
)
def test_kubectl_refuses_unknown_flags(standin_env: dict[str, str], args: list[str], message: str) -> None:
    result = run(KUBECTL, *args, env=standin_env)
    refused(result, message)
    assert result.stderr.rstrip().endswith("for usage.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "docker-image", "img", "--nme", "c"], "ERROR: unknown flag: --nme"),
        (["get", "clusters", "-x"], "ERROR: unknown shorthand flag: 'x' in -x"),
        (["get", "cluster"], 'ERROR: unknown command "get cluster" for "kind"'),
    ],
)
def test_kind_refuses_unknown_flags(standin_env: dict[str, str], args: list[str], message: str) -> None:
    refused(run("kind", *args, env=standin_env), message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["image", "import", "img", "--clustr", "c"], "FATA[0000] unknown flag: --clustr"),
        (["cluster", "list", "-j"], "FATA[0000] unknown shorthand flag: 'j' in -j"),
    ],
)
def test_k3d_refuses_unknown_flags(standin_env: dict[str, str], args: list[str], message: str) -> None:
    result = run("k3d", *args, env=standin_env)
    refused(result, message)
    assert result.stderr.startswith("Error: unknown")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["apps", "list", "--jsn"], "Error: unknown flag: --jsn"),
        (["machines", "list", "-a", "x", "-J"], "Error: unknown shorthand flag: 'J' in -J"),
    ],
)
def test_flyctl_refuses_unknown_flags(standin_env: dict[str, str], args: list[str], message: str) -> None:
    refused(run("flyctl", *args, env=standin_env), message)


def test_e2b_refuses_unknown_options(standin_env: dict[str, str]) -> None:
    refused(
        run("e2b", "sandbox", "connect", "sbx1", "--usr", "me", env=standin_env), "unknown option '--usr'"
    )
    refused(run("e2b", "sandbox", "connect", "sbx1", "-x", env=standin_env), "unknown option '-x'")
