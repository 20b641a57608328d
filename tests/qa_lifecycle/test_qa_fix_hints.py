"""A tool that is installed but fails must not be answered with "install the tool" as the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from qa_lifecycle_env import SECRET, standin_project
from support import run_sindri

INSTALL_URLS = (
    "fly.io/install.sh",
    "devpod.sh/docs/getting-started/install",
    "kubernetes.io/docs/tasks/tools",
)


@pytest.mark.parametrize(
    ("provider", "failing", "verb"),
    [
        ("fly", "machine stop", "stop"),
        ("fly", "deploy", "deploy"),
        ("devpod", "stop", "stop"),
        ("devpod", "up", "start"),
        ("kubernetes", "scale", "stop"),
        ("kubernetes", "apply", "deploy"),
    ],
)
def test_failing_tool_gets_a_fix_that_is_not_reinstalling_it(
    provider: str, failing: str, verb: str, tmp_path: Path, standin_env: dict[str, str]
) -> None:
    config, env = standin_project(provider, standin_env, tmp_path)
    if verb != "deploy":
        deployed = run_sindri("deploy", "-c", str(config), env=env)
        assert deployed.returncode == 0, deployed.stderr
    if provider == "devpod" and verb == "start":
        assert run_sindri("stop", "-c", str(config), env=env).returncode == 0
    result = run_sindri(verb, "-c", str(config), env={**env, "SINDRI_STANDIN_FAIL": failing})
    assert result.returncode == 1
    assert "stand-in was told to fail" in result.stderr
    assert "Traceback" not in result.stderr and SECRET.splitlines()[0] not in result.stderr
    fixes = [line for line in result.stderr.splitlines() if line.strip().startswith("fix:")]
    assert len(fixes) == 1, result.stderr
    assert not any(url in fixes[0] for url in INSTALL_URLS), fixes[0]
