"""Driving a real `sindri-lsp` process over stdio from tests: start it, open documents, wait for what it
publishes, and keep every message it sent (to check for secrets and stale publishes).

Waits are bounded (`WAIT` seconds) so a missing answer fails the test instead of hanging it; no test
asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from support import REPO, STANDINS

WAIT = 30.0
SERVER = [sys.executable, "-m", "sindri.server"]
FLY = """version: "3.0"
name: my-env
deployment:
  provider: fly
  image: ghcr.io/pacphi/sindri:v3-latest
extensions:
  profile: minimal
"""
"""A valid config for the fly provider (the flyctl stand-in answers for it)."""


def base_env(state: Path, *, standins: bool = True, path_first: Sequence[Path] = ()) -> dict[str, str]:
    """The server's environment: stand-ins first on PATH (unless told not to) and their state dir."""
    parts = [str(p) for p in path_first]
    if standins:
        parts.append(str(STANDINS))
    parts += [str(REPO / ".venv" / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINDRI_STANDIN")}
    env["PATH"] = os.pathsep.join(parts)
    env["SINDRI_STANDIN_STATE"] = str(state)
    env["PYTHONPATH"] = str(STANDINS)
    return env


def pos(line: int, character: int) -> lsp.Position:
    return lsp.Position(line, character)


def rng(line: int, start: int, end_line: int, end: int) -> lsp.Range:
    return lsp.Range(lsp.Position(line, start), lsp.Position(end_line, end))


def apply_edits(text: str, edits: Sequence[lsp.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 columns) to a text, last first, as an editor does."""
    lines = text.split("\n")

    def offset(p: lsp.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: p.line])
        line = lines[p.line] if p.line < len(lines) else ""
        units, chars = 0, 0
        while chars < len(line) and units < p.character:
            units += 2 if ord(line[chars]) > 0xFFFF else 1
            chars += 1
        return before + chars

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


@dataclass
class Session:
    """One server process and the client talking to it."""

    client: LanguageClient
    folder: Path
    messages: list[dict[str, Any]] = field(default_factory=list)
    """Every JSON-RPC message the server sent, as parsed JSON."""
    versions: dict[str, int] = field(default_factory=dict)
    answer: str | None = "Destroy"
    """The action the client picks when the server asks (`window/showMessageRequest`); None dismisses."""

    async def open(self, text: str, name: str = "sindri.yaml", version: int = 1) -> str:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        self.versions[uri] = version
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "yaml", version, text))
        )
        return uri

    def change(self, uri: str, text: str) -> int:
        """Replace the whole text (as a full-sync change); returns the new version."""
        self.versions[uri] += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
                [lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    def edit(self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str) -> int:
        """Replace one range (an incremental change, as editors send it); returns the new version."""
        self.versions[uri] += 1
        rng = lsp.Range(lsp.Position(*start), lsp.Position(*end))
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
                [lsp.TextDocumentContentChangePartial(range=rng, text=text)],
            )
        )
        return self.versions[uri]

    def save(self, uri: str, text: str) -> None:
        Path(uri.removeprefix("file://")).write_text(text, encoding="utf-8")
        self.client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))

    def notifications(self, method: str) -> list[Any]:
        return [m.get("params") for m in self.messages if m.get("method") == method and "id" not in m]

    def requests(self, method: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("method") == method and "id" in m]

    def publishes(self, uri: str) -> list[dict[str, Any]]:
        return [p for p in self.notifications(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS) if p["uri"] == uri]

    async def until(self, condition: Callable[[], Any], what: str, wait: float = WAIT) -> Any:
        """Poll until `condition()` is truthy; fail with `what` when it never becomes so."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while loop.time() < deadline:
            value = condition()
            if value:
                return value
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    async def diagnostics(
        self,
        uri: str,
        version: int | None = None,
        where: Callable[[list[lsp.Diagnostic]], bool] | None = None,
    ) -> list[lsp.Diagnostic]:
        """The newest diagnostics published for `uri` at `version` (default: its current version)."""
        wanted = self.versions[uri] if version is None else version

        def newest() -> tuple[list[lsp.Diagnostic]] | None:
            found = [p for p in self.publishes(uri) if p.get("version") == wanted]
            if not found:
                return None
            diagnostics = self.structure(found[-1]["diagnostics"], list[lsp.Diagnostic])
            return (diagnostics,) if where is None or where(diagnostics) else None

        found: tuple[list[lsp.Diagnostic]] = await self.until(newest, f"diagnostics of {uri} v{wanted}")
        return found[0]

    def structure(self, value: Any, kind: Any) -> Any:
        return self.client.protocol._converter.structure(value, kind)

    async def completion(self, uri: str, line: int, character: int) -> list[lsp.CompletionItem]:
        result = await self.client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), pos(line, character))
        )
        assert result is not None
        return list(result.items if isinstance(result, lsp.CompletionList) else result)

    async def hover(self, uri: str, line: int, character: int) -> lsp.Hover | None:
        return await self.client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), pos(line, character))
        )

    async def command(self, name: str, *arguments: Any) -> Any:
        return await self.client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command=name, arguments=list(arguments))
        )

    async def code_actions(self, uri: str, at: lsp.Range) -> list[lsp.CodeAction]:
        """The actions at `at`, read from the raw reply: the client library would take a CodeAction that
        carries a command for a Command (editors tell them apart by `command` being a string)."""
        diagnostics = list(self.client.diagnostics.get(uri, []))
        seen = len(self.messages)
        await self.client.text_document_code_action_async(
            lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), at, lsp.CodeActionContext(diagnostics))
        )
        replies = [m for m in self.messages[seen:] if "result" in m and "method" not in m]
        return [self.structure(a, lsp.CodeAction) for a in replies[-1]["result"] or []]

    async def alive(self) -> None:
        """The server still answers a request about a fresh document."""
        uri = await self.open('version: "3.0"\nname: alive\n', name=f"alive{len(self.versions)}/sindri.yaml")
        hover = await asyncio.wait_for(self.hover(uri, 1, 1), WAIT)
        assert hover is not None and hover.range == rng(1, 0, 1, 4)


