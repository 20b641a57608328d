"""Settings pulled with workspace/configuration: tool paths, timeouts, prerequisite checks; live changes."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import Session, base_env, session
from lsprotocol import types as lsp
from support import STANDINS
from test_commands import CONFIG, fly_env, tool_processes
from test_prerequisites import FLY, calls, prereqs


def codes(diagnostics: list[lsp.Diagnostic]) -> list[str]:
    return [str(d.code) for d in prereqs(diagnostics)]


async def reconfigure(s: Session, settings: dict[str, object]) -> None:
    s.client.set_configuration(settings, section="sindri")
    s.client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))


async def test_tool_path_points_at_a_specific_flyctl(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {**base_env(state, standins=False), "SINDRI_STANDIN_FLY_LOGGED_OUT": "1"}
    settings = {"toolPaths": {"flyctl": str(STANDINS / "flyctl")}}
    async with session(tmp_path, env=env, settings=settings) as s:
        uri = await s.open(FLY)
        # flyctl is not on PATH: the configured one ran (it says "logged out", not "missing").
        assert codes(await s.diagnostics(uri, where=lambda ds: bool(prereqs(ds)))) == ["PR402"]
        assert ["auth", "whoami", "--json"] in calls(state, "flyctl")


async def test_checks_off_then_on_then_tool_path_without_restart(tmp_path: Path) -> None:
    state = tmp_path / "state"
    async with session(
        tmp_path, env=base_env(state, standins=False), settings={"prerequisiteChecks": False}
    ) as s:
        uri = await s.open(FLY)
        assert await s.diagnostics(uri) == []
        assert calls(state, "flyctl") == []

        await reconfigure(s, {"prerequisiteChecks": True})
        await s.until(lambda: [d["code"] for d in s.publishes(uri)[-1]["diagnostics"]] == ["PR401"], "PR401")

        await reconfigure(s, {"toolPaths": {"flyctl": str(STANDINS / "flyctl")}})
        await s.until(
            lambda: s.publishes(uri)[-1]["diagnostics"] == [], "no finding with the configured flyctl"
        )
        assert ["version", "--json"] in calls(state, "flyctl")

        await reconfigure(s, {"prerequisiteChecks": False, "toolPaths": {}})
        await s.until(lambda: len(s.requests("workspace/configuration")) == 4, "the 4th settings pull")
        await s.until(lambda: s.publishes(uri)[-1]["diagnostics"] == [], "still nothing with checks off")


async def test_command_timeout_stops_a_hanging_tool(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = fly_env(state, SINDRI_STANDIN_HANG="deploy")
    async with session(tmp_path, env=env, settings={"commandTimeout": 2}) as s:
        uri = await s.open(CONFIG)
        result = await s.command("sindri.deploy", uri)
        assert result["success"] is False
        assert "did not finish within 2s" in result["error"]
        assert any(c[0] == "deploy" for c in calls(state, "flyctl"))
        await s.until(lambda: not tool_processes(state), "the flyctl process to be gone")
