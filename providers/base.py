"""The abstract provider: one async interface over the five backends."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from sindri.schemas.loader import LoadedConfig
from sindri.schemas.model import SindriConfig

from .confined import ConfinedDir
from .errors import ProviderError
from .runner import Runner
from .types import (
    DeploymentPlan,
    DeploymentStatus,
    DeployOptions,
    DeployResult,
    Prerequisite,
    PrerequisiteStatus,
)


class Provider(ABC):
    """A backend. Each lifecycle call runs its tools through `self.runner` and writes files only
    under `self.output_dir` (below the config file's directory, never the current directory), through
    `self.files`, which never follows a symbolic link."""

    name: ClassVar[str]
    delivers_file_secrets: ClassVar[bool] = True
    """Whether deploy puts `file` secrets into the environment; when not, the user is told."""

    def __init__(self, loaded: LoadedConfig, runner: Runner) -> None:
        self.loaded = loaded
        self.runner = runner

    @property
    def config(self) -> SindriConfig:
        return self.loaded.config

    @property
    def output_dir(self) -> Path:
        return self.loaded.directory / ".sindri" / self.name

    @property
    def files(self) -> ConfinedDir:
        """The config's folder: every file a provider writes or removes goes through it."""
        return ConfinedDir(self.loaded.directory)

    def progress(self, line: str) -> None:
        self.runner.progress(line)

    async def optional_tool(self, tool: str, description: str, install_hint: str) -> Prerequisite:
        """A tool only some commands need (an interactive shell's CLI): reported with its version, or
        as not installed with its install hint, and never blocking the others."""
        item = Prerequisite(name=tool, description=description, kind="tool")
        if self.runner.which(tool) is None:
            return item.model_copy(
                update={
                    "description": f"{description} (not installed; optional)",
                    "install_hint": install_hint,
                }
            )
        try:
            result = await self.runner.run([tool, "--version"], timeout=self.probe_timeout(10), check=False)
        except ProviderError:
            return item.model_copy(update={"version": "unknown"})
        version = (result.stdout.strip() or result.stderr.strip()).splitlines()
        return item.model_copy(update={"version": version[0] if version else "unknown"})

    def probe_timeout(self, longest: float) -> float:
        """A prerequisite probe's timeout: at most `longest`, and never more than the runner's own
        default (the editor's `prerequisiteTimeout`, the CLI's --timeout)."""
        return min(longest, self.runner.default_timeout)

    @abstractmethod
    async def check_prerequisites(self) -> PrerequisiteStatus:
        """Which tools, logins and daemons this provider needs, and which are missing (with fixes)."""

    @abstractmethod
    async def plan(self) -> DeploymentPlan:
        """What deploy would create or change, without changing anything."""

    @abstractmethod
    async def deploy(self, options: DeployOptions) -> DeployResult:
        """Create (or with force, recreate) the environment."""

    @abstractmethod
    async def status(self) -> DeploymentStatus:
        """The environment's state; NOT_DEPLOYED when it does not exist (never an error for that)."""

    @abstractmethod
    async def start(self) -> None:
        """Start a stopped, suspended or paused environment."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop (or suspend/pause) the environment, keeping its data."""

    @abstractmethod
    async def connect(self, command: Sequence[str] | None = None) -> int:
        """Open an interactive shell on the caller's terminal, or run `command` inside the
        environment; return the exit code of the shell or command."""

    @abstractmethod
    async def destroy(self, force: bool = False) -> list[str]:
        """Remove everything this environment created (and nothing else); return what was done."""

    def supports_gpu(self) -> bool:
        return False

    def supports_auto_suspend(self) -> bool:
        return False
