"""`sindri config show` and `sindri secrets list|validate|test-vault` through the real CLI process."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from support import STANDINS, run_sindri

sys.path.insert(0, str(STANDINS))
from vault_api import TOKEN, VaultApiServer

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
def vault() -> Iterator[VaultApiServer]:
    """The loopback Vault stand-in (tests/standins/vault_api.py), in this process; the CLI reaches it."""
    with VaultApiServer() as server:
        yield server


def test_test_vault_needs_an_address_and_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    no_addr = run_sindri("secrets", "test-vault", env=env)
    assert no_addr.returncode == 1 and "VAULT_ADDR and VAULT_TOKEN not set" in no_addr.stderr
    no_token = run_sindri("secrets", "test-vault", env={**env, "VAULT_ADDR": "http://127.0.0.1:1"})
    assert no_token.returncode == 1 and "VAULT_TOKEN not set" in no_token.stderr


def test_test_vault_against_the_vault_standin(vault: VaultApiServer) -> None:
    base = {**os.environ, "VAULT_ADDR": vault.url, "VAULT_MAX_RETRIES": "0"}
    good = run_sindri("secrets", "test-vault", env={**base, "VAULT_TOKEN": TOKEN})
    assert good.returncode == 0, good.stderr
    assert "Token:     ******** (accepted)" in good.stdout and "Policies:" in good.stdout
    assert TOKEN not in good.stdout + good.stderr
    bad = run_sindri("secrets", "test-vault", "--json", env={**base, "VAULT_TOKEN": "hvs.wrong-5678"})
    assert bad.returncode == 1 and "hvs.wrong-5678" not in bad.stdout + bad.stderr
    assert "fix:" in bad.stderr and "Traceback" not in bad.stderr
    down = run_sindri(
        "secrets", "test-vault", env={**base, "VAULT_ADDR": "http://127.0.0.1:9", "VAULT_TOKEN": TOKEN}
    )
    assert down.returncode == 1 and "fix:" in down.stderr and "Traceback" not in down.stderr
