"""A tiny provider from another package: what a third party writes (see the README, "Providers
from other packages"). Its "environment" is a state file under the config's .sindri/acme/."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

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


class AcmeProvider(Provider):
    name: ClassVar[str] = "acme"

    @property
    def state_file(self) -> Path:
        return self.output_dir / "state"

    def state(self) -> DeploymentState:
        try:
            return DeploymentState(self.state_file.read_text().strip())
        except FileNotFoundError:
            return DeploymentState.NOT_DEPLOYED

    async def check_prerequisites(self) -> PrerequisiteStatus:
        result = await self.runner.run(["sh", "-c", "echo acme-tool 1.0"], timeout=10)
        item = Prerequisite(name="acme-tool", description="the Acme tool", version=result.stdout.strip())
        return PrerequisiteStatus(provider=self.name, available=[item])

    async def plan(self) -> DeploymentPlan:
        action = PlannedAction(
            action=ActionType.CREATE, resource=f"acme:{self.config.name}", description="Create an Acme box"
        )
        return DeploymentPlan(provider=self.name, actions=[action])

    async def deploy(self, options: DeployOptions) -> DeployResult:
        self.progress("Acme: creating the box...")
        self.files.write(self.state_file, DeploymentState.RUNNING.value)
        return DeployResult(success=True, name=self.config.name, provider=self.name, instance_id="acme-1")

    async def status(self) -> DeploymentStatus:
        return DeploymentStatus(name=self.config.name, provider=self.name, state=self.state())

    async def start(self) -> None:
        self._need()
        self.files.write(self.state_file, DeploymentState.RUNNING.value)

    async def stop(self) -> None:
        self._need()
        self.files.write(self.state_file, DeploymentState.STOPPED.value)

    async def connect(self, command: Sequence[str] | None = None) -> int:
        self._need()
        return await self.runner.run_attached(list(command or ["sh"]))

    async def destroy(self, force: bool = False) -> list[str]:
        removed = self.files.remove_tree(self.output_dir)
        return [f"removed {self.output_dir}"] if removed else ["nothing to remove"]

    def _need(self) -> None:
        if self.state() == DeploymentState.NOT_DEPLOYED:
            raise NotDeployedError(f"no Acme box for '{self.config.name}'", hint="sindri deploy")
