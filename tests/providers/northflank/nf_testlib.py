"""Shared constants and config builder of the Northflank provider tests (importable by name)."""

from __future__ import annotations

from typing import Any

SECRET = "s3cr3t-'\"#{{value}}$HOME"
"""A secret value full of characters that break naive quoting."""


def base_config(name: str = "nf-env", **northflank: Any) -> dict[str, Any]:
    return {
        "version": "3.0",
        "name": name,
        "deployment": {"provider": "northflank", "image": "ghcr.io/pacphi/sindri:v3.1.4"},
        "extensions": {"profile": "minimal"},
        "secrets": [{"name": "API_TOKEN", "source": "env"}],
        "providers": {
            "northflank": {
                "projectName": "sindri-team",
                "ports": [{"name": "http", "internalPort": 8080, "public": True}],
                **northflank,
            }
        },
    }
