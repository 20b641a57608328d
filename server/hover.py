"""Hover: a field's description, type, default, allowed values and providers; catalogue entries."""

from __future__ import annotations

import re

from lsprotocol import types as lsp
from sindri.schemas import catalog, schema_nav
from sindri.schemas.findings import Range
from sindri.schemas.names import PROVIDER_DESCRIPTIONS
from sindri.schemas.plugins import plugin_description, plugin_providers

from .completion import EXTENSION_LISTS
from .convert import Positions
from .cursor import _KEY_LINE, key_at, parent_path
from .server import SindriLanguageServer

_ITEM = re.compile(r"^(?P<indent>\s*)-\s+[\"']?(?P<word>[A-Za-z0-9_.-]+)")


def _word_hover(lines: list[str], line_no: int, character: int) -> tuple[str, int, int] | None:
    """Markdown for a value under the cursor: an extension, a profile or a provider name."""
    line = lines[line_no].rstrip("\r\n")
    item = _ITEM.match(line)
    if item and item.start("word") <= character <= item.end("word"):
        path = parent_path(lines, line_no, len(item.group("indent")), item=True)
        ext = catalog.extensions().get(item.group("word"))
        if path in EXTENSION_LISTS:
            text = f"**{ext.name}** · extension ({ext.category})\n\n{ext.description}" if ext else None
            return (text, item.start("word"), item.end("word")) if text else None
    match = _KEY_LINE.match(line)
    if not match or not match.group("value"):
        return None
    value = match.group("value").split(" #")[0].strip().strip("\"'")
    start = line.find(value, match.end("key"))
    if not value or not (start <= character <= start + len(value)):
        return None
    key = match.group("key")
    if key == "profile" and (profile := catalog.profiles().get(value)):
        listed = ", ".join(f"`{e}`" for e in profile.extensions)
        return (
            f"**{value}** · profile\n\n{profile.description}\n\nInstalls: {listed}",
            start,
            start + len(value),
        )
    if key == "provider" and (about := _provider_description(value)):
        return f"**{value}** · provider\n\n{about}", start, start + len(value)
    return None


def _provider_description(name: str) -> str | None:
    """A built-in provider's description, or the package an installed plugin provider comes from."""
    if name in PROVIDER_DESCRIPTIONS:
        return PROVIDER_DESCRIPTIONS[name]
    return plugin_description(name) if name in plugin_providers() else None


def hover_at(lines: list[str], line_no: int, character: int) -> tuple[str, int, int] | None:
    if line_no >= len(lines):
        return None
    found = key_at(lines, line_no, character)
    if found is not None:
        path, start, end = found
        doc = schema_nav.describe(path)
        return (doc.markdown(), start, end) if doc else None
    return _word_hover(lines, line_no, character)


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: SindriLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        uri = params.text_document.uri
        if uri not in ls.documents:
            return None
        doc = ls.workspace.get_text_document(uri)
        positions = Positions(doc)
        pos = doc.position_codec.position_from_client_units(positions.lines, params.position)
        found = hover_at(positions.lines, pos.line, pos.character)
        if found is None:
            return None
        text, start, end = found
        rng = positions.range(Range.of(pos.line, start, pos.line, end))
        return lsp.Hover(contents=lsp.MarkupContent(lsp.MarkupKind.Markdown, text), range=rng)
