"""What editors do that the other LSP tests do not: line breaks LSP does not count, positions at and past
the end, untitled documents, close and reopen, and the server going away mid-command or mid-validation."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from lsp_helpers import FLY, SERVER, WAIT, base_env, rng, session
from lsprotocol import types as lsp
from support import STANDINS
from test_commands import tool_processes
from test_prerequisites import FLY as FLY_DOC
from test_prerequisites import calls, prereqs

NO_PREREQS = {"prerequisiteChecks": False}


async def test_incremental_edits_after_a_unicode_line_separator(tmp_path: Path) -> None:
    """LSP breaks lines only at \\n, \\r\\n and \\r: a U+2028 in a value is not a line break, so an edit
    on a later line must land where the editor put it (the server's copy must not drift)."""
    text = (
        'version: "3.0"\nname: "a\u2028b"\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'
    )
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(text)
        await s.diagnostics(uri, 1)
        s.edit(uri, (3, 12), (3, 18), "dokcer")
        codes = [d.code for d in await s.diagnostics(uri)]
        assert "SC205" in codes and "SY101" not in codes, codes
        hover = await s.hover(uri, 3, 4)
        assert hover is not None and hover.range == rng(3, 2, 3, 10)
        assert "provider" in hover.contents.value  # type: ignore[union-attr]


async def test_completion_on_the_empty_last_line_and_past_the_end_of_a_line(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        for name, text in (
            ("lf", 'version: "3.0"\nname: demo\n'),
            ("crlf", 'version: "3.0"\r\nname: demo\r\n'),
        ):
            uri = await s.open(text, name=f"{name}/sindri.yaml")
            items = {i.label: i for i in await s.completion(uri, 2, 0)}
            assert {"deployment", "extensions"} <= set(items), (name, list(items))
            assert not {"version", "name"} & set(items)  # already there
            edit = items["deployment"].text_edit
            assert isinstance(edit, lsp.TextEdit) and edit.range == rng(2, 0, 2, 0)

        # A column past the end of its line means the end of the line (LSP), here the last line.
        uri = await s.open("extensions:\n  active:\n    - no", name="past/sindri.yaml")
        for character in (8, 40):
            items = await s.completion(uri, 2, character)
            edit = items[0].text_edit
            assert isinstance(edit, lsp.TextEdit) and edit.range == rng(2, 6, 2, 8), character


async def test_an_untitled_sindri_document_is_validated(tmp_path: Path) -> None:
    uri = "untitled:" + (tmp_path / "new" / "sindri.yaml").as_posix()
    text = 'version: "3.0"\nname: demo\ndeployment:\n  provider: dokcer\nextensions:\n  profile: minimal\n'
    async with session(tmp_path, settings=NO_PREREQS) as s:
        s.versions[uri] = 1
        s.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "yaml", 1, text))
        )
        (wrong,) = await s.diagnostics(uri, 1)
        assert wrong.code == "SC205" and wrong.range == rng(3, 12, 3, 18)
        titles = [a.title for a in await s.code_actions(uri, wrong.range)]
        assert "Change to 'docker'" in titles
        validated = await s.command("sindri.validate", uri)
        assert [f["code"] for f in validated["findings"]] == ["SC205"]
        planned = await s.command("sindri.plan", uri)  # commands act on the saved file: there is none
        assert planned["success"] is False and "not saved to a file" in planned["error"]


async def test_a_reopened_document_never_gets_the_closed_texts_diagnostics(tmp_path: Path) -> None:
    """Closed while its (slow) validation runs and reopened with another text at the same version."""
    slow = 'version: "3.0"\nname: x\ndeployment:\n  provider: dokcer\nextensions:\n  active:\n' + "".join(
        f"    - ext-{i}\n" for i in range(8000)
    )
    good = 'version: "3.0"\nname: x\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(slow)
        s.client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
        s.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "yaml", 1, good))
        )
        await s.until(lambda: len(s.publishes(uri)) >= 2, "the reopened document's diagnostics")
        await s.alive()  # the server had time to publish anything else
        published = [p["diagnostics"] for p in s.publishes(uri)]
        assert published[-1] == [] and all(p == [] for p in published), [len(p) for p in published]


