"""The extension catalogue as package data: names, descriptions, profiles."""

from __future__ import annotations

from sindri.schemas import catalog
from sindri.schemas.generate import json_schema
from sindri.schemas.names import PROFILES


def test_extensions_carry_category_and_description() -> None:
    extensions = catalog.extensions()
    assert len(extensions) > 50
    nodejs = extensions["nodejs"]
    assert (nodejs.name, nodejs.category) == ("nodejs", "languages")
    assert nodejs.description
    assert all(ext.category and ext.description for ext in extensions.values())


def test_deprecated_extensions_name_their_successor() -> None:
    old = catalog.extensions()["claude-flow-v2"]
    assert old.deprecated and old.successor == "ruflo"
    assert "claude-flow-v2" in catalog.extensions()["ruflo"].conflicts


def test_profiles_in_display_order_with_known_extensions() -> None:
    profiles = catalog.profiles()
    assert list(profiles) == [
        "minimal",
        "fullstack",
        "anthropic-dev",
        "systems",
        "enterprise",
        "devops",
        "mobile",
    ]
    assert profiles["minimal"].extensions == ("nodejs", "python")
    assert profiles["minimal"].description == "Minimal development setup"
    known = catalog.extensions()
    for profile in profiles.values():
        assert set(profile.extensions) <= set(known), profile.name


def test_schema_profiles_versus_catalogue() -> None:
    assert set(catalog.profiles()) <= set(PROFILES)
    assert catalog.upstream_only_profiles() == (
        "visionflow-core",
        "visionflow-data-scientist",
        "visionflow-creative",
        "visionflow-full",
    )
    profile = json_schema()["properties"]["extensions"]["properties"]["profile"]
    described = dict(zip(profile["enum"], profile["enumDescriptions"], strict=True))
    assert described["devops"] == "DevOps and infrastructure"
    assert described["visionflow-core"] == catalog.UNDEFINED_PROFILE_NOTE


def test_loaded_once() -> None:
    assert catalog.extensions() is catalog.extensions()
    assert catalog.profiles() is catalog.profiles()
    assert catalog.categories()["ai-agents"] == "AI Agents"
