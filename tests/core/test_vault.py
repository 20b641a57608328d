"""Vault secrets: hvac against a loopback stand-in of Vault's KV v2 API (tests/standins/vault_api.py).

Each of Vault's documented answers (value, missing path, missing key, permission denied, sealed, no
answer) becomes a value or a message that names the secret and the fix, never the token or a value.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sindri.providers.lifecycle import redacted_values
from sindri.schemas.errors import ConfigError
from sindri.schemas.loader import LoadedConfig, load_config, resolve_secrets
from sindri.schemas.vault import VaultProblem, check_vault
from support import STANDINS

sys.path.insert(0, str(STANDINS))
from vault_api import TOKEN, VaultApiServer

VALUE = "s3cr3t-from-vault-'\"$HOME"


@pytest.fixture
def vault() -> Iterator[VaultApiServer]:
    with VaultApiServer() as server:
        server.api.put("sindri/app", {"db_password": VALUE, "api_key": "key-0123456789", "port": 5432})
        yield server


def environ(server: VaultApiServer, **extra: str) -> dict[str, str]:
    return {"VAULT_ADDR": server.url, "VAULT_TOKEN": TOKEN, "VAULT_MAX_RETRIES": "0", **extra}


def config(tmp_path: Path, secrets: str, provider: str = "docker") -> LoadedConfig:
    (tmp_path / "sindri.yaml").write_text(
        f'version: "3.0"\nname: vault-test\ndeployment:\n  provider: {provider}\n'
        f"extensions:\n  profile: minimal\nsecrets:\n{secrets}"
    )
    return load_config(None, cwd=tmp_path)


def vault_secret(name: str, path: str = "sindri/app", key: str = "db_password", required: bool = True) -> str:
    return (
        f"  - name: {name}\n    source: vault\n    vaultPath: {path}\n    vaultKey: {key}\n"
        f"    required: {str(required).lower()}\n"
    )


def failure(loaded: LoadedConfig, env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as info:
        resolve_secrets(loaded, environ=env)
    text = str(info.value)
    assert TOKEN not in text and VALUE not in text
    return text


def test_values_are_read_once_per_path_and_masked(tmp_path: Path, vault: VaultApiServer) -> None:
    loaded = config(tmp_path, vault_secret("DB_PASSWORD") + vault_secret("API_KEY", key="api_key"))
    env = environ(vault)
    assert resolve_secrets(loaded, environ=env) == {"DB_PASSWORD": VALUE, "API_KEY": "key-0123456789"}
    assert vault.api.requests == [("GET", "/v1/secret/data/sindri/app", True, "")]
    assert VALUE in redacted_values(loaded, env) and TOKEN in redacted_values(loaded, env)


def test_mount_and_namespace_are_sent(tmp_path: Path, vault: VaultApiServer) -> None:
    vault.api.put("team/db", {"pw": "namespaced-value"}, mount="kv", namespace="team-a")
    loaded = config(tmp_path, vault_secret("PW", path="team/db", key="pw") + "    vaultMount: kv\n")
    assert resolve_secrets(loaded, environ=environ(vault, VAULT_NAMESPACE="team-a")) == {
        "PW": "namespaced-value"
    }
    assert vault.api.requests == [("GET", "/v1/kv/data/team/db", True, "team-a")]


def test_a_missing_path_names_the_secret_and_the_path(tmp_path: Path, vault: VaultApiServer) -> None:
    text = failure(config(tmp_path, vault_secret("GONE", path="sindri/nope")), environ(vault))
    assert "GONE: no secret at secret/sindri/nope in Vault" in text
    assert "vaultPath" in text


def test_a_deleted_latest_version_counts_as_missing(tmp_path: Path, vault: VaultApiServer) -> None:
    vault.api.deleted.add(("", "secret", "sindri/app"))
    assert "no secret at secret/sindri/app" in failure(config(tmp_path, vault_secret("DB")), environ(vault))


def test_a_missing_key_lists_the_keys_not_the_values(tmp_path: Path, vault: VaultApiServer) -> None:
    text = failure(config(tmp_path, vault_secret("DB", key="nokey")), environ(vault))
    assert "has no key 'nokey' (its keys: api_key, db_password, port)" in text
    assert "key-0123456789" not in text


def test_a_value_that_is_not_a_string_is_refused(tmp_path: Path, vault: VaultApiServer) -> None:
    assert "holds a int, not a string" in failure(
        config(tmp_path, vault_secret("P", key="port")), environ(vault)
    )


def test_permission_denied_points_at_the_policy(tmp_path: Path, vault: VaultApiServer) -> None:
    vault.api.tokens["hvs.limited"] = ["secret/other"]
    text = failure(config(tmp_path, vault_secret("DB")), environ(vault, VAULT_TOKEN="hvs.limited"))
    assert "Vault refused to read secret/sindri/app" in text and "permission denied" in text
    assert "policy" in text and "hvs.limited" not in text


def test_an_unknown_token_is_refused(tmp_path: Path, vault: VaultApiServer) -> None:
    text = failure(config(tmp_path, vault_secret("DB")), environ(vault, VAULT_TOKEN="hvs.wrong"))
    assert "Vault refused" in text and "hvs.wrong" not in text


def test_a_sealed_vault_says_unseal(tmp_path: Path, vault: VaultApiServer) -> None:
    vault.api.sealed = True
    text = failure(config(tmp_path, vault_secret("DB")), environ(vault, VAULT_MAX_RETRIES="2"))
    assert "is sealed or not ready: Vault is sealed" in text and "vault operator unseal" in text
    assert len(vault.api.requests) == 1, "a sealed Vault is not retried"


def test_a_vault_that_never_answers_fails_after_bounded_retries(
    tmp_path: Path, vault: VaultApiServer
) -> None:
    vault.api.hang = 5
    env = environ(vault, VAULT_CLIENT_TIMEOUT="0.3", VAULT_MAX_RETRIES="1")
    text = failure(config(tmp_path, vault_secret("DB")), env)
    assert "did not answer within 0.3s (2 attempt(s))" in text and "VAULT_CLIENT_TIMEOUT" in text


def test_server_errors_are_retried_then_succeed(tmp_path: Path, vault: VaultApiServer) -> None:
    vault.api.fail_times = 2
    loaded = config(tmp_path, vault_secret("DB"))
    assert resolve_secrets(loaded, environ=environ(vault, VAULT_MAX_RETRIES="2")) == {"DB": VALUE}
    assert len(vault.api.requests) == 3


def test_server_errors_beyond_the_retries_fail(tmp_path: Path, vault: VaultApiServer) -> None:
    vault.api.fail_times = 5
    text = failure(config(tmp_path, vault_secret("DB")), environ(vault, VAULT_MAX_RETRIES="1"))
    assert "kept failing to read secret/sindri/app (2 attempts)" in text


def test_unreachable_vault(tmp_path: Path) -> None:
    env = {"VAULT_ADDR": "http://127.0.0.1:9", "VAULT_TOKEN": TOKEN, "VAULT_MAX_RETRIES": "0"}
    assert "cannot reach Vault at http://127.0.0.1:9" in failure(config(tmp_path, vault_secret("DB")), env)


def test_missing_settings_stop_required_and_skip_optional_secrets(tmp_path: Path) -> None:
    loaded = config(tmp_path, vault_secret("REQ") + vault_secret("OPT", required=False))
    text = failure(loaded, {})
    assert "REQ: VAULT_ADDR and VAULT_TOKEN not set" in text and "OPT" not in text
    optional = config(tmp_path, vault_secret("OPT", required=False))
    assert resolve_secrets(optional, environ={"VAULT_ADDR": "http://127.0.0.1:9"}) == {}
    assert any("vault secret OPT skipped: VAULT_TOKEN not set" in w for w in optional.warnings)


def test_bad_settings_are_named(tmp_path: Path) -> None:
    loaded = config(tmp_path, vault_secret("DB"))
    assert "is not an http(s) URL" in failure(loaded, {"VAULT_ADDR": "vault:8200", "VAULT_TOKEN": TOKEN})
    bad = {"VAULT_ADDR": "http://x", "VAULT_TOKEN": TOKEN, "VAULT_CLIENT_TIMEOUT": "soon"}
    assert "VAULT_CLIENT_TIMEOUT='soon' is not a number" in failure(loaded, bad)


def test_vault_is_not_asked_when_the_command_forwards_no_secret(
    tmp_path: Path, vault: VaultApiServer
) -> None:
    loaded = config(tmp_path, vault_secret("DB"))
    assert resolve_secrets(loaded, environ=environ(vault), vault=False) == {}
    assert vault.api.requests == []


def test_check_vault_reports_the_token_without_showing_it(vault: VaultApiServer) -> None:
    status = check_vault(environ(vault))
    assert status.policies == ["default", "sindri-read"] and status.ttl == 3600
    assert TOKEN not in repr(status)
    with pytest.raises(VaultProblem, match="Vault refused"):
        check_vault(environ(vault, VAULT_TOKEN="hvs.wrong"))
    vault.api.sealed = True
    with pytest.raises(VaultProblem, match="sealed"):
        check_vault(environ(vault))