# The server going away: driven over raw pipes, since the point is what happens to the process.


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class RawServer:
    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            SERVER, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        self.send({"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}})
        self.send({"method": "initialized", "params": {}})

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(frame({"jsonrpc": "2.0", **message}))
        self.process.stdin.flush()

    def open(self, path: Path, text: str) -> str:
        path.write_text(text)
        uri = path.as_uri()
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        self.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        return uri

    def exit_code(self) -> int:
        """The exit code, once the process is gone (killed, and the test failed, if it lingers)."""
        try:
            return self.process.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("the server did not exit") from None


def until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["exit without shutdown", "end of input", "SIGTERM", "SIGHUP"])
def test_the_server_going_away_mid_command_leaves_no_tool_running(tmp_path: Path, how: str) -> None:
    """flyctl deploy hangs, and so would the status a finished command triggers: neither may outlive
    the server, however the editor ends it."""
    state = tmp_path / "state"
    server = RawServer({**base_env(state), "SINDRI_STANDIN_HANG": "deploy,machines list"})
    try:
        uri = server.open(tmp_path / "sindri.yaml", FLY)
        command = {"command": "sindri.deploy", "arguments": [uri]}
        server.send({"id": 2, "method": "workspace/executeCommand", "params": command})
        log = state / "flyctl.log"
        until(lambda: log.exists() and '["deploy"' in log.read_text(), "flyctl deploy to start")
        until(lambda: tool_processes(state), "the hanging flyctl process")
        if how == "exit without shutdown":
            server.send({"method": "exit"})
        elif how == "end of input":
            assert server.process.stdin is not None
            server.process.stdin.close()
        else:
            server.process.send_signal(getattr(signal, how))
        server.exit_code()
        time.sleep(0.5)  # a tool started while the server went down would show up by now
        assert tool_processes(state) == []
    finally:
        for pid in tool_processes(state):
            subprocess.run(["kill", "-9", str(pid)], check=False)
        server.process.kill()


def gate(tmp_path: Path) -> Path:
    """A folder for the server's SINDRI_LSP_TEST_GATE: each validation creates `started-<n>` in it,
    then waits until `release_gate` lets it go, so a test holds it exactly as long as it needs."""
    folder = tmp_path / "gate"
    folder.mkdir()
    os.mkfifo(folder / "release")
    return folder


def release_gate(folder: Path) -> None:
    """Let the validation waiting at the gate go (blocks until it reads)."""
    with open(folder / "release", "w") as fifo:
        fifo.write("go")


@pytest.mark.parametrize("shutdown", [True, False])
def test_exit_does_not_wait_for_a_running_validation(tmp_path: Path, shutdown: bool) -> None:
    """A validation is running (held at the test gate, so it never ends by itself); the editor quits.
    The server exits at once with LSP's exit code: 0 after shutdown, 1 without."""
    held = gate(tmp_path)
    server = RawServer({**base_env(tmp_path / "state"), "SINDRI_LSP_TEST_GATE": str(held)})
    try:
        server.open(tmp_path / "sindri.yaml", 'version: "3.0"\nname: x\n')
        until(lambda: (held / "started-1").exists(), "the validation to start")
        if shutdown:
            server.send({"id": 2, "method": "shutdown"})
        server.send({"method": "exit"})
        assert server.exit_code() == (0 if shutdown else 1)
    finally:
        server.process.kill()


async def test_lenses_are_refreshed_after_a_status_command(tmp_path: Path) -> None:
    """The Status lens shows the last known state: running `sindri.status` (e.g. from that lens) changes
    it, so the client is asked to fetch the lenses again, as after every other command."""
    async with session(tmp_path, env=base_env(tmp_path / "state")) as s:
        uri = await s.open(FLY)
        before = len(s.requests(lsp.WORKSPACE_CODE_LENS_REFRESH))
        status = await s.command("sindri.status", uri)
        assert status["success"] is True and status["status"]["state"] == "not_deployed"
        await s.until(
            lambda: len(s.requests(lsp.WORKSPACE_CODE_LENS_REFRESH)) > before, "workspace/codeLens/refresh"
        )
        lenses = await s.client.text_document_code_lens_async(
            lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri))
        )
        titles = [lens.command.title for lens in lenses or [] if lens.command]
        assert "$(pulse) Status: not deployed" in titles  # VS Code renders the icon; words, not the enum


