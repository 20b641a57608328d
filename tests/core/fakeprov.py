"""A provider for testing the lifecycle layer and the CLI: real subprocesses through the Runner,
state in a file under its output_dir, behaviour steered by environment variables."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence

from sindri.providers.base import Provider
from sindri.providers.errors import NotDeployedError
from sindri.providers.types import (
    ActionType,
    DeploymentPlan,
    DeploymentState,
    DeploymentStatus,
    DeployOptions,
    DeployResult,
    PlannedAction,
    Prerequisite,
    PrerequisiteStatus,
)


class FakeProvider(Provider):
    name = "docker"
    prerequisite_checks = 0

    def _state_file(self) -> str:
        return str(self.output_dir / "state")

    def _state(self) -> DeploymentState:
        try:
            with open(self._state_file()) as file:
                return DeploymentState(file.read().strip())
        except FileNotFoundError:
            return DeploymentState.NOT_DEPLOYED

    def _set(self, state: DeploymentState | None) -> None:
        if state is None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self._state_file())
            return
        self.output_dir.mkdir(parents=True, exist_ok=True)
        with open(self._state_file(), "w") as file:
            file.write(state.value)

    async def check_prerequisites(self) -> PrerequisiteStatus:
        type(self).prerequisite_checks += 1
        await self.runner.run(["true"])
        status = PrerequisiteStatus(provider=self.name)
        missing = os.environ.get("FAKE_MISSING")
        if missing:
            status.missing.append(
                Prerequisite(name=missing, description="the fake tool", install_hint="apt install fake")
            )
        else:
            status.available.append(Prerequisite(name="sh", description="a shell", version="1.0"))
        return status

    async def plan(self) -> DeploymentPlan:
        return DeploymentPlan(
            provider=self.name,
            actions=[
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"container:{self.config.name}",
                    description="create the container",
                )
            ],
        )

    async def deploy(self, options: DeployOptions) -> DeployResult:
        secrets = self.loaded.secrets
        await self.runner.run(
            [
                "sh",
                "-c",
                'echo $$ > "${FAKE_PIDFILE:-/dev/null}"; echo "deploying with $API_TOKEN";'
                ' if [ -n "$FAKE_ECHO_CREDENTIALS" ]; then for v in FLY_API_TOKEN FLY_ACCESS_TOKEN'
                ' E2B_API_KEY DOCKER_PASSWORD; do eval "echo $v=\\$$v"; done; fi;'
                ' sleep "${FAKE_DEPLOY_SLEEP:-0}"',
            ],
            env=secrets,
            stream=True,
            timeout=float(os.environ.get("FAKE_TOOL_TIMEOUT", "120")),
        )
        self._set(DeploymentState.RUNNING)
        return DeployResult(success=True, name=self.config.name, provider=self.name, instance_id="fake-1")

    async def status(self) -> DeploymentStatus:
        return DeploymentStatus(name=self.config.name, provider=self.name, state=self._state())

    async def start(self) -> None:
        if self._state() is DeploymentState.NOT_DEPLOYED:
            raise NotDeployedError(f"'{self.config.name}' is not deployed", hint="run `sindri deploy`")
        self._set(DeploymentState.RUNNING)

    async def stop(self) -> None:
        self._set(DeploymentState.STOPPED)

    async def connect(self, command: Sequence[str] | None = None) -> int:
        if os.environ.get("FAKE_CRASH"):
            raise RuntimeError("boom: " + self.loaded.secrets.get("API_TOKEN", ""))
        return await self.runner.run_attached(list(command) if command else ["sh"])

    async def destroy(self, force: bool = False) -> list[str]:
        self._set(None)
        return ["removed container"]
