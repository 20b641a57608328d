"""Secret sources that are not regular files must fail clearly, never block the command."""

from __future__ import annotations

import os
from pathlib import Path

from support import run_sindri

CONFIG = """\
version: "3.0"
name: qa-secret-fifo
deployment:
  provider: fly
  image: ghcr.io/pacphi/sindri:v3
extensions:
  profile: minimal
secrets:
  - name: API_TOKEN
    source: env
    required: true
    fromFile: ./token.pipe
"""


def test_from_file_fifo_is_refused_not_read(tmp_path: Path, standin_env: dict[str, str]) -> None:
    (tmp_path / "sindri.yaml").write_text(CONFIG)
    os.mkfifo(tmp_path / "token.pipe")  # nobody writes: reading it would block forever
    env = {k: v for k, v in standin_env.items() if k != "API_TOKEN"}
    result = run_sindri("deploy", cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "required secrets are not set: API_TOKEN" in result.stderr
    assert f"fromFile {tmp_path / 'token.pipe'}: not a regular file" in result.stderr
    assert "Traceback" not in result.stderr
