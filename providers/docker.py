"""The Docker provider (also `docker-compose`): one Compose project per environment on a Docker engine.

Why these choices (each fixes something upstream gets wrong):
- the Compose project is `sindri-<name>`, so the same environment has the same project from any
  directory, and destroy finds exactly its own containers, volumes and networks by Compose's project
  label, never by a name pattern;
- the compose file lives in `<config dir>/.sindri/docker/` and lists secrets by NAME only: Compose
  takes their values from its own environment, so no value is ever written to disk;
- `--force` recreates the container but keeps the home volume (upstream runs `down -v`).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import stat
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sindri.schemas.model import DockerProvider as DockerSettings
from sindri.schemas.model import SindriConfig

from . import facts_cache
from .base import Provider
from .errors import (
    AlreadyDeployedError,
    NotDeployedError,
    ProviderError,
    ToolFailedError,
    ToolNotFoundError,
    ToolOutputError,
    UnsupportedError,
)
from .images import configured_image
from .prereqs import TTL_SECONDS
from .render import render
from .runner import STDERR_TAIL_LINES, CommandResult
from .source import Checkout, Source, cached_commit, docker_build, fetch, plan_items, wants_build
from .types import (
    ActionType,
    Address,
    AddressType,
    ConnectionInfo,
    DeploymentPlan,
    DeploymentState,
    DeploymentStatus,
    DeploymentTimestamps,
    DeployOptions,
    DeployResult,
    PlannedAction,
    PlannedResource,
    Prerequisite,
    PrerequisiteStatus,
    ResourceUsage,
)

USER = "developer"
HOME = "/alt/home/developer"
SERVICE = "sindri"
COMPOSE_FILE = "docker-compose.yml"
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
CONFIG_LABEL = "dev.sindri.config"
"""On the container, volumes and network: the absolute path of the sindri.yaml that deployed them."""
DEFAULT_MEMORY = "4GB"
DEFAULT_CPUS = 2
MIN_ENGINE = (20, 10)
QUICK = 30.0
"""Timeout of a docker call that only reads or changes engine metadata."""
DOCKER_SOCKET = "/var/run/docker.sock"
ENGINE_TTL = TTL_SECONDS
ENGINE_FACTS = "docker-engine"
"""The `facts_cache` entry of the engine's facts."""
ENGINE_VARIABLES = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY")
"""What, besides the docker binary, decides which engine `docker` talks to."""

INSTALL_DOCKER = (
    "install Docker Engine: https://docs.docker.com/engine/install/ "
    "(Debian/Ubuntu: sudo apt-get install docker.io)"
)
INSTALL_COMPOSE = (
    "install the Compose v2 plugin: https://docs.docker.com/compose/install/linux/ "
    "(or docker-compose v1: sudo apt-get install docker-compose)"
)
DOCKER_RETRY = "check that the Docker engine answers (`docker info`), then retry"
"""The fix for a docker call that ran and failed or timed out (docker is installed: it ran)."""
START_DAEMON = (
    "start the Docker daemon: `sudo systemctl start docker` (or `sudo dockerd &`); "
    "check that `docker info` works"
)
NONE_CAPS = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID")


def project_name(env_name: str) -> str:
    """The Compose project of an environment: derived from its name only, never from a directory."""
    return f"sindri-{env_name}"


# --- parsing what docker prints ----------------------------------------------------------------

_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "pb": 1000**5,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
    "pib": 1024**5,
}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(text: str) -> int | None:
    """Bytes from a `docker stats` size: `732KiB`, `1.5GiB`, `12B`, `3.2kB`, `1GB`, `2TiB`..."""
    match = _SIZE.match(text)
    if not match:
        return None
    unit = _UNITS.get((match.group(2) or "b").lower())
    return None if unit is None else round(float(match.group(1)) * unit)


def parse_stats(line: str) -> ResourceUsage:
    """`{{.CPUPerc}},{{.MemUsage}}` as printed by docker stats, e.g. `0.15%,732KiB / 4GiB`."""
    cpu_text, _, mem_text = line.strip().partition(",")
    used, _, limit = mem_text.partition("/")
    try:
        cpu: float | None = float(cpu_text.strip().rstrip("%"))
    except ValueError:
        cpu = None
    return ResourceUsage(cpu_percent=cpu, memory_bytes=parse_size(used), memory_limit=parse_size(limit))


def parse_timestamp(text: str | None) -> datetime | None:
    """An RFC 3339 time from docker (nanoseconds allowed); None for Go's zero time or garbage."""
    if not text or text.startswith("0001-01-01"):
        return None
    cleaned = re.sub(r"(\.\d{6})\d+", r"\1", text.strip()).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def map_state(state: Mapping[str, Any], restarts: int = 0) -> DeploymentState:
    """Docker's `.State` (and `.RestartCount`) to the unified state (tool-contracts section 1)."""
    status = str(state.get("Status", ""))
    if status == "running":
        return DeploymentState.RUNNING
    if status == "created":
        return DeploymentState.CREATING
    if status == "restarting":  # its command exited; more than once means it is crash-looping
        return DeploymentState.ERROR if restarts > 1 else DeploymentState.CREATING
    if status == "paused":
        return DeploymentState.PAUSED
    if status == "exited":
        # 0 is a clean exit; 137/143 are SIGKILL/SIGTERM, i.e. `docker stop`.
        code = state.get("ExitCode", 0)
        oom = bool(state.get("OOMKilled"))
        return DeploymentState.STOPPED if code in (0, 137, 143) and not oom else DeploymentState.ERROR
    if status == "removing":
        return DeploymentState.STOPPED
    if status == "dead":
        return DeploymentState.ERROR
    return DeploymentState.UNKNOWN


