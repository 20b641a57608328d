"""Fixtures for the Northflank provider tests: the loopback Northflank API (and exec) stand-in, a config."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

STANDINS = Path(__file__).resolve().parents[2] / "standins"
sys.path.insert(0, str(STANDINS))

from nf_testlib import SECRET, base_config  # noqa: E402
from northflank_api import DEFAULT_TOKEN, NorthflankApi, NorthflankApiServer  # noqa: E402


@pytest.fixture
def api() -> Iterator[NorthflankApiServer]:
    with NorthflankApiServer(NorthflankApi()) as server:
        yield server


@pytest.fixture
def env(standin_env: dict[str, str], api: NorthflankApiServer, tmp_path: Path) -> dict[str, str]:
    """What a user's shell would hold: the token, the API pointed at the stand-in, a secret's value."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        **standin_env,
        "NORTHFLANK_API_TOKEN": DEFAULT_TOKEN,
        "NORTHFLANK_API_BASE_URL": api.url,
        "API_TOKEN": SECRET,
        "HOME": str(home),
    }


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    def write(config: dict[str, Any] | None = None) -> Path:
        path = tmp_path / "project" / "sindri.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump(config or base_config()))
        return path

    return write
