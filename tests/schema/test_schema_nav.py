"""The schema navigator: what completion offers and hover shows, for any YAML path."""

from __future__ import annotations

from typing import Any

from sindri.schemas import schema_nav
from sindri.schemas.schema_nav import SchemaNavigator


def test_node_at_follows_keys_indexes_and_maps() -> None:
    region = schema_nav.node_at(["providers", "fly", "region"])
    assert region is not None and region.types == ("string",) and region.providers == ("fly",)
    name = schema_nav.node_at(("secrets", 3, "name"))
    assert name is not None and name.schema["pattern"] == "^[A-Z][A-Z0-9_]*$" and name.required_here
    value = schema_nav.node_at(["providers", "e2b", "metadata", "any-key"])
    assert value is not None and value.types == ("string",)


def test_node_at_unknown_places() -> None:
    assert schema_nav.node_at(["resouces"]) is None
    assert schema_nav.node_at(["providers", "fly", "regoin"]) is None
    assert schema_nav.node_at(["name", 0]) is None
    root = schema_nav.node_at([])
    assert root is not None and root.allows_unknown_keys
    e2b = schema_nav.node_at(["providers", "e2b"])
    assert e2b is not None and not e2b.allows_unknown_keys


def test_children_of_root_mark_required_keys() -> None:
    keys = {info.key: info for info in schema_nav.children([])}
    assert list(keys) == ["version", "name", "deployment", "extensions", "secrets", "providers"]
    assert [k for k, info in keys.items() if info.required] == ["version", "name", "deployment", "extensions"]
    assert keys["secrets"].type == "array" and keys["secrets"].has_default and keys["secrets"].default == []


def test_children_of_a_block() -> None:
    keys = {info.key: info for info in schema_nav.children(["providers", "fly"])}
    assert keys["sshPort"].default == 10022 and keys["sshPort"].type == "integer"
    assert keys["cpuKind"].enum == ("shared", "performance")
    assert keys["highAvailability"].no_effect and not keys["region"].no_effect
    assert not keys["organization"].has_default


def test_children_of_a_list_are_its_items_keys() -> None:
    keys = [info.key for info in schema_nav.children(["secrets"])]
    assert keys[:2] == ["name", "source"] and "mountPath" in keys
    assert keys == [info.key for info in schema_nav.children(["secrets", 0])]


def test_children_carry_enum_descriptions() -> None:
    provider = next(info for info in schema_nav.children(["deployment"]) if info.key == "provider")
    assert provider.enum is not None and provider.enum_descriptions is not None
    described = dict(zip(provider.enum, provider.enum_descriptions, strict=True))
    assert described["runpod"].startswith("RunPod") and described["northflank"].startswith("Northflank")


def test_describe_gives_hover_pieces_and_markdown() -> None:
    doc = schema_nav.describe(["providers", "e2b", "timeout"])
    assert doc is not None
    assert (doc.key, doc.type, doc.default) == ("timeout", "integer", "300")
    assert doc.constraints == ("minimum 60", "maximum 86400")
    assert doc.providers == ("e2b",)
    text = doc.markdown()
    assert "**`timeout`**" in text and "Default: `300`" in text and "Used by: e2b" in text


def test_describe_enum_and_no_effect_fields() -> None:
    doc = schema_nav.describe(["providers", "docker", "restart"])
    assert doc is not None
    assert [value for value, _ in doc.allowed_values] == ["no", "always", "on-failure", "unless-stopped"]
    assert doc.default == "unless-stopped"
    assert "Used by: docker" in doc.markdown()
    runtime = schema_nav.describe(["providers", "docker", "runtime"])
    assert runtime is not None and "no provider (accepted but has no effect)" in runtime.markdown()
    auto = schema_nav.describe(["extensions", "auto_install"])
    assert auto is not None and auto.default == "true"
    assert schema_nav.describe(["nope"]) is None


def test_resolves_refs_and_combinators() -> None:
    schema: dict[str, Any] = {
        "definitions": {"port": {"type": "integer", "description": "A port.", "minimum": 1}},
        "type": "object",
        "properties": {
            "server": {
                "allOf": [
                    {"properties": {"port": {"$ref": "#/definitions/port"}}, "required": ["port"]},
                    {"properties": {"host": {"type": "string"}}},
                ],
                "oneOf": [{"properties": {"tls": {"type": "boolean"}}}],
            }
        },
    }
    nav = SchemaNavigator(schema)
    port = nav.node_at(["server", "port"])
    assert port is not None and port.description == "A port." and port.required_here
    assert [info.key for info in nav.children(["server"])] == ["port", "host", "tls"]
    doc = nav.describe(["server", "port"])
    assert doc is not None and doc.constraints == ("required", "minimum 1") and doc.providers is None
    assert nav.node_at(["server", "missing"]) is None


def test_navigator_is_built_once() -> None:
    assert schema_nav.navigator() is schema_nav.navigator()
    assert schema_nav.node_at(["name"]) is schema_nav.node_at(("name",))
