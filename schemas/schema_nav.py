"""Walk the generated JSON Schema by YAML path: what may go here, what it means, who reads it.

The language server (completion, hover) and the validation engine (did-you-mean, fields the chosen
provider ignores) ask the same questions, so they share this navigator. A path is a sequence of mapping
keys (str) and list indexes (int), e.g. `["providers", "fly", "region"]` or `["secrets", 0, "name"]`.
The schema is resolved once; after that every call is a dictionary walk with results cached.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PathPart = str | int
_COMBINATORS = ("allOf", "anyOf", "oneOf")


@dataclass(frozen=True)
class SchemaNode:
    """The schema of one place in the document, with `$ref`s and combinators folded in."""

    path: tuple[PathPart, ...]
    schema: Mapping[str, Any]
    required_here: bool = False
    """Whether the parent requires this key."""

    @property
    def types(self) -> tuple[str, ...]:
        kind = self.schema.get("type")
        if isinstance(kind, str):
            return (kind,)
        return tuple(kind) if isinstance(kind, list) else ()

    @property
    def description(self) -> str:
        return str(self.schema.get("description", ""))

    @property
    def properties(self) -> Mapping[str, Any]:
        props = self.schema.get("properties", {})
        return props if isinstance(props, Mapping) else {}

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(self.schema.get("required", ()))

    @property
    def enum(self) -> tuple[Any, ...] | None:
        values = self.schema.get("enum")
        return tuple(values) if isinstance(values, list) else None

    @property
    def providers(self) -> tuple[str, ...] | None:
        """Providers that read this field; `()` when none does; None when the schema does not say."""
        providers = self.schema.get("x-providers")
        return tuple(providers) if isinstance(providers, list) else None

    @property
    def allows_unknown_keys(self) -> bool:
        """False only where the schema forbids keys it does not list (additionalProperties: false)."""
        return self.schema.get("additionalProperties", True) is not False


@dataclass(frozen=True)
class KeyInfo:
    """One key that may appear in a mapping: what completion offers."""

    key: str
    description: str
    type: str
    """JSON type name(s), e.g. `string`, `integer | string`; empty when the schema does not say."""
    required: bool
    has_default: bool
    default: Any
    enum: tuple[Any, ...] | None
    enum_descriptions: tuple[str, ...] | None
    providers: tuple[str, ...] | None
    deprecated: bool = False
    example: Any = None
    """The schema's first example (a placeholder for completion when there is no default)."""

    @property
    def no_effect(self) -> bool:
        """Accepted by the schema, read by no provider."""
        return self.providers == ()


@dataclass(frozen=True)
class FieldDoc:
    """Hover text pieces for one field, plus a ready-made markdown rendering."""

    path: tuple[PathPart, ...]
    key: str
    description: str
    type: str
    default: str | None
    """The default as YAML text, e.g. `true`, `sjc`; None when there is none."""
    allowed_values: tuple[tuple[str, str], ...]
    """(value as YAML text, its description or "") for enum fields."""
    constraints: tuple[str, ...]
    """e.g. `pattern ^\\d+(MB|GB)$`, `minimum 1`, `maximum 8`, `required`."""
    providers: tuple[str, ...] | None
    deprecated: bool = False

    def markdown(self) -> str:
        lines = [f"**`{self.key}`**" + (f" · `{self.type}`" if self.type else "")]
        if self.description:
            lines += ["", self.description]
        facts = []
        if self.default is not None:
            facts.append(f"Default: `{self.default}`")
        if self.constraints:
            facts.append("Constraints: " + ", ".join(f"`{c}`" for c in self.constraints))
        if self.allowed_values:
            values = ", ".join(f"`{value}`" for value, _ in self.allowed_values)
            facts.append(f"Allowed values: {values}")
        if self.providers is not None:
            used = ", ".join(self.providers) if self.providers else "no provider (accepted but has no effect)"
            facts.append(f"Used by: {used}")
        if self.deprecated:
            facts.append("Deprecated")
        if facts:
            lines += ["", *(f"- {fact}" for fact in facts)]
        return "\n".join(lines)


