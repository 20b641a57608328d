"""Hover, document symbols (outline) and code actions (quick fixes, install documentation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import apply_edits, base_env, rng, session
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import client_capabilities
from sindri.schemas import catalog
from sindri.schemas.findings import doc_url

NO_PREREQS = {"prerequisiteChecks": False}
DOC = """version: "3.0"
name: demo
deployment:
  provider: docker
  resources:
    gpu:
      tier: gpu-small
extensions:
  active:
    - nodejs
    - python
providers:
  docker:
    dind:
      mode: auto
"""


def markdown(hover: lsp.Hover | None) -> str:
    assert hover is not None
    assert isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.kind == lsp.MarkupKind.Markdown
    return hover.contents.value


async def test_hover_on_fields(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(DOC)
        provider = await s.hover(uri, 3, 5)
        assert provider is not None and provider.range == rng(3, 2, 3, 10)
        text = markdown(provider)
        assert text.startswith("**`provider`** · `string`")
        assert "- Allowed values: `docker`, `docker-compose`, `fly`" in text

        mode = await s.hover(uri, 14, 6)
        assert mode is not None and mode.range == rng(14, 6, 14, 10)
        text = markdown(mode)
        assert "- Default: `auto`" in text
        assert "- Allowed values: `sysbox`, `privileged`, `socket`, `auto`" in text
        assert "- Used by: docker" in text

        tier = await s.hover(uri, 6, 9)
        assert tier is not None and tier.range == rng(6, 6, 6, 10)
        assert "- Used by: fly" in markdown(tier)

        assert await s.hover(uri, 1, 8) is None  # a free-text value has nothing to explain


async def test_hover_on_extension_profile_and_provider_names(tmp_path: Path) -> None:
    nodejs, python = catalog.extensions()["nodejs"], catalog.extensions()["python"]
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(DOC)
        first = await s.hover(uri, 9, 8)
        assert first is not None and first.range == rng(9, 6, 9, 12)
        assert markdown(first) == f"**nodejs** · extension ({nodejs.category})\n\n{nodejs.description}"
        second = await s.hover(uri, 10, 7)
        assert second is not None and second.range == rng(10, 6, 10, 12)
        assert python.description in markdown(second)

        docker = await s.hover(uri, 3, 14)
        assert docker is not None and docker.range == rng(3, 12, 3, 18)
        assert markdown(docker).startswith("**docker** · provider")

        profile_uri = await s.open("extensions:\n  profile: fullstack # web\n", name="p/sindri.yaml")
        profile = await s.hover(profile_uri, 1, 12)
        assert profile is not None and profile.range == rng(1, 11, 1, 20)
        listed = ", ".join(f"`{e}`" for e in catalog.profiles()["fullstack"].extensions)
        assert markdown(profile).endswith(f"Installs: {listed}")


async def test_document_symbols_tree(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(DOC)
        await s.diagnostics(uri, 1)
        symbols = await s.client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
        )
        assert symbols is not None
        tree = [(x.name, x.kind) for x in symbols if isinstance(x, lsp.DocumentSymbol)]
        assert tree == [
            ("version", lsp.SymbolKind.String),
            ("name", lsp.SymbolKind.String),
            ("deployment", lsp.SymbolKind.Object),
            ("extensions", lsp.SymbolKind.Object),
            ("providers", lsp.SymbolKind.Object),
        ]
        deployment = symbols[2]
        assert isinstance(deployment, lsp.DocumentSymbol)
        assert deployment.selection_range == rng(2, 0, 2, 10)
        provider, resources = deployment.children or []
        assert (provider.name, provider.detail, provider.range) == ("provider", "docker", rng(3, 2, 3, 18))
        assert provider.selection_range == rng(3, 2, 3, 10)
        (gpu,) = resources.children or []
        (tier,) = gpu.children or []
        assert (tier.name, tier.detail, tier.selection_range) == ("tier", "gpu-small", rng(6, 6, 6, 10))
        extensions = symbols[3]
        assert isinstance(extensions, lsp.DocumentSymbol)
        (active,) = extensions.children or []
        assert active.kind == lsp.SymbolKind.Array
        assert [(c.name, c.range) for c in active.children or []] == [
            ("nodejs", rng(9, 6, 9, 12)),
            ("python", rng(10, 6, 10, 12)),
        ]


BROKEN = """version: "3.0"
deployment:
  provider: dokcer
  resouces:
    memory: 4GB
extensions:
  profile: minimal
extensions:
  profile: minimal