async def test_a_failed_deploy_shows_one_error_not_also_the_status_read_after_it(tmp_path: Path) -> None:
    """After a deploy the server re-reads the status by itself; when that fails too (logged out), the
    user asked for nothing more and sees only the deploy's error."""
    env = {**base_env(tmp_path / "state"), "SINDRI_STANDIN_FLY_LOGGED_OUT": "1"}
    async with session(tmp_path, env=env) as s:
        uri = await s.open(FLY)
        deployed = await s.command("sindri.deploy", uri)
        assert deployed["success"] is False and "login" in deployed["error"]

        def status_ended() -> bool:
            begun = {
                str(p["token"])
                for p in s.notifications("$/progress")
                if p["value"].get("kind") == "begin" and "status" in p["value"]["title"]
            }
            ends = [p for p in s.notifications("$/progress") if p["value"].get("kind") == "end"]
            return any(str(p["token"]) in begun for p in ends)

        await s.until(status_ended, "the status read after the deploy")
        await s.alive()
        assert [m.message.split(":")[0] for m in s.client.messages] == ["sindri deploy"]


async def test_doctor_on_a_broken_file_is_a_clear_failure(tmp_path: Path) -> None:
    """Like every lifecycle command: a result saying what is wrong, shown to the user, not an internal
    error of the request."""
    broken = FLY.replace("  image: ghcr.io/pacphi/sindri:v3-latest\n", "  image: [\n")
    async with session(tmp_path, env=base_env(tmp_path / "state")) as s:
        uri = await s.open(broken)
        result = await s.command("sindri.doctor", uri)
        assert result["success"] is False and result["action"] == "doctor"
        assert "is not a valid sindri.yaml" in result["error"] and "SY101" in result["error"]
        assert "sindri validate" in result["hint"]
        assert [m.message.split(":")[0] for m in s.client.messages] == ["sindri doctor"]


async def test_code_actions_do_not_hold_up_hover_while_the_document_is_validated(tmp_path: Path) -> None:
    """Editors ask for code actions at every cursor move. Right after an edit the quick fixes wait for
    its validation (on the worker thread), they do not redo it on the event loop, which kept hover and
    completion waiting for seconds. The validation of the edit is held at the test gate meanwhile."""
    held = gate(tmp_path)
    text = 'version: "3.0"\nname: x\ndeployment:\n  provider: dokcer\nextensions:\n  profile: minimal\n'
    env = {**base_env(tmp_path / "state"), "SINDRI_LSP_TEST_GATE": str(held)}
    async with session(tmp_path, env=env, settings=NO_PREREQS) as s:
        uri = await s.open(text)
        await s.until(lambda: (held / "started-1").exists(), "the first validation to start")
        await asyncio.to_thread(release_gate, held)
        await s.diagnostics(uri, 1)
        s.edit(uri, (1, 7), (1, 7), "y")
        await s.until(lambda: (held / "started-2").exists(), "the validation of the edit to start")
        params = lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri), rng(3, 13, 3, 13), lsp.CodeActionContext([])
        )
        actions = s.client.protocol.send_request(lsp.TEXT_DOCUMENT_CODE_ACTION, params, msg_id="actions")
        hover = lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(0, 1))
        hovered = s.client.protocol.send_request(lsp.TEXT_DOCUMENT_HOVER, hover, msg_id="hover")
        assert (await asyncio.wait_for(asyncio.wrap_future(hovered), WAIT)) is not None
        # answered in order on one stream: had the actions not waited, their reply would be here first
        assert not actions.done()
        await asyncio.to_thread(release_gate, held)
        await asyncio.wait_for(asyncio.wrap_future(actions), WAIT)
        replies = [m["id"] for m in s.messages if m.get("id") in ("actions", "hover") and "method" not in m]
        assert replies == ["hover", "actions"]
        titles = [a["title"] for a in next(m for m in s.messages if m.get("id") == "actions")["result"]]
        assert "Change to 'docker'" in titles  # from the validation of the new text