class SchemaNavigator:
    """Answers path questions about one schema; build once, query often."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._root = schema
        self._nodes = functools.lru_cache(maxsize=4096)(self._node_at)
        self._children = functools.lru_cache(maxsize=1024)(self._children_of)

    @property
    def root(self) -> Mapping[str, Any]:
        return self._root

    def node_at(self, path: Sequence[PathPart]) -> SchemaNode | None:
        """The schema at `path`, or None where the schema says nothing (an unknown key)."""
        return self._nodes(tuple(path))

    def _node_at(self, path: tuple[PathPart, ...]) -> SchemaNode | None:
        node = SchemaNode((), self._resolve(self._root))
        for depth, part in enumerate(path):
            child = self._child(node, part)
            if child is None:
                return None
            schema, required = child
            node = SchemaNode(path[: depth + 1], schema, required)
        return node

    def _child(self, node: SchemaNode, part: PathPart) -> tuple[Mapping[str, Any], bool] | None:
        if isinstance(part, int):
            items = node.schema.get("items")
            return (self._resolve(items), False) if isinstance(items, Mapping) else None
        if part in node.properties:
            return self._resolve(node.properties[part]), part in node.required
        extra = node.schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            return self._resolve(extra), False
        return None

    def children(self, path: Sequence[PathPart]) -> list[KeyInfo]:
        """The keys the mapping at `path` may hold (for a list, the keys of its items), schema order."""
        return list(self._children(tuple(path)))

    def _children_of(self, path: tuple[PathPart, ...]) -> tuple[KeyInfo, ...]:
        node = self.node_at(path)
        if node is None:
            return ()
        if "array" in node.types and isinstance(node.schema.get("items"), Mapping):
            node = SchemaNode(path, self._resolve(node.schema["items"]))
        return tuple(self._key_info(node, key) for key in node.properties)

    def _key_info(self, parent: SchemaNode, key: str) -> KeyInfo:
        schema = self._resolve(parent.properties[key])
        child = SchemaNode((*parent.path, key), schema)
        enum_descriptions = schema.get("enumDescriptions")
        return KeyInfo(
            key=key,
            description=child.description,
            type=" | ".join(child.types),
            required=key in parent.required,
            has_default="default" in schema,
            default=schema.get("default"),
            enum=child.enum,
            enum_descriptions=tuple(enum_descriptions) if isinstance(enum_descriptions, list) else None,
            providers=child.providers,
            deprecated=bool(schema.get("deprecated", False)),
            example=(schema.get("examples") or [None])[0],
        )

    def describe(self, path: Sequence[PathPart]) -> FieldDoc | None:
        """Hover documentation of the field at `path`, or None for a place the schema does not know."""
        node = self.node_at(path)
        if node is None:
            return None
        schema = node.schema
        key = next((str(part) for part in reversed(node.path) if isinstance(part, str)), "sindri.yaml")
        descriptions = schema.get("enumDescriptions") or []
        allowed = tuple(
            (_yaml_text(value), descriptions[i] if i < len(descriptions) else "")
            for i, value in enumerate(node.enum or ())
        )
        constraints = [
            f"{name} {schema[name]}" for name in ("pattern", "minimum", "maximum") if name in schema
        ]
        if node.required_here:
            constraints.insert(0, "required")
        return FieldDoc(
            path=node.path,
            key=key,
            description=node.description,
            type=" | ".join(node.types),
            default=_yaml_text(schema["default"]) if "default" in schema else None,
            allowed_values=allowed,
            constraints=tuple(constraints),
            providers=node.providers,
            deprecated=bool(schema.get("deprecated", False)),
        )

    def _resolve(self, schema: Any) -> Mapping[str, Any]:
        """Follow `$ref`, and fold `allOf`/`anyOf`/`oneOf` branches' properties into one view."""
        if not isinstance(schema, Mapping):
            return {}
        if "$ref" in schema:
            target = self._pointer(str(schema["$ref"]))
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**self._resolve(target), **siblings}
        view: Mapping[str, Any] = schema
        if not any(name in schema for name in _COMBINATORS):
            return view
        merged: dict[str, Any] = dict(schema)
        properties: dict[str, Any] = dict(schema.get("properties", {}))
        required = list(schema.get("required", ()))
        for name in _COMBINATORS:
            for branch in schema.get(name, ()):
                resolved = self._resolve(branch)
                for key, value in resolved.get("properties", {}).items():
                    properties.setdefault(key, value)
                for key in ("type", "description", "enum", "items", "x-providers", "default"):
                    if key in resolved and key not in merged:
                        merged[key] = resolved[key]
                if name == "allOf":
                    required += [key for key in resolved.get("required", ()) if key not in required]
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def _pointer(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return {}
        node: Any = self._root
        for token in ref[1:].split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or token not in node:
                return {}
            node = node[token]
        return node


def _yaml_text(value: Any) -> str:
    """A scalar as a user would write it in YAML (`true`, `sjc`, `10022`, `[]`)."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


@functools.cache
def navigator() -> SchemaNavigator:
    """The navigator over sindri.yaml's schema, with the installed plugin providers (built on first use)."""
    from .validate import schema

    return SchemaNavigator(schema())


def node_at(path: Sequence[PathPart]) -> SchemaNode | None:
    """The schema at `path` in sindri.yaml, or None for a key the schema does not know."""
    return navigator().node_at(path)


def children(path: Sequence[PathPart]) -> list[KeyInfo]:
    """The keys the mapping at `path` may hold, in schema order (for a list: its items' keys)."""
    return navigator().children(path)


def describe(path: Sequence[PathPart]) -> FieldDoc | None:
    """Hover documentation of the field at `path`."""
    return navigator().describe(path)
