"""The outline: one symbol per key, from the newest document that parsed."""

from __future__ import annotations

from lsprotocol import types as lsp
from sindri.schemas.findings import Range
from sindri.schemas.positioned import MappingNode, Node, ScalarNode, SequenceNode, deref

from .convert import Positions
from .server import SindriLanguageServer

MAX_SYMBOLS = 5000
"""An outline beyond this helps nobody and costs the client; hostile documents stay cheap."""
MAX_NAME = 200
"""Characters of a key or item shown as a symbol's name (a 100 KB scalar is no name)."""


def _kind(node: Node | None) -> lsp.SymbolKind:
    if isinstance(node, MappingNode):
        return lsp.SymbolKind.Object
    if isinstance(node, SequenceNode):
        return lsp.SymbolKind.Array
    if isinstance(node, ScalarNode) and isinstance(node.value, bool):
        return lsp.SymbolKind.Boolean
    if isinstance(node, ScalarNode) and isinstance(node.value, int | float):
        return lsp.SymbolKind.Number
    return lsp.SymbolKind.String


def _span(a: Range, b: Range) -> Range:
    return Range(a.start, b.end if (b.end.line, b.end.character) > (a.end.line, a.end.character) else a.end)


class _Builder:
    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.count = 0

    def children(self, node: Node | None, depth: int) -> list[lsp.DocumentSymbol] | None:
        node = deref(node)
        room = MAX_SYMBOLS - self.count
        if depth > 20 or room <= 0:
            return None
        if isinstance(node, MappingNode):
            return [self.symbol(e.key.text, e.key.range, e.value, depth) for e in node.entries[:room]]
        if isinstance(node, SequenceNode):
            return [
                self.symbol(self._item_name(item, i), item.range, item, depth)
                for i, item in enumerate(node.items[:room])
            ]
        return None

    def _item_name(self, item: Node, index: int) -> str:
        item = deref(item) or item
        if isinstance(item, ScalarNode):
            return item.text
        if isinstance(item, MappingNode) and "name" in item.index:
            name = deref(item.index["name"].value)
            if isinstance(name, ScalarNode):
                return name.text
        return f"[{index}]"

    def symbol(self, name: str, selection: Range, value: Node, depth: int) -> lsp.DocumentSymbol:
        self.count += 1
        target = deref(value)
        detail = target.text if isinstance(target, ScalarNode) and target is not None else None
        return lsp.DocumentSymbol(
            name=(name[:MAX_NAME] + "…" if len(name) > MAX_NAME else name) or "(empty)",
            kind=_kind(target),
            range=self.positions.range(_span(selection, value.range)),
            selection_range=self.positions.range(selection),
            detail=detail[:80] if detail else None,
            children=self.children(value, depth + 1),
        )


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(
        ls: SindriLanguageServer, params: lsp.DocumentSymbolParams
    ) -> list[lsp.DocumentSymbol]:
        uri = params.text_document.uri
        state = ls.documents.get(uri)
        document = state.parsed if state else None
        if document is None or document.root is None:
            return []
        # The outline is of the text that parsed, so its ranges are converted against that text.
        positions = Positions(ls.workspace.get_text_document(uri), document.lines)
        return _Builder(positions).children(document.root, 0) or []
