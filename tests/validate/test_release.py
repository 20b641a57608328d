"""A document's tree and lines can be released and are read again from its text (issue 11 §5: the
language server keeps them only for the documents it validated last)."""

from __future__ import annotations

import pytest
from sindri.schemas.positioned import MappingNode, Node, SequenceNode, deref
from sindri.schemas.validate import validate_text

TEXTS = {
    "plain": 'version: "3.0"\nname: demo\ndeployment:\n  provider: docker\nextensions:\n'
    "  active: [nodejs, python]\n",
    "BOM and CRLF": '\ufeffversion: "3.0"\r\nname: démo\r\ndeployment:\r\n  provider: fly\r\nextensions:\r\n'
    "  profile: minimal\r\n",
    "anchors, aliases and merges": 'version: "3.0"\nname: demo\nx: &base {provider: docker}\n'
    "deployment:\n  <<: *base\nextensions:\n  profile: minimal\n",
    "invalid": 'version: "3.0"\nname: Demo\ndeployment:\n  provider: dokcer\n',
    "broken syntax": 'version: "3.0"\nname: [demo\n',
}


def shape(node: Node | None) -> object:
    """Every node's kind and range, and its children's, as plain data."""
    node = deref(node)
    if node is None:
        return None
    here = (type(node).__name__, node.range)
    if isinstance(node, MappingNode):
        return (here, [(e.key.text, e.key.range, shape(e.value)) for e in node.entries])
    if isinstance(node, SequenceNode):
        return (here, [shape(item) for item in node.items])
    return here


@pytest.mark.parametrize("name", list(TEXTS))
def test_released_parts_are_read_again_the_same(name: str) -> None:
    result = validate_text(TEXTS[name])
    document = result.document
    assert document is not None
    before = (shape(document.root), list(document.lines), document.to_python())
    document.release()
    assert document.tree is None and document.held_lines is None
    assert (shape(document.root), list(document.lines), document.to_python()) == before
