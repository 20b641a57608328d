"""The E2B provider through the real `sindri` CLI (subprocess), the SDK pointed at the loopback API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from e2b_api import DEFAULT_KEY, E2bApiServer
from e2b_testlib import SECRET, base_config, run_sindri


@pytest.fixture
def env(standin_env: dict[str, str], api: E2bApiServer, tmp_path: Path) -> dict[str, str]:
    # no e2b CLI on this PATH: the SDK does all but the interactive shell
    return {
        **standin_env,
        "E2B_API_KEY": DEFAULT_KEY,
        "E2B_API_URL": api.url,
        "E2B_SANDBOX_URL": api.url,
        "API_TOKEN": SECRET,
        "HOME": str(tmp_path / "home"),
    }


def clean(proc: object) -> None:
    for stream in (proc.stdout, proc.stderr):  # type: ignore[attr-defined]
        assert "Traceback" not in stream
        assert "s3cr3t" not in stream


def test_full_lifecycle(
    env: dict[str, str], api: E2bApiServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    cfg = str(write_config())
    elsewhere = tmp_path  # run from another directory: files still go next to the config

    def sindri(*args: str, code: int = 0) -> str:
        proc = run_sindri(*args, "-c", cfg, env=env, cwd=elsewhere)
        clean(proc)
        assert proc.returncode == code, (args, proc.stdout, proc.stderr)
        return proc.stdout

    plan = json.loads(sindri("plan", "--json"))
    assert any(a["resource"] == "template:e2b-env" for a in plan["actions"])
    assert api.api.sandboxes == {}

    deployed = json.loads(sindri("deploy", "--json"))
    sid = deployed["instance_id"]
    assert api.api.sandboxes[sid]["envVars"]["API_TOKEN"] == SECRET

    def state() -> str:
        return str(json.loads(sindri("status", "--json"))["state"])

    assert state() == "running"
    sindri("stop")
    assert state() == "paused"
    sindri("start")
    assert state() == "running"

    proc = run_sindri(
        "connect", "-c", cfg, "--", "sh", "-c", "echo hello-from-sandbox; exit 5", env=env, cwd=elsewhere
    )
    assert proc.returncode == 5 and "hello-from-sandbox" in proc.stdout
    clean(proc)

    sindri("destroy", "--yes")
    assert api.api.sandboxes == {}
    assert state() == "not_deployed"
    for path in Path(cfg).parent.rglob("*"):
        if path.is_file():
            assert "s3cr3t" not in path.read_text(errors="replace"), path
    assert not list(elsewhere.glob(".sindri")) and not list(elsewhere.glob("e2b*"))


def fails(args: list[str], env: dict[str, str], cfg: Path, *expected: str) -> None:
    proc = run_sindri(args[0], "-c", str(cfg), *args[1:], env=env, timeout=60)
    clean(proc)
    assert proc.returncode != 0, proc.stdout
    for text in expected:
        assert text in proc.stderr, proc.stderr


def test_api_key_missing(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    env.pop("E2B_API_KEY")
    cfg = write_config()
    fails(["deploy"], env, cfg, "E2B_API_KEY", "e2b.dev/dashboard")
    fails(["status"], env, cfg, "E2B_API_KEY is not set")


def test_invalid_key(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    fails(["deploy"], {**env, "E2B_API_KEY": "e2b_wrong"}, write_config(), "invalid API key")


def test_api_down(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    fails(["deploy"], {**env, "E2B_API_URL": "http://127.0.0.1:9"}, write_config(), "connection refused")


@pytest.mark.parametrize(
    ("fail", "expected"), [("500", "internal server error"), ("garbage", "not valid JSON")]
)
def test_api_errors(
    env: dict[str, str], api: E2bApiServer, write_config: Callable[..., Path], fail: str, expected: str
) -> None:
    cfg = write_config()
    api.api.fail, api.api.fail_paths = fail, ["/v2/sandboxes"]
    fails(["status"], env, cfg, expected)
    fails(["deploy"], env, cfg, expected)


def test_hang_is_killed_at_timeout(
    env: dict[str, str], api: E2bApiServer, write_config: Callable[..., Path]
) -> None:
    api.api.fail, api.api.slow_seconds = "slow", 60
    fails(["status", "--timeout", "2"], env, write_config(), "did not finish within 2s")


def test_not_found(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    cfg = write_config()
    fails(["stop"], env, cfg, "no E2B sandbox for 'e2b-env'", "sindri deploy")
    fails(["connect", "--", "true"], env, cfg, "no E2B sandbox")


def test_gpu_refused(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    config = base_config()
    config["deployment"]["resources"] = {"gpu": {"enabled": True}}
    fails(["deploy"], env, write_config(config), "GPU", "docker", "fly", "devpod", "kubernetes")


def test_interactive_connect_without_cli(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    env["PATH"] = "/usr/bin:/bin"  # no e2b CLI: deploy works (SDK), the interactive shell says how to fix
    cfg = write_config()
    assert run_sindri("deploy", "-c", str(cfg), env=env).returncode == 0
    fails(["connect"], env, cfg, "'e2b' was not found", "npm install -g @e2b/cli")


def test_interactive_connect_through_e2b_cli(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    cfg = str(write_config())
    deployed = run_sindri("deploy", "-c", cfg, "--json", env=env)
    sid = json.loads(deployed.stdout)["instance_id"]
    proc = run_sindri("connect", "-c", cfg, env=env, input="echo hi-interactive; exit 3\n")
    clean(proc)
    assert proc.returncode == 3 and "hi-interactive" in proc.stdout
    state = Path(env["SINDRI_STANDIN_STATE"]) / "e2b.log"
    assert ["sandbox", "connect", sid] in [json.loads(line) for line in state.read_text().splitlines()]


@pytest.mark.parametrize(
    ("settings", "deploy_args", "builds"),
    [
        ({}, (), 1),  # built once, then reused
        ({}, ("--force",), 2),  # --force rebuilds
        ({"buildOnDeploy": True}, (), 2),
        ({"reuseTemplate": False}, (), 2),
    ],
)
def test_template_is_built_once_unless_asked_and_destroy_keeps_it(
    env: dict[str, str],
    api: E2bApiServer,
    write_config: Callable[..., Path],
    settings: dict[str, object],
    deploy_args: tuple[str, ...],
    builds: int,
) -> None:
    """README (E2B): the template is built once; buildOnDeploy, reuseTemplate: false or --force rebuild
    it; destroy kills the sandbox and keeps the template."""
    cfg = str(write_config(base_config(**settings)))

    def build_count() -> int:
        (template,) = [t for t in api.api.templates.values() if t["aliases"] == ["e2b-env"]]
        return int(template["buildCount"])

    def sindri(*args: str) -> None:
        proc = run_sindri(*args, "-c", cfg, env=env)
        clean(proc)
        assert proc.returncode == 0, proc.stderr

    sindri("deploy")
    assert build_count() == 1
    sindri("destroy", "--yes")
    assert api.api.sandboxes == {} and build_count() == 1  # the template is kept
    sindri("deploy", *deploy_args)
    assert len(api.api.sandboxes) == 1 and build_count() == builds


def test_file_secrets_are_written_through_envd_with_their_mode(
    env: dict[str, str], api: E2bApiServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    content = b"-----BEGIN KEY-----\n" + SECRET.encode() + b"\n\x00\xff\n"
    (tmp_path / "id_key").write_bytes(content)
    target = tmp_path / "sandbox" / ".ssh" / "id key"  # the stand-in's sandbox is this machine
    cfg = write_config()
    data = base_config()
    data["secrets"].append(
        {
            "name": "SSH_KEY",
            "source": "file",
            "path": str(tmp_path / "id_key"),
            "mountPath": str(target),
            "permissions": "0640",
        }
    )
    cfg.write_text(json.dumps(data))
    proc = run_sindri("deploy", "-c", str(cfg), env=env, cwd=tmp_path)
    clean(proc)
    assert proc.returncode == 0, proc.stderr
    assert target.read_bytes() == content
    assert target.stat().st_mode & 0o777 == 0o640
    assert ("POST", "/files") in api.api.requests
    for file in cfg.parent.rglob("*"):
        if file.is_file() and file != tmp_path / "id_key" and file != target:
            assert SECRET.encode() not in file.read_bytes(), file
    clean(run_sindri("destroy", "--yes", "-c", str(cfg), env=env, cwd=tmp_path))
