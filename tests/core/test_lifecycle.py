"""The shared orchestration: lock, prerequisites cache, secrets, timeouts, results."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from sindri.providers.errors import EnvironmentBusyError, ProviderError
from sindri.providers.factory import provider_class
from sindri.providers.lifecycle import PrerequisitesError, doctor, load, run_action
from sindri.providers.lock import environment_lock, lock_path
from sindri.providers.types import DeploymentState, DeployOptions
from sindri.schemas.errors import ConfigError

from .conftest import SECRET

pytestmark = pytest.mark.usefixtures("fake_provider")


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", SECRET)
    monkeypatch.delenv("FAKE_MISSING", raising=False)


async def test_full_lifecycle_returns_json_results(project: Path) -> None:
    lines: list[str] = []
    kw = {"cwd": project.parent, "progress": lines.append}
    assert (await run_action("status", **kw)).status.state.value == "not_deployed"  # type: ignore[union-attr]
    plan = await run_action("plan", **kw)
    assert plan.to_json()["plan"]["actions"][0]["resource"] == "container:core-env"
    deployed = await run_action("deploy", **kw)
    assert deployed.deploy is not None and deployed.deploy.instance_id == "fake-1"
    assert f"deploying with {SECRET}" not in lines and "deploying with ********" in lines
    await run_action("stop", **kw)
    assert (await run_action("status", **kw)).status.state.value == "stopped"  # type: ignore[union-attr]
    assert (await run_action("connect", command=["sh", "-c", "exit 5"], **kw)).exit_code == 5
    assert (await run_action("destroy", **kw)).destroyed == ["removed container"]


async def test_missing_prerequisites_list_each_with_hint(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MISSING", "faketool")
    with pytest.raises(PrerequisitesError) as info:
        await run_action("deploy", cwd=project.parent)
    message = str(info.value)
    assert "faketool: the fake tool" in message and "install: apt install fake" in message
    assert "sindri doctor --provider docker" in message
    # status and doctor report instead of refusing
    status = (await run_action("status", cwd=project.parent)).status
    assert status is not None and status.state is DeploymentState.NOT_DEPLOYED
    assert not (await run_action("doctor", cwd=project.parent)).prerequisites[0].satisfied


async def test_required_secrets_only_block_actions_that_forward_them(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("API_TOKEN")
    with pytest.raises(ConfigError, match="API_TOKEN"):
        await run_action("deploy", cwd=project.parent)
    status = (await run_action("status", cwd=project.parent)).status
    assert status is not None and status.state is DeploymentState.NOT_DEPLOYED


async def test_a_second_mutating_action_is_refused_while_one_runs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DEPLOY_SLEEP", "30")
    first = asyncio.create_task(run_action("deploy", cwd=project.parent))
    loaded = load(None, cwd=project.parent)
    for _ in range(100):
        if lock_path(loaded).exists() and lock_path(loaded).read_text():
            break
        await asyncio.sleep(0.05)
    with pytest.raises(EnvironmentBusyError) as info:
        await run_action("stop", cwd=project.parent)
    assert "sindri deploy" in str(info.value) and f"pid {os.getpid()}" in str(info.value)
    with pytest.raises(EnvironmentBusyError):
        await run_action("connect", cwd=project.parent, command=["true"])
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await run_action("stop", cwd=project.parent)  # released on cancellation


def test_lock_is_released_on_error(project: Path) -> None:
    loaded = load(None, cwd=project.parent)
    with pytest.raises(RuntimeError), environment_lock(loaded, "sindri deploy"):
        raise RuntimeError("inside")
    with environment_lock(loaded, "sindri stop") as path:
        assert path == Path(os.environ["XDG_STATE_HOME"]) / "sindri" / "locks" / "docker-core-env.lock"
        assert path.read_text() == f"{os.getpid()}\nsindri stop\n{project}\n"
    assert not (project.parent / ".sindri").exists()


async def test_whole_action_timeout_stops_tools(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_DEPLOY_SLEEP", "30")
    with pytest.raises(ProviderError, match=r"did not finish within 1s"):
        await run_action("deploy", cwd=project.parent, options=DeployOptions(timeout=1))
    await run_action("stop", cwd=project.parent)  # lock released


async def test_prerequisites_are_cached_and_shared(project: Path) -> None:
    fake: Any = provider_class("docker")  # the class the factory loads (tests/core/fakeprov.py)
    fake.prerequisite_checks = 0
    await asyncio.gather(*(run_action("plan", cwd=project.parent) for _ in range(3)))
    await run_action("plan", cwd=project.parent)
    assert fake.prerequisite_checks == 1
    await run_action("plan", cwd=project.parent, env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert fake.prerequisite_checks == 2  # another PATH is another answer


async def test_doctor_checks_several_providers_without_a_config(tmp_path: Path) -> None:
    statuses = await doctor(["docker"], cwd=tmp_path)
    assert [s.provider for s in statuses] == ["docker"] and statuses[0].satisfied


async def test_unknown_provider_in_file(project: Path) -> None:
    project.write_text(project.read_text().replace("provider: docker", "provider: rundeck"))
    with pytest.raises((ProviderError, ConfigError), match="'rundeck' is not allowed"):
        await run_action("status", cwd=project.parent)
