"""Shared constants and config builder of the E2B provider tests (importable by name from the tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

SECRET = "s3cr3t-'\"#{{value}}$HOME"
"""A secret value full of characters that break naive Dockerfile/TOML/shell handling."""


def base_config(name: str = "e2b-env", **e2b: Any) -> dict[str, Any]:
    return {
        "version": "3.0",
        "name": name,
        "deployment": {"provider": "e2b", "image": "ghcr.io/pacphi/sindri:v3.1.4"},
        "extensions": {"profile": "minimal"},
        "secrets": [{"name": "API_TOKEN", "source": "env"}],
        "providers": {"e2b": {"timeout": 600, **e2b}},
    }


def _top_conftest() -> ModuleType:
    """tests/conftest.py by path: this folder's own conftest.py shadows the name `conftest`."""
    path = Path(__file__).resolve().parents[2] / "conftest.py"
    spec = importlib.util.spec_from_file_location("sindri_tests_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run_sindri = _top_conftest().run_sindri
