"""A cloned repository is hostile input, through the `sindri` CLI process: secrets in every form
stay masked, bad paths and values give messages (never a traceback), and what is printed cannot
steer the terminal."""

from __future__ import annotations

import json
import shlex
import socket
from pathlib import Path

import pytest
from support import run_sindri

from .conftest import CONFIG, fake_cli

MULTILINE = "first-Line-Alpha\nsecond \"quoted\" 'Beta' $HOME\n\nthird-Gamma\n"
LINES = ["first-Line-Alpha", "second \"quoted\" 'Beta' $HOME", "third-Gamma"]
FORMS = [*LINES, json.dumps(MULTILINE)[1:-1], shlex.quote(MULTILINE)]

FLY = """\
version: "3.0"
name: sindri-t-hostile-fly
deployment:
  provider: fly
  image: ghcr.io/pacphi/sindri:v3-latest
extensions:
  profile: minimal
secrets:
  - name: API_TOKEN
    source: env
    required: true
"""


def _leaks(text: str) -> list[str]:
    return [form for form in FORMS if form in text]


def test_each_line_and_escaped_form_of_a_multiline_secret_is_masked(
    tmp_path: Path, standin_env: dict[str, str]
) -> None:
    (tmp_path / "sindri.yaml").write_text(FLY)
    env = {
        **standin_env,
        "API_TOKEN": MULTILINE,
        "SINDRI_STANDIN_ECHO": "deploy",
        "SINDRI_STANDIN_ECHO_VAR": "API_TOKEN",
    }
    shown = run_sindri("deploy", "-c", str(tmp_path), env=env)
    assert shown.returncode == 0, shown.stderr
    assert "********" in shown.stderr  # the tool's output was streamed, masked
    assert _leaks(shown.stdout + shown.stderr) == []

    failed = run_sindri(
        "deploy", "-c", str(tmp_path), "--force", env={**env, "SINDRI_STANDIN_FAIL": "deploy"}
    )
    assert failed.returncode == 1 and "error:" in failed.stderr and "********" in failed.stderr
    assert _leaks(failed.stdout + failed.stderr) == []


def test_a_secret_too_short_to_mask_is_warned_about(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "sindri.yaml").write_text(CONFIG)
    (project / ".env").write_text("API_TOKEN=ab\n")
    found = run_sindri("validate", "--format", "json", str(project / "sindri.yaml"))
    codes = {f["code"]: f for f in json.loads(found.stdout)}
    assert "SE320" in codes and codes["SE320"]["severity"] == "warning"
    assert "2 characters" in codes["SE320"]["message"] and "ab" not in codes["SE320"]["message"].split()
    deployed = fake_cli("deploy", cwd=project, env={"API_TOKEN": "xy7"})
    assert deployed.returncode == 0, deployed.stderr
    assert "warning: secret API_TOKEN is shorter than 4 characters" in deployed.stderr


def test_file_secrets_that_are_sockets_or_devices_are_refused(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(project / "engine.sock"))
    for target, what in (("engine.sock", "is a socket"), ("/dev/null", "is a device")):
        (project / "sindri.yaml").write_text(
            CONFIG + f"  - name: MOUNTED\n    source: file\n    path: {target}\n    mountPath: /run/x\n"
        )
        refused = fake_cli("deploy", cwd=project)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert f"MOUNTED: {target} {what}" in refused.stderr
        found = run_sindri("validate", str(project / "sindri.yaml"))
        assert f"warning SE306: secrets[1].path: '{target}' {what}" in found.stdout
        assert "does not exist" not in found.stdout
    listening.close()
    assert not (project / ".sindri" / "docker" / "state").exists()  # nothing was deployed


def test_a_from_file_value_too_large_for_the_environment_is_refused_clearly(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "sindri.yaml").write_text(CONFIG.replace("    required: true", "    fromFile: big.txt"))
    with open(project / "big.txt", "wb") as big:
        big.truncate(80 * 1024 * 1024)  # sparse: 80 MB that take no disk
    run = fake_cli("deploy", cwd=project, env={"API_TOKEN": ""})  # empty counts as unset
    assert run.returncode == 1
    assert "larger than 100,000 bytes" in run.stderr and "API_TOKEN" in run.stderr
    assert "Argument list too long" not in run.stderr and "install" not in run.stderr


@pytest.mark.parametrize("command", [["status"], ["deploy"], ["destroy", "--yes"], ["validate"]])
def test_a_link_loop_or_an_over_long_path_is_a_message(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    for target, reason in ((tmp_path / "a", "symbolic links"), (tmp_path / ("x" * 6000), "too long")):
        args = [*command, str(target)] if command == ["validate"] else [*command, "-c", str(target)]
        result = run_sindri(*args)
        assert result.returncode in (1, 2), result.stderr
        assert "Traceback" not in result.stderr and reason in result.stderr.lower()
        assert len(result.stderr) < 1000  # a 6,000-character path is shortened


def test_control_characters_from_the_file_never_reach_the_terminal(tmp_path: Path) -> None:
    config = tmp_path / "sindri.yaml"
    config.write_text(
        'version: "3.0"\nname: x\ndeployment:\n  provider: "\\e]0;owned\\a\\e[2J\\u202edocker"\n'
        "extensions: {profile: minimal}\n"
    )
    for args in (["validate", str(config)], ["status", "-c", str(config)]):
        result = run_sindri(*args)
        out = result.stdout + result.stderr
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        # Shown escaped: by the terminal writer (\x1b) or already in the finding's quoted value (\u001b).
        assert any(
            shown in out
            for shown in (
                "\\x1b]0;owned\\x07\\x1b[2J\\u202edocker",
                "\\u001b]0;owned\\u0007\\u001b[2J\\u202edocker",
            )
        ), out


@pytest.mark.parametrize("value", ["nan", "NaN", "-1", "0"])
def test_timeout_must_be_seconds_above_zero(tmp_path: Path, value: str) -> None:
    result = run_sindri("deploy", "--timeout", value, "-c", str(tmp_path))
    assert result.returncode == 2 and "--timeout" in result.stderr
    assert "nans" not in result.stderr
