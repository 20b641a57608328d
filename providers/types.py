"""Result and option types shared by every provider, the CLI and the language server.

All results are pydantic models so that `model_dump(mode="json")` gives what `--json` prints and what
the server returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ProgressCallback = Callable[[str], None]
"""Receives one line of human progress (tool output or a step message), already redacted."""


class DeploymentState(StrEnum):
    NOT_DEPLOYED = "not_deployed"
    CREATING = "creating"
    RUNNING = "running"
    STOPPED = "stopped"
    SUSPENDED = "suspended"
    PAUSED = "paused"
    ERROR = "error"
    DESTROYING = "destroying"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """Human form: `not deployed` rather than `not_deployed`."""
        return self.value.replace("_", " ")


class ResultModel(BaseModel):
    # Built on first use: building all of them took ~15 ms of every `sindri` and server start.
    model_config = ConfigDict(use_enum_values=False, defer_build=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class DeployOptions(ResultModel):
    force: bool = False
    dry_run: bool = False
    wait: bool = True
    timeout: float = 600.0
    skip_validation: bool = False
    verbose: bool = False
    skip_image_verification: bool = False


class ConnectionInfo(ResultModel):
    ssh_command: str | None = None
    http_url: str | None = None
    https_url: str | None = None
    instructions: str | None = None


class DeployResult(ResultModel):
    success: bool
    name: str
    provider: str
    instance_id: str | None = None
    connection: ConnectionInfo | None = None
    messages: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class ResourceUsage(ResultModel):
    cpu_percent: float | None = None
    memory_bytes: int | None = None
    memory_limit: int | None = None
    disk_bytes: int | None = None
    disk_limit: int | None = None


class DeploymentTimestamps(ResultModel):
    created_at: datetime | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    updated_at: datetime | None = None


class AddressType(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"
    SSH = "ssh"
    HTTP = "http"
    HTTPS = "https"


class Address(ResultModel):
    type: AddressType
    value: str
    port: int | None = None


class DeploymentStatus(ResultModel):
    name: str
    provider: str
    state: DeploymentState
    instance_id: str | None = None
    image: str | None = None
    addresses: list[Address] = Field(default_factory=list)
    resources: ResourceUsage | None = None
    timestamps: DeploymentTimestamps = Field(default_factory=DeploymentTimestamps)
    details: dict[str, str] = Field(default_factory=dict)
    messages: list[str] = Field(default_factory=list)


class ActionType(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    START = "start"
    STOP = "stop"
    RESTART = "restart"
    VERIFY = "verify"


class PlannedAction(ResultModel):
    action: ActionType
    resource: str
    description: str


class PlannedResource(ResultModel):
    resource_type: str
    name: str
    config: dict[str, Any] = Field(default_factory=dict)


GeneratedLanguage = Literal["yaml", "toml", "json", "dockerfile"]


class GeneratedFile(ResultModel):
    """A file deploy would write, rendered in memory by the code deploy writes it with (never holds a
    secret value: secrets reach the tools through memory only)."""

    path: str = Field(description="Absolute path deploy writes it to.")
    language: GeneratedLanguage
    content: str


class DeploymentPlan(ResultModel):
    provider: str
    actions: list[PlannedAction] = Field(default_factory=list)
    resources: list[PlannedResource] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list, description="Files the deploy would write.")
    generated_files: list[GeneratedFile] = Field(
        default_factory=list, serialization_alias="generatedFiles", description="Their contents."
    )
    warnings: list[str] = Field(default_factory=list)

    def add_file(self, path: Path, language: GeneratedLanguage, content: str) -> None:
        """Name a file deploy writes and show what it will hold."""
        if str(path) not in self.files:
            self.files.append(str(path))
        self.generated_files.append(GeneratedFile(path=str(path), language=language, content=content))


class Prerequisite(ResultModel):
    name: str
    description: str
    version: str | None = None
    install_hint: str | None = None
    docs_url: str | None = None
    kind: str = Field("tool", description="tool | auth | daemon | env: what is missing, for fix hints.")

    def fix_lines(self) -> list[str]:
        """How to get it, for people: `install: ...` and `docs: ...` when known."""
        return [
            *([f"install: {self.install_hint}"] if self.install_hint else []),
            *([f"docs: {self.docs_url}"] if self.docs_url else []),
        ]


class PrerequisiteStatus(ResultModel):
    provider: str
    missing: list[Prerequisite] = Field(default_factory=list)
    available: list[Prerequisite] = Field(default_factory=list)

    @property
    def satisfied(self) -> bool:
        return not self.missing

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "satisfied": self.satisfied}
