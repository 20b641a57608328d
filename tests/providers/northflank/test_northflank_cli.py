"""The Northflank provider through the real `sindri` CLI (subprocess), the official SDK pointed at the
loopback API stand-in (status codes, error envelopes, pagination and service states of reference B.4)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from nf_testlib import SECRET, base_config
from northflank_api import NorthflankApiServer
from support import run_sindri


def clean(proc: subprocess.CompletedProcess[str]) -> None:
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        assert "s3cr3t" not in stream
        assert "nf-standin-token" not in stream


def fails(args: list[str], env: dict[str, str], cfg: Path, *expected: str) -> str:
    proc = run_sindri(args[0], "-c", str(cfg), *args[1:], env=env, timeout=60)
    clean(proc)
    assert proc.returncode != 0, proc.stdout
    for text in expected:
        assert text in proc.stderr, proc.stderr
    return proc.stderr


def neighbours(api: NorthflankApiServer, count: int = 3) -> None:
    """Other services in the project, so that finding ours crosses the list's pages."""
    api.api._create_project({"name": "sindri-team"})
    for i in range(count):
        body = {
            "name": f"other-{i}",
            "billing": {"deploymentPlan": "nf-compute-20"},
            "deployment": {"instances": 1, "external": {"imagePath": "nginx"}},
        }
        api.api._create_service("sindri-team", body)


