"""`sindri connect -- CMD` stopped by a signal from a script or supervisor (stdin not a terminal):
the tool and everything it started stop with it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from qa_lifecycle_env import alive, standin_project
from support import REPO, run_sindri


@pytest.mark.parametrize("provider", ["fly", "devpod", "kubernetes"])
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_the_remote_command_too(
    provider: str, signum: signal.Signals, code: int, tmp_path: Path, standin_env: dict[str, str]
) -> None:
    config, env = standin_project(provider, standin_env, tmp_path)
    assert run_sindri("deploy", "-c", str(config), env=env).returncode == 0
    marker = f"59.{os.getpid()}{signum.value}"  # `sleep` takes a fraction: a unique command line
    errors = tmp_path / "stderr"
    proc = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "sindri"), "connect", "-c", str(config), "--", "sleep", marker],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=errors.open("w"),  # not a pipe: a leftover child would hold it open
    )
    try:
        while not any(line.split()[0].endswith("sleep") for line in alive(marker)):
            assert proc.poll() is None, errors.read_text()
            time.sleep(0.05)
        proc.send_signal(signum)
        proc.wait(timeout=60)
        err = errors.read_text()
        assert proc.returncode == code, err
        assert "Traceback" not in err
        assert alive(marker) == []
    finally:
        for line in subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split():
            os.kill(int(line), signal.SIGKILL)
