"""`sindri config show` and `sindri secrets list|validate|test-vault` through the real CLI process."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from support import STANDINS, run_sindri

DOTENV_VALUE = "dotenv-value-7d1c2b"
ENV_VALUE = "environ-value-55aa90"
CONFIG = """\
version: "3.0"
name: parity-show
deployment:
  provider: docker
  image: ghcr.io/example/dev:1.2
  extraKey: {leak}
extensions:
  profile: minimal
secrets:
  - name: API_TOKEN
    source: env
    required: true
  - name: FROM_ENV
    source: env
  - name: OPTIONAL
    source: env
    fromFile: ./opt.txt
  - name: CERT
    source: file
    path: cert.pem
    mountPath: /etc/cert.pem
  - name: DB_PASSWORD
    source: vault
    vaultPath: app/db
    vaultKey: password
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "sindri.yaml").write_text(CONFIG.format(leak=DOTENV_VALUE))
    (folder / ".env").write_text(f"API_TOKEN={DOTENV_VALUE}\n")
    return folder


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"API_TOKEN", "FROM_ENV", "OPTIONAL"}}
    return {**env, **extra}


def test_config_show_fills_defaults_and_masks_values(folder: Path, tmp_path: Path) -> None:
    shown = run_sindri("config", "show", cwd=folder, env=clean_env(FROM_ENV=ENV_VALUE))
    assert shown.returncode == 0, shown.stderr
    assert DOTENV_VALUE not in shown.stdout + shown.stderr and ENV_VALUE not in shown.stdout
    data = yaml.safe_load(shown.stdout)
    assert data["deployment"]["distro"] == "ubuntu"  # a default the file does not set
    assert data["deployment"]["extraKey"] == "********"  # the .env value pasted into the file is masked
    assert data["providers"]["docker"]["restart"] == "unless-stopped"  # the chosen provider's defaults
    assert data["secrets"][0] == {
        "name": "API_TOKEN",
        "source": "env",
        "required": True,
        "permissions": "0644",
        "vaultMount": "secret",
    }
    as_json = run_sindri("config", "show", "--json", "-c", str(folder), env=clean_env())
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == data
    again = tmp_path / "again"
    again.mkdir()
    (again / "sindri.yaml").write_text(shown.stdout.replace("'********'", "x"))
    checked = run_sindri("validate", cwd=again)
    assert "error" not in checked.stdout, checked.stdout  # what show prints is a valid sindri.yaml


def test_config_show_of_an_invalid_file_names_the_finding(folder: Path) -> None:
    (folder / "sindri.yaml").write_text(CONFIG.format(leak="x").replace("name: parity-show", "name: Bad"))
    shown = run_sindri("config", "show", cwd=folder, env=clean_env())
    assert shown.returncode == 1 and f"{folder / 'sindri.yaml'}:2:7: error" in shown.stderr
    assert shown.stdout == "" and "Traceback" not in shown.stderr


def test_secrets_list_says_where_each_value_comes_from(folder: Path) -> None:
    (folder / "opt.txt").write_text("optional-from-file\n")
    (folder / "cert.pem").write_text("pem")
    (folder / ".env.local").write_text("FROM_ENV=local-value-0000\n")
    listed = run_sindri("secrets", "list", "--json", cwd=folder, env=clean_env(FROM_ENV=ENV_VALUE))
    assert listed.returncode == 0, listed.stderr
    out = listed.stdout + listed.stderr
    assert DOTENV_VALUE not in out and ENV_VALUE not in out and "optional-from-file" not in out
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["API_TOKEN"] == {
        "name": "API_TOKEN",
        "source": "env",
        "required": True,
        "set": True,
        "resolvedFrom": str(folder / ".env"),
        "problem": None,
    }
    assert rows["FROM_ENV"]["resolvedFrom"] == "environment"  # wins over .env.local
    assert rows["OPTIONAL"]["resolvedFrom"] == f"fromFile {folder / 'opt.txt'}"
    assert (rows["CERT"]["set"], rows["CERT"]["resolvedFrom"]) == (True, str(folder / "cert.pem"))
    assert rows["DB_PASSWORD"]["set"] is False and rows["DB_PASSWORD"]["resolvedFrom"] == (
        "vault secret/app/db#password"
    )
    local = run_sindri("secrets", "list", "--source", "env", cwd=folder, env=clean_env())
    lines = local.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SOURCE", "REQUIRED", "SET", "FROM"]
    assert lines[2].split() == ["FROM_ENV", "env", "no", "yes", str(folder / ".env.local")]
    assert len(lines) == 4 and "local-value-0000" not in local.stdout