def container_state(data: Mapping[str, Any]) -> DeploymentState:
    """The unified state of an inspected container."""
    return map_state(data.get("State") or {}, int(data.get("RestartCount") or 0))


def compose_memory(size: str) -> str:
    """`4GB` -> `4g`: Compose reads both as binary units, the short form says so plainly."""
    match = re.fullmatch(r"(\d+)(MB|GB)", size)
    if not match:
        raise ProviderError(f"memory '{size}' is not a size like 512MB or 4GB")
    return f"{match.group(1)}{match.group(2)[0].lower()}"


def secret_variable(name: str) -> str:
    """The variable Compose reads a secret from: prefixed, so that a secret named DOCKER_HOST, PATH or
    COMPOSE_FILE reaches the container without steering `docker compose` itself."""
    return f"SINDRI_SECRET_{name}"


def literal(value: str) -> str:
    """A value Compose must not interpolate: `$` is written `$$`."""
    return value.replace("$", "$$")


def is_daemon_error(text: str) -> bool:
    lowered = text.lower()
    return "cannot connect to the docker daemon" in lowered or "is the docker daemon running" in lowered


def is_permission_error(text: str) -> bool:
    return "permission denied" in text.lower() and "docker" in text.lower()


def daemon_error(detail: str) -> ProviderError:
    if is_permission_error(detail):
        return ProviderError(
            f"permission denied talking to the Docker daemon: {detail.strip().splitlines()[-1]}",
            hint="add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again)",
        )
    return ProviderError("the Docker daemon is not reachable", hint=START_DAEMON)


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text.lstrip("v"))[:3])


# --- engine facts and the Docker-in-Docker choice ------------------------------------------------


@dataclass(frozen=True)
class EngineInfo:
    """What one `docker info --format '{{json .}}'` tells about client, engine and plugins."""

    client_version: str | None
    server_version: str | None
    ncpu: int
    runtimes: frozenset[str]
    compose_plugin: str | None
    error: str | None = None

    @classmethod
    def parse(cls, text: str, error: str | None) -> EngineInfo:
        """Parse the JSON; when docker succeeded yet printed no JSON object, that is a tool error."""
        try:
            data = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            data = None
        if not isinstance(data, dict):
            if error is None:
                raise ToolOutputError(
                    "`docker info --format '{{json .}}'` printed something that is not a JSON object",
                    hint="check that `docker` is the Docker CLI (`docker version`)",
                )
            data = {}
        client = data.get("ClientInfo") or {}
        plugins = client.get("Plugins") or []
        compose = next((p.get("Version") for p in plugins if p.get("Name") == "compose"), None)
        errors = data.get("ServerErrors") or []
        return cls(
            client_version=client.get("Version"),
            server_version=data.get("ServerVersion") or None,
            ncpu=int(data.get("NCPU") or 0),
            runtimes=frozenset(data.get("Runtimes") or {}),
            compose_plugin=compose,
            error=error or ("; ".join(errors) if errors else None),
        )

    def facts(self) -> dict[str, Any]:
        """As JSON, for `facts_cache` (a reachable engine's: no error)."""
        return {
            "client_version": self.client_version,
            "server_version": self.server_version,
            "ncpu": self.ncpu,
            "runtimes": sorted(self.runtimes),
            "compose_plugin": self.compose_plugin,
        }

    @classmethod
    def from_facts(cls, facts: dict[str, Any]) -> EngineInfo | None:
        """`facts()` read back; None for anything else (a cache file edited by hand)."""
        try:
            info = cls(
                client_version=facts["client_version"],
                server_version=facts["server_version"],
                ncpu=int(facts["ncpu"]),
                runtimes=frozenset(str(r) for r in facts["runtimes"]),
                compose_plugin=facts["compose_plugin"],
            )
        except (KeyError, TypeError, ValueError):
            return None
        return info if isinstance(info.server_version, str) else None


def engine_key(docker: str, env: Mapping[str, str]) -> list[str]:
    """What decides which engine `docker` talks to: its path, the engine variables, and the time its
    config file (which holds the current context, `docker context use`) last changed."""
    config = Path(env.get("DOCKER_CONFIG") or Path(env.get("HOME") or Path.home(), ".docker"), "config.json")
    try:
        changed = str(config.stat().st_mtime_ns)
    except OSError:
        changed = ""
    return [docker, *(env.get(name, "") for name in ENGINE_VARIABLES), changed]


@dataclass(frozen=True)
class DindChoice:
    mode: str
    """none | sysbox | privileged | socket"""
    warnings: tuple[str, ...] = ()


def choose_dind(settings: DockerSettings | None, sysbox_available: bool) -> DindChoice:
    """sysbox when available, privileged only with consent, socket only when asked, else none."""
    dind = settings.dind if settings else None
    if dind is None or not dind.enabled:
        return DindChoice("none")
    requested = str(dind.mode)
    privileged_ok = bool(settings and settings.privileged)
    if requested == "socket":
        return DindChoice("socket")
    if requested == "privileged":
        return DindChoice("privileged")
    if requested == "sysbox":
        if sysbox_available:
            return DindChoice("sysbox")
        return DindChoice(
            "none",
            (
                "Docker-in-Docker: sysbox was requested but this Docker engine has no sysbox-runc "
                "runtime; continuing without Docker-in-Docker (install sysbox: "
                "https://github.com/nestybox/sysbox, or use mode: socket or privileged)",
            ),
        )
    if sysbox_available:
        return DindChoice("sysbox")
    if privileged_ok:
        return DindChoice("privileged")
    return DindChoice(
        "none",
        (
            "Docker-in-Docker: mode auto found no sysbox-runc runtime and `providers.docker.privileged` "
            "is not true; continuing without Docker-in-Docker (set privileged: true, or mode: socket)",
        ),
    )


