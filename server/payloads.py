"""The JSON the server sends: the result of every command and the `sindri/status` notification.

One model per shape, mirrored by one TypeScript interface in the editor extension. The keys are the
ones clients have always read (`success`, `action`, `error`, `hint`, `cancelled`, ...); the provider
layer's results inside them keep their own keys (`config_path`, `plan.generatedFiles`, ...).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sindri.providers.lifecycle import ActionResult
from sindri.providers.types import ResultModel

UNTRUSTED_ERROR = "this workspace is not trusted: sindri runs no tool here"
UNTRUSTED_HINT = "trust the workspace (Manage Workspace Trust) to deploy from it"


class Failure(ResultModel):
    """A command that could not do its work; `error` says why and `hint` how to fix it."""

    action: str
    success: Literal[False] = False
    error: str
    hint: str | None = None


class Cancelled(ResultModel):
    """`sindri.destroy` the user did not confirm."""

    action: str
    success: Literal[False] = False
    cancelled: Literal[True] = True
    error: str = "not confirmed"


class Untrusted(ResultModel):
    """A command that would run a tool, refused in an untrusted workspace without running anything."""

    action: str
    success: Literal[False] = False
    untrusted: Literal[True] = True
    error: str = UNTRUSTED_ERROR
    hint: str = UNTRUSTED_HINT


class LifecycleResult(ActionResult):
    """A lifecycle command that succeeded: the provider layer's result (`sindri ... --json`)."""

    success: Literal[True] = True


class ConnectResult(ResultModel):
    """What the client runs in a terminal named after the environment."""

    command: list[str]
    command_line: str = Field(serialization_alias="commandLine")
    cwd: str
    name: str
    provider: str


class ValidateResult(ResultModel):
    uri: str
    findings: list[dict[str, Any]]
    """`Finding.to_dict()`: what `sindri validate --format json` prints, without `file`."""


class DoctorResult(ResultModel):
    providers: list[dict[str, Any]]
    """`PrerequisiteStatus.to_json()` per provider: what `sindri doctor --json` prints."""


class NewConfigResult(ResultModel):
    text: str
    """A starter sindri.yaml (the client writes it)."""


class Environment(ResultModel):
    """One sindri.yaml of the workspace, read without running any tool."""

    uri: str
    name: str | None
    provider: str | None
    state: str | None
    """The last state the server saw for it (a lifecycle command or status), else null."""
    error: str | None = None
    """Why name and provider could not be read (the file does not parse, is outside the workspace)."""


class StatusNotification(ResultModel):
    """`sindri/status`: sent when deploy, start, stop, destroy or status succeeds."""

    uri: str
    name: str
    provider: str
    state: str
