"""The one orchestration of a lifecycle action, shared by the CLI and the language server.

load config -> resolve secrets -> Runner (redaction, progress) -> provider -> prerequisites -> lock
-> provider method -> a typed, JSON-serialisable ActionResult.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field
from sindri.schemas.errors import ConfigError
from sindri.schemas.loader import LoadedConfig, load_config, resolve_secrets
from sindri.schemas.model import SindriConfig

from .base import Provider
from .errors import ProviderError
from .factory import create_provider, provider_names
from .lock import ensure_not_busy, environment_lock
from .prereqs import check_prerequisites
from .runner import Runner
from .types import (
    ActionType,
    DeploymentPlan,
    DeploymentStatus,
    DeployOptions,
    DeployResult,
    PlannedAction,
    Prerequisite,
    PrerequisiteStatus,
    ProgressCallback,
    ResultModel,
)
from .verify import image_check, missing_cosign_warning, verify_image

Action = Literal["plan", "deploy", "status", "start", "stop", "connect", "destroy", "doctor"]
ACTIONS: tuple[str, ...] = get_args(Action)
MUTATING = frozenset({"deploy", "start", "stop", "destroy"})
"""Actions that hold the environment's lock while they run."""
CHECKS_PREREQUISITES = frozenset({"plan", "deploy", "start", "stop", "connect", "destroy"})
"""status reports whatever it can reach and doctor reports prerequisites: neither stops at a gap."""
REQUIRES_SECRETS = frozenset({"deploy", "connect"})
"""Required secrets missing is an error only where they are forwarded; elsewhere they feed redaction."""
READS_VAULT = frozenset({"deploy", "connect", "start"})
"""Actions that forward secrets (DevPod's start hands them over again): only these ask Vault."""


class ActionResult(ResultModel):
    """What one action produced; exactly the field named after the action is filled."""

    action: str
    name: str
    provider: str
    config_path: str
    plan: DeploymentPlan | None = None
    deploy: DeployResult | None = None
    status: DeploymentStatus | None = None
    prerequisites: list[PrerequisiteStatus] = Field(default_factory=list)
    destroyed: list[str] = Field(default_factory=list)
    exit_code: int = 0
    warnings: list[str] = Field(default_factory=list)


class PrerequisitesError(ProviderError):
    """A provider's tools, logins or daemons are missing; lists each with its fix."""

    def __init__(self, status: PrerequisiteStatus) -> None:
        lines = [f"{status.provider} cannot run: missing prerequisites:"]
        for item in status.missing:
            lines.append(f"  - {item.name}: {item.description}")
            lines.extend(f"      {line}" for line in item.fix_lines())
        super().__init__("\n".join(lines), hint=f"run `sindri doctor --provider {status.provider}`")
        self.status = status


CREDENTIALS = (
    "E2B_API_KEY",
    "FLY_API_TOKEN",
    "FLY_ACCESS_TOKEN",
    "DOCKER_PASSWORD",
    "VAULT_TOKEN",
    "RUNPOD_API_KEY",
    "NORTHFLANK_API_TOKEN",
    "NF_API_TOKEN",
)
"""Provider credentials read from the environment: masked in output like the config's secrets."""


def redacted_values(loaded: LoadedConfig, environ: Mapping[str, str]) -> list[str]:
    """Every value the runner must mask: the resolved secrets, file secrets' contents, credentials."""
    return [
        *loaded.secrets.values(),
        *(form for file in loaded.files for form in file.masked()),
        *(environ[name] for name in CREDENTIALS if environ.get(name)),
    ]


def load(config_path: Path | None, *, cwd: Path, provider_override: str | None = None) -> LoadedConfig:
    """Load the config the way every action does (front ends use it to name what they will act on)."""
    return load_config(config_path, cwd=cwd, provider_override=provider_override)


