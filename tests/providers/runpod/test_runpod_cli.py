"""The RunPod provider through the real `sindri` CLI (subprocess), against the loopback REST v2 stand-in."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from conftest import SECRET, base_config
from runpod_api import RunpodApiServer
from support import run_sindri


def clean(proc: subprocess.CompletedProcess[str]) -> None:
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        assert SECRET not in stream
        assert "rpa_standin" not in stream  # the API key is masked like the secrets


def sindri(env: dict[str, str], cfg: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    proc = run_sindri(args[0], "-c", str(cfg), *args[1:], env=env, timeout=90)
    clean(proc)
    assert proc.returncode == code, (args, proc.stdout, proc.stderr)
    return proc


def state(env: dict[str, str], cfg: Path) -> dict[str, object]:
    status: dict[str, object] = json.loads(sindri(env, cfg, "status", "--json").stdout)
    return status


def test_gpu_pod_lifecycle(
    env: dict[str, str], api: RunpodApiServer, write_config: Callable[..., Path]
) -> None:
    cfg = write_config()
    plan = json.loads(sindri(env, cfg, "plan", "--json").stdout)
    pod = plan["resources"][0]["config"]
    assert pod["gpu"] == {"id": "NVIDIA RTX A5000", "count": 2}  # gpu-medium, resources.gpu.count
    assert pod["mounts"] == {"persistent": {"size": 50, "path": "/workspace"}}
    assert pod["secrets"] == ["API_TOKEN"] and pod["estimated_usd_per_hour"] == 0.6
    assert api.api.pods == {}
    assert state(env, cfg)["state"] == "not_deployed"

    deployed = json.loads(sindri(env, cfg, "deploy", "--json").stdout)
    pod_id = deployed["instance_id"]
    created = next(body for method, path, body in api.api.requests if method == "POST" and path == "/v2/pods")
    assert created["env"]["API_TOKEN"] == SECRET and created["env"]["INSTALL_PROFILE"] == "minimal"
    assert created["ports"] == ["22/tcp", "8080/http"] and created["dataCenterIds"] == ["EU-RO-1"]
    assert created["startSsh"] is True and created["cloud"] == "SECURE"
    assert deployed["connection"]["ssh_command"] == "ssh -p 10341 root@100.65.0.119"
    assert deployed["connection"]["https_url"] == f"https://{pod_id}-8080.proxy.runpod.net"

    status = state(env, cfg)
    assert status["state"] == "running" and status["instance_id"] == pod_id
    details = status["details"]
    assert isinstance(details, dict)
    assert details["gpu_count"] == "2" and details["cost_per_hour_usd"] == "0.500"
    assert details["uptime"].startswith("1h0")
    assert {"type": "ssh", "value": "root@100.65.0.119", "port": 10341} in status["addresses"]  # type: ignore[operator]

    again = sindri(env, cfg, "deploy", code=1)
    assert "already exists" in again.stderr and "--force" in again.stderr

    sindri(env, cfg, "stop")
    assert state(env, cfg)["state"] == "stopped"
    assert "already stopped" in sindri(env, cfg, "stop").stderr  # the API's 409, understood
    sindri(env, cfg, "start")
    assert state(env, cfg)["state"] == "running"

    proc = run_sindri("connect", "-c", str(cfg), "--", "sh", "-c", "exit 5", env=env, timeout=60)
    assert proc.returncode == 5, proc.stderr
    run_sindri("connect", "-c", str(cfg), env=env, timeout=60)
    calls = [json.loads(line) for line in Path(env["SSH_RECORD"]).read_text().splitlines()]
    assert calls == [
        ["-p", "10341", "root@100.65.0.119", "--", "sh", "-c", "exit 5"],
        ["-p", "10341", "root@100.65.0.119"],
    ]

    destroyed = sindri(env, cfg, "destroy", "--yes")
    assert api.api.pods == {} and f"terminated pod {pod_id}" in destroyed.stdout + destroyed.stderr
    assert state(env, cfg)["state"] == "not_deployed"
    for path in cfg.parent.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace"), path


def test_cpu_pod_on_community_cloud(
    env: dict[str, str], api: RunpodApiServer, write_config: Callable[..., Path]
) -> None:
    config = base_config(cpuOnly=True, cloudType="COMMUNITY", cpuFlavor="cpu5c")
    config["deployment"]["resources"] = {"cpus": 3}
    cfg = write_config(config)
    sindri(env, cfg, "deploy")
    created = next(body for method, path, body in api.api.requests if method == "POST" and path == "/v2/pods")
    assert (
        created["cpu"] == {"id": "cpu5c", "vcpuCount": 4} and "gpu" not in created and "mounts" not in created
    )
    status = state(env, cfg)
    assert status["details"]["cpu"] == "cpu5c x 4 vCPUs"  # type: ignore[index]
    assert status["details"]["cost_per_hour_usd"] == "0.060"  # type: ignore[index]
    # No public IP on community cloud: a terminal goes through the proxy with the pod's own user.
    run_sindri("connect", "-c", str(cfg), env=env, timeout=60)
    call = json.loads(Path(env["SSH_RECORD"]).read_text().splitlines()[0])
    assert call[:2] == ["-p", "22"] and call[2].endswith("-6441103b@ssh.runpod.io")
    refused = run_sindri("connect", "-c", str(cfg), "--", "true", env=env, timeout=60)
    assert refused.returncode == 1 and "terminal only" in refused.stderr


def test_key_missing_and_rejected(env: dict[str, str], write_config: Callable[..., Path]) -> None:
    cfg = write_config()
    doctor = json.loads(sindri(env, cfg, "doctor", "--provider", "runpod", "--json").stdout)
    assert doctor[0]["satisfied"] is True
    bad = {**env, "RUNPOD_API_KEY": "rpa_wrong"}
    rejected = sindri(bad, cfg, "deploy", code=1)
    assert "rejected the API key (401" in rejected.stderr and "RUNPOD_API_KEY" in rejected.stderr
    env.pop("RUNPOD_API_KEY")
    missing = sindri(env, cfg, "deploy", code=1)
    assert "RUNPOD_API_KEY" in missing.stderr and "runpod.io/console/user/settings" in missing.stderr
    assert "RUNPOD_API_KEY is not set" in sindri(env, cfg, "status", code=1).stderr


def test_api_failures(env: dict[str, str], api: RunpodApiServer, write_config: Callable[..., Path]) -> None:
    cfg = write_config()
    api.api.fail, api.api.fail_times = "500", 2  # retried: the third attempt answers
    assert state(env, cfg)["state"] == "not_deployed"
    api.api.fail, api.api.fail_times = "429", 1
    assert state(env, cfg)["state"] == "not_deployed"
    api.api.fail, api.api.fail_times = "500", -1
    failed = sindri(env, cfg, "status", code=1)
    assert "refused (500: injected 500)" in failed.stderr
    api.api.fail = "garbage"
    assert "not JSON" in sindri(env, cfg, "status", code=1).stderr
    api.api.fail, api.api.slow_seconds = "slow", 60
    slow = sindri(env, cfg, "status", "--timeout", "3", code=1)
    assert "within 3s" in slow.stderr


def test_request_refused_by_the_api(
    env: dict[str, str], api: RunpodApiServer, write_config: Callable[..., Path]
) -> None:
    cfg = write_config(base_config(gpuTypeId="NVIDIA GTX 9999"))
    failed = sindri(env, cfg, "deploy", code=1)
    assert "refused (422: invalid pod request: gpu.id must be one of" in failed.stderr
    assert api.api.pods == {}


def test_a_file_secret_it_cannot_deliver_is_named_not_dropped(
    env: dict[str, str], write_config: Callable[..., Path]
) -> None:
    config = base_config(cpuOnly=True)
    config["secrets"] = [{"name": "CERT", "source": "file", "path": "cert.pem", "mountPath": "/etc/cert.pem"}]
    cfg = write_config(config)
    (cfg.parent / "cert.pem").write_text("certificate-body-1234\n")
    deployed = sindri(env, cfg, "deploy")
    assert "runpod does not deliver file secrets yet: CERT not sent" in deployed.stderr
    assert "certificate-body-1234" not in deployed.stdout + deployed.stderr
