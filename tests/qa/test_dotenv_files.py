"""Odd .env/.env.local files next to the config, through the real CLI with the flyctl stand-in."""

from __future__ import annotations

from pathlib import Path

from support import run_sindri

CONFIG = """\
version: "3.0"
name: qa-dotenv
deployment:
  provider: fly
  image: ghcr.io/pacphi/sindri:v3
extensions:
  profile: minimal
secrets:
  - name: API_TOKEN
    source: env
    required: true
"""
SECRET = "hunter2-dotenv-Value"


def test_unparsable_lines_are_positioned_warnings(tmp_path: Path, standin_env: dict[str, str]) -> None:
    (tmp_path / "sindri.yaml").write_text(CONFIG)
    (tmp_path / ".env").write_text(f"export API_TOKEN={SECRET}\n=novalue\nBROKEN {SECRET} LINE\n")
    result = run_sindri("plan", cwd=tmp_path, env=standin_env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"{tmp_path / '.env'}:2: ignored a line that is not NAME=value" in result.stderr
    assert f"{tmp_path / '.env'}:3: ignored" in result.stderr
    assert "python-dotenv" not in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_non_utf8_env_local_is_a_clear_error(tmp_path: Path, standin_env: dict[str, str]) -> None:
    (tmp_path / "sindri.yaml").write_text(CONFIG)
    (tmp_path / ".env.local").write_bytes(b"A=1\nAPI_TOKEN=\xff\xfe\n")
    result = run_sindri("deploy", cwd=tmp_path, env=standin_env, timeout=60)
    assert result.returncode == 1
    assert f"{tmp_path / '.env.local'}:2: cannot read: not valid UTF-8 (byte 0xff)" in result.stderr
    assert "fix: save .env.local as UTF-8" in result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
