"""Fixes from the security review: credential redaction, option injection, unreadable .env."""

from __future__ import annotations

from pathlib import Path

import pytest
from sindri.providers.devpod import DevpodProvider
from sindri.providers.errors import ProviderError
from sindri.providers.lifecycle import redacted_values
from sindri.providers.runner import Runner
from sindri.schemas.errors import ConfigError
from sindri.schemas.loader import LoadedConfig, resolve_secrets
from sindri.schemas.model import SindriConfig


def test_provider_credentials_are_masked_like_the_configs_secrets() -> None:
    loaded = LoadedConfig(SindriConfig.minimal("e2b", "x"), Path("/tmp/sindri.yaml"), {"A": "secret-value"})
    environ = {"E2B_API_KEY": "e2b_0123456789", "FLY_API_TOKEN": "", "PATH": "/usr/bin"}
    runner = Runner(secrets=redacted_values(loaded, environ))
    assert (
        runner.redact("key e2b_0123456789 and secret-value; /usr/bin")
        == "key ******** and ********; /usr/bin"
    )


def test_a_devpod_ssh_user_cannot_become_an_ssh_option(tmp_path: Path) -> None:
    config = SindriConfig.model_validate(
        {
            "version": "3.0",
            "name": "x",
            "deployment": {"provider": "devpod", "image": "busybox"},
            "extensions": {"profile": "minimal"},
            "providers": {"devpod": {"type": "ssh", "ssh": {"host": "h", "user": "-oProxyCommand=id"}}},
        }
    )
    provider = DevpodProvider(LoadedConfig(config, tmp_path / "sindri.yaml"), Runner())
    with pytest.raises(ProviderError, match="must not start with '-'"):
        provider._backend_options()


def test_an_unreadable_dotenv_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / ".env").symlink_to("/proc/self/mem")  # a regular file whose read fails, even as root
    config = SindriConfig.model_validate(
        {
            "version": "3.0",
            "name": "x",
            "deployment": {"provider": "docker"},
            "extensions": {"profile": "minimal"},
            "secrets": [{"name": "TOKEN", "source": "env"}],
        }
    )
    with pytest.raises(ConfigError, match=r"cannot read .*\.env"):
        resolve_secrets(LoadedConfig(config, tmp_path / "sindri.yaml"), environ={})
