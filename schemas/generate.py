"""The JSON Schema of sindri.yaml, generated from the pydantic model for editors and other tools.

The output is draft-07 (what yaml-language-server and check-jsonschema expect), fully inlined like
upstream's schema (no `$ref`, so every tool and our navigator read it the same way), never offers
`null` for optional fields, and keeps `x-providers` on every field. `schemas/sindri.schema.json` is
this module's output; regenerate it with `sindri schema --output schemas/sindri.schema.json`.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import core_schema

from .catalog import UNDEFINED_PROFILE_NOTE, profiles
from .model import SindriConfig
from .shipped import SCHEMA_FILE, json_schema

__all__ = ["CHECKED_IN", "generated_text", "json_schema", "schema_text", "write_schema"]

SCHEMA_ID = "https://sindri.dev/schemas/sindri-editor.schema.json"
SCHEMA_TITLE = "Sindri configuration (sindri.yaml)"
SCHEMA_DESCRIPTION = (
    "A Sindri cloud development environment: where it runs (docker, fly, devpod, e2b, kubernetes), "
    "what is installed in it, and the secrets it gets."
)
DRAFT_07 = "http://json-schema.org/draft-07/schema#"

# Keywords first in this order, in every node; the rest keep the model's order.
_KEY_ORDER = (
    "$schema",
    "$id",
    "title",
    "description",
    "type",
    "enum",
    "enumDescriptions",
    "const",
    "default",
    "pattern",
    "minimum",
    "maximum",
    "items",
    "required",
    "properties",
    "additionalProperties",
    "oneOf",
    "allOf",
    "if",
    "then",
    "not",
    "x-providers",
)
# Keywords whose value is a map of names to schemas (the names are data, not keywords).
_SCHEMA_MAPS = ("properties", "definitions", "$defs")


class EditorJsonSchema(GenerateJsonSchema):
    """pydantic's generator, minus what editors would offer wrongly (`null`, field titles)."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        """`X | None` is how the model spells "optional"; the YAML may omit it, never set it to null."""
        return self.generate_inner(schema["schema"])

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def generate(
        self, schema: core_schema.CoreSchema, mode: JsonSchemaMode = "validation"
    ) -> JsonSchemaValue:
        raw = super().generate(schema, mode)
        definitions = raw.pop("$defs", {})
        body = _tidy(_inline(raw, definitions))
        body.pop("description", None)
        root = {
            "$schema": DRAFT_07,
            "$id": SCHEMA_ID,
            "title": SCHEMA_TITLE,
            "description": SCHEMA_DESCRIPTION,
        }
        return _ordered({**root, **body})


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """Replace every `$ref` by the definition it names; keywords beside the `$ref` win."""
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        target = _inline(copy.deepcopy(definitions[name]), definitions)
        siblings = {k: _inline(v, definitions) for k, v in node.items() if k != "$ref"}
        return {**target, **siblings}
    return {key: _inline(value, definitions) for key, value in node.items()}


def _tidy(node: Any, *, is_map: bool = False) -> Any:
    """Drop pydantic's titles and `default: null`, and order keywords; recurse into subschemas."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    if is_map:
        return {name: _tidy(sub) for name, sub in node.items()}
    tidied: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" or (key == "default" and value is None):
            continue
        if key in ("default", "enum", "const", "enumDescriptions", "x-providers", "required"):
            tidied[key] = value
        else:
            tidied[key] = _tidy(value, is_map=key in _SCHEMA_MAPS)
    return _ordered(tidied)


def _ordered(node: dict[str, Any]) -> dict[str, Any]:
    first = {key: node[key] for key in _KEY_ORDER if key in node}
    return {**first, **{key: value for key, value in node.items() if key not in first}}


def _describe_profiles(schema: dict[str, Any]) -> None:
    """Profile hover texts come from the catalogue; upstream-only names say they install nothing."""
    profile = schema["properties"]["extensions"]["properties"]["profile"]
    known = profiles()
    profile["enumDescriptions"] = [
        known[name].description if name in known else UNDEFINED_PROFILE_NOTE for name in profile["enum"]
    ]


CHECKED_IN = SCHEMA_FILE
"""The generated schema, shipped with the package; a test fails when it differs from `generated_text()`."""


@functools.cache
def generated_text() -> str:
    """The schema built from the model now (about 40 ms: for `sindri schema` and the drift test)."""
    schema = SindriConfig.model_json_schema(by_alias=True, schema_generator=EditorJsonSchema)
    _describe_profiles(schema)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_text() -> str:
    """The schema as the model generates it (2-space indent, final newline)."""
    return generated_text()


def write_schema(path: Path | str) -> Path:
    """Write the schema generated from the model to `path` (parents created) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(generated_text(), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write_schema(CHECKED_IN))