def resolve_image(config: SindriConfig) -> str:
    """The image to run: image_config (digest > tag override > version) or deployment.image."""
    image = configured_image(config)
    if image is not None:
        return image
    raise UnsupportedError(
        "no image is configured (the provider builds one from Sindri's source instead)",
        hint="set deployment.image, e.g. `image: sindri-demo:local` (build it with images/demo/build.sh)",
    )


# --- the compose file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectObject:
    """A container, volume or network of a Compose project, as `docker ... ls` lists it."""

    ident: str
    name: str
    config: str
    """The config that deployed it (CONFIG_LABEL), empty when unknown."""


@dataclass
class ComposeSpec:
    """Everything the template needs, computed once, plus what the plan and deploy report."""

    context: dict[str, Any]
    dind: DindChoice
    image: str
    volumes: list[str]
    warnings: list[str] = field(default_factory=list)


def socket_group() -> str | None:
    """The numeric group of the local Docker socket, so `developer` may use it in socket mode."""
    host = os.environ.get("DOCKER_HOST", "")
    if host and host != f"unix://{DOCKER_SOCKET}":
        return None
    try:
        info = os.stat(DOCKER_SOCKET)
    except OSError:
        return None
    return str(info.st_gid) if stat.S_ISSOCK(info.st_mode) else None


def mount(kind: str, source: str, target: str, *, read_only: bool = False) -> dict[str, Any]:
    return {"type": kind, "source": source, "target": target, "read_only": read_only}


def build_compose(
    loaded_config: SindriConfig,
    *,
    config_path: Path,
    secret_names: Sequence[str],
    engine: EngineInfo,
    include_name: bool = True,
    image: str | None = None,
) -> ComposeSpec:
    """The template context of one environment on one engine; `image` is a built one, else the
    configured one."""
    config = loaded_config
    settings = config.providers.docker if config.providers else None
    dind = choose_dind(settings, "sysbox-runc" in engine.runtimes)
    warnings = list(dind.warnings)
    image = image or resolve_image(config)
    resources = config.deployment.resources
    memory = (resources.memory if resources else None) or DEFAULT_MEMORY
    cpus = (resources.cpus if resources else None) or DEFAULT_CPUS
    if engine.ncpu and cpus > engine.ncpu:
        warnings.append(f"cpus: {cpus} is more than this Docker host has; limited to {engine.ncpu}")
        cpus = engine.ncpu
    gpu = resources.gpu if resources else None
    gpu_count = gpu.count if gpu and gpu.enabled else 0
    if gpu_count and "nvidia" not in engine.runtimes:
        raise UnsupportedError(
            "a GPU is requested but this Docker engine has no nvidia runtime",
            hint="install the NVIDIA Container Toolkit, or set deployment.resources.gpu.enabled: false",
        )

    environment: dict[str, str] = {"INIT_WORKSPACE": "true"}
    extensions = config.extensions
    environment["INSTALL_PROFILE"] = extensions.profile or ""
    if extensions.active:
        environment["CUSTOM_EXTENSIONS"] = ",".join(extensions.active)
    if extensions.additional:
        environment["ADDITIONAL_EXTENSIONS"] = ",".join(extensions.additional)
    if not extensions.auto_install:
        environment["SKIP_AUTO_INSTALL"] = "true"
    if config.deployment.build_from_source and config.deployment.build_from_source.git_ref:
        environment["SINDRI_SOURCE_REF"] = config.deployment.build_from_source.git_ref
    if dind.mode != "none" and settings and settings.dind:
        environment["SINDRI_DIND_MODE"] = dind.mode
        environment["SINDRI_DIND_STORAGE_SIZE"] = settings.dind.storage_size
        environment["SINDRI_DIND_STORAGE_DRIVER"] = str(settings.dind.storage_driver)

    mounts = [mount("volume", "home", HOME)]
    volumes = ["home"]
    privileged = bool(settings and settings.privileged) or dind.mode == "privileged"
    cap_drop: list[str] = []
    cap_add: list[str] = []
    security_opt: list[str] = []
    group_add: list[str] = []
    if dind.mode == "privileged":
        mounts.append(mount("volume", "docker", "/var/lib/docker"))
        volumes.append("docker")
    elif dind.mode == "socket":
        mounts.append(mount("bind", DOCKER_SOCKET, DOCKER_SOCKET))
        security_opt.append("no-new-privileges:true")
        gid = socket_group()
        if gid is not None:
            group_add.append(gid)
        else:
            warnings.append(
                "Docker-in-Docker socket mode: the socket's group is unknown here, so `developer` "
                "may need sudo to use it"
            )
    elif dind.mode == "none" and not privileged:
        cap_drop, cap_add = ["ALL"], list(NONE_CAPS)
    for secret in config.secrets:
        if str(secret.source) == "file" and secret.path and secret.mount_path:
            source = (config_path.parent / Path(secret.path).expanduser()).resolve()
            if not source.exists():  # an optional one the loader skipped: Docker would create a folder
                continue
            mounts.append(mount("bind", literal(str(source)), literal(secret.mount_path), read_only=True))

    network = str(settings.network) if settings else "bridge"
    ports = list(settings.ports) if settings else []
    if ports and network != "bridge":
        warnings.append(f"ports are ignored with network mode '{network}'")
        ports = []
    owner = {"dev.sindri.name": config.name, CONFIG_LABEL: literal(str(config_path))}
    context: dict[str, Any] = {
        "include_name": include_name,
        "project": project_name(config.name),
        "dind_mode": dind.mode,
        "image": literal(image),
        "container_name": config.name,
        "labels": {**owner, "dev.sindri.dind": dind.mode},
        "owner_labels": owner,
        "restart": str(settings.restart) if settings else "unless-stopped",
        "network_mode": network if network != "bridge" else None,
        "runtime": "sysbox-runc" if dind.mode == "sysbox" else None,
        "privileged": privileged,
        "memory": compose_memory(memory),
        "cpus": str(cpus),
        "environment": {
            **{k: literal(v) for k, v in environment.items()},
            **{name: f"${{{secret_variable(name)}}}" for name in secret_names},
        },
        "mounts": mounts,
        "cap_drop": cap_drop,
        "cap_add": cap_add,
        "security_opt": security_opt,
        "group_add": group_add,
        "ports": ports,
        "extra_hosts": [literal(h) for h in (settings.extra_hosts if settings else [])],
        "gpu_count": gpu_count,
        "volumes": volumes,
    }
    return ComposeSpec(context=context, dind=dind, image=image, volumes=volumes, warnings=warnings)


