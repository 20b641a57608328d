"""README promises about the language server, each through its real interface: `sindri-lsp --log-file
--log-level`, the `{"force": true}` argument of sindri.destroy, the `prerequisiteTimeout` setting and
the lock an editor command holds against the CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from lsp_helpers import FLY, base_env, session
from lsprotocol import types as lsp
from support import REPO, run_sindri
from test_commands import HANGING, hanging_deploy, tool_processes
from test_prerequisites import prereqs

DEVPOD = """version: "3.0"
name: lsp-dp-force
deployment:
  provider: devpod
  image: sindri-t-devpod/busybox:latest
extensions:
  profile: minimal
providers:
  devpod:
    type: docker
"""


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def serve_briefly(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run `sindri-lsp ARGS` through initialize, shutdown and exit."""
    messages = [
        {"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}},
        {"method": "initialized", "params": {}},
        {"id": 2, "method": "shutdown"},
        {"method": "exit"},
    ]
    return subprocess.run(
        [str(REPO / ".venv" / "bin" / "sindri-lsp"), *args],
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        timeout=60,
    )


def test_log_file_and_log_level(tmp_path: Path) -> None:
    debug, quiet = tmp_path / "debug.log", tmp_path / "quiet.log"
    loud = serve_briefly("--log-file", str(debug), "--log-level", "DEBUG")
    assert loud.returncode == 0 and loud.stderr == b""  # the logs went to the file
    assert " DEBUG " in debug.read_text()
    default = serve_briefly("--log-file", str(quiet))
    assert default.returncode == 0 and default.stderr == b""
    assert [line for line in quiet.read_text().splitlines() if " DEBUG " in line or " INFO " in line] == []
    to_stderr = serve_briefly("--log-level", "INFO")
    assert to_stderr.returncode == 0 and b" INFO " in to_stderr.stderr
    bad = serve_briefly("--log-level", "LOUD")
    assert bad.returncode == 2 and b"invalid choice: 'LOUD'" in bad.stderr


async def test_destroy_force_goes_on_when_the_workspace_is_gone_remotely(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {**base_env(state), "SINDRI_STANDIN_DEVPOD_REMOTE_GONE": "1"}
    async with session(tmp_path, env=env) as s:
        uri = await s.open(DEVPOD)
        assert (await s.command("sindri.deploy", uri))["success"] is True
        refused = await s.command("sindri.destroy", uri, {"yes": True})
        assert refused["success"] is False and "sindri destroy --force" in refused["hint"]
        assert (await s.command("sindri.status", uri))["status"]["state"] == "running"
        forced = await s.command("sindri.destroy", uri, {"yes": True, "force": True})
        assert forced["success"] is True, forced
        assert (await s.command("sindri.status", uri))["status"]["state"] == "not_deployed"


async def test_prerequisite_timeout_bounds_each_probe(tmp_path: Path) -> None:
    """A probe that hangs is stopped after `prerequisiteTimeout` seconds and reported as such."""
    env = {**base_env(tmp_path / "state"), "SINDRI_STANDIN_HANG": "auth whoami"}
    async with session(tmp_path, env=env, settings={"prerequisiteTimeout": 1}) as s:
        uri = await s.open(FLY)
        found = prereqs(await s.diagnostics(uri, where=lambda ds: bool(prereqs(ds))))
        assert len(found) == 1 and "did not finish within 1s" in found[0].message, found


async def test_a_command_running_in_the_editor_refuses_the_cli(tmp_path: Path) -> None:
    """README (Locking): a second command on the same environment, from the CLI or the editor, is
    refused, naming the running command and its pid."""
    state = tmp_path / "state"
    env = {**base_env(state), "SINDRI_STANDIN_HANG": "deploy"}
    async with session(tmp_path, env=env) as s:
        uri = await s.open(FLY)
        request, _ = await hanging_deploy(s, uri, state)
        server_pid = s.client._server.pid  # type: ignore[union-attr]
        refused = run_sindri("destroy", "--yes", "-c", str(tmp_path / "sindri.yaml"), env=env)
        assert refused.returncode == 1, refused.stderr
        assert "is busy" in refused.stderr
        assert f"'sindri deploy' (pid {server_pid})" in refused.stderr
        assert "Traceback" not in refused.stderr
        s.client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=HANGING))
        await s.until(lambda: not tool_processes(state), "the flyctl process to be stopped")
        await s.until(request.done, "the reply to the cancelled deploy")
