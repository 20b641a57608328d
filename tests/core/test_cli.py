"""The lifecycle commands through the real CLI in a subprocess (with the fake docker provider)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from support import run_sindri

from .conftest import HERE, SECRET, fake_cli


def _group_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def _wait_for(path: Path) -> str:
    for _ in range(400):
        if path.exists() and path.read_text().strip():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def test_lifecycle_from_another_directory_with_json(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    config = str(project)
    status = fake_cli("status", "-c", config, "--json", cwd=other)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["state"] == "not_deployed"
    deploy = fake_cli("deploy", "-c", config, "--json", cwd=other)
    assert deploy.returncode == 0, deploy.stderr
    assert json.loads(deploy.stdout)["instance_id"] == "fake-1"
    assert SECRET not in deploy.stdout + deploy.stderr and "deploying with ********" in deploy.stderr
    plan = fake_cli("plan", "-c", config, cwd=other)
    assert "create   container:core-env" in plan.stdout
    assert fake_cli("stop", "-c", config, cwd=other).stdout == "Stopped core-env (docker).\n"
    human = fake_cli("status", "-c", config, cwd=other).stdout
    assert "State:       stopped" in human
    assert not (other / ".sindri").exists() and (project.parent / ".sindri").is_dir()


def test_connect_runs_one_command_and_returns_its_exit_code(project: Path) -> None:
    result = fake_cli("connect", "--", "sh", "-c", "echo inside; exit 3", cwd=project.parent)
    assert (result.returncode, result.stdout) == (3, "inside\n")
    killed = fake_cli("connect", "--", "sh", "-c", "kill -TERM $$", cwd=project.parent)
    assert killed.returncode == 143  # 128 + SIGTERM, as a shell reports a command killed by a signal


def test_destroy_needs_confirmation(project: Path) -> None:
    refused = fake_cli("destroy", cwd=project.parent)
    assert refused.returncode == 1 and "--yes" in refused.stderr and "core-env" in refused.stderr
    done = fake_cli("destroy", "--yes", cwd=project.parent)
    assert done.returncode == 0 and "removed container" in done.stdout


def test_errors_are_messages_not_tracebacks(project: Path, tmp_path: Path) -> None:
    missing = fake_cli("status", cwd=tmp_path)
    assert missing.returncode == 1 and "no sindri.yaml or sindri.yml found" in missing.stderr
    project.write_text(project.read_text().replace("profile: minimal", "profile: [1"))
    bad = fake_cli("deploy", "-c", str(project), cwd=tmp_path)
    assert bad.returncode == 1 and f"{project}:" in bad.stderr
    usage = fake_cli("deploy", "--provider", "nope", cwd=tmp_path)
    assert usage.returncode == 2
    for result in (missing, bad, usage):
        assert "Traceback" not in result.stderr


def test_missing_secret_and_prerequisites(project: Path) -> None:
    no_secret = fake_cli("deploy", cwd=project.parent, env={"API_TOKEN": ""})
    assert no_secret.returncode == 1 and "API_TOKEN" in no_secret.stderr and "fix:" in no_secret.stderr
    missing = fake_cli("deploy", cwd=project.parent, env={"FAKE_MISSING": "faketool"})
    assert missing.returncode == 1 and "install: apt install fake" in missing.stderr
    doctor = fake_cli("doctor", "--json", cwd=project.parent, env={"FAKE_MISSING": "faketool"})
    assert doctor.returncode == 1 and json.loads(doctor.stdout)[0]["satisfied"] is False


def test_unexpected_errors_are_one_line_and_redacted(project: Path) -> None:
    crash = fake_cli("connect", "--", "true", cwd=project.parent, env={"FAKE_CRASH": "1"})
    assert crash.returncode == 1 and "Traceback" not in crash.stderr
    assert "SINDRI_DEBUG=1" in crash.stderr and SECRET not in crash.stderr


def test_sindri_debug_shows_the_traceback_masked(project: Path) -> None:
    env = {"FAKE_CRASH": "1", "SINDRI_DEBUG": "1"}
    crash = fake_cli("connect", "--", "true", cwd=project.parent, env=env)
    assert crash.returncode == 1
    assert "Traceback (most recent call last):" in crash.stderr, crash.stderr
    assert "RuntimeError: boom: ********" in crash.stderr and "in connect" in crash.stderr
    assert SECRET not in crash.stderr


def test_provider_credentials_are_masked_in_output(project: Path) -> None:
    """README: FLY_API_TOKEN, FLY_ACCESS_TOKEN, E2B_API_KEY and DOCKER_PASSWORD are masked like secrets
    (the fake deploy tool prints them)."""
    creds = {
        "FLY_API_TOKEN": "fly-api-Tok3n-value",
        "FLY_ACCESS_TOKEN": "fly-access-Tok3n-value",
        "E2B_API_KEY": "e2b_k3y-value",
        "DOCKER_PASSWORD": "d0cker-pass-value",
    }
    deploy = fake_cli("deploy", cwd=project.parent, env={**creds, "FAKE_ECHO_CREDENTIALS": "1"})
    assert deploy.returncode == 0, deploy.stderr
    for name, value in creds.items():
        assert value not in deploy.stdout + deploy.stderr, name
        assert f"{name}=********" in deploy.stderr, name


def test_busy_environment_and_ctrl_c(project: Path, tmp_path: Path) -> None:
    pidfile = tmp_path / "tool.pid"
    env = {**os.environ, "API_TOKEN": SECRET, "FAKE_DEPLOY_SLEEP": "60", "FAKE_PIDFILE": str(pidfile)}
    first = subprocess.Popen(
        [sys.executable, str(HERE / "fake_sindri.py"), "deploy"],
        cwd=project.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        tool = int(_wait_for(pidfile))
        busy = fake_cli("stop", cwd=project.parent)
        assert busy.returncode == 1
        assert "is busy" in busy.stderr and "sindri deploy" in busy.stderr and str(first.pid) in busy.stderr
        first.send_signal(signal.SIGINT)
        _, stderr = first.communicate(timeout=30)
    finally:
        first.kill()
    assert first.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr
    assert not _group_alive(tool)
    assert fake_cli("stop", cwd=project.parent).returncode == 0


def test_doctor_shows_a_missing_optional_tool_as_optional(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no e2b CLI, no E2B_API_KEY
    result = run_sindri("doctor", "--provider", "e2b", env=env, cwd=tmp_path)
    assert result.returncode == 1  # the API key is missing
    assert "  optional e2b: E2B CLI" in result.stdout and "ok       e2b" not in result.stdout
    assert "missing  E2B_API_KEY" in result.stdout
