"""Lifecycle commands against the flyctl stand-in: results, progress, secrets, lenses, status, busy,
cancellation (the tool process is gone afterwards)."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
from pathlib import Path
from typing import Any

from lsp_helpers import FLY, WAIT, Session, base_env, rng, session
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcRequestCancelled
from support import REPO, STANDINS

SECRET = "s3cr3t-lsp-Value-42"
CONFIG = FLY + "secrets:\n  - name: API_TOKEN\n    source: env\n    required: true\n"


def fly_env(state: Path, **extra: str) -> dict[str, str]:
    return {**base_env(state), "API_TOKEN": SECRET, **extra}


def progress_of(s: Session, title_word: str) -> list[dict[str, Any]]:
    """The values of the progress whose begin title contains `title_word`."""
    by_token: dict[str, list[dict[str, Any]]] = {}
    for params in s.notifications("$/progress"):
        by_token.setdefault(str(params["token"]), []).append(params["value"])
    for values in by_token.values():
        if values and values[0].get("kind") == "begin" and title_word in values[0].get("title", ""):
            return values
    raise AssertionError(f"no progress titled with {title_word!r}")


def statuses(s: Session) -> list[dict[str, Any]]:
    return list(s.notifications("sindri/status"))


async def lenses(s: Session, uri: str) -> list[lsp.CodeLens]:
    found = await s.client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri)))
    return list(found or [])


async def test_lifecycle_with_progress_lenses_and_status(tmp_path: Path) -> None:
    async with session(tmp_path, env=fly_env(tmp_path / "state")) as s:
        uri = await s.open(CONFIG)
        await s.diagnostics(uri)

        before = await lenses(s, uri)
        assert [lens.command.title for lens in before if lens.command] == [
            "$(cloud-upload) Deploy to fly",
            "Plan",
            "$(pulse) Status",
            "$(terminal) Connect",
            "$(trash) Destroy",
        ]
        assert {lens.range == rng(2, 0, 2, 10) for lens in before} == {True}
        assert [list(lens.command.arguments or []) for lens in before if lens.command] == [[uri]] * 5

        validated = await s.command("sindri.validate", uri)
        assert validated == {"uri": uri, "findings": []}

        plan = await s.command("sindri.plan", uri)
        assert plan["success"] is True and plan["action"] == "plan"
        assert {"app:my-env", "machine:my-env"} <= {a["resource"] for a in plan["plan"]["actions"]}

        status = await s.command("sindri.status", uri)
        assert status["status"]["state"] == "not_deployed"
        assert statuses(s)[-1] == {"uri": uri, "name": "my-env", "provider": "fly", "state": "not_deployed"}

        deployed = await s.command("sindri.deploy", uri)
        assert deployed["success"] is True, deployed
        assert deployed["deploy"] is not None
        values = progress_of(s, "deploy")
        assert values[0]["kind"] == "begin" and values[0]["cancellable"] is True
        assert values[-1] == {"kind": "end", "message": "done"}
        reports = [v["message"] for v in values[1:-1]]
        assert all(v["kind"] == "report" for v in values[1:-1])
        assert "Deploying my-env to fly..." in reports
        assert any("Verifying app config" in line for line in reports)  # flyctl's own output
        assert s.requests("window/workDoneProgress/create")

        await s.until(lambda: any(st["state"] == "running" for st in statuses(s)), "sindri/status running")
        assert s.requests("workspace/codeLens/refresh")
        titles = {lens.command.command: lens.command.title for lens in await lenses(s, uri) if lens.command}
        assert titles["sindri.status"] == "$(pulse) Status: running"

        stopped = await s.command("sindri.stop", uri)
        assert stopped["success"] is True
        await s.until(lambda: statuses(s)[-1]["state"] == "stopped", "sindri/status stopped")
        started = await s.command("sindri.start", uri)
        assert started["success"] is True
        await s.until(lambda: statuses(s)[-1]["state"] == "running", "sindri/status running")

        destroyed = await s.command("sindri.destroy", uri)
        assert destroyed["success"] is True
        await s.until(lambda: statuses(s)[-1]["state"] == "not_deployed", "sindri/status not_deployed")

        # The secret went to flyctl by stdin; no LSP message ever carried it.
        assert s.messages and SECRET not in json.dumps(s.messages)


async def test_connect_doctor_and_failures(tmp_path: Path) -> None:
    async with session(tmp_path, env=fly_env(tmp_path / "state")) as s:
        uri = await s.open(CONFIG)
        path = tmp_path / "sindri.yaml"
        connect = await s.command("sindri.connect", uri)
        exe = str(REPO / ".venv" / "bin" / "sindri")
        assert connect == {
            "command": [exe, "connect", "-c", str(path)],
            "commandLine": shlex.join([exe, "connect", "-c", str(path)]),
            "cwd": str(tmp_path),
            "name": "my-env",
            "provider": "fly",
        }

        doctor = await s.command("sindri.doctor", uri)
        by_provider = {p["provider"]: p for p in doctor["providers"]}
        assert set(by_provider) == {"docker", "fly", "devpod", "e2b", "kubernetes", "runpod", "northflank"}
        assert "flyctl" in {p["name"] for p in by_provider["fly"]["available"]}

        # Not deployed yet: stop fails with the provider layer's message, shown to the user too.
        stopped = await s.command("sindri.stop", uri)
        assert stopped["success"] is False and stopped["action"] == "stop"
        assert stopped["error"]
        assert any("sindri stop" in m.message for m in s.client.messages)


async def test_connect_runs_the_bundled_cli_and_never_a_sindri_on_path(tmp_path: Path) -> None:
    """The extension's launcher names its bundled CLI (SINDRI_CLI); a `sindri` a workspace puts on PATH
    (here through a relative entry) is never the one the terminal runs."""
    bundled = ["/opt/py/bin/python3", "/ext/bundled/tool/sindri_cli.py"]
    (tmp_path / "sindri").write_text("#!/bin/sh\necho pwned\n")
    (tmp_path / "sindri").chmod(0o755)
    env = {**fly_env(tmp_path / "state"), "SINDRI_CLI": json.dumps(bundled)}
    env["PATH"] = f".:{env.get('PATH', os.environ['PATH'])}"
    async with session(tmp_path, env=env) as s:
        uri = await s.open(CONFIG)
        connect = await s.command("sindri.connect", uri)
        assert connect["command"] == [*bundled, "connect", "-c", str(tmp_path / "sindri.yaml")]
    async with session(tmp_path, env={**env, "SINDRI_CLI": ""}) as s:
        uri = await s.open(CONFIG)
        connect = await s.command("sindri.connect", uri)
        assert connect["command"][0] == str(REPO / ".venv" / "bin" / "sindri")


async def test_missing_required_secret_is_a_clear_failure(tmp_path: Path) -> None:
    env = base_env(tmp_path / "state")
    async with session(tmp_path, env=env) as s:
        uri = await s.open(CONFIG)
        result = await s.command("sindri.deploy", uri)
        assert result["success"] is False
        assert "API_TOKEN" in result["error"]


HANGING = "hanging-deploy"


def tool_processes(state: Path) -> list[int]:
    """Live stand-in processes of this test (found by their state dir in the environment)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if any(str(STANDINS).encode() in part for part in cmdline) and str(state).encode() in environ:
            found.append(int(entry.name))
    return found


