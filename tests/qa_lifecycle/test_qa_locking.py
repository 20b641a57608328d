"""The environment lock against concurrent and killed commands (flyctl stand-in hanging in deploy)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from qa_lifecycle_env import standin_project, standins_of, start_hanging_deploy
from support import run_sindri


def test_connect_and_a_second_deploy_are_refused_while_deploy_runs(
    tmp_path: Path, standin_env: dict[str, str]
) -> None:
    config, env = standin_project("fly", standin_env, tmp_path)
    first = start_hanging_deploy(config, env)
    try:
        for argv in (["deploy"], ["connect", "-c", str(config), "--", "true"]):
            args = argv if argv[0] == "connect" else [*argv, "-c", str(config)]
            refused = run_sindri(*args, env=env)
            assert refused.returncode == 1
            assert "is busy" in refused.stderr and f"'sindri deploy' (pid {first.pid})" in refused.stderr
    finally:
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=60)
    assert first.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert standins_of(env) == []  # the hanging flyctl was stopped with sindri
    assert run_sindri("deploy", "-c", str(config), env=env).returncode == 0


def test_a_killed_deploy_leaves_no_stale_lock(tmp_path: Path, standin_env: dict[str, str]) -> None:
    config, env = standin_project("fly", standin_env, tmp_path)
    first = start_hanging_deploy(config, env)
    first.kill()  # SIGKILL: sindri cannot clean up, the kernel releases its lock
    first.communicate(timeout=60)
    for pid in standins_of(env):  # the flyctl it left hanging
        os.kill(pid, signal.SIGKILL)
    again = run_sindri("deploy", "-c", str(config), env=env)
    assert again.returncode == 0, again.stderr
    status = run_sindri("status", "-c", str(config), env=env)
    assert status.returncode == 0 and "running" in status.stdout
