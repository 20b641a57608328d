"""Commands act only inside the workspace (issue #10 item 3): on sindri documents the client opened, or
on sindri files inside the workspace folders (links resolved). Anything else is refused unread: no
tool runs on it and no value of it comes back in a finding."""

from __future__ import annotations

import json
import os
from pathlib import Path

from lsp_helpers import FLY, base_env, session
from lsprotocol import types as lsp

SECRET = "AKIAsecretValue0123456789"
CREDENTIALS = f"[default]\naws_access_key_id = {SECRET}\naws_secret_access_key: {SECRET}\n"


def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A workspace folder and, beside it, a folder outside every workspace folder."""
    workspace, outside = tmp_path / "ws", tmp_path / "elsewhere"
    workspace.mkdir()
    outside.mkdir()
    return workspace, outside


def fly_calls(state: Path) -> list[str]:
    log = state / "flyctl.log"
    return log.read_text().splitlines() if log.exists() else []


async def test_sindri_yaml_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    workspace, outside = layout(tmp_path)
    (outside / "sindri.yaml").write_text(FLY)
    uri = (outside / "sindri.yaml").as_uri()
    state = tmp_path / "state"
    async with session(workspace, env=base_env(state)) as s:
        s.answer = "Destroy"
        for action in ("deploy", "plan", "status", "connect", "doctor", "validate"):
            result = await s.command(f"sindri.{action}", uri)
            assert result["success"] is False and result["action"] == action, result
            assert "is outside the workspace" in result["error"], result
        destroyed = await s.command("sindri.destroy", uri, {"yes": True})
        assert destroyed["success"] is False and "is outside the workspace" in destroyed["error"]
        asked = await s.command("sindri.destroy", uri)  # refused before asking the user
        assert asked["success"] is False and not s.requests(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    assert fly_calls(state) == []  # no tool ran on it
    assert not (outside / ".sindri").exists()


async def test_symlink_in_the_workspace_pointing_outside_is_refused(tmp_path: Path) -> None:
    workspace, outside = layout(tmp_path)
    (outside / "sindri.yaml").write_text(FLY)
    (workspace / "sindri.yaml").symlink_to(outside / "sindri.yaml")
    uri = (workspace / "sindri.yaml").as_uri()
    state = tmp_path / "state"
    async with session(workspace, env=base_env(state)) as s:
        for action in ("deploy", "plan", "validate"):
            result = await s.command(f"sindri.{action}", uri)
            assert result["success"] is False and "is outside the workspace" in result["error"], result
        listed = await s.command("sindri.environments", [uri])
        assert listed[0]["name"] is None and "is outside the workspace" in listed[0]["error"]
    assert fly_calls(state) == []


async def test_credentials_never_echoed(tmp_path: Path) -> None:
    """A non-sindri file (in or out of the workspace) and a sindri-named link to it are not read."""
    workspace, outside = layout(tmp_path)
    aws = outside / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(CREDENTIALS)
    (workspace / "credentials").write_text(CREDENTIALS)
    (workspace / "linked.sindri.yaml").symlink_to(aws / "credentials")
    targets = [(aws / "credentials").as_uri(), (workspace / "credentials").as_uri()]
    targets.append((workspace / "linked.sindri.yaml").as_uri())
    async with session(workspace, env=base_env(tmp_path / "state")) as s:
        for uri in targets:
            for action in ("validate", "plan", "deploy", "environments"):
                result = await s.command(
                    f"sindri.{action}", *([[uri]] if action == "environments" else [uri])
                )
                text = json.dumps(result)
                assert SECRET not in text and "aws_" not in text, (action, uri, result)
                assert "outside the workspace" in text or "not a sindri document" in text, result
        await s.alive()
        assert SECRET not in json.dumps(s.messages)


async def test_unopened_sindri_file_in_the_workspace_is_in_scope(tmp_path: Path) -> None:
    workspace, _ = layout(tmp_path)
    nested = workspace / "envs" / "web.sindri.yaml"
    nested.parent.mkdir()
    nested.write_text(FLY)
    async with session(workspace, env=base_env(tmp_path / "state")) as s:
        plan = await s.command("sindri.plan", nested.as_uri())
        assert plan["success"] is True, plan
        assert (await s.command("sindri.validate", nested.as_uri()))["findings"] == []


async def test_open_document_outside_the_workspace_is_in_scope(tmp_path: Path) -> None:
    """The user opened it: it is theirs to act on, wherever it is."""
    workspace, outside = layout(tmp_path)
    async with session(workspace, env=base_env(tmp_path / "state")) as s:
        s.folder = outside
        uri = await s.open(FLY)
        await s.diagnostics(uri)
        assert (await s.command("sindri.status", uri))["success"] is True
        assert (await s.command("sindri.validate", uri))["findings"] == []


async def test_workspace_folders_and_their_changes(tmp_path: Path) -> None:
    first, second = layout(tmp_path)
    for folder in (first, second):
        (folder / "sindri.yaml").write_text(FLY)
    one, two = (first / "sindri.yaml").as_uri(), (second / "sindri.yaml").as_uri()
    async with session(tmp_path, env=base_env(tmp_path / "state"), folders=[first]) as s:
        assert (await s.command("sindri.validate", one))["findings"] == []
        assert "outside the workspace" in (await s.command("sindri.validate", two))["error"]
        s.client.workspace_did_change_workspace_folders(
            lsp.DidChangeWorkspaceFoldersParams(
                lsp.WorkspaceFoldersChangeEvent(
                    added=[lsp.WorkspaceFolder(second.as_uri(), "second")],
                    removed=[lsp.WorkspaceFolder(first.as_uri(), "first")],
                )
            )
        )
        assert (await s.command("sindri.validate", two))["findings"] == []
        assert "outside the workspace" in (await s.command("sindri.validate", one))["error"]


async def test_workspace_reached_through_a_link_still_counts(tmp_path: Path) -> None:
    """A workspace folder opened by a linked path: containment compares resolved paths on both sides."""
    real, _ = layout(tmp_path)
    (real / "sindri.yaml").write_text(FLY)
    linked = tmp_path / "linked-ws"
    os.symlink(real, linked)
    async with session(linked, env=base_env(tmp_path / "state")) as s:
        assert (await s.command("sindri.validate", (linked / "sindri.yaml").as_uri()))["findings"] == []
