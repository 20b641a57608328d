"""Fly.io: one app with one machine and a `home_data` volume, driven through `flyctl`.

Differences from upstream that are deliberate (real flyctl wins, see tool-contracts §3 and §9):
every JSON answer is parsed (never substring-matched), all machines are considered, `fly.toml` is
generated under `.sindri/fly/` and passed to flyctl explicitly (`-c`, `-a`), internal helper values
never reach `[env]`, `swap_size_mb` is top level, and no paid dedicated IPv4 is allocated.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from sindri.schemas.model import FlyProvider as FlySettings

from .base import Provider
from .errors import (
    NotDeployedError,
    ProviderError,
    ToolFailedError,
    ToolOutputError,
    ToolTimeoutError,
    UnsupportedError,
)
from .images import configured_image
from .render import render
from .runner import CommandResult
from .source import BUILD_TIMEOUT, Source, cached_commit, fetch, plan_items, wants_build
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
)

INSTALL_HINT = "curl -L https://fly.io/install.sh | sh  (see https://fly.io/docs/flyctl/install/)"
DOCS_URL = "https://fly.io/docs/flyctl/"
LOGIN_HINT = "flyctl auth login  (or set FLY_API_TOKEN)"
VOLUME_NAME = "home_data"
HOME = "/alt/home/developer"
INTERNAL_SSH_PORT = 2222
DEFAULT_MEMORY_MB = 2048
DEFAULT_CPUS = 2
PROBE_TIMEOUT = 30.0
START_WAIT = 120.0
POLL_INTERVAL = 2.0
INTERACTIVE_SHELL = "sh -c 'exec su - developer'"

# tool-contracts §1: Fly machine state -> unified state. Anything else is UNKNOWN.
MACHINE_STATES: dict[str, DeploymentState] = {
    **dict.fromkeys(
        ("created", "creating", "starting", "updating", "replacing", "restarting"), DeploymentState.CREATING
    ),
    "started": DeploymentState.RUNNING,
    **dict.fromkeys(("stopping", "stopped"), DeploymentState.STOPPED),
    **dict.fromkeys(("suspending", "suspended"), DeploymentState.SUSPENDED),
    **dict.fromkeys(("failed", "launch_failed"), DeploymentState.ERROR),
    **dict.fromkeys(("destroying", "destroyed", "replaced", "migrated"), DeploymentState.NOT_DEPLOYED),
}

# Which state describes an app with several live machines: the most useful one wins.
STATE_PRIORITY = (
    DeploymentState.RUNNING,
    DeploymentState.CREATING,
    DeploymentState.ERROR,
    DeploymentState.SUSPENDED,
    DeploymentState.STOPPED,
    DeploymentState.UNKNOWN,
)


@dataclass(frozen=True)
class GpuMachine:
    """A Fly GPU VM size preset with the CPU and memory upstream pairs it with."""

    size: str
    cpus: int
    memory_mb: int


# Upstream's tier table. Upstream writes `guest_type`, which is not a fly.toml key; the `[vm]` key
# for a preset is `size` (tool-contracts §3.4), with cpus/memory overriding the preset.
GPU_TIERS: dict[str, GpuMachine] = {
    "gpu-small": GpuMachine("a100-40gb", 8, 32768),
    "gpu-medium": GpuMachine("a100-40gb", 16, 65536),
    "gpu-large": GpuMachine("l40s", 16, 65536),
    "gpu-xlarge": GpuMachine("a100-80gb", 32, 131072),
}

_SIZE = re.compile(r"^\s*(\d+)\s*(MB|GB|TB)\s*$", re.IGNORECASE)


def size_to_mb(text: str) -> int:
    """`4GB` -> 4096, `512MB` -> 512 (binary units, as Fly counts memory)."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a size such as 512MB or 4GB")
    number, unit = int(match.group(1)), match.group(2).upper()
    return number * {"MB": 1, "GB": 1024, "TB": 1024 * 1024}[unit]


