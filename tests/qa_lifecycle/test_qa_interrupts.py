"""Ctrl-C and SIGTERM reaching `sindri` mid-command: the documented exit code, nothing left running."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest
from qa_lifecycle_env import calls, standin_project, standins_of, start_hanging_deploy
from support import REPO, run_sindri


def read_until(fd: int, needle: bytes) -> bytes:
    seen = b""
    while needle not in seen:
        ready, _, _ = select.select([fd], [], [], 60)
        assert ready, f"no {needle!r} in {seen!r}"
        seen += os.read(fd, 4096)
    return seen


def wait_or_kill(pid: int, timeout: float = 30) -> int:
    """The child's wait status; a child still running after `timeout` is killed (a failed step must
    not leave the test waiting for ever)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


@pytest.mark.parametrize("presses", [1, 2])  # a second Ctrl-C must not turn 130 into click's "Aborted!" 1
def test_ctrl_c_at_the_destroy_prompt_is_an_interrupt(
    tmp_path: Path, standin_env: dict[str, str], presses: int
) -> None:
    config, env = standin_project("fly", standin_env, tmp_path)
    assert run_sindri("deploy", "-c", str(config), env=env).returncode == 0
    pid, fd = pty.fork()
    if pid == 0:  # the child: sindri on a terminal, as a user runs it
        # A shell's background job ignores SIGINT, and an ignored signal stays ignored across exec.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execve(str(REPO / ".venv" / "bin" / "sindri"), ["sindri", "destroy", "-c", str(config)], env)
    try:
        read_until(fd, b"[y/N]: ")
        # The terminal turns ^C into SIGINT for its foreground group. Under load the pty was seen to
        # echo ^C without signalling (its line discipline, not sindri), so the test then sends the
        # SIGINT itself, as the terminal would: what is tested is sindri's answer to it.
        seen = b""
        with contextlib.suppress(OSError):
            os.write(fd, b"\x03" * presses)
            for _ in range(6):
                if select.select([fd], [], [], 5)[0]:
                    seen += os.read(fd, 4096)
                    if b"\n" in seen:
                        break
                os.killpg(pid, signal.SIGINT)
    finally:
        status = wait_or_kill(pid)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 130, seen
    status_now = run_sindri("status", "-c", str(config), env=env)
    assert "running" in status_now.stdout  # nothing was destroyed


def test_sigterm_during_destroy_stops_flyctl_and_a_retry_finishes(
    tmp_path: Path, standin_env: dict[str, str]
) -> None:
    config, env = standin_project("fly", standin_env, tmp_path)
    assert run_sindri("deploy", "-c", str(config), env=env).returncode == 0
    proc = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "sindri"), "destroy", "--yes", "-c", str(config)],
        env={**env, "SINDRI_STANDIN_HANG": "apps destroy"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until flyctl is deleting the app
        if "Destroying Fly app" in line:
            break
    while not any("apps destroy" in " ".join(call) for call in calls(env)):
        assert proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 143
    assert "terminated; the running tools were stopped" in rest and "Traceback" not in rest
    assert standins_of(env) == []
    again = run_sindri("destroy", "--yes", "-c", str(config), env=env)
    assert again.returncode == 0, again.stderr
    assert "not deployed" in run_sindri("status", "-c", str(config), env=env).stdout


def test_hangup_stops_the_tools_like_sigterm(tmp_path: Path, standin_env: dict[str, str]) -> None:
    """A closed terminal or a dropped ssh session sends SIGHUP: the tools (in their own sessions, so
    the hangup does not reach them) must not go on deploying unobserved after the lock is gone."""
    config, env = standin_project("fly", standin_env, tmp_path)
    proc = start_hanging_deploy(config, env)
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=60)
    try:
        assert proc.returncode == 129, err
        assert "Traceback" not in err
        assert standins_of(env) == []
    finally:
        for pid in standins_of(env):
            os.kill(pid, signal.SIGKILL)
    again = run_sindri("deploy", "-c", str(config), env=env)
    assert again.returncode == 0, again.stderr
