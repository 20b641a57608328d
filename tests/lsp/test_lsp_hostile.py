"""The server never dies on input: hostile documents get a bounded answer and it keeps serving."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import label_map, rng, session
from lsprotocol import types as lsp

VALID = 'version: "3.0"\nname: demo\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)
BIG = "x" * 100_000


def aliased(times: int) -> str:
    """One 100 KB scalar aliased `times` times (109 KB of file for 3,000)."""
    return f"name: &big {BIG}\nlist:\n" + "  - *big\n" * times


TOP = ["deployment", "extensions", "name", "providers", "secrets", "version"]
HOSTILE = {
    # name: (text, expected diagnostic code, completion labels at 0:0, hover range at 0:1)
    "alias bomb": (ALIAS_BOMB, "SY108", TOP, None),
    "10,000-deep nesting": ("a: " + "[" * 10_000 + "]" * 10_000 + "\n", "SY109", TOP, None),
    "5 MB": ("name: demo\n" + "# padding\n" * 520_000, "SY107", TOP, rng(0, 0, 0, 4)),
    "replaced non-UTF-8 bytes": (
        'version: "3.0"\nname: d\ufffd\ufffdmo\n\ufffd: 1\n',
        "SC203",
        [k for k in TOP if k != "name"],
        rng(0, 0, 0, 7),
    ),
    "BOM": ("\ufeff" + VALID, None, ["providers", "secrets", "version"], rng(0, 1, 0, 8)),
    "CRLF": (VALID.replace("\n", "\r\n"), None, ["providers", "secrets", "version"], rng(0, 0, 0, 7)),
    "empty": ("", "SC201", TOP, None),
    "comments only": ("# nothing\n# here\n", "SC201", TOP, None),
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_document_gets_a_bounded_answer(tmp_path: Path, name: str) -> None:
    """Diagnostics, completion and hover all answer, with what the document allows: the missing
    top-level keys, and the key under the cursor (after a BOM too) when line 0 has one."""
    text, code, labels, hover_range = HOSTILE[name]
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open(text)
        codes = [d.code for d in await s.diagnostics(uri, 1)]
        assert (code in codes) if code else codes == [], codes
        assert sorted(label_map(await s.completion(uri, 0, 0))) == labels
        hover = await s.hover(uri, 0, 1)
        assert (hover.range if hover else None) == hover_range
        await s.alive()


async def test_a_large_scalar_aliased_3000_times_is_refused_and_serving_goes_on(tmp_path: Path) -> None:
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open(aliased(3000))
        assert "SY108" in [d.code for d in await s.diagnostics(uri, 1)]
        symbols = await s.client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
        )
        assert len(str(symbols)) < 20_000
        await s.alive()


async def test_bom_and_crlf_keep_exact_positions(tmp_path: Path) -> None:
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        crlf = await s.open(VALID.replace("\n", "\r\n").replace("provider: docker", "provider: dokcer"))
        (bad,) = await s.diagnostics(crlf, 1)
        assert bad.range == rng(3, 12, 3, 18)
        hover = await s.hover(crlf, 3, 4)
        assert hover is not None and hover.range == rng(3, 2, 3, 10)
        items = label_map(await s.completion(crlf, 3, 12))
        assert "docker" in items


async def test_odd_paths_keep_serving(tmp_path: Path) -> None:
    """A key at column 0 inside a list, astral characters before keys (UTF-16 surrogate pairs)."""
    odd = (
        "extensions:\n  active:\n- nodejs\nfoo: 1\n  - bar\n"
        '"\U0001f680\U0001f680": {a: 1}\n  \U0001f680x: 2\n'
    )
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open(odd)
        diagnostics = await s.diagnostics(uri, 1)
        assert diagnostics
        for line in range(8):
            for character in (0, 1, 2, 3, 4, 5):
                await s.completion(uri, line, character)
                await s.hover(uri, line, character)
        text = 'deployment: {x: "\U0001f680\U0001f680", provider: dokcer}\n'
        astral = await s.open(text, name="a/sindri.yaml")
        (wrong,) = [d for d in await s.diagnostics(astral, 1) if d.code == "SC205"]
        assert wrong.range == rng(0, 34, 0, 40)  # UTF-16: each rocket is two units
        await s.alive()


async def test_aliases_stay_small_in_every_feature(tmp_path: Path) -> None:
    """Under the alias budget, a large aliased scalar still reaches no reply in full: the outline's names
    are cut, hover and completion read the text, not the expansion."""
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open(aliased(9))  # 900 KB of expansion: read
        assert "SY108" not in [d.code for d in await s.diagnostics(uri, 1)]
        seen = len(s.messages)
        symbols = await s.client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
        )
        assert symbols is not None
        (items,) = [x for x in symbols if isinstance(x, lsp.DocumentSymbol) and x.name == "list"]
        assert len(items.children or []) == 9
        assert all(len(child.name) <= 201 for child in items.children or [])
        replies = [m for m in s.messages[seen:] if "result" in m]
        assert len(str(replies[-1]["result"])) < 20_000
        await s.hover(uri, 2, 3)
        await s.completion(uri, 2, 4)
        await s.alive()