def compose_failure(
    result: CommandResult, redact: Callable[[str], str], spec: ComposeSpec, compose_file: Path
) -> ProviderError:
    """Compose's own error lines (not its progress), with the fix for what they say.

    The engine answered, so "check that the engine answers" is no fix: only a failure with no
    recognisable error gets it.
    """
    output = result.stderr + result.stdout
    lowered = output.lower()
    errors = [line.strip() for line in output.splitlines() if "error" in line.lower()]
    detail = redact("\n".join(errors[-STDERR_TAIL_LINES:]) or tail_of(output))
    if spec.context["privileged"] and "operation not permitted" in lowered:
        hint = (
            "this Docker host cannot run privileged containers (Docker itself runs confined); "
            "use Docker-in-Docker mode socket, or a host where `docker run --privileged` works"
        )
    elif "pull" in lowered or "no such image" in lowered:
        hint = (
            f"the image '{spec.image}' is not on this engine and could not be pulled; build it "
            "(the demo image: bash images/demo/build.sh) or check deployment.image"
        )
    elif "is ambiguous" in lowered:
        hint = (
            "run `sindri destroy --force` (it removes this environment's networks by id), then deploy again"
        )
    elif "port is already allocated" in lowered or "address already in use" in lowered:
        hint = "another program or container uses that host port: free it, or change providers.docker.ports"
    elif errors:
        hint = f"change what Docker Compose names above (the generated file is {compose_file})"
    else:
        hint = DOCKER_RETRY
    return ProviderError(
        f"Docker Compose could not start the environment (exit code {result.returncode}):\n{detail}",
        hint=hint,
    )


def tail_of(text: str) -> str:
    return "\n".join(text.strip().splitlines()[-STDERR_TAIL_LINES:])


# --- the provider ---------------------------------------------------------------------------------


