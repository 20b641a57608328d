"""Completion that works while the user types: keys, enum values, booleans, extensions, profiles.

The context comes from indentation (`cursor.py`), not from a parse, so it works on broken documents.
What may go where comes from the generated schema (`schema_nav`), names from the catalogue.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lsprotocol import types as lsp
from sindri.schemas import catalog, schema_nav
from sindri.schemas.findings import Range
from sindri.schemas.names import PROVIDER_DESCRIPTIONS, UNSUPPORTED_PROVIDERS

from .convert import Positions
from .cursor import Cursor, cursor_at
from .server import SindriLanguageServer

EXTENSION_LISTS = {("extensions", "active"), ("extensions", "additional")}
_NEEDS_QUOTES = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|~|[-+.\d].*)$"
)


def yaml_scalar(value: Any) -> str:
    """A value as YAML text, quoted where YAML 1.1 would read it as something else (`no`, `3.0`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    return json.dumps(text) if _NEEDS_QUOTES.match(text) or ": " in text or text.startswith("#") else text


def _edit(cursor: Cursor, line: int, character: int, text: str) -> lsp.TextEdit:
    return lsp.TextEdit(
        range=lsp.Range(lsp.Position(line, cursor.word_start), lsp.Position(line, character)), new_text=text
    )


def _key_snippet(info: schema_nav.KeyInfo, indent: int, snippets: bool) -> tuple[str, lsp.InsertTextFormat]:
    child = " " * (indent + 2)
    if not snippets:
        return f"{info.key}: ", lsp.InsertTextFormat.PlainText
    types = info.type.split(" | ")
    if info.enum:
        choices = [yaml_scalar(v) for v in info.enum]
        if info.has_default and yaml_scalar(info.default) in choices:
            choices.remove(yaml_scalar(info.default))
            choices.insert(0, yaml_scalar(info.default))
        body = "${1|" + ",".join(c.replace(",", "\\,").replace("|", "\\|") for c in choices) + "|}"
    elif "boolean" in types:
        first = "false" if info.has_default and info.default is False else "true"
        body = "${1|" + first + "," + ("true" if first == "false" else "false") + "|}"
    elif "object" in types:
        return f"{info.key}:\n{child}$0", lsp.InsertTextFormat.Snippet
    elif "array" in types:
        return f"{info.key}:\n{child}- $0", lsp.InsertTextFormat.Snippet
    elif (placeholder := info.default if info.has_default else info.example) not in (None, "", [], {}):
        body = "${1:" + yaml_scalar(placeholder).replace("}", "\\}").replace("$", "\\$") + "}"
    else:
        body = "$1"
    return f"{info.key}: {body}", lsp.InsertTextFormat.Snippet


def key_items(cursor: Cursor, line: int, character: int, snippets: bool) -> list[lsp.CompletionItem]:
    items = []
    for order, info in enumerate(schema_nav.children(cursor.path)):
        if info.key in cursor.siblings or info.deprecated:
            continue
        text, fmt = _key_snippet(info, cursor.indent, snippets)
        doc = schema_nav.describe((*cursor.path, info.key))
        items.append(
            lsp.CompletionItem(
                label=info.key,
                kind=lsp.CompletionItemKind.Property,
                detail=(info.type or "value") + (" (required)" if info.required else ""),
                documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, doc.markdown()) if doc else None,
                sort_text=f"{0 if info.required else 1}{order:03d}",
                filter_text=info.key,
                text_edit=_edit(cursor, line, character, text),
                insert_text_format=fmt,
            )
        )
    return items


def _value(
    value: Any, description: str, cursor: Cursor, line: int, character: int, order: int
) -> lsp.CompletionItem:
    text = yaml_scalar(value)
    return lsp.CompletionItem(
        label=text if isinstance(value, bool) else str(value),
        kind=lsp.CompletionItemKind.Value,
        documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, description) if description else None,
        detail=description.split("\n", 1)[0] if description else None,
        sort_text=f"{order:04d}",
        text_edit=_edit(cursor, line, character, text),
    )


def value_items(cursor: Cursor, line: int, character: int, lines: list[str]) -> list[lsp.CompletionItem]:
    path = tuple(p for p in cursor.path)
    keys = tuple(p for p in path if isinstance(p, str))
    if keys == ("extensions", "profile"):
        return [
            _value(name, _profile_doc(profile), cursor, line, character, n)
            for n, (name, profile) in enumerate(catalog.profiles().items())
        ]
    if path[:-1] in EXTENSION_LISTS and isinstance(path[-1], int):
        present = {ln.strip()[1:].strip() for ln in lines if ln.strip().startswith("- ")}
        return [
            _value(name, f"{ext.description} ({ext.category})", cursor, line, character, n)
            for n, (name, ext) in enumerate(sorted(catalog.extensions().items()))
            if name not in present and not ext.deprecated
        ]
    node = schema_nav.node_at(path)
    if node is None:
        return []
    if keys == ("deployment", "provider"):
        doc = schema_nav.describe(path)
        described = dict(doc.allowed_values) if doc else {}
        return [
            _value(
                str(v),
                PROVIDER_DESCRIPTIONS.get(str(v)) or described.get(str(v), ""),
                cursor,
                line,
                character,
                n,
            )
            for n, v in enumerate(node.enum or ())
            if v not in UNSUPPORTED_PROVIDERS
        ]
    if node.enum:
        doc = schema_nav.describe(path)
        described = dict(doc.allowed_values) if doc else {}
        return [
            _value(v, described.get(str(v), ""), cursor, line, character, n) for n, v in enumerate(node.enum)
        ]
    if "boolean" in node.types:
        return [_value(v, "", cursor, line, character, n) for n, v in enumerate((True, False))]
    return []


def _profile_doc(profile: catalog.Profile) -> str:
    listed = ", ".join(f"`{e}`" for e in profile.extensions)
    return f"{profile.description}\n\nInstalls: {listed}" if listed else profile.description


def complete(lines: list[str], line: int, character: int, snippets: bool) -> list[lsp.CompletionItem]:
    cursor = cursor_at(lines, line, character)
    if cursor is None:
        return []
    if cursor.kind == "value":
        return value_items(cursor, line, character, lines)
    if cursor.path and isinstance(cursor.path[-1], int):
        items_node = schema_nav.node_at(cursor.path)
        if items_node is not None and "object" not in items_node.types:
            return value_items(cursor, line, character, lines)  # a list of scalars: offer values
    return key_items(cursor, line, character, snippets)


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=[":", " ", "-"], resolve_provider=False),
    )
    def completion(ls: SindriLanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        uri = params.text_document.uri
        if uri not in ls.documents:
            return lsp.CompletionList(is_incomplete=False, items=[])
        doc = ls.workspace.get_text_document(uri)
        positions = Positions(doc)
        pos = doc.position_codec.position_from_client_units(positions.lines, params.position)
        caps = ls.client_capabilities.text_document
        item_caps = caps.completion.completion_item if caps and caps.completion else None
        snippets = bool(item_caps and item_caps.snippet_support)
        items = complete(positions.lines, pos.line, pos.character, snippets)
        for item in items:  # columns were computed in code points; the client counts UTF-16 units
            edit = item.text_edit
            if isinstance(edit, lsp.TextEdit):
                start, end = edit.range.start, edit.range.end
                edit.range = positions.range(Range.of(start.line, start.character, end.line, end.character))
        return lsp.CompletionList(is_incomplete=False, items=items)