def size_to_gb(text: str) -> int:
    """Volume sizes are whole GB on Fly: MB values round up (upstream silently made them 10 GB)."""
    return max(1, math.ceil(size_to_mb(text) / 1024))


def machine_state(machine: dict[str, Any]) -> DeploymentState:
    return MACHINE_STATES.get(str(machine.get("state", "")), DeploymentState.UNKNOWN)


def live_machines(machines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Machines that make up the environment: terminal ones and release-command runs do not count."""
    live = []
    for machine in machines:
        group = ((machine.get("config") or {}).get("metadata") or {}).get("fly_process_group")
        if group == "fly_app_release_command":
            continue
        if machine_state(machine) is DeploymentState.NOT_DEPLOYED:
            continue
        live.append(machine)
    return live


def overall_state(machines: list[dict[str, Any]]) -> tuple[DeploymentState, dict[str, Any] | None]:
    """The environment's state and its representative machine, considering every live machine."""
    live = live_machines(machines)
    if not live:
        return DeploymentState.NOT_DEPLOYED, None
    for wanted in STATE_PRIORITY:
        for machine in live:
            if machine_state(machine) is wanted:
                return wanted, machine
    return DeploymentState.UNKNOWN, live[0]


def parse_json(result: CommandResult, what: str) -> Any:
    """flyctl's `--json` output, or a clear error when it is not JSON."""
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        head = result.stdout.strip().splitlines()[:1]
        raise ToolOutputError(
            f"flyctl returned output that is not JSON for {what}: {head[0][:120] if head else '(empty)'}",
            hint="check `flyctl version` and that the flyctl on PATH is the real Fly.io CLI; retry later",
        ) from None


def parse_list(result: CommandResult, what: str) -> list[dict[str, Any]]:
    data = parse_json(result, what)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ToolOutputError(f"flyctl returned an unexpected JSON shape for {what} (expected a list)")
    return data


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


FILE_SECRET_PREFIX = "SINDRI_FILE_"
"""A file secret's content is the Fly secret of this name + its own name, base64 (fly.toml [[files]])."""


def secrets_stdin(secrets: dict[str, str]) -> str:
    """`NAME=value` lines for `flyctl secrets import`; multi-line values use flyctl's `\"\"\"` form."""
    lines = []
    for name, value in sorted(secrets.items()):
        if "\n" in value or "\r" in value:
            if '"""' in value:
                raise ProviderError(
                    f'secret {name} contains both a newline and \'"""\'; flyctl cannot import it'
                )
            lines.append(f'{name}="""{value}"""')
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def remote_command(command: Sequence[str]) -> str:
    """The `-C` string for `flyctl ssh console`: runs argv as the developer user, each word quoted.

    flyctl's SSH server splits the string into words (no shell), so `su -c` receives the command as
    one quoted shell string and the user's words cannot be re-split or expanded.
    """
    return shlex.join(["su", "-", "developer", "-c", shlex.join(command)])


class FlyProvider(Provider):
    name: ClassVar[str] = "fly"

    # -- derived configuration -------------------------------------------------------------------

    @property
    def app(self) -> str:
        return self.config.name

    @property
    def tool(self) -> str:
        """`flyctl`, or its other name `fly` when only that one is installed."""
        if self.runner.which("flyctl") is None and self.runner.which("fly") is not None:
            return "fly"
        return "flyctl"

    @property
    def fly_toml(self) -> Path:
        return self.output_dir / "fly.toml"

    def _fly_settings(self) -> FlySettings:
        providers = self.config.providers
        if providers is not None and providers.fly is not None:
            return providers.fly
        return FlySettings.model_validate({})

    def source(self) -> Source | None:
        """Where Fly's remote builder builds the image from, or None when a configured image runs."""
        return Source.of(self.config, self.runner.base_env) if wants_build(self.config) else None

    def image(self) -> str:
        """The configured image reference to deploy (upstream's resolve_image without a registry resolver)."""
        image = configured_image(self.config)
        if image is None or wants_build(self.config):
            raise UnsupportedError("the Fly image is built from source", hint="see `sindri plan`")
        return image

    def shown_image(self) -> str:
        """The image as plan and progress name it."""
        source = self.source()
        return f"an image built from {source.shown} at {source.ref}" if source else self.image()

    def machine_size(self) -> tuple[str | None, str, int, int]:
        """(GPU size preset or None, cpu kind, cpus, memory MB) for `[vm]`."""
        resources = self.config.deployment.resources
        gpu = resources.gpu if resources is not None else None
        if gpu is not None and gpu.enabled:
            preset = GPU_TIERS[str(gpu.tier or "gpu-small")]
            return preset.size, "performance", preset.cpus, preset.memory_mb
        memory = resources.memory if resources is not None else None
        cpus = resources.cpus if resources is not None and resources.cpus else DEFAULT_CPUS
        memory_mb = size_to_mb(memory) if memory else DEFAULT_MEMORY_MB
        return None, str(self._fly_settings().cpu_kind), cpus, memory_mb

    def volume_gb(self) -> int:
        volumes = self.config.deployment.volumes
        size = volumes.workspace.size if volumes is not None and volumes.workspace is not None else "10GB"
        return size_to_gb(size)

    def workload_env(self) -> dict[str, str]:
        """What the image's entrypoint reads (upstream §7.3); no provider internals, no secrets."""
        ext = self.config.extensions
        env = {
            "DEV_USER": "developer",
            "SSH_PORT": str(INTERNAL_SSH_PORT),
            "TZ": "UTC",
            "INIT_WORKSPACE": "true",
            "INSTALL_PROFILE": ext.profile or "",
            "SKIP_AUTO_INSTALL": "false" if ext.auto_install else "true",
        }
        if ext.active:
            env["CUSTOM_EXTENSIONS"] = ",".join(ext.active)
        if ext.additional:
            env["ADDITIONAL_EXTENSIONS"] = ",".join(ext.additional)
        source = self.config.deployment.build_from_source
        if source is not None and source.git_ref:
            env["SINDRI_SOURCE_REF"] = source.git_ref
        return env

    def warnings(self) -> list[str]:
        """Settings that cannot take effect on Fly, said out loud instead of silently ignored."""
        out: list[str] = []
        fly = self._fly_settings()
        if fly.high_availability:
            out.append(
                "providers.fly.highAvailability is not used: a Sindri environment is one machine "
                "with one home volume (a second machine would get a different, empty home)"
            )
        gpu_size, cpu_kind, cpus, memory_mb = self.machine_size()
        if gpu_size is None:
            if memory_mb % 256:
                out.append(f"Fly machine memory must be a multiple of 256 MB; {memory_mb} MB will be refused")
            if cpu_kind == "shared" and not 256 * cpus <= memory_mb <= 2048 * cpus:
                out.append(
                    f"shared-cpu Fly machines with {cpus} CPUs take {256 * cpus}-{2048 * cpus} MB of memory; "
                    f"{memory_mb} MB will be refused (change resources.memory or cpuKind)"
                )
        return out

    def render_fly_toml(self) -> str:
        """fly.toml: `[build] image`, or with a source build the checkout's Dockerfile and build args (the
        checkout is flyctl's working directory, so the build context is the repository root)."""
        gpu_size, cpu_kind, cpus, memory_mb = self.machine_size()
        fly = self._fly_settings()
        source = self.source()
        return render(
            "fly/fly.toml.j2",
            source=str(self.loaded.path),
            app=self.app,
            region=fly.region,
            image=None if source else self.image(),
            dockerfile=str(source.cache / source.dockerfile) if source else None,
            build_args=source.build_args if source else {},
            env=self.workload_env(),
            home=HOME,
            volume_gb=self.volume_gb(),
            internal_ssh_port=INTERNAL_SSH_PORT,
            ssh_port=fly.ssh_port,
            auto_stop="suspend" if fly.auto_stop_machines else "off",
            auto_start=fly.auto_start_machines,
            gpu_size=gpu_size,
            cpu_kind=cpu_kind,
            cpus=cpus,
            memory_mb=memory_mb,
            swap_mb=None if gpu_size else max(memory_mb // 2, 2048),
            files=[(f.mount_path, FILE_SECRET_PREFIX + f.name) for f in self.loaded.files],
        )

    def staged_secrets(self) -> dict[str, str]:
        """What `secrets import` stages: env and vault secrets, and each file secret's base64 content,
        which fly.toml's [[files]] names (`secret_name`) so the file is written on the Machine."""
        files = {FILE_SECRET_PREFIX + f.name: f.encoded for f in self.loaded.files}
        return {**self.loaded.secrets, **files}

    # -- flyctl calls ------------------------------------------------------------------------------

    async def _fly(
        self,
        *args: str,
        timeout: float | None = None,
        input: str | None = None,
        check: bool = True,
        stream: bool = False,
    ) -> CommandResult:
        return await self.runner.run(
            [self.tool, *args],
            timeout=timeout,
            input=input,
            check=check,
            stream=stream,
            hint=self._retry_hint(),
            install_hint=INSTALL_HINT,
        )

    def _retry_hint(self) -> str:
        """The fix for a flyctl call that failed or timed out (it is installed: it ran)."""
        return f"check `flyctl status -a {self.app}` and https://status.flyio.net, then retry"

    def _raise_for(self, result: CommandResult, what: str) -> None:
        """Turn a failed flyctl call into the most helpful error (login first, then the raw tail)."""
        tail = self.runner.tail(result)
        if "no access token available" in tail or "not logged in" in tail.lower():
            raise ProviderError(f"flyctl is not logged in ({what})", hint=LOGIN_HINT)
        raise ToolFailedError(
            result.argv,
            result.returncode,
            tail,
            hint=f"flyctl failed while {what}: {self._retry_hint()}",
        )

    async def app_exists(self) -> bool:
        result = await self._fly("apps", "list", "--json", check=False)
        if not result.ok:
            self._raise_for(result, "listing Fly apps")
        return any(app.get("Name") == self.app for app in parse_list(result, "apps list"))

    async def machines(self) -> list[dict[str, Any]] | None:
        """Every machine of the app, or None when the app does not exist."""
        result = await self._fly("machines", "list", "-a", self.app, "--json", check=False)
        if not result.ok:
            if "app not found" in result.stderr or "Could not find App" in result.stderr:
                return None
            self._raise_for(result, "listing machines")
        return parse_list(result, "machines list")

    async def volumes(self) -> list[dict[str, Any]]:
        result = await self._fly("volumes", "list", "-a", self.app, "--json", check=False)
        if not result.ok:
            self._raise_for(result, "listing volumes")
        return parse_list(result, "volumes list")

    # -- lifecycle ---------------------------------------------------------------------------------

    async def check_prerequisites(self) -> PrerequisiteStatus:
        status = PrerequisiteStatus(provider=self.name)
        tool = self.tool
        if self.runner.which(tool) is None:
            status.missing.append(
                Prerequisite(
                    name="flyctl",
                    description="Fly.io command line (flyctl)",
                    kind="tool",
                    install_hint=INSTALL_HINT,
                    docs_url="https://fly.io/docs/flyctl/install/",
                )
            )
            return status
        version = await self._fly("version", "--json", timeout=self.probe_timeout(PROBE_TIMEOUT), check=False)
        try:
            number = str(json.loads(version.stdout).get("Version") or "unknown")
        except (json.JSONDecodeError, AttributeError):
            number = (version.stdout.strip() or version.stderr.strip() or "unknown").splitlines()[0][:80]
        status.available.append(
            Prerequisite(
                name="flyctl", description="Fly.io command line (flyctl)", kind="tool", version=number
            )
        )
        auth = Prerequisite(name="flyctl-auth", description="Fly.io login", kind="auth", docs_url=DOCS_URL)
        try:
            whoami = await self._fly(
                "auth", "whoami", "--json", timeout=self.probe_timeout(PROBE_TIMEOUT), check=False
            )
        except ToolTimeoutError as err:  # a hanging login check is a finding, not a failed check
            auth.install_hint = LOGIN_HINT
            auth.description = f"Fly.io login ({err})"
            status.missing.append(auth)
            return status
        if whoami.ok:
            try:
                auth.version = str(json.loads(whoami.stdout).get("email") or "") or None
            except (json.JSONDecodeError, AttributeError):
                auth.version = whoami.stdout.strip() or None
            status.available.append(auth)
        else:
            auth.install_hint = LOGIN_HINT
            auth.description = f"Fly.io login ({self.runner.tail(whoami) or 'flyctl auth whoami failed'})"
            status.missing.append(auth)
        return status

    async def plan(self) -> DeploymentPlan:
        plan = DeploymentPlan(provider=self.name, warnings=self.warnings())
        fly = self._fly_settings()
        gpu_size, cpu_kind, cpus, memory_mb = self.machine_size()
        try:
            source = self.source()
            image: str | None = self.shown_image()
        except ProviderError as err:
            source, image = None, None
            plan.warnings.append(str(err))
        app_exists: bool | None = None
        volume_exists: bool | None = None
        try:
            app_exists = await self.app_exists()
            volume_exists = app_exists and any(v.get("name") == VOLUME_NAME for v in await self.volumes())
        except ProviderError as err:
            plan.warnings.append(f"could not ask Fly.io what exists, assuming nothing: {err}")
        if image is not None:
            plan.add_file(self.fly_toml, "toml", self.render_fly_toml())
        else:
            plan.files.append(str(self.fly_toml))
        plan.actions.append(
            PlannedAction(action=ActionType.CREATE, resource="fly.toml", description=str(self.fly_toml))
        )
        org = fly.organization or "personal"
        if source is not None:
            action, resource = plan_items(
                source,
                await cached_commit(source, self.runner),
                image=f"registry.fly.io/{self.app}",
                where="by Fly.io's remote builder (`flyctl deploy` sends the checkout as the build context)",
                cost="a few minutes on every deploy (Fly's builder caches layers); the image is kept in "
                "Fly's registry",
            )
            plan.actions.append(action)
            plan.resources.append(resource)
        if not app_exists:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"app:{self.app}",
                    description=f"Create Fly.io app '{self.app}' in organization '{org}'",
                )
            )
        if not volume_exists:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"volume:{VOLUME_NAME}",
                    description=f"Create {self.volume_gb()} GB volume '{VOLUME_NAME}' in {fly.region}",
                )
            )
        if staged := self.staged_secrets():
            plan.actions.append(
                PlannedAction(
                    action=ActionType.UPDATE,
                    resource="secrets",
                    description=f"Stage secrets {', '.join(sorted(staged))}",
                )
            )
        plan.actions.append(
            PlannedAction(
                action=ActionType.UPDATE if app_exists else ActionType.CREATE,
                resource=f"machine:{self.app}",
                description=f"Deploy {image or '(no image)'} with flyctl deploy",
            )
        )
        plan.resources += [
            PlannedResource(
                resource_type="app",
                name=self.app,
                config={"region": fly.region, "organization": fly.organization or "personal"},
            ),
            PlannedResource(resource_type="volume", name=VOLUME_NAME, config={"size_gb": self.volume_gb()}),
            PlannedResource(
                resource_type="machine",
                name=self.app,
                config={
                    "cpus": cpus,
                    "cpu_kind": cpu_kind,
                    "memory_mb": memory_mb,
                    "gpu": gpu_size,
                    "image": image,
                },
            ),
        ]
        return plan

    async def deploy(self, options: DeployOptions) -> DeployResult:
        fly = self._fly_settings()
        source = self.source()
        text = self.render_fly_toml()
        result = DeployResult(success=True, name=self.app, provider=self.name, warnings=self.warnings())
        if options.dry_run:
            result.messages.append(f"Would write {self.fly_toml} and deploy app '{self.app}' with flyctl")
            return result
        checkout = await fetch(source, self.runner) if source else None
        self.files.write(self.fly_toml, text)
        result.messages.append(f"wrote {self.fly_toml}")

        if await self.app_exists():
            self.progress(f"Fly app '{self.app}' exists; updating it")
        else:
            self.progress(f"Creating Fly app '{self.app}'")
            created = await self._fly(
                "apps", "create", self.app, "--org", fly.organization or "personal", check=False
            )
            if not created.ok:
                if "already been taken" in created.stderr:
                    raise ProviderError(
                        f"the Fly app name '{self.app}' is already taken by another Fly.io account",
                        hint="choose another `name` in sindri.yaml (app names are global on Fly.io)",
                    )
                self._raise_for(created, f"creating app '{self.app}'")
            result.messages.append(f"created app {self.app}")

        if not any(v.get("name") == VOLUME_NAME for v in await self.volumes()):
            self.progress(f"Creating volume '{VOLUME_NAME}' ({self.volume_gb()} GB in {fly.region})")
            await self._fly(
                "volumes", "create", VOLUME_NAME, "-s", str(self.volume_gb()),
                "-r", fly.region, "-a", self.app, "--yes",
            )  # fmt: skip
            result.messages.append(f"created volume {VOLUME_NAME}")

        if staged := self.staged_secrets():
            self.progress(f"Staging {len(staged)} secret(s)")
            # Values go on stdin only: never on argv (visible in `ps`) and never on disk.
            await self._fly("secrets", "import", "--stage", "-a", self.app, input=secrets_stdin(staged))
            result.messages.append(f"staged secrets {', '.join(sorted(staged))}")

        result.warnings.extend(await self._ensure_ips())

        wait = ["--wait-timeout", str(max(1, int(options.timeout)))] if options.wait else ["--detach"]
        build: list[str] = []
        if checkout is not None:  # the checkout is the working directory: the build context
            self.progress(f"Deploying to Fly.io; its builder builds commit {checkout.commit[:12]}")
            build = [str(checkout.path), *(["--no-cache"] if options.force else [])]
        else:
            self.progress(f"Deploying {self.image()} to Fly.io")
        await self._fly(
            "deploy", *build, "-c", str(self.fly_toml), "-a", self.app, "--ha=false", "--yes", *wait,
            timeout=options.timeout + 60 + (BUILD_TIMEOUT if checkout else 0), stream=True,
        )  # fmt: skip
        machines = await self.machines() or []
        _, machine = overall_state(machines)
        result.instance_id = str(machine["id"]) if machine else None
        result.connection = self.connection_info()
        result.messages.append(f"deployed app {self.app}")
        return result

    async def _ensure_ips(self) -> list[str]:
        """Give the app a public IPv6 (free). A dedicated IPv4 is paid and shared IPv4 cannot carry
        raw TCP such as SSH, so none is allocated; the warning says how to add one."""
        result = await self._fly("ips", "list", "-a", self.app, "--json", check=False)
        if not result.ok:
            self._raise_for(result, "listing IP addresses")
        types = {str(ip.get("Type")) for ip in parse_list(result, "ips list")}
        if "v6" not in types:
            self.progress("Allocating a public IPv6 address")
            await self._fly("ips", "allocate-v6", "-a", self.app)
        if "v4" in types:
            return []
        return [
            f"no dedicated IPv4 was allocated (it is a paid resource); `flyctl ssh console -a {self.app}` "
            f"works without it. For plain ssh over IPv4 run: flyctl ips allocate-v4 -a {self.app}"
        ]

    def connection_info(self) -> ConnectionInfo:
        port = self._fly_settings().ssh_port
        # flyctl's console goes over Fly's WireGuard network, so it works without any public IPv4.
        return ConnectionInfo(
            ssh_command=f"flyctl ssh console -a {self.app}",
            instructions=(
                f"sindri connect -c {self.loaded.path}; plain ssh (IPv6, or IPv4 once allocated): "
                f"ssh developer@{self.app}.fly.dev -p {port}"
            ),
        )

    async def status(self) -> DeploymentStatus:
        status = DeploymentStatus(name=self.app, provider=self.name, state=DeploymentState.NOT_DEPLOYED)
        machines = await self.machines()
        if machines is None:
            status.messages.append(f"Fly app '{self.app}' does not exist")
            return status
        state, machine = overall_state(machines)
        status.state = state
        live = live_machines(machines)
        if machine is None:
            status.messages.append(f"Fly app '{self.app}' exists but has no machines; run sindri deploy")
            return status
        status.instance_id = str(machine.get("id"))
        status.image = str((machine.get("config") or {}).get("image") or "") or None
        status.timestamps = DeploymentTimestamps(
            created_at=_timestamp(machine.get("created_at")), updated_at=_timestamp(machine.get("updated_at"))
        )
        status.addresses.append(
            Address(type=AddressType.SSH, value=f"{self.app}.fly.dev", port=self._fly_settings().ssh_port)
        )
        if machine.get("private_ip"):
            status.addresses.append(Address(type=AddressType.INTERNAL, value=str(machine["private_ip"])))
        status.details = {
            "region": str(machine.get("region", "")),
            "machines": ", ".join(f"{m.get('id')}={m.get('state')}" for m in live),
        }
        if len(live) > 1:
            status.messages.append(f"{len(live)} machines: {status.details['machines']}")
        return status

    async def _live_or_fail(self) -> list[dict[str, Any]]:
        machines = await self.machines()
        if machines is None:
            raise NotDeployedError(f"Fly app '{self.app}' does not exist", hint="run: sindri deploy")
        live = live_machines(machines)
        if not live:
            raise NotDeployedError(f"no machine found for Fly app '{self.app}'", hint="run: sindri deploy")
        return live

    async def start(self) -> None:
        started = False
        for machine in await self._live_or_fail():
            if machine_state(machine) in (DeploymentState.STOPPED, DeploymentState.SUSPENDED):
                self.progress(f"Starting machine {machine['id']}")
                await self._fly("machine", "start", str(machine["id"]), "-a", self.app)
                started = True
        if started:
            await self._wait_running()

    async def _wait_running(self) -> None:
        """`machine start` returns once the start is requested; wait (bounded) until one runs."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_WAIT
        while True:
            state, _ = overall_state(await self.machines() or [])
            if state is DeploymentState.RUNNING:
                return
            if state is DeploymentState.ERROR or loop.time() >= deadline:
                raise ProviderError(
                    f"Fly app '{self.app}' did not reach 'started' (it is {state.label})",
                    hint=f"check `flyctl machines list -a {self.app}` and `flyctl logs -a {self.app}`",
                )
            await asyncio.sleep(POLL_INTERVAL)

    async def stop(self) -> None:
        for machine in await self._live_or_fail():
            if machine_state(machine) is not DeploymentState.STOPPED:
                self.progress(f"Stopping machine {machine['id']}")
                await self._fly("machine", "stop", str(machine["id"]), "-a", self.app)

    async def connect(self, command: Sequence[str] | None = None) -> int:
        live = await self._live_or_fail()
        if not any(machine_state(m) is DeploymentState.RUNNING for m in live):
            self.progress("Waking the environment")  # auto-wake a suspended or stopped machine
            await self.start()
        argv = [self.tool, "ssh", "console", "-a", self.app]
        argv += ["--pty", "-C", INTERACTIVE_SHELL] if command is None else ["-C", remote_command(command)]
        return await self.runner.run_attached(argv, hint=INSTALL_HINT)

    async def destroy(self, force: bool = False) -> list[str]:
        done: list[str] = []
        if await self.app_exists():
            self.progress(f"Destroying Fly app '{self.app}' (machines, volumes, IPs, secrets)")
            await self._fly("apps", "destroy", self.app, "--yes")
            done.append(f"destroyed Fly app {self.app}")
        else:
            self.progress(f"warning: Fly app '{self.app}' does not exist; nothing to destroy on Fly.io")
            done.append(f"Fly app {self.app} did not exist")
        if self.files.remove_file(self.fly_toml):
            done.append(f"removed {self.fly_toml}")
        self.files.prune(self.output_dir)
        return done

    def supports_gpu(self) -> bool:
        return True

    def supports_auto_suspend(self) -> bool:
        return True