def test_full_lifecycle(
    env: dict[str, str], api: NorthflankApiServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    neighbours(api)
    cfg = str(write_config())
    state = api.api

    def sindri(*args: str, code: int = 0) -> str:
        proc = run_sindri(*args, "-c", cfg, env=env, cwd=tmp_path)
        clean(proc)
        assert proc.returncode == code, (args, proc.stdout, proc.stderr)
        return proc.stdout

    plan = json.loads(sindri("plan", "--json"))
    assert [a["resource"] for a in plan["actions"]] == [
        "service:nf-env",
        "volume:nf-env-data",
        "secret-group:nf-env-secrets",
    ]
    assert plan["resources"][0]["config"]["compute_plan"] == "nf-compute-200"  # 2 CPUs, 2 GB by default
    assert set(state.services["sindri-team"]) == {"other-0", "other-1", "other-2"}

    deployed = json.loads(sindri("deploy", "--json"))
    assert deployed["instance_id"] == "nf-env"
    assert deployed["connection"]["https_url"] == "https://http--nf-env--sindri-team.code.run"
    service = state.services["sindri-team"]["nf-env"]
    assert service["billing"] == {"deploymentPlan": "nf-compute-200"}
    assert service["deployment"]["external"] == {"imagePath": "ghcr.io/pacphi/sindri:v3.1.4"}
    assert SECRET not in json.dumps(service)  # the secret is in the group, not the service definition
    group = state.secrets["sindri-team"]["nf-env-secrets"]
    assert group["secrets"]["variables"] == {"API_TOKEN": SECRET}
    assert group["restrictions"] == {"restricted": True, "nfObjects": [{"id": "nf-env", "type": "service"}]}
    (volume,) = state.volumes["sindri-team"].values()
    assert volume["spec"]["storageSize"] == 10 * 1024
    assert volume["mounts"] == [{"containerMountPath": "/workspace"}]
    assert ("GET", "/v1/projects/sindri-team/services") in state.requests

    def status() -> dict[str, object]:
        return dict(json.loads(sindri("status", "--json")))

    running = status()
    assert running["state"] == "running" and running["details"]["compute_plan"] == "nf-compute-200"  # type: ignore[index]
    assert running["addresses"] == [
        {"type": "https", "value": "http--nf-env--sindri-team.code.run", "port": 8080}
    ]
    sindri("stop")
    assert status()["state"] == "paused" and service["deployment"]["instances"] == 0
    sindri("stop")  # already paused: said, not an error
    sindri("start")
    assert status()["state"] == "running" and service["deployment"]["instances"] == 1
    sindri("start")  # not paused: said, not an error

    proc = run_sindri(
        "connect", "-c", cfg, "--", "sh", "-c", 'echo "in-service $API_TOKEN $INSTALL_PROFILE"; exit 5',
        env=env, cwd=tmp_path,
    )  # fmt: skip
    clean(proc)
    assert proc.returncode == 5 and "in-service ******** minimal" in proc.stdout

    destroyed = sindri("destroy", "--yes")
    assert "kept the project sindri-team" in destroyed
    assert set(state.services["sindri-team"]) == {"other-0", "other-1", "other-2"}
    assert state.volumes["sindri-team"] == {} and state.secrets["sindri-team"] == {}
    assert "sindri-team" in state.projects
    assert status()["state"] == "not_deployed"
    for path in Path(cfg).parent.rglob("*"):
        if path.is_file():
            assert "s3cr3t" not in path.read_text(errors="replace"), path


def test_deploy_creates_project_in_region_and_refuses_a_second_deploy_without_force(
    env: dict[str, str], api: NorthflankApiServer, write_config: Callable[..., Path]
) -> None:
    cfg = write_config(base_config(region="us-east", computePlan="nf-compute-50", volumeSizeGb=0))
    assert run_sindri("deploy", "-c", str(cfg), env=env).returncode == 0
    assert api.api.projects["sindri-team"]["region"] == "us-east"
    assert api.api.volumes["sindri-team"] == {}
    fails(["deploy"], env, cfg, "already exists in project 'sindri-team'", "--force")
    api.api.services["sindri-team"]["nf-env"]["billing"]["deploymentPlan"] = "nf-compute-10"
    proc = run_sindri("deploy", "-c", str(cfg), "--force", env=env)
    clean(proc)
    assert proc.returncode == 0, proc.stderr
    assert api.api.services["sindri-team"]["nf-env"]["billing"]["deploymentPlan"] == "nf-compute-50"
    assert list(api.api.secrets["sindri-team"]) == ["nf-env-secrets"]  # replaced, not duplicated


def test_token_missing(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    env.pop("NORTHFLANK_API_TOKEN")
    cfg = write_config()
    fails(["deploy"], env, cfg, "NORTHFLANK_API_TOKEN", "app.northflank.com")
    fails(["status"], env, cfg, "NORTHFLANK_API_TOKEN is not set")
    doctor = run_sindri("doctor", "-c", str(cfg), "--json", env=env)
    clean(doctor)
    (report,) = json.loads(doctor.stdout)
    assert [m["name"] for m in report["missing"]] == ["NORTHFLANK_API_TOKEN"]


def test_token_rejected(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    cfg = write_config()
    env["NORTHFLANK_API_TOKEN"] = "nf-wrong-token"
    fails(["deploy"], env, cfg, "rejected the token (401", "NORTHFLANK_API_TOKEN")
    doctor = run_sindri("doctor", "-c", str(cfg), "--json", env=env)
    (report,) = json.loads(doctor.stdout)
    assert [m["name"] for m in report["missing"]] == ["northflank-api"]
    assert "rejected the token" in report["missing"][0]["description"]


def test_api_down(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    env["NORTHFLANK_API_BASE_URL"] = "http://127.0.0.1:9"
    fails(["status"], env, write_config(), "could not be reached", "NORTHFLANK_API_BASE_URL")


@pytest.mark.parametrize(
    ("fail", "expected"),
    [
        ("500", "failed (500)"),
        ("garbage", "not its JSON"),
        ("429", "rate limiting"),
    ],
)
def test_api_errors(
    env: dict[str, str], api: NorthflankApiServer, write_config: Callable[..., Path], fail: str, expected: str
) -> None:
    cfg = write_config()
    api.api.fail, api.api.fail_paths = fail, ["/v1/projects/sindri-team"]
    fails(["status"], env, cfg, expected)
    fails(["deploy"], env, cfg, expected)
    assert api.api.projects == {}


def test_hang_is_stopped_at_timeout(
    env: dict[str, str], api: NorthflankApiServer, write_config: Callable[..., Path]
) -> None:
    api.api.fail, api.api.slow_seconds = "slow", 60
    fails(["status", "--timeout", "2"], env, write_config(), "did not finish within 2s")


def test_deployment_that_fails_or_never_settles(
    env: dict[str, str], api: NorthflankApiServer, write_config: Callable[..., Path]
) -> None:
    cfg = write_config()
    api.api.outcome = "FAILED"
    fails(["deploy"], env, cfg, "deployment of service nf-env failed", "logs")
    assert json.loads(run_sindri("status", "-c", str(cfg), "--json", env=env).stdout)["state"] == "error"
    api.api.outcome = "STUCK"
    fails(["deploy", "--force", "--timeout", "4"], env, cfg, "did not finish within 4s")


def test_plan_the_api_refuses(
    env: dict[str, str], api: NorthflankApiServer, write_config: Callable[..., Path]
) -> None:
    cfg = write_config(base_config(computePlan="nf-compute-999"))
    fails(["deploy"], env, cfg, "Northflank refused creating the service (400)", "nf-compute-999")
    assert api.api.services["sindri-team"] == {}


def test_not_deployed(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    cfg = write_config()
    fails(["stop"], env, cfg, "no Northflank service 'nf-env' in project 'sindri-team'", "sindri deploy")
    fails(["connect", "--", "true"], env, cfg, "no Northflank service")
    proc = run_sindri("destroy", "-c", str(cfg), "--yes", env=env)
    assert proc.returncode == 0 and "nothing to delete" in proc.stdout


def test_no_image_refused_before_anything_is_created(
    env: dict[str, str], api: NorthflankApiServer, write_config: Callable[..., Path]
) -> None:
    config = base_config()
    del config["deployment"]["image"]
    config["deployment"]["buildFromSource"] = {"enabled": True, "url": "https://github.com/pacphi/sindri"}
    fails(["deploy"], env, write_config(config), "existing image", "deployment.image")
    assert api.api.projects == {}


def test_connect_resumes_a_paused_service(
    env: dict[str, str], api: NorthflankApiServer, write_config: Callable[..., Path]
) -> None:
    cfg = str(write_config())
    assert run_sindri("deploy", "-c", cfg, env=env).returncode == 0
    assert run_sindri("stop", "-c", cfg, env=env).returncode == 0
    proc = run_sindri("connect", "-c", cfg, "--", "echo", "woke", env=env)
    clean(proc)
    assert proc.returncode == 0 and "woke" in proc.stdout
    assert api.api.services["sindri-team"]["nf-env"]["servicePaused"] is False


def test_interactive_connect_without_cli(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    env["PATH"] = "/usr/bin:/bin"  # no northflank CLI: everything else works (SDK), the shell says how to fix
    cfg = write_config()
    assert run_sindri("deploy", "-c", str(cfg), env=env).returncode == 0
    fails(["connect"], env, cfg, "'northflank' was not found", "npm install -g @northflank/cli")


def test_interactive_connect_through_the_cli(
    env: dict[str, str], api: NorthflankApiServer, write_config: Callable[..., Path]
) -> None:
    cfg = str(write_config())
    assert run_sindri("deploy", "-c", cfg, env=env).returncode == 0
    fails(["connect"], env, Path(cfg), "No CLI context present", "northflank login")
    config = Path(env["HOME"]) / ".northflank" / "config.json"
    config.parent.mkdir()
    context = {"name": "t", "host": api.url, "token": env["NORTHFLANK_API_TOKEN"]}
    config.write_text(json.dumps({"current": "t", "contexts": [context]}))
    proc = run_sindri("connect", "-c", cfg, env=env, input="echo hi-interactive; exit 3\n")
    clean(proc)
    assert proc.returncode == 3 and "hi-interactive" in proc.stdout
    log = Path(env["SINDRI_STANDIN_STATE"]) / "northflank.log"
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert ["exec", "service", "--project", "sindri-team", "--service", "nf-env"] in calls
