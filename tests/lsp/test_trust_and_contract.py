"""The contract the editor extension relies on: advertised commands, untrusted workspaces (nothing is
ever spawned), `$(icon)` titles only for clients that render them, the client's own progress token,
and the result shapes of sindri.environments, sindri.newConfig and plan's generated files."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from lsp_helpers import FLY, WAIT, Session, base_env, session
from lsprotocol import types as lsp
from sindri.schemas.validate import validate_text
from test_commands import tool_processes

COMMANDS = {
    "sindri.deploy",
    "sindri.plan",
    "sindri.status",
    "sindri.start",
    "sindri.stop",
    "sindri.destroy",
    "sindri.connect",
    "sindri.validate",
    "sindri.doctor",
    "sindri.openDocs",
    "sindri.environments",
    "sindri.newConfig",
}
TOOLS = ("docker", "docker-compose", "flyctl", "fly", "devpod", "kubectl", "kind", "k3d", "e2b")
DOCKER = FLY.replace("provider: fly", "provider: docker")
SECRET = "s3cr3t-contract-Value-7"
UNTRUSTED = {
    "success": False,
    "untrusted": True,
    "error": "this workspace is not trusted: sindri runs no tool here",
    "hint": "trust the workspace (Manage Workspace Trust) to deploy from it",
}


def recording_tools(folder: Path, marker: Path) -> Path:
    """Stand-ins for every tool that only record that they ran (and then fail)."""
    folder.mkdir(parents=True, exist_ok=True)
    for tool in TOOLS:
        script = folder / tool
        script.write_text(f"#!/bin/sh\nprintf '%s %s\\n' \"$0\" \"$*\" >> '{marker}'\nexit 1\n")
        script.chmod(0o755)
    return folder


def recording_env(tmp_path: Path, marker: Path) -> dict[str, str]:
    env = base_env(tmp_path / "state", standins=False)
    env["PATH"] = os.pathsep.join([str(recording_tools(tmp_path / "bin", marker)), "/usr/bin", "/bin"])
    return env


async def lens_titles(s: Session, uri: str) -> list[str]:
    found = await s.client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri)))
    return [lens.command.title for lens in found or [] if lens.command]


async def test_capabilities_advertise_every_command(tmp_path: Path) -> None:
    async with session(tmp_path) as s:
        result = [m for m in s.messages if "result" in m and isinstance(m["result"], dict)]
        capabilities = result[0]["result"]["capabilities"]
        assert set(capabilities["executeCommandProvider"]["commands"]) == COMMANDS
        assert capabilities["codeLensProvider"] is not None
        assert capabilities["textDocumentSync"]["openClose"] is True


async def test_untrusted_workspace_spawns_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "spawned.log"
    env = {**recording_env(tmp_path, marker), "API_TOKEN": SECRET}
    settings = {"toolPaths": {"docker": str(tmp_path / "bin" / "docker")}}
    async with session(tmp_path, env=env, settings=settings, options={"trusted": False}) as s:
        uri = await s.open(DOCKER + "nme: typo\n")
        diagnostics = await s.diagnostics(uri)
        assert any(d.code == "SC202" for d in diagnostics)  # validation keeps working
        assert await lens_titles(s, uri)
        for action in ("deploy", "plan", "status", "start", "stop", "destroy", "connect", "doctor"):
            result = await s.command(f"sindri.{action}", uri, {"yes": True, "force": True})
            assert result == {"action": action, **UNTRUSTED}, result
        assert (await s.command("sindri.validate", uri))["findings"]
        environments = await s.command("sindri.environments", [uri])  # reads the file, runs nothing
        assert environments == [
            {"uri": uri, "name": "my-env", "provider": "docker", "state": None, "error": None}
        ]
        assert (await s.command("sindri.newConfig", {"provider": "fly"}))["text"]
        s.change(uri, DOCKER)
        s.save(uri, DOCKER)
        await s.diagnostics(uri)
        await s.alive()
        assert not s.requests(lsp.WINDOW_SHOW_MESSAGE_REQUEST)  # no destroy question either
        assert not s.notifications(lsp.WINDOW_SHOW_MESSAGE)  # the client explains, not the server
    assert not marker.exists(), marker.read_text()


async def test_trusted_workspace_does_run_the_probe(tmp_path: Path) -> None:
    """The control of the test above: the same stand-ins are found and run when trusted."""
    marker = tmp_path / "spawned.log"
    async with session(tmp_path, env=recording_env(tmp_path, marker), options={"trusted": True}) as s:
        await s.open(DOCKER)
        await s.until(marker.exists, "the docker probe to run")
    assert "docker" in marker.read_text()


async def test_codicons_only_for_clients_that_render_them(tmp_path: Path) -> None:
    plain = ["Deploy to fly", "Plan", "Status", "Connect", "Destroy"]
    icons = [
        "$(cloud-upload) Deploy to fly",
        "Plan",
        "$(pulse) Status",
        "$(terminal) Connect",
        "$(trash) Destroy",
    ]
    cases: list[tuple[str | None, dict[str, Any] | None, list[str]]] = [
        ("Neovim", None, plain),
        (None, None, plain),
        ("Neovim", {"codicons": True}, icons),
        ("VSCodium", None, icons),
        ("Visual Studio Code", {"codicons": False}, plain),
    ]
    for name, options, expected in cases:
        folder = tmp_path / f"c{len(expected)}{name}{options}".replace(" ", "")
        folder.mkdir()
        env = base_env(folder / "state")
        async with session(folder, env=env, client_name=name, options=options) as s:
            uri = await s.open(FLY)
            assert await lens_titles(s, uri) == expected, (name, options)


def progress_on(s: Session, token: str) -> list[dict[str, Any]]:
    return [p["value"] for p in s.notifications("$/progress") if p["token"] == token]


async def test_client_progress_token(tmp_path: Path) -> None:
    async with session(tmp_path, env={**base_env(tmp_path / "state"), "API_TOKEN": SECRET}) as s:
        uri = await s.open(FLY)
        s.client.progress_reports["client-token-1"] = []  # the client made it, as VS Code does
        plan = await s.command("sindri.plan", uri, {"progressToken": "client-token-1"})
        assert plan["success"] is True
        values = progress_on(s, "client-token-1")
        assert values[0]["kind"] == "begin" and values[0]["cancellable"] is True
        assert values[-1] == {"kind": "end", "message": "done"}
        reports = [v["message"] for v in values[1:-1]]
        assert "Checking fly prerequisites..." in reports
        assert all("\n" not in line for line in reports)
        assert not s.requests("window/workDoneProgress/create")  # the client made the token

        await s.command("sindri.status", uri)  # without a token: the server makes one, as before
        assert s.requests("window/workDoneProgress/create")


async def test_cancelling_the_client_token_stops_the_tool(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {**base_env(state), "SINDRI_STANDIN_HANG": "deploy"}
    async with session(tmp_path, env=env) as s:
        uri = await s.open(FLY)
        s.client.progress_reports["deploy-tok"] = []
        request = asyncio.ensure_future(s.command("sindri.deploy", uri, {"progressToken": "deploy-tok"}))

        def hung() -> bool:
            log = state / "flyctl.log"
            return log.exists() and any(json.loads(x)[0] == "deploy" for x in log.read_text().splitlines())

        await s.until(hung, "flyctl deploy to start")
        await s.until(lambda: tool_processes(state), "the hanging flyctl process")
        s.client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token="deploy-tok"))
        await s.until(lambda: not tool_processes(state), "the flyctl process to be killed")
        await s.until(request.done, "the deploy request to be answered")
        assert isinstance(request.exception(), Exception)  # answered as cancelled
        assert progress_on(s, "deploy-tok")[-1] == {"kind": "end", "message": "cancelled"}
        assert (await asyncio.wait_for(s.command("sindri.status", uri), WAIT))["success"] is True


async def test_plan_carries_the_generated_files(tmp_path: Path) -> None:
    config = FLY + "secrets:\n  - name: API_TOKEN\n    source: env\n"
    async with session(tmp_path, env={**base_env(tmp_path / "state"), "API_TOKEN": SECRET}) as s:
        uri = await s.open(config)
        plan = (await s.command("sindri.plan", uri))["plan"]
        fly_toml = tmp_path / ".sindri" / "fly" / "fly.toml"
        assert [(f["path"], f["language"]) for f in plan["generatedFiles"]] == [(str(fly_toml), "toml")]
        assert plan["files"] == [str(fly_toml)]
        content = plan["generatedFiles"][0]["content"]
        assert 'app = "my-env"' in content and SECRET not in content
        assert not fly_toml.exists()  # plan writes nothing
        assert SECRET not in json.dumps(s.messages)


async def test_environments_reads_files_without_tools(tmp_path: Path) -> None:
    marker = tmp_path / "spawned.log"
    good = tmp_path / "a" / "sindri.yaml"
    broken = tmp_path / "b" / "sindri.yaml"
    outside = tmp_path.parent / f"{tmp_path.name}-outside" / "sindri.yaml"
    for path, text in ((good, FLY), (broken, "version: [\n"), (outside, FLY)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    workspace = [tmp_path / "a", tmp_path / "b"]
    async with session(tmp_path, env=recording_env(tmp_path, marker), folders=workspace) as s:
        uris = [good.as_uri(), broken.as_uri(), outside.as_uri()]
        found = await s.command("sindri.environments", uris)
        assert found[0] == {"uri": uris[0], "name": "my-env", "provider": "fly", "state": None, "error": None}
        assert found[1]["name"] is None and found[1]["provider"] is None and found[1]["error"]
        assert found[2]["name"] is None and "outside the workspace" in found[2]["error"]
    assert not marker.exists()


async def test_environments_shows_the_last_state(tmp_path: Path) -> None:
    async with session(tmp_path, env=base_env(tmp_path / "state")) as s:
        uri = await s.open(FLY)
        assert (await s.command("sindri.status", uri))["success"] is True
        found = await s.command("sindri.environments", [uri])
        assert found == [
            {"uri": uri, "name": "my-env", "provider": "fly", "state": "not_deployed", "error": None}
        ]


async def test_new_config(tmp_path: Path) -> None:
    async with session(tmp_path) as s:
        for provider in ("docker", "fly", "devpod", "e2b", "kubernetes", "runpod", "northflank"):
            made = await s.command(
                "sindri.newConfig", {"provider": provider, "name": "web-app", "profile": "devops"}
            )
            assert set(made) == {"text"}
            assert validate_text(made["text"]).findings == []
            assert f"provider: {provider}" in made["text"] and "name: web-app" in made["text"]
        default = await s.command("sindri.newConfig", {"provider": "docker"})
        assert "name: my-env" in default["text"] and "profile: minimal" in default["text"]
        bad = await s.command("sindri.newConfig", {"provider": "rundeck"})
        assert bad["success"] is False and bad["action"] == "newConfig" and "rundeck" in bad["error"]
