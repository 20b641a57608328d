"""`--timeout` on a command whose tool hangs: a clear message with a fix, tools stopped."""

from __future__ import annotations

from pathlib import Path

from qa_lifecycle_env import standin_project, standins_of
from support import run_sindri


def test_doctor_timeout_is_reported_like_the_other_commands(
    tmp_path: Path, standin_env: dict[str, str]
) -> None:
    config, env = standin_project("fly", standin_env, tmp_path)
    hanging = {**env, "SINDRI_STANDIN_HANG": "version"}
    result = run_sindri("doctor", "-c", str(config), "--timeout", "2", env=hanging)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, result.stderr
    assert "sindri doctor did not finish within 2s" in result.stderr
    assert "fix:" in result.stderr
    assert standins_of(env) == []
