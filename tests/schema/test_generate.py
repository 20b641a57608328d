"""The generated JSON Schema: checked in, draft-07 valid, never offers null, documents every field."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import UnionType
from typing import Any, get_args, get_origin

import jsonschema
import pytest
from pydantic import BaseModel
from sindri.schemas import generate
from sindri.schemas.model import SindriConfig
from sindri.schemas.names import ALL_PROVIDERS

REPO = Path(__file__).resolve().parents[2]
CHECKED_IN = REPO / "schemas" / "sindri.schema.json"
VENV_BIN = Path(sys.executable).parent


def _properties(node: Any, path: str = "$") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every (path, key, schema) a document may hold, following properties, items and maps."""
    if not isinstance(node, dict):
        return
    for key, sub in node.get("properties", {}).items():
        yield path, key, sub
        yield from _properties(sub, f"{path}.{key}")
    if isinstance(node.get("items"), dict):
        yield from _properties(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from _properties(node["additionalProperties"], f"{path}.*")


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for sub in node.values():
            yield from _nodes(sub)
    elif isinstance(node, list):
        for sub in node:
            yield from _nodes(sub)


def test_checked_in_schema_matches_the_model() -> None:
    assert CHECKED_IN.read_text(encoding="utf-8") == generate.schema_text(), (
        "schemas/sindri.schema.json is out of date with schemas/model.py. Regenerate it with "
        "`.venv/bin/sindri schema --output schemas/sindri.schema.json` "
        "(or `.venv/bin/python -m sindri.schemas.generate`) and commit the result."
    )


def test_identity_and_draft() -> None:
    schema = generate.json_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] == "https://sindri.dev/schemas/sindri-editor.schema.json"
    assert schema["title"]
    assert schema["required"] == ["version", "name", "deployment", "extensions"]


def test_schema_is_valid_against_its_meta_schema() -> None:
    jsonschema.Draft7Validator.check_schema(generate.json_schema())
    done = subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--check-metaschema", str(CHECKED_IN)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_null_is_never_offered() -> None:
    for node in _nodes(generate.json_schema()):
        kind = node.get("type")
        assert kind != "null" and not (isinstance(kind, list) and "null" in kind), node
        assert node.get("default", 0) is not None, node
        assert None not in node.get("enum", []), node
        assert "const" not in node or node["const"] is not None, node
        assert "$ref" not in node, node


def test_every_property_is_described_and_names_its_providers() -> None:
    seen = 0
    for path, key, sub in _properties(generate.json_schema()):
        seen += 1
        where = f"{path}.{key}"
        assert sub.get("description", "").strip(), f"{where} has no description"
        if path.startswith("$.providers.runpod") or path.startswith("$.providers.northflank"):
            continue
        providers = sub.get("x-providers")
        assert isinstance(providers, list), f"{where} has no x-providers"
        assert set(providers) <= set(ALL_PROVIDERS), where
        if not providers:
            assert "accepted but has no effect" in sub["description"].lower(), where
    assert seen > 100


def test_upstream_keys_patterns_and_ranges() -> None:
    props = generate.json_schema()["properties"]
    extensions = props["extensions"]
    assert extensions["additionalProperties"] is False
    assert set(extensions["properties"]) == {"profile", "active", "additional", "auto_install"}
    assert len(extensions["oneOf"]) == 2
    assert len(extensions["properties"]["profile"]["enum"]) == 11
    resources = props["deployment"]["properties"]["resources"]["properties"]
    assert resources["memory"]["pattern"] == r"^\d+(MB|GB)$"
    assert resources["cpus"]["minimum"] == 1
    assert resources["gpu"]["additionalProperties"] is False
    assert (
        resources["gpu"]["properties"]["count"]["minimum"],
        resources["gpu"]["properties"]["count"]["maximum"],
    ) == (1, 8)
    providers = props["providers"]["properties"]
    assert providers["e2b"]["additionalProperties"] is False
    assert providers["fly"]["properties"]["sshPort"]["default"] == 10022
    assert providers["docker"]["properties"]["ports"]["items"]["pattern"] == r"^\d+:\d+$"
    assert providers["docker"]["properties"]["dind"]["properties"]["storageSize"]["default"] == "20GB"
    assert providers["devpod"]["required"] == ["type"]
    secret = props["secrets"]["items"]
    assert secret["required"] == ["name", "source"]
    thens = {c["if"]["properties"]["source"]["const"]: c["then"]["required"] for c in secret["allOf"]}
    assert thens == {"file": ["path", "mountPath"], "vault": ["vaultPath", "vaultKey"]}
    enum = props["deployment"]["properties"]["provider"]["enum"]
    assert {"runpod", "northflank", "docker-compose"} <= set(enum)


def test_every_model_field_appears_under_its_yaml_name() -> None:
    def walk(model: type[BaseModel], schema: dict[str, Any], where: str) -> None:
        for name, info in model.model_fields.items():
            key = info.alias or name
            assert key in schema["properties"], f"{where}.{key} missing from the schema"
            sub = schema["properties"][key]
            union = isinstance(info.annotation, UnionType)
            for candidate in get_args(info.annotation) if union else (info.annotation,):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    walk(candidate, sub, f"{where}.{key}")
                elif get_origin(candidate) is list:
                    (item,) = get_args(candidate)
                    if isinstance(item, type) and issubclass(item, BaseModel):
                        walk(item, sub["items"], f"{where}.{key}[]")

    walk(SindriConfig, generate.json_schema(), "$")


def test_write_schema_is_stable(tmp_path: Path) -> None:
    target = generate.write_schema(tmp_path / "out" / "sindri.schema.json")
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == generate.schema_text()
    assert json.loads(text) == generate.json_schema()
    assert list(json.loads(text))[:4] == ["$schema", "$id", "title", "description"]


def test_json_schema_returns_a_private_copy() -> None:
    first = generate.json_schema()
    first["properties"].clear()
    assert generate.json_schema()["properties"]


@pytest.mark.parametrize("name", ["auto_install", "autoInstall"])
def test_extensions_auto_install_spelling(name: str) -> None:
    known = generate.json_schema()["properties"]["extensions"]["properties"]
    assert (name in known) == (name == "auto_install")
