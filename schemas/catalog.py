"""Sindri's extension catalogue (extension and profile names), read once from package data.

The data is upstream's `registry.yaml` and `profiles.yaml`, kept unchanged in `schemas/catalog_data/`.
Upstream's schema lists 11 profile names but the catalogue defines only 7: the schema keeps all 11
(so valid upstream files stay valid), `profiles()` returns the 7 the catalogue defines, and
`upstream_only_profiles()` names the other 4 so the engine can warn that they install nothing known.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from .names import PROFILES

DATA_FOLDER = "catalog_data"
"""Folder of the YAML files inside the `sindri.schemas` package."""
UNDEFINED_PROFILE_NOTE = "Listed by upstream's schema but not defined in the extension catalogue."


@dataclass(frozen=True)
class Extension:
    name: str
    category: str
    description: str
    deprecated: bool = False
    successor: str | None = None
    """The extension to use instead, when deprecated."""
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    extensions: tuple[str, ...]


def _load(filename: str) -> dict[str, Any]:
    text = resources.files("sindri.schemas").joinpath(DATA_FOLDER, filename).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # C loader: 10x faster
    if not isinstance(data, dict):
        raise ValueError(f"catalogue file {filename} is not a mapping")
    return data


@functools.cache
def _extensions() -> dict[str, Extension]:
    entries: dict[str, dict[str, Any]] = _load("registry.yaml")["extensions"]
    return {
        name: Extension(
            name=name,
            category=str(entry.get("category", "")),
            description=str(entry.get("description", "")),
            deprecated=bool(entry.get("deprecated", False)),
            successor=entry.get("successor"),
            conflicts=tuple(entry.get("conflicts", ())),
        )
        for name, entry in entries.items()
    }


@functools.cache
def _profiles() -> dict[str, Profile]:
    data = _load("profiles.yaml")
    entries: dict[str, dict[str, Any]] = data["profiles"]
    order: list[str] = data.get("display_order") or list(entries)
    names = order + [name for name in entries if name not in order]
    return {
        name: Profile(
            name=name,
            description=str(entries[name].get("description", "")),
            extensions=tuple(entries[name].get("extensions", ())),
        )
        for name in names
    }


def extensions() -> dict[str, Extension]:
    """Every extension in the catalogue, by name (a shared read-only mapping: do not modify)."""
    return _extensions()


def profiles() -> dict[str, Profile]:
    """The profiles the catalogue defines, by name, in display order (shared: do not modify)."""
    return _profiles()


def categories() -> dict[str, str]:
    """Category id -> display name, e.g. `ai-agents` -> `AI Agents`."""
    return dict(_categories())


@functools.cache
def _categories() -> tuple[tuple[str, str], ...]:
    entries: dict[str, dict[str, Any]] = _load("registry.yaml").get("categories", {})
    return tuple((key, str(value.get("name", key))) for key, value in entries.items())


def upstream_only_profiles() -> tuple[str, ...]:
    """Profile names upstream's schema accepts that the catalogue does not define."""
    return tuple(name for name in PROFILES if name not in _profiles())