async def hanging_deploy(s: Session, uri: str, state: Path) -> tuple[asyncio.Future[Any], str]:
    """Start a deploy whose `flyctl deploy` hangs; return the request and its progress token."""
    request = asyncio.wrap_future(
        s.client.protocol.send_request(
            lsp.WORKSPACE_EXECUTE_COMMAND,
            lsp.ExecuteCommandParams(command="sindri.deploy", arguments=[uri]),
            msg_id=HANGING,
        )
    )

    def hung() -> bool:
        log = state / "flyctl.log"
        return log.exists() and any(json.loads(x)[0] == "deploy" for x in log.read_text().splitlines())

    await s.until(hung, "flyctl deploy to start")
    await s.until(lambda: tool_processes(state), "the hanging flyctl process")
    begins = [p for p in s.notifications("$/progress") if p["value"].get("kind") == "begin"]
    return request, str(begins[-1]["token"])


async def test_cancel_request_stops_the_tool(tmp_path: Path) -> None:
    state = tmp_path / "state"
    async with session(tmp_path, env=fly_env(state, SINDRI_STANDIN_HANG="deploy")) as s:
        uri = await s.open(CONFIG)
        request, _ = await hanging_deploy(s, uri, state)
        s.client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=HANGING))
        await s.until(lambda: not tool_processes(state), "the flyctl process to be killed")
        await s.until(request.done, "the reply to the cancelled request")
        assert isinstance(request.exception(), JsonRpcRequestCancelled)
        ended = {"kind": "end", "message": "cancelled"}
        progress = lambda: s.notifications("$/progress")  # noqa: E731
        await s.until(lambda: any(p["value"] == ended for p in progress()), "the progress to end cancelled")
        assert (await s.command("sindri.status", uri))["success"] is True  # still serving


async def test_cancel_progress_stops_the_tool_and_second_command_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state"
    async with session(tmp_path, env=fly_env(state, SINDRI_STANDIN_HANG="deploy")) as s:
        uri = await s.open(CONFIG)
        request, token = await hanging_deploy(s, uri, state)

        busy = await asyncio.wait_for(s.command("sindri.destroy", uri), WAIT)
        assert busy["success"] is False
        assert "busy" in busy["error"].lower() or "in progress" in busy["error"].lower(), busy["error"]
        assert "sindri deploy" in busy["error"]

        s.client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=token))
        await s.until(lambda: not tool_processes(state), "the flyctl process to be killed")
        await s.until(request.done, "the deploy request to be answered")
        assert isinstance(request.exception(), JsonRpcRequestCancelled)  # answered, not left pending
        assert (await s.command("sindri.status", uri))["success"] is True  # still serving


async def test_destroy_asks_first_and_does_nothing_unless_confirmed(tmp_path: Path) -> None:
    async with session(tmp_path, env=fly_env(tmp_path / "state")) as s:
        uri = await s.open(CONFIG)
        assert (await s.command("sindri.deploy", uri))["success"] is True

        for answer in ("Cancel", None):  # the user picks Cancel, or dismisses the question
            s.answer = answer
            refused = await s.command("sindri.destroy", uri)
            assert refused == {
                "action": "destroy",
                "success": False,
                "cancelled": True,
                "error": "not confirmed",
            }
            assert (await s.command("sindri.status", uri))["status"]["state"] == "running"
        asked = s.requests(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
        assert len(asked) == 2 and "Destroy 'my-env' on fly?" in asked[0]["params"]["message"]

        s.answer = "Destroy"
        assert (await s.command("sindri.destroy", uri))["success"] is True
        assert (await s.command("sindri.status", uri))["status"]["state"] == "not_deployed"

        assert (await s.command("sindri.deploy", uri))["success"] is True
        s.answer = None
        assert (await s.command("sindri.destroy", uri, {"yes": True}))["success"] is True  # client asked
        assert len(s.requests(lsp.WINDOW_SHOW_MESSAGE_REQUEST)) == 3
        assert (await s.command("sindri.status", uri))["status"]["state"] == "not_deployed"