async def run_action(
    action: Action,
    *,
    config_path: Path | None = None,
    cwd: Path,
    provider_override: str | None = None,
    options: DeployOptions | None = None,
    progress: ProgressCallback | None = None,
    tool_paths: Mapping[str, str] | None = None,
    command: Sequence[str] | None = None,
    loaded: LoadedConfig | None = None,
    env: Mapping[str, str] | None = None,
) -> ActionResult:
    """Run one lifecycle action on the environment described by the config.

    `options.timeout` bounds the whole action (except connect): on expiry every tool is stopped and a
    ProviderError says so. Raises ConfigError or ProviderError with a message for the user.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    options = options or DeployOptions()
    if loaded is None:
        loaded = load(config_path, cwd=cwd, provider_override=provider_override)
    environ = os.environ if env is None else env
    # In a thread: asking Vault blocks (bounded by VAULT_CLIENT_TIMEOUT), and the server's loop must not.
    vault = action in READS_VAULT
    if action in REQUIRES_SECRETS:
        await asyncio.to_thread(resolve_secrets, loaded, environ=environ, vault=vault)
    else:
        with contextlib.suppress(ConfigError):  # only to know what to redact
            await asyncio.to_thread(resolve_secrets, loaded, environ=environ, vault=vault)
    runner = Runner(
        secrets=redacted_values(loaded, environ), progress=progress, tool_paths=tool_paths, env=env
    )
    provider = create_provider(loaded.config.provider, loaded, runner)
    result = ActionResult(
        action=action,
        name=loaded.config.name,
        provider=provider.name,
        config_path=str(loaded.path),
        warnings=list(loaded.warnings),
    )
    if loaded.files and not provider.delivers_file_secrets:
        names = ", ".join(f.name for f in loaded.files)
        result.warnings.append(f"{provider.name} does not deliver file secrets yet: {names} not sent")
    try:
        if action == "connect":
            return await _call(provider, result, options, command)
        try:
            async with asyncio.timeout(options.timeout):
                return await _call(provider, result, options, command)
        except TimeoutError:
            raise ProviderError(
                f"sindri {action} did not finish within {options.timeout:g}s; its tools were stopped",
                hint="raise --timeout, or check the provider with `sindri doctor`",
            ) from None
    except ProviderError as error:  # the CLI prints it and the editor shows it: masked here, once
        error.message, error.hint = runner.redact(error.message), error.hint and runner.redact(error.hint)
        error.args = (error.message,)
        raise


async def _call(
    provider: Provider, result: ActionResult, options: DeployOptions, command: Sequence[str] | None
) -> ActionResult:
    action = result.action
    if action == "doctor":
        result.prerequisites = [await check_prerequisites(provider, ttl=0)]  # the user asks: now
        return result
    if action in CHECKS_PREREQUISITES:
        provider.progress(f"Checking {provider.name} prerequisites...")
        prereqs = await check_prerequisites(provider)
        if not prereqs.satisfied:
            raise PrerequisitesError(prereqs)
    if action == "status":
        result.status = await provider.status()
    elif action == "plan":
        result.plan = await provider.plan()
        _plan_verification(provider, result.plan, options)
    elif action == "connect":
        ensure_not_busy(provider.loaded)
        result.exit_code = await provider.connect(list(command) if command else None)
    else:
        # Before anything changes: a cloned `.sindri/` holding a link is refused up front, not halfway.
        provider.files.check(provider.output_dir, "write or remove files in")
        with environment_lock(provider.loaded, f"sindri {action}"):
            await _mutate(provider, result, options)
    return result


async def _mutate(provider: Provider, result: ActionResult, options: DeployOptions) -> None:
    name = result.name
    if result.action == "deploy":
        check = image_check(provider.config, skip=options.skip_image_verification)
        if check is not None:
            result.warnings.extend(await verify_image(provider.runner, check))
        provider.progress(f"Deploying {name} to {provider.name}...")
        result.deploy = await provider.deploy(options)
    elif result.action == "start":
        provider.progress(f"Starting {name}...")
        await provider.start()
    elif result.action == "stop":
        provider.progress(f"Stopping {name}...")
        await provider.stop()
    else:
        provider.progress(f"Destroying {name} on {provider.name}...")
        result.destroyed = await provider.destroy(options.force)


def _plan_verification(provider: Provider, plan: DeploymentPlan, options: DeployOptions) -> None:
    """Say in the plan what deploy will verify with cosign, or that it cannot."""
    check = image_check(provider.config, skip=options.skip_image_verification)
    if check is None:
        return
    if provider.runner.which("cosign") is None:
        plan.warnings.append(missing_cosign_warning(check))
        return
    plan.actions.insert(
        0,
        PlannedAction(
            action=ActionType.VERIFY,
            resource=f"image:{check.image}",
            description=f"check its {check.parts()} with cosign (signer {check.identity})",
        ),
    )


async def doctor(
    providers: Sequence[str] | None = None,
    *,
    config_path: Path | None = None,
    cwd: Path,
    tool_paths: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    env: Mapping[str, str] | None = None,
) -> list[PrerequisiteStatus]:
    """Prerequisites of the named providers (all installed ones when None), checked concurrently.

    Uses the config when one is given or found (its settings decide some checks), else a minimal one.
    """
    loaded = _doctor_config(config_path, cwd)
    names = list(providers) if providers else provider_names()
    checks = []
    for name in names:
        runner = Runner(progress=progress, tool_paths=tool_paths, env=env)
        mine = LoadedConfig(
            config=loaded.config.model_copy(
                update={"deployment": loaded.config.deployment.model_copy(update={"provider": name})}
            ),
            path=loaded.path,
        )
        checks.append(_doctor_one(name, mine, runner))
    return list(await asyncio.gather(*checks))


async def _doctor_one(name: str, loaded: LoadedConfig, runner: Runner) -> PrerequisiteStatus:
    """One provider's prerequisites; a plugin that cannot be loaded is reported, not fatal to the rest."""
    try:
        provider = create_provider(name, loaded, runner)
    except ProviderError as error:
        item = Prerequisite(name=name, description=error.message, install_hint=error.hint, kind="tool")
        return PrerequisiteStatus(provider=name, missing=[item])
    return await check_prerequisites(provider, ttl=0)


def _doctor_config(config_path: Path | None, cwd: Path) -> LoadedConfig:
    try:
        return load_config(config_path, cwd=cwd)
    except ConfigError:
        if config_path is not None:
            raise
    return LoadedConfig(
        config=SindriConfig.minimal("docker", "sindri-doctor"), path=cwd.resolve() / "sindri.yaml"
    )
