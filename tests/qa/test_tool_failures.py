"""A failing tool gets a message whose `fix:` line says what to do (flyctl stand-in)."""

from __future__ import annotations

from pathlib import Path

from support import run_sindri

CONFIG = """\
version: "3.0"
name: qa-fails
deployment:
  provider: fly
  image: ghcr.io/pacphi/sindri:v3
extensions:
  profile: minimal
"""


def test_failed_flyctl_call_has_an_actionable_fix(tmp_path: Path, standin_env: dict[str, str]) -> None:
    (tmp_path / "sindri.yaml").write_text(CONFIG)
    env = {**standin_env, "SINDRI_STANDIN_FAIL": "machines"}
    result = run_sindri("status", cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 1
    assert "flyctl stand-in was told to fail" in result.stderr
    fix = [line for line in result.stderr.splitlines() if line.strip().startswith("fix:")]
    assert fix == [
        "  fix: flyctl failed while listing machines: check `flyctl status -a qa-fails` and "
        "https://status.flyio.net, then retry"
    ]
