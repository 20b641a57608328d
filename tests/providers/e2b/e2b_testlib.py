"""Shared constants and config builder of the E2B provider tests (importable by name from the tests)."""

from __future__ import annotations

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
