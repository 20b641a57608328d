"""`sindri status --watch`, `sindri completions SHELL` and upstream's `destroy -f`, through the real CLI."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

from support import REPO, run_sindri

from .conftest import HERE, SECRET, fake_cli


def _watch(project: Path, *args: str, stdout: int | None = subprocess.PIPE) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "fake_sindri.py"), "status", "--watch", "--interval", "0.1", *args],
        cwd=project.parent,
        env={**os.environ, "API_TOKEN": SECRET},
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_until(proc: subprocess.Popen[str], needle: str) -> str:
    assert proc.stdout is not None
    seen = ""
    while needle not in seen:
        line = proc.stdout.readline()
        assert line, f"the watch ended before printing {needle!r}: {seen!r}"
        seen += line
    return seen


def test_watch_without_a_terminal_prints_each_new_status_until_ctrl_c(project: Path) -> None:
    proc = _watch(project)
    try:
        assert "State:       not deployed" in _read_until(proc, "Image:")
        assert fake_cli("deploy", cwd=project.parent).returncode == 0
        later = _read_until(proc, "State:       running")
        assert "not deployed" not in later  # an unchanged status is not printed again
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err and "\x1b[" not in later


def test_watch_json_prints_one_object_per_line(project: Path) -> None:
    proc = _watch(project, "--json")
    try:
        assert json.loads(_read_until(proc, "\n"))["state"] == "not_deployed"
        assert fake_cli("deploy", cwd=project.parent).returncode == 0
        assert json.loads(_read_until(proc, "\n"))["state"] == "running"
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130


def test_watch_on_a_terminal_redraws(project: Path) -> None:
    """On a terminal each look clears the screen (click.clear's escape) and says how to stop."""
    main, child = pty.openpty()
    proc = _watch(project, stdout=child)
    os.close(child)
    seen = b""
    try:
        while seen.count(b"Ctrl-C to stop") < 2:
            seen += os.read(main, 4096)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
        os.close(main)
    assert b"\x1b[2J" in seen and b"Every 0.1s: sindri status core-env" in seen
    assert proc.returncode == 130


def test_watch_interval_must_be_positive(project: Path) -> None:
    bad = fake_cli("status", "--watch", "--interval", "0", cwd=project.parent)
    assert bad.returncode == 2 and "--interval" in bad.stderr


def test_completion_scripts_complete_commands_and_choices() -> None:
    bin_dir = REPO / ".venv" / "bin"
    script = (
        "source <(sindri completions bash)\n"
        'COMP_WORDS=(sindri sec); COMP_CWORD=1; _sindri_completion sindri; echo "${COMPREPLY[*]}"\n'
        "COMPREPLY=(); COMP_WORDS=(sindri deploy --provider ''); COMP_CWORD=3; _sindri_completion sindri\n"
        'echo "${COMPREPLY[*]}"\n'
    )
    bash = subprocess.run(
        ["bash", "--norc", "-c", script],
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bash.returncode == 0, bash.stderr
    assert bash.stdout.splitlines() == [
        "secrets",
        "docker docker-compose fly devpod e2b kubernetes runpod northflank",
    ]
    for shell, marker, cword in (
        ("zsh", "#compdef sindri", "1"),  # zsh's script passes the word's index, fish's the word itself
        ("fish", "complete --no-files --command sindri", "con"),
    ):
        printed = run_sindri("completions", shell)
        assert printed.returncode == 0 and marker in printed.stdout, printed.stdout
        protocol = subprocess.run(
            [str(bin_dir / "sindri")],
            env={
                **os.environ,
                "_SINDRI_COMPLETE": f"{shell}_complete",
                "COMP_WORDS": "sindri con",
                "COMP_CWORD": cword,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "config" in protocol.stdout and "connect" in protocol.stdout, protocol.stdout
    unknown = run_sindri("completions", "tcsh")
    assert unknown.returncode == 2 and "'tcsh' is not one of 'bash', 'zsh', 'fish'" in unknown.stderr


def test_destroy_f_without_a_terminal_does_not_ask(project: Path) -> None:
    """Upstream scripts run `sindri destroy -f` unattended: there -f also answers the question."""
    assert fake_cli("deploy", cwd=project.parent).returncode == 0
    done = fake_cli("destroy", "-f", cwd=project.parent)
    assert done.returncode == 0, done.stderr
    assert "Destroyed environment 'core-env' on docker." in done.stdout
    also = fake_cli("destroy", "--force", cwd=project.parent)
    assert also.returncode == 0, also.stderr
    refused = fake_cli("destroy", cwd=project.parent)
    assert refused.returncode == 1 and "fix: pass --yes (or -f)" in refused.stderr


def test_destroy_f_on_a_terminal_still_asks(project: Path) -> None:
    """A person at a terminal gets the question even with -f; `n` leaves the environment alone."""
    assert fake_cli("deploy", cwd=project.parent).returncode == 0
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "fake_sindri.py"), "destroy", "-f"],
        cwd=project.parent,
        env={**os.environ, "API_TOKEN": SECRET},
        stdin=child,
        stdout=child,
        stderr=child,
    )
    os.close(child)
    seen = b""
    try:
        while b"This deletes its data" not in seen:
            seen += os.read(main, 4096)
        os.write(main, b"n\n")
        proc.wait(timeout=30)
    finally:
        proc.kill()
        os.close(main)
    assert proc.returncode == 1
    state = fake_cli("status", "--json", cwd=project.parent)
    assert json.loads(state.stdout)["state"] == "running"