def label_map(items: Sequence[lsp.CompletionItem]) -> dict[str, lsp.CompletionItem]:
    return {item.label: item for item in items}


@asynccontextmanager
async def session(
    folder: Path,
    env: dict[str, str] | None = None,
    settings: dict[str, Any] | None = None,
    capabilities: lsp.ClientCapabilities | None = None,
    options: dict[str, Any] | None = None,
    client_name: str | None = "Visual Studio Code",
    folders: Sequence[Path] | None = None,
    server: Sequence[str] = SERVER,
) -> AsyncIterator[Session]:
    """Start `python -m sindri.server` with `env`, initialise it as VS Code would, and shut it down after.

    `settings` is what the client answers to `workspace/configuration` for the `sindri` section;
    `options` the `initializationOptions`; `folders` the workspace folders (default: `folder` as the
    root only); `server` the server's command line.
    """
    config = ClientServerConfig(server_command=list(server), server_env=env)
    client: LanguageClient = await config.start()  # type: ignore[assignment]
    started = Session(client, folder)
    original = client.protocol.structure_message

    def record(data: dict[str, Any]) -> Any:
        if "jsonrpc" in data:
            started.messages.append(json.loads(json.dumps(data)))
        return original(data)

    client.protocol.structure_message = record  # type: ignore[method-assign]

    @client.feature(lsp.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(client: LanguageClient, params: None) -> None:
        return None

    @client.feature("sindri/status")
    def status(client: LanguageClient, params: Any) -> None:
        return None  # recorded with every other message

    @client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def message_request(
        client: LanguageClient, params: lsp.ShowMessageRequestParams
    ) -> lsp.MessageActionItem | None:
        return next((a for a in params.actions or [] if a.title == started.answer), None)

    if settings is not None:
        client.set_configuration(settings, section="sindri")
    caps = capabilities or client_capabilities("visual-studio-code")
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=caps,
            root_uri=folder.as_uri() if folders is None else None,
            workspace_folders=[lsp.WorkspaceFolder(f.as_uri(), f.name) for f in folders or ()] or None,
            client_info=lsp.ClientInfo(client_name) if client_name else None,
            initialization_options=options,
        )
    )
    try:
        yield started
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), WAIT)
        finally:
            await client.stop()