def test_secrets_validate_fails_only_for_a_missing_required_secret(folder: Path) -> None:
    ok = run_sindri("secrets", "validate", cwd=folder, env=clean_env())
    assert ok.returncode == 0, ok.stderr
    assert "5 secrets checked: every required one is set (4 optional ones not set)." in ok.stdout
    (folder / ".env").write_text("OTHER=1\n")
    missing = run_sindri("secrets", "validate", cwd=folder, env=clean_env())
    assert missing.returncode == 1
    assert "required env secret API_TOKEN is not set" in missing.stdout
    assert "1 required secret is not set" in missing.stderr and "fix:" in missing.stderr
    (folder / "big.txt").write_text("x" * 100_001)
    (folder / "sindri.yaml").write_text(CONFIG.format(leak="x").replace("./opt.txt", "big.txt"))
    refused = run_sindri("secrets", "validate", cwd=folder, env=clean_env(API_TOKEN=ENV_VALUE))
    assert refused.returncode == 1 and "OPTIONAL" in refused.stderr and "100,000" in refused.stderr


@pytest.fixture
def vault() -> Iterator[tuple[str, Path]]:
    """The loopback Vault stand-in: (its address, its request log)."""
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"vault-standin-{os.getpid()}-{time.monotonic_ns()}"
    workdir.mkdir()
    port_file, log = workdir / "port", workdir / "requests.log"
    with open(log, "w") as sink:
        proc = subprocess.Popen(
            [sys.executable, str(STANDINS / "vault_api.py"), str(port_file), "tok-valid-1234"], stderr=sink
        )
    try:
        for _ in range(200):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text()}", log
    finally:
        proc.terminate()
        proc.wait(timeout=10)


HAVE_HVAC = importlib.util.find_spec("hvac") is not None


def test_test_vault_needs_an_address_and_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    no_addr = run_sindri("secrets", "test-vault", env=env)
    assert no_addr.returncode == 1 and "VAULT_ADDR" in no_addr.stderr
    no_token = run_sindri("secrets", "test-vault", env={**env, "VAULT_ADDR": "http://127.0.0.1:1"})
    assert no_token.returncode == 1 and "VAULT_TOKEN is not set" in no_token.stderr


@pytest.mark.skipif(HAVE_HVAC, reason="hvac is installed: the test against the Vault stand-in runs")
def test_test_vault_without_hvac_says_so() -> None:
    result = run_sindri(
        "secrets", "test-vault", env={**os.environ, "VAULT_ADDR": "http://127.0.0.1:1", "VAULT_TOKEN": "tok1"}
    )
    assert result.returncode == 1 and "Vault support is not installed" in result.stderr


@pytest.mark.skipif(not HAVE_HVAC, reason="hvac is not installed (the Vault support is optional)")
def test_test_vault_against_the_vault_standin(vault: tuple[str, Path]) -> None:
    address, log = vault
    base = {**os.environ, "VAULT_ADDR": address}
    good = run_sindri("secrets", "test-vault", env={**base, "VAULT_TOKEN": "tok-valid-1234"})
    assert good.returncode == 0, good.stderr
    assert "Vault:         1.17.2" in good.stdout and "Authenticated: yes" in good.stdout
    assert "tok-valid-1234" not in good.stdout + good.stderr
    bad = run_sindri(
        "secrets",
        "test-vault",
        "--json",
        env={**base, "VAULT_TOKEN": "tok-wrong-5678", "VAULT_NAMESPACE": "team-a"},
    )
    assert bad.returncode == 1 and "does not accept VAULT_TOKEN" in bad.stderr
    assert json.loads(bad.stdout)["authenticated"] is False and "tok-wrong-5678" not in bad.stdout
    assert "/v1/auth/token/lookup-self namespace=team-a" in log.read_text()
    down = run_sindri(
        "secrets", "test-vault", env={**base, "VAULT_ADDR": "http://127.0.0.1:9", "VAULT_TOKEN": "t1234"}
    )
    assert down.returncode == 1 and "cannot be reached" in down.stderr and "Traceback" not in down.stderr