class DockerProvider(Provider):
    """Runs the environment as Compose project `sindri-<name>` with one container named `<name>`."""

    name = "docker"

    quick_timeout = QUICK
    _engine_info: EngineInfo | None = None
    _compose_argv: list[str] | None = None

    @property
    def project(self) -> str:
        return project_name(self.config.name)

    @property
    def compose_file(self) -> Path:
        return self.output_dir / COMPOSE_FILE

    @property
    def _cli_ref(self) -> str:
        """How the user names this config on the command line."""
        return f"-c {shlex.quote(str(self.loaded.path))}"

    # -- running docker

    async def _docker(
        self, *args: str, timeout: float | None = None, check: bool = True, **kwargs: Any
    ) -> CommandResult:
        """Run `docker ...`, turning 'daemon not reachable' into one clear error with its fix."""
        result = await self.runner.run(
            ["docker", *args],
            timeout=timeout or self.quick_timeout,
            check=False,
            hint=DOCKER_RETRY,
            install_hint=INSTALL_DOCKER,
            **kwargs,
        )
        if not result.ok and is_daemon_error(result.stderr + result.stdout):
            raise daemon_error(result.stderr)
        if check and not result.ok:
            raise ToolFailedError(
                ["docker", *args], result.returncode, self.runner.tail(result), hint=DOCKER_RETRY
            )
        return result

    async def _engine(self) -> EngineInfo:
        """Client, engine and Compose facts from one `docker info` call.

        A reachable engine's facts are kept for ENGINE_TTL (as long as a prerequisite check is), per
        `engine_key`, in the user's cache folder (`facts_cache`): `docker info` is the slowest docker
        call (~50 ms), the editor's Deploy comes seconds after the check that ran it, and a `sindri`
        command often comes seconds after another. Doctor and a check asked for again do not use them
        (`facts_cache.asking_now`).
        """
        if self._engine_info is not None:
            return self._engine_info
        key = engine_key(self.runner.which("docker") or "", self.runner.base_env)
        known = facts_cache.load(ENGINE_FACTS, key, ENGINE_TTL)
        cached = EngineInfo.from_facts(known) if known is not None else None
        if cached is not None:
            self._engine_info = cached
            return cached
        result = await self.runner.run(
            ["docker", "info", "--format", "{{json .}}"],
            timeout=self.quick_timeout,
            check=False,
            hint=DOCKER_RETRY,
            install_hint=INSTALL_DOCKER,
        )
        error = None if result.ok else (self.runner.tail(result) or f"exit code {result.returncode}")
        self._engine_info = EngineInfo.parse(result.stdout, error)
        if self._engine_info.server_version is not None:
            facts_cache.store(ENGINE_FACTS, key, self._engine_info.facts())
        else:
            facts_cache.forget(ENGINE_FACTS)
        return self._engine_info

    async def _require_engine(self) -> EngineInfo:
        info = await self._engine()
        if info.server_version is None:
            raise daemon_error(info.error or "")
        return info

    async def _compose(self, info: EngineInfo) -> list[str]:
        """`docker compose` (v2) when present, else `docker-compose` (v1)."""
        if self._compose_argv is None:
            if info.compose_plugin or await self._probe(["docker", "compose", "version", "--short"]):
                self._compose_argv = ["docker", "compose"]
            elif await self._probe(["docker-compose", "version", "--short"]):
                self._compose_argv = ["docker-compose"]
            else:
                raise ToolNotFoundError("docker compose", hint=INSTALL_COMPOSE)
        return self._compose_argv

    async def _probe(self, argv: list[str]) -> str | None:
        """A tool's version output, or None when it is missing or fails."""
        if self.runner.which(argv[0]) is None:
            return None
        result = await self.runner.run(argv, timeout=self.quick_timeout, check=False)
        return result.stdout.strip() or None if result.ok else None

    async def _inspect(self, ref: str) -> dict[str, Any] | None:
        """`docker inspect` of one container; None when no container answers to `ref`."""
        result = await self._docker("inspect", "--type", "container", ref, check=False)
        if not result.ok:
            if "no such" in (result.stderr + result.stdout).lower():
                return None
            raise ToolFailedError(
                ["docker", "inspect", "--type", "container", ref],
                result.returncode,
                self.runner.tail(result),
            )
        try:
            data = json.loads(result.stdout)
        except json.JSONDecodeError as exc:
            raise ToolOutputError(f"`docker inspect {ref}` printed something that is not JSON") from exc
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            raise ToolOutputError(f"`docker inspect {ref}` printed an unexpected shape")
        return data[0]

    async def _named_container(self) -> dict[str, Any] | None:
        """The inspected container named like the environment, whoever owns it.

        The Compose file names the container after the environment, so one `docker inspect` finds it
        (Docker resolves an exact name before an id prefix; the name check drops a prefix match).
        """
        data = await self._inspect(self.config.name)
        return data if data is not None and data.get("Name") == f"/{self.config.name}" else None

    def _is_ours(self, data: Mapping[str, Any]) -> bool:
        labels = (data.get("Config") or {}).get("Labels") or {}
        return labels.get(PROJECT_LABEL) == self.project and labels.get(SERVICE_LABEL) == SERVICE

    async def _main_container(self) -> dict[str, Any] | None:
        """The inspected `sindri` service container of this environment, if it exists."""
        data = await self._named_container()
        return data if data is not None and self._is_ours(data) else None

    # -- prerequisites and plan

    async def check_prerequisites(self) -> PrerequisiteStatus:
        status = PrerequisiteStatus(provider=self.name)
        if self.runner.which("docker") is None:
            status.missing.append(
                Prerequisite(
                    name="docker",
                    description="Docker CLI",
                    kind="tool",
                    install_hint=INSTALL_DOCKER,
                    docs_url="https://docs.docker.com/get-docker/",
                )
            )
            status.missing.append(
                Prerequisite(
                    name="docker compose",
                    description="Docker Compose v2 (or v1)",
                    kind="tool",
                    install_hint=INSTALL_COMPOSE,
                )
            )
            return status
        info = await self._engine()
        status.available.append(
            Prerequisite(name="docker", description="Docker CLI", kind="tool", version=info.client_version)
        )
        daemon = Prerequisite(
            name="docker daemon",
            description="a reachable Docker engine",
            kind="daemon",
            version=info.server_version,
            docs_url="https://docs.docker.com/config/daemon/start/",
        )
        if info.server_version is None:
            error = daemon_error(info.error or "")
            daemon.description = f"a reachable Docker engine ({error.message})"
            daemon.install_hint = error.hint
            status.missing.append(daemon)
        elif version_tuple(info.server_version)[:2] < MIN_ENGINE:
            daemon.description = f"Docker engine >= 20.10 (found {info.server_version})"
            daemon.install_hint = INSTALL_DOCKER
            status.missing.append(daemon)
        else:
            status.available.append(daemon)
        v2 = info.compose_plugin or await self._probe(["docker", "compose", "version", "--short"])
        v1 = None if v2 else await self._probe(["docker-compose", "version", "--short"])
        if v2 or v1:
            status.available.append(
                Prerequisite(
                    name="docker compose" if v2 else "docker-compose",
                    description="Docker Compose v2" if v2 else "Docker Compose v1 (fallback)",
                    kind="tool",
                    version=(v2 or v1 or "").lstrip("v"),
                )
            )
        else:
            status.missing.append(
                Prerequisite(
                    name="docker compose",
                    description="Docker Compose v2 (or docker-compose v1)",
                    kind="tool",
                    install_hint=INSTALL_COMPOSE,
                    docs_url="https://docs.docker.com/compose/install/",
                )
            )
        return status

    def _spec(self, info: EngineInfo, *, include_name: bool = True, image: str | None = None) -> ComposeSpec:
        return build_compose(
            self.config,
            config_path=self.loaded.path,
            secret_names=sorted(self.loaded.secrets),
            engine=info,
            include_name=include_name,
            image=image,
        )

    def _source(self) -> Source | None:
        """Where the image is built from, or None when a configured image runs as is."""
        return Source.of(self.config, self.runner.base_env) if wants_build(self.config) else None

    async def _built_image(self, source: Source, force: bool) -> str:
        """Fetch the source and build its image, unless this commit's image is already on the engine."""
        checkout: Checkout = await fetch(source, self.runner)
        tag = source.image_tag(checkout.commit)
        if not force and await self._image_present(tag):
            self.progress(f"Image {tag} of commit {checkout.commit[:12]} is already built; not rebuilding")
        else:
            await docker_build(self.runner, checkout, tag, no_cache=force, install_hint=INSTALL_DOCKER)
        return tag

    def render_compose(self, spec: ComposeSpec) -> str:
        """The Compose file deploy writes (plan shows it): secrets appear by name only."""
        return render("docker/docker-compose.yml.j2", **spec.context)

    async def plan(self) -> DeploymentPlan:
        info = await self._require_engine()
        source = self._source()
        commit = await cached_commit(source, self.runner) if source else None
        spec = self._spec(info, image=source.image_tag(commit) if source else None)
        name = self.config.name
        (exists, foreign), image_present = await asyncio.gather(
            self._name_owners(), self._image_present(spec.image)
        )
        plan = DeploymentPlan(provider=self.name, warnings=list(spec.warnings))
        plan.add_file(self.compose_file, "yaml", self.render_compose(spec))
        plan.actions.append(
            PlannedAction(
                action=ActionType.CREATE,
                resource=str(self.compose_file),
                description="write the Compose file",
            )
        )
        if source is not None:
            built = (
                "already built for the cached commit; deploy rebuilds only if the ref moved"
                if image_present
                else ""
            )
            action, resource = plan_items(
                source,
                commit,
                image=spec.image,
                where="with `docker build` on this Docker engine",
                cost=built or "a few minutes the first time, quicker with Docker's layer cache",
            )
            plan.actions.append(action)
            plan.resources.append(resource)
        elif not image_present:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"image:{spec.image}",
                    description="pull the image (it is not on this engine)",
                )
            )
        for volume in spec.volumes:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"volume:{self.project}_{volume}",
                    description="create the volume unless it exists (kept on --force)",
                )
            )
        plan.actions.append(
            PlannedAction(
                action=ActionType.RESTART if exists else ActionType.START,
                resource=f"container:{name}",
                description="recreate the container (needs --force)"
                if exists
                else "create and start the container",
            )
        )
        ctx = spec.context
        plan.resources.append(
            PlannedResource(
                resource_type="container",
                name=name,
                config={
                    "image": spec.image,
                    "memory": ctx["memory"],
                    "cpus": ctx["cpus"],
                    "dind": spec.dind.mode,
                    "project": self.project,
                },
            )
        )
        plan.resources.extend(
            PlannedResource(resource_type="volume", name=f"{self.project}_{v}") for v in spec.volumes
        )
        if exists:
            plan.warnings.append(f"'{name}' is already deployed; deploy needs --force to recreate it")
            other = self._other_config(exists)
            if other:
                plan.warnings.append(f"'{name}' was deployed from another config: {other}")
        if foreign:
            plan.warnings.append(
                f"a container named '{name}' exists and belongs to project {foreign}; deploy will refuse "
                "until it is removed or `name` is changed"
            )
        return plan

    async def _image_present(self, image: str) -> bool:
        result = await self._docker("image", "inspect", "--format", "{{.Id}}", image, check=False)
        return result.ok

    # -- lifecycle

    async def deploy(self, options: DeployOptions) -> DeployResult:
        # The engine check and two read-only queries at once: each `docker` call is ~50 ms of CLI start.
        owners = asyncio.ensure_future(self._name_owners())
        networks = asyncio.ensure_future(self._project_objects("network"))
        try:
            # A missing engine or Compose is the error to report, not the queries' failures it causes.
            info = await self._require_engine()
            compose = await self._compose(info)
            source = self._source()
            include_name = compose == ["docker", "compose"]
            image = source.image_tag(None) if source else None
            spec = self._spec(info, include_name=include_name, image=image)
            text = self.render_compose(spec)  # while the queries run; written once they allow it
            (ours, foreign), project_networks = await asyncio.gather(owners, networks)
        except BaseException:
            for task in (owners, networks):
                task.cancel()
            await asyncio.gather(owners, networks, return_exceptions=True)
            raise
        name = self.config.name
        other = self._other_config(ours) if ours else None
        if other and not options.force:
            raise AlreadyDeployedError(
                f"'{name}' is deployed from another config: {other} (this one is {self.loaded.path}); "
                "both use the same `name`, so they would share one container",
                hint=f"change `name` in {self.loaded.path}, or take the environment over with "
                f"`sindri deploy --force {self._cli_ref}` (it keeps the home volume)",
            )
        if ours and not options.force:
            raise AlreadyDeployedError(
                f"'{name}' is already deployed (container {name}, project {self.project})",
                hint=f"`sindri deploy --force {self._cli_ref}` recreates the container and keeps the home "
                f"volume; `sindri destroy {self._cli_ref}` removes it",
            )
        if foreign:
            raise ProviderError(
                f"a container named '{name}' already exists and does not belong to this environment "
                f"(project {foreign})",
                hint=f"remove or rename that container (`docker rm -f {name}`), or change `name` in "
                f"{self.loaded.path}",
            )
        if source is not None:  # the configuration was checked above, before a long build
            image = (
                source.image_tag(await cached_commit(source, self.runner))
                if options.dry_run
                else await self._built_image(source, options.force)
            )
            spec = self._spec(info, include_name=include_name, image=image)
            text = self.render_compose(spec)
        self.files.write(self.compose_file, text)
        result = DeployResult(
            success=True,
            name=name,
            provider=self.name,
            instance_id=name,
            warnings=list(spec.warnings),
            connection=self._connection_info(),
        )
        if options.dry_run:
            result.messages.append(f"dry run: wrote {self.compose_file}; nothing was started")
            return result
        argv = [*compose, "-f", str(self.compose_file), "-p", self.project, "up", "-d", "--remove-orphans"]
        if ours:
            argv.append("--force-recreate")
        await self._drop_duplicate_networks(project_networks)
        self.progress(f"{'Recreating' if ours else 'Creating'} container {name} ({spec.image})...")
        up = await self.runner.run(
            argv,
            timeout=options.timeout,
            check=False,
            stream=True,
            env={secret_variable(name): value for name, value in self.loaded.secrets.items()},
            cwd=self.output_dir,
            hint=DOCKER_RETRY,
            install_hint=INSTALL_COMPOSE,
        )
        if not up.ok:
            if is_daemon_error(up.stderr + up.stdout):
                raise daemon_error(up.stderr)
            raise compose_failure(up, self.runner.redact, spec, self.compose_file)
        if options.wait:
            await self._wait_running(options.timeout, fresh=True)
        result.messages.append(f"container {name} is {'running' if options.wait else 'created'}")
        return result

    async def _name_owners(self) -> tuple[dict[str, Any] | None, str | None]:
        """This environment's container (inspected) if it exists, and the project of a foreign one using
        its name."""
        data = await self._named_container()
        if data is None:
            return None, None
        if self._is_ours(data):
            return data, None
        labels = (data.get("Config") or {}).get("Labels") or {}
        return None, labels.get(PROJECT_LABEL) or "none: not created by Compose"

    def _other_config(self, data: Mapping[str, Any]) -> str | None:
        """The config that deployed this inspected container, when it is not this one."""
        labels = (data.get("Config") or {}).get("Labels") or {}
        owner = labels.get(CONFIG_LABEL)
        return owner if owner and owner != str(self.loaded.path) else None

    async def _wait_running(self, timeout: float, *, fresh: bool = False) -> None:
        """Until the container runs; it exiting, or (`fresh`: just created) having restarted, fails."""
        deadline = time.monotonic() + timeout
        while True:
            data = await self._main_container()
            state = container_state(data) if data else DeploymentState.NOT_DEPLOYED
            restarts = int(data.get("RestartCount") or 0) if data and fresh else 0
            if state == DeploymentState.RUNNING and not restarts:
                return
            if data and (restarts or state in (DeploymentState.ERROR, DeploymentState.STOPPED)):
                logs = await self._docker("logs", "--tail", "20", data["Id"], check=False)
                tail = self.runner.redact((logs.stdout + logs.stderr).strip())
                code = (data.get("State") or {}).get("ExitCode")
                what = (
                    f"keeps exiting (code {code}, restarted {restarts} times)"
                    if restarts
                    else f"exited (code {code})"
                )
                raise ProviderError(
                    f"container {self.config.name} {what} instead of running"
                    + (f"; its last output:\n{tail}" if tail else ""),
                    hint="the image must run a long-lived command; check `deployment.image`, then "
                    f"`sindri destroy {self._cli_ref}`",
                )
            if time.monotonic() >= deadline:
                raise ProviderError(
                    f"container {self.config.name} did not reach running within {timeout:g}s "
                    f"(state: {state.label})"
                )
            await asyncio.sleep(0.5)

    def _exec_line(self) -> str:
        return f"docker exec -it -u {USER} -w {HOME} -e HOME={HOME} {self.config.name} sh -l"

    def _connection_info(self) -> ConnectionInfo:
        return ConnectionInfo(
            ssh_command=self._exec_line(),
            instructions=f"open a shell: sindri connect {self._cli_ref}\n"
            f"run a command: sindri connect {self._cli_ref} -- CMD ARGS",
        )

    async def status(self) -> DeploymentStatus:
        name = self.config.name
        status = DeploymentStatus(name=name, provider=self.name, state=DeploymentState.NOT_DEPLOYED)
        data = await self._main_container()
        if data is None:
            return status
        state_data = data.get("State", {})
        status.state = container_state(data)
        status.instance_id = str(data.get("Id", ""))[:12] or None
        status.image = (data.get("Config") or {}).get("Image")
        status.timestamps = DeploymentTimestamps(
            created_at=parse_timestamp(data.get("Created")),
            started_at=parse_timestamp(state_data.get("StartedAt")),
            stopped_at=None
            if status.state == DeploymentState.RUNNING
            else parse_timestamp(state_data.get("FinishedAt")),
        )
        labels = (data.get("Config") or {}).get("Labels") or {}
        status.details = {
            "container": str(data.get("Name", "")).lstrip("/"),
            "project": self.project,
            "docker_state": str(state_data.get("Status", "")),
            "dind": labels.get("dev.sindri.dind", "none"),
        }
        if status.state == DeploymentState.ERROR:
            code = state_data.get("ExitCode")
            restarts = int(data.get("RestartCount") or 0)
            status.messages.append(
                f"the container keeps exiting (code {code}) and restarting ({restarts} restarts)"
                if state_data.get("Status") == "restarting"
                else f"the container exited with code {code}"
            )
        for port in ((data.get("NetworkSettings") or {}).get("Ports") or {}).values():
            for binding in port or []:
                if binding.get("HostPort"):
                    status.addresses.append(
                        Address(type=AddressType.EXTERNAL, value="localhost", port=int(binding["HostPort"]))
                    )
        host = data.get("HostConfig") or {}
        status.resources = ResourceUsage(memory_limit=host.get("Memory") or None)
        if status.state == DeploymentState.RUNNING:
            stats = await self._docker(
                "stats", "--no-stream", "--format", "{{.CPUPerc}},{{.MemUsage}}", data["Id"], check=False
            )
            if stats.ok and stats.stdout.strip():
                usage = parse_stats(stats.stdout.strip().splitlines()[0])
                usage.memory_limit = usage.memory_limit or status.resources.memory_limit
                status.resources = usage
        return status

    async def _require_container(self) -> dict[str, Any]:
        data = await self._main_container()
        if data is None:
            raise NotDeployedError(
                f"'{self.config.name}' is not deployed",
                hint=f"deploy it first: sindri deploy {self._cli_ref}",
            )
        return data

    async def start(self) -> None:
        data = await self._require_container()
        if container_state(data) == DeploymentState.PAUSED:
            await self._docker("unpause", data["Id"])
        elif container_state(data) != DeploymentState.RUNNING:
            await self._docker("start", data["Id"], timeout=120)
        await self._wait_running(120)

    async def stop(self) -> None:
        data = await self._require_container()
        await self._docker("stop", data["Id"], timeout=120)

    async def connect(self, command: Sequence[str] | None = None) -> int:
        data = await self._require_container()
        state = container_state(data)
        if state != DeploymentState.RUNNING:
            raise ProviderError(
                f"'{self.config.name}' is not running (state: {state.label})",
                hint=f"start it: sindri start {self._cli_ref}",
            )
        flags = ["-i"]
        if sys.stdin.isatty() and sys.stdout.isatty():
            flags.append("-t")
        argv = ["docker", "exec", *flags, "-u", USER, "-w", HOME, "-e", f"HOME={HOME}", data["Id"]]
        if command:
            argv.extend(command)
        else:
            # One exec: a login bash where the image has one, else the POSIX shell.
            argv.extend(
                ["sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi"]
            )
        return await self.runner.run_attached(argv, hint=INSTALL_DOCKER)

    async def _project_objects(self, kind: str) -> list[ProjectObject]:
        """This project's containers, volumes or networks, found by its Compose label only.

        Each comes with its id (a volume's name is its id) and the config that deployed it: two
        networks can share a name, so nothing is ever removed by name.
        """
        fields = {
            "container": ("ps", "-a", "{{.ID}}", "{{.Names}}"),
            "volume": ("volume", "ls", "{{.Name}}", "{{.Name}}"),
            "network": ("network", "ls", "{{.ID}}", "{{.Name}}"),
        }
        *command, ref, name = fields[kind]
        template = f'{ref}\t{name}\t{{{{.Label "{CONFIG_LABEL}"}}}}'
        listed = await self._docker(
            *command, "--filter", f"label={PROJECT_LABEL}={self.project}", "--format", template
        )
        found = []
        for line in listed.stdout.splitlines():
            ident, _, rest = line.partition("\t")
            shown, _, config = rest.partition("\t")
            if ident.strip():
                found.append(ProjectObject(ident.strip(), shown or ident, config))
        return found

    async def destroy(self, force: bool = False) -> list[str]:
        """Remove the project's containers, volumes and networks (by id), unless another config
        deployed them (then only with --force)."""
        containers, volumes, networks = await asyncio.gather(
            self._project_objects("container"),
            self._project_objects("volume"),
            self._project_objects("network"),
        )
        owners = {o.config for o in (containers or [*volumes, *networks]) if o.config}
        others = sorted(owners - {str(self.loaded.path)})
        if others and not force:
            raise ProviderError(
                f"'{self.config.name}' was deployed from another config: {others[0]} (this one is "
                f"{self.loaded.path}); destroying it from here would remove that environment",
                hint=f"destroy it from there (`sindri destroy -c {shlex.quote(others[0])}`), "
                "or pass --force to destroy it anyway",
            )
        done: list[str] = []
        if containers:
            await self._docker("rm", "-f", "-v", *(c.ident for c in containers), timeout=120)
            done.extend(f"removed container {c.name}" for c in containers)
        if volumes:
            await self._docker("volume", "rm", *(v.ident for v in volumes), timeout=120)
            done.extend(f"removed volume {v.name}" for v in volumes)
        if networks:
            await self._docker("network", "rm", *(n.ident for n in networks), timeout=120)
            done.extend(f"removed network {n.name} ({n.ident[:12]})" for n in networks)
        if self.files.remove_file(self.compose_file):
            done.append(f"removed {self.compose_file}")
        self.files.prune(self.output_dir)
        return done

    async def _drop_duplicate_networks(self, networks: list[ProjectObject]) -> None:
        """Networks of this project that share a name (left by a race before the machine-wide lock)
        make every Compose call fail with "network is ambiguous": remove the unused ones, by id."""
        seen: dict[str, list[str]] = {}
        for network in networks:
            seen.setdefault(network.name, []).append(network.ident)
        for name, idents in seen.items():
            if len(idents) > 1:
                self.progress(f"Removing {len(idents)} networks that share the name {name}...")
                for ident in idents:  # the engine refuses to remove one still in use: kept
                    await self._docker("network", "rm", ident, check=False, timeout=120)

    def supports_gpu(self) -> bool:
        return self._engine_info is not None and "nvidia" in self._engine_info.runtimes