async def test_a_tool_path_under_the_home_directory(tmp_path: Path) -> None:
    """flyctl's installer puts it in ~/.fly/bin, often not on the editor's PATH: `"~/.fly/bin/flyctl"`
    in the settings is that file (it was taken literally, and flyctl reported missing)."""
    home, state = tmp_path / "home", tmp_path / "state"
    (home / ".fly" / "bin").mkdir(parents=True)
    (home / ".fly" / "bin" / "flyctl").symlink_to(STANDINS / "flyctl")
    env = {**base_env(state, standins=False), "HOME": str(home), "SINDRI_STANDIN_FLY_LOGGED_OUT": "1"}
    async with session(tmp_path, env=env, settings={"toolPaths": {"flyctl": "~/.fly/bin/flyctl"}}) as s:
        uri = await s.open(FLY_DOC)
        found = await s.diagnostics(uri, where=lambda ds: bool(prereqs(ds)))
        assert [d.code for d in prereqs(found)] == ["PR402"]  # logged out, not missing
        assert ["auth", "whoami", "--json"] in calls(state, "flyctl")


def test_incremental_edits_match_lsp_semantics_on_random_texts() -> None:
    """The server's copy after random edits equals the editor's: lines end at \\n, \\r\\n or \\r only,
    columns are UTF-16 units, a column past its line is the line's end, a line past the last is the
    document's end. (pygls' own documents diverged on most of these sequences.)"""
    from sindri.server.documents import LspWorkspace

    breaks = re.compile(r"\r\n|\r|\n")
    pieces = ["a", " ", "\n", "\r\n", "\r", "\U0001f680", "é", "\u2028", "\x85", "\x0c", "字"]

    def offset(text: str, position: lsp.Position) -> int:
        starts = [0] + [m.end() for m in breaks.finditer(text)]
        lines = breaks.split(text)
        if position.line >= len(lines):
            return len(text)
        units = 0
        for index, char in enumerate(lines[position.line]):
            if units >= position.character:
                return starts[position.line] + index
            units += 2 if ord(char) > 0xFFFF else 1
        return starts[position.line] + len(lines[position.line])

    uri = "file:///w/sindri.yaml"
    chance = random.Random(7)
    for _ in range(1000):
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(0, 30)))
        workspace = LspWorkspace(None)
        workspace.put_text_document(lsp.TextDocumentItem(uri, "yaml", 1, text))
        for version in range(2, 7):
            count = len(breaks.split(text))
            ends = sorted(
                (lsp.Position(chance.randint(0, count + 1), chance.randint(0, 12)) for _ in range(2)),
                key=lambda p: offset(text, p),
            )
            new = "".join(chance.choice(pieces) for _ in range(chance.randint(0, 4)))
            change = lsp.TextDocumentContentChangePartial(range=lsp.Range(*ends), text=new)
            document = lsp.VersionedTextDocumentIdentifier(version=version, uri=uri)
            workspace.update_text_document(document, change)
            text = text[: offset(text, ends[0])] + new + text[offset(text, ends[1]) :]
            assert workspace.get_text_document(uri).source == text


async def test_the_outline_stays_while_the_text_does_not_parse(tmp_path: Path) -> None:
    """Typing `[` makes the YAML unreadable for a moment: the outline (and breadcrumbs) keep the newest
    text that parsed instead of emptying at every such keystroke."""
    text = 'version: "3.0"\nname: demo\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(text)
        await s.diagnostics(uri, 1)
        params = lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
        before = await s.client.text_document_document_symbol_async(params)
        s.edit(uri, (5, 11), (5, 11), "[")
        assert "SY101" in [d.code for d in await s.diagnostics(uri)]
        during = await s.client.text_document_document_symbol_async(params)
        assert during == before and [x.name for x in during or []] == [
            "version",
            "name",
            "deployment",
            "extensions",
        ]