"""


async def test_quick_fixes_applied_give_the_fixed_text(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(BROKEN)
        await s.diagnostics(uri, 1)

        async def fix(at: lsp.Range, title: str) -> str:
            actions = {a.title: a for a in await s.code_actions(uri, at)}
            assert title in actions, list(actions)
            action = actions[title]
            assert action.kind == lsp.CodeActionKind.QuickFix and action.is_preferred
            assert action.diagnostics and action.edit and action.edit.changes
            return apply_edits(BROKEN, action.edit.changes[uri])

        renamed = await fix(rng(3, 4, 3, 4), "Rename to 'resources'")
        assert renamed == BROKEN.replace("resouces", "resources")
        replaced = await fix(rng(2, 13, 2, 13), "Change to 'docker'")
        assert replaced == BROKEN.replace("dokcer", "docker")
        added = await fix(rng(0, 0, 0, 3), "Add 'name'")
        assert added == BROKEN + "name: my-environment\n"
        removed = await fix(rng(7, 2, 7, 2), "Remove the duplicate 'extensions'")
        assert removed == BROKEN.removesuffix("extensions:\n  profile: minimal\n")

        s.change(uri, renamed)
        await s.diagnostics(uri)
        assert await s.code_actions(uri, rng(3, 4, 3, 4)) == []  # nothing left to fix there


async def test_prerequisite_action_opens_install_documentation(tmp_path: Path) -> None:
    fly = 'version: "3.0"\nname: my-env\ndeployment:\n  provider: fly\nextensions:\n  profile: minimal\n'
    async with session(tmp_path, env=base_env(tmp_path / "state", standins=False)) as s:
        uri = await s.open(fly)
        await s.diagnostics(uri, where=lambda ds: any(d.code == "PR401" for d in ds))
        (action,) = await s.code_actions(uri, rng(3, 13, 3, 13))
        assert action.title == "Open the install documentation of flyctl"
        assert action.command is not None and action.command.command == "sindri.openDocs"
        assert action.diagnostics and action.diagnostics[0].code == "PR401"
        shown = await s.command(action.command.command, *(action.command.arguments or []))
        assert shown is True
        (document,) = s.client.shown_documents
        assert document.uri == "https://fly.io/docs/flyctl/install/"
        assert document.external is True


async def test_install_documentation_on_a_client_that_cannot_open_documents(tmp_path: Path) -> None:
    caps = client_capabilities("visual-studio-code")
    assert caps.window is not None
    caps.window.show_document = None
    async with session(tmp_path, env=base_env(tmp_path / "state", standins=False), capabilities=caps) as s:
        uri = await s.open('version: "3.0"\nname: my-env\ndeployment:\n  provider: fly\n')
        await s.diagnostics(uri, where=lambda ds: any(d.code == "PR401" for d in ds))
        (action,) = await s.code_actions(uri, rng(3, 13, 3, 13))
        assert action.command is not None
        assert await s.command(action.command.command, *(action.command.arguments or [])) is False
        await s.until(lambda: s.notifications(lsp.WINDOW_SHOW_MESSAGE), "the address shown as a message")
        (message,) = s.notifications(lsp.WINDOW_SHOW_MESSAGE)
        assert message["message"] == "Documentation: https://fly.io/docs/flyctl/install/"
        assert not s.requests(lsp.WINDOW_SHOW_DOCUMENT)


async def test_open_docs_opens_only_our_documentation_links(tmp_path: Path) -> None:
    """Not whatever URI a command carries: only a finding code's explanation or an offered install page."""
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        for url in (
            "https://evil.example/",
            "file:///etc/passwd",
            "command:workbench.action.terminal.new",
            42,
        ):
            with pytest.raises(JsonRpcException) as refused:
                await s.command("sindri.openDocs", url)
            assert refused.value.code == -32602, url  # InvalidParams
        assert s.client.shown_documents == []
        ours = doc_url("SY108")
        assert await s.command("sindri.openDocs", ours) is True
        assert [d.uri for d in s.client.shown_documents] == [ours]


async def test_outline_and_fixes_of_a_document_validated_long_ago(tmp_path: Path) -> None:
    """The server holds the results of the documents it validated last only (issue 11 §5: memory with
    many open documents): an older one's outline is read again from its text, and its fixes come
    from validating it again, the same as before."""
    from sindri.server.diagnostics import RESULTS_KEPT

    async with session(tmp_path, settings=NO_PREREQS) as s:
        first = await s.open(DOC)
        await s.diagnostics(first, 1)
        broken = await s.open(BROKEN, name="broken/sindri.yaml")
        await s.diagnostics(broken, 1)
        params = lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(first))
        before = await s.client.text_document_document_symbol_async(params)
        fixes_before = [a.title for a in await s.code_actions(broken, rng(2, 13, 2, 13))]
        for n in range(RESULTS_KEPT + 1):  # validated since: both results are dropped
            other = await s.open(DOC.replace("demo", f"demo-{n}"), name=f"other-{n}/sindri.yaml")
            await s.diagnostics(other, 1)
        assert await s.client.text_document_document_symbol_async(params) == before
        assert before and len(before) == 5
        assert [a.title for a in await s.code_actions(broken, rng(2, 13, 2, 13))] == fixes_before
        assert "Change to 'docker'" in fixes_before
