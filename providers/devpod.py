"""DevPod: one workspace per environment on any of DevPod's backends, driven through the `devpod` CLI.

What differs from upstream (on purpose):
- secrets never enter devcontainer.json; they reach the workspace as DevPod workspace env passed in
  the `DEVPOD_FLAGS_UP` environment variable of the `devpod up` process (DevPod decodes it as its up
  flags), so they are on neither the disk nor the command line;
- every backend's option block is wired to the real DevPod provider options (`_backend_options`),
  and `gcp` maps to DevPod's provider name `gcloud`;
- `provider list` and every status is parsed as JSON, never matched by prefix or substring;
- a missing workspace is `not_deployed`, while any other failure of `devpod status` is an error;
- generated files live under `.sindri/devpod/` next to sindri.yaml, never in the current directory.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sindri.schemas.model import DevpodProvider as DevpodSettings
from sindri.schemas.model import DevpodType

from .base import Provider
from .errors import (
    AlreadyDeployedError,
    NotDeployedError,
    ProviderError,
    ToolFailedError,
    ToolNotFoundError,
    ToolOutputError,
)
from .file_secrets import install_script
from .images import configured_image
from .render import render
from .runner import CommandResult
from .source import Source, cached_commit, docker_build, fetch, plan_items, wants_build
from .types import (
    ActionType,
    ConnectionInfo,
    DeploymentPlan,
    DeploymentState,
    DeploymentStatus,
    DeployOptions,
    DeployResult,
    PlannedAction,
    PlannedResource,
    Prerequisite,
    PrerequisiteStatus,
)

DEVPOD_INSTALL = "Install DevPod: https://devpod.sh/docs/getting-started/install"
DEVPOD_RETRY = "check the error above and the workspace (`devpod list`), then retry"
"""The fix for a devpod call that ran and failed (or timed out): reinstalling DevPod is not it."""
DOCKER_INSTALL = "Install Docker: https://docs.docker.com/get-docker/"
DEVPOD_DOCS = "https://devpod.sh/docs"

QUERY_TIMEOUT = 30.0
"""Short calls (version, list, status, provider options)."""
BUILD_TIMEOUT = 1800.0
MAX_ID_LENGTH = 48
"""DevPod refuses longer workspace ids."""

STATES = {
    "Running": DeploymentState.RUNNING,
    "Stopped": DeploymentState.STOPPED,
    "Busy": DeploymentState.CREATING,
    "NotFound": DeploymentState.NOT_DEPLOYED,
}

DEVPOD_PROVIDER_NAMES = {"gcp": "gcloud"}
"""sindri backend type -> DevPod provider name, where they differ."""

REMOTE_BACKENDS = frozenset({"aws", "gcp", "azure", "digitalocean", "ssh", "kubernetes"})
"""Backends whose machines cannot see a locally built image: it must be pushed to a registry."""

HOME_DIR = "/alt/home/developer"


@dataclass(frozen=True)
class ImagePlan:
    """Which image the workspace uses and how it gets there."""

    image: str
    build: bool = False
    push: bool = False
    load_into: tuple[str, str] | None = None
    """(kind|k3d, cluster) when the image is loaded into a local cluster instead of pushed."""


class DevpodProvider(Provider):
    name = "devpod"

    # ----------------------------------------------------------------------------------------------
    # settings

    @property
    def settings(self) -> DevpodSettings:
        providers = self.config.providers
        if providers is not None and providers.devpod is not None:
            return providers.devpod
        return DevpodSettings.model_validate({"type": DevpodType.DOCKER})

    @property
    def backend(self) -> str:
        return str(self.settings.type)

    @property
    def devpod_provider(self) -> str:
        """The name DevPod knows the backend by (`gcp` is DevPod's `gcloud`)."""
        return DEVPOD_PROVIDER_NAMES.get(self.backend, self.backend)

    @property
    def workspace_id(self) -> str:
        return self.config.name

    @property
    def devcontainer_path(self) -> Path:
        return self.output_dir / ".devcontainer" / "devcontainer.json"

    def supports_gpu(self) -> bool:
        return True

    def _check_id(self) -> None:
        if len(self.workspace_id) > MAX_ID_LENGTH:
            raise ProviderError(
                f"name '{self.workspace_id}' is {len(self.workspace_id)} characters long; DevPod workspace "
                f"ids are limited to {MAX_ID_LENGTH}",
                hint="shorten `name` in sindri.yaml",
            )

    def _backend_options(self) -> tuple[dict[str, str], list[str]]:
        """The DevPod provider options for the configured backend, and warnings for settings DevPod's
        provider has no option for. Option names are those of DevPod's own provider definitions."""
        s = self.settings
        opts: dict[str, str] = {}
        warnings: list[str] = []
        backend = self.backend
        if backend == "aws" and s.aws is not None:
            opts.update(
                AWS_REGION=s.aws.region,
                AWS_INSTANCE_TYPE=s.aws.instance_type,
                AWS_DISK_SIZE=str(s.aws.disk_size),
            )
            if s.aws.subnet_id:
                opts["AWS_SUBNET_ID"] = s.aws.subnet_id
            if s.aws.security_group_id:
                opts["AWS_SECURITY_GROUP_ID"] = s.aws.security_group_id
            if s.aws.use_spot:
                warnings.append(
                    "providers.devpod.aws.useSpot is ignored: DevPod's aws provider has no spot option"
                )
        elif backend == "gcp" and s.gcp is not None:
            opts.update(ZONE=s.gcp.zone, MACHINE_TYPE=s.gcp.machine_type, DISK_SIZE=str(s.gcp.disk_size))
            if s.gcp.project:
                opts["PROJECT"] = s.gcp.project
            if str(s.gcp.disk_type) != "pd-balanced":
                warnings.append(
                    "providers.devpod.gcp.diskType is ignored: "
                    "DevPod's gcloud provider has no disk type option"
                )
        elif backend == "azure" and s.azure is not None:
            opts.update(
                AZURE_RESOURCE_GROUP=s.azure.resource_group,
                AZURE_REGION=s.azure.location,
                AZURE_INSTANCE_SIZE=s.azure.vm_size,
                AZURE_DISK_SIZE=str(s.azure.disk_size),
            )
            if s.azure.subscription:
                opts["AZURE_SUBSCRIPTION_ID"] = s.azure.subscription
        elif backend == "digitalocean" and s.digitalocean is not None:
            opts.update(REGION=s.digitalocean.region, MACHINE_TYPE=s.digitalocean.size)
            if s.digitalocean.disk_size is not None:
                opts["DISK_SIZE"] = str(s.digitalocean.disk_size)
        elif backend == "kubernetes" and s.kubernetes is not None:
            k = s.kubernetes
            opts["KUBERNETES_NAMESPACE"] = k.namespace
            if k.context:
                opts["KUBERNETES_CONTEXT"] = k.context
            if k.storage_class:
                opts["STORAGE_CLASS"] = k.storage_class
            if k.node_selector:
                opts["NODE_SELECTOR"] = ",".join(
                    f"{key}={value}" for key, value in sorted(k.node_selector.items())
                )
        elif backend == "ssh":
            ssh = s.ssh
            if ssh is None or not ssh.host:
                raise ProviderError(
                    "the DevPod ssh backend needs a host",
                    hint="set providers.devpod.ssh.host (and user, port, keyPath) in sindri.yaml",
                )
            if ssh.user.startswith("-") or ssh.host.startswith("-"):  # ssh would read it as an option
                raise ProviderError(
                    "providers.devpod.ssh.user and host must not start with '-'",
                    hint="set the plain user name and host name",
                )
            opts.update(HOST=f"{ssh.user}@{ssh.host}", PORT=str(ssh.port))
            opts["EXTRA_FLAGS"] = f"-i {shlex.quote(os.path.expanduser(ssh.key_path))}"
        elif backend == "docker" and s.docker is not None and s.docker.docker_host:
            opts["DOCKER_HOST"] = s.docker.docker_host
        return opts, warnings

    # ----------------------------------------------------------------------------------------------
    # image

    def _explicit_image(self) -> str | None:
        return None if wants_build(self.config) else configured_image(self.config)

    async def _image_plan(self) -> ImagePlan:
        """A configured image is used as is (upstream rebuilt it for cloud backends); otherwise the
        image is built from Sindri's source and made reachable by the backend."""
        explicit = self._explicit_image()
        if explicit is not None:
            return ImagePlan(explicit)
        if self.backend == "kubernetes":
            local = await self._local_cluster()
            if local is not None:
                return ImagePlan("sindri:local", build=True, load_into=local)
        if self.backend in REMOTE_BACKENDS:
            repo = self.settings.build_repository
            if not repo:
                raise ProviderError(
                    f"Build repository required for the DevPod {self.backend} backend: "
                    "no image is configured, "
                    "so sindri builds one and must push it where the remote machine can pull it",
                    hint="set providers.devpod.buildRepository (e.g. ghcr.io/you/sindri) or deployment.image "
                    "in sindri.yaml",
                )
            return ImagePlan(f"{repo}:latest", build=True, push=True)
        return ImagePlan(f"sindri-devpod-{self.config.name}:local", build=True)

    async def _local_cluster(self) -> tuple[str, str] | None:
        """kind or k3d cluster behind the kubernetes context, if it is a local one (best effort: any
        failure means "not local")."""
        k8s = self.settings.kubernetes
        context = k8s.context if k8s is not None else None
        try:
            if not context and self.runner.which("kubectl"):
                result = await self.runner.run(
                    ["kubectl", "config", "current-context"], timeout=QUERY_TIMEOUT, check=False
                )
                context = result.stdout.strip() if result.ok else None
            if not context:
                return None
            if context.startswith("kind-") and self.runner.which("kind"):
                cluster = context.removeprefix("kind-")
                result = await self.runner.run(
                    ["kind", "get", "clusters"], timeout=QUERY_TIMEOUT, check=False
                )
                if result.ok and cluster in result.stdout.split():
                    return ("kind", cluster)
            if context.startswith("k3d-") and self.runner.which("k3d"):
                cluster = context.removeprefix("k3d-")
                result = await self.runner.run(
                    ["k3d", "cluster", "list", "-o", "json"], timeout=QUERY_TIMEOUT, check=False
                )
                names = {c.get("name") for c in _json_list(result.stdout)} if result.ok else set()
                if cluster in names:
                    return ("k3d", cluster)
        except ProviderError:
            return None
        return None

    async def _prepare_image(self, plan: ImagePlan, force: bool) -> None:
        if not plan.build:
            return
        checkout = await fetch(Source.of(self.config, self.runner.base_env), self.runner)
        if plan.push:
            await self._registry_login()
        await docker_build(self.runner, checkout, plan.image, no_cache=force, install_hint=DOCKER_INSTALL)
        if plan.push:
            self.progress(f"Pushing image {plan.image}")
            await self.runner.run(
                ["docker", "push", plan.image],
                timeout=BUILD_TIMEOUT,
                stream=True,
                hint="log in to the registry (docker login) or set DOCKER_USERNAME and DOCKER_PASSWORD",
            )
        if plan.load_into is not None:
            tool, cluster = plan.load_into
            argv = (
                ["kind", "load", "docker-image", plan.image, "--name", cluster]
                if tool == "kind"
                else ["k3d", "image", "import", plan.image, "--cluster", cluster]
            )
            self.progress(f"Loading {plan.image} into {tool} cluster {cluster}")
            await self.runner.run(argv, timeout=BUILD_TIMEOUT, stream=True)

    async def _registry_login(self) -> None:
        """`docker login` with DOCKER_USERNAME/DOCKER_PASSWORD when both are set (password on stdin);
        without them the push relies on an existing login."""
        env = self.runner.base_env
        user, password = env.get("DOCKER_USERNAME"), env.get("DOCKER_PASSWORD")
        if not (user and password):
            return
        self.runner.redact.add([password])
        registry = env.get("DOCKER_REGISTRY") or _registry_host(self.settings.build_repository or "")
        argv = ["docker", "login", *([registry] if registry else []), "-u", user, "--password-stdin"]
        await self.runner.run(
            argv, input=password, timeout=QUERY_TIMEOUT, hint="check DOCKER_USERNAME/DOCKER_PASSWORD"
        )

    # ----------------------------------------------------------------------------------------------
    # devcontainer.json

    def render_devcontainer(self, image: str) -> str:
        cfg = self.config
        ext = cfg.extensions
        env: dict[str, str] = {"INIT_WORKSPACE": "true", "INSTALL_PROFILE": ext.profile or ""}
        if ext.active:
            env["CUSTOM_EXTENSIONS"] = ",".join(ext.active)
        if ext.additional:
            env["ADDITIONAL_EXTENSIONS"] = ",".join(ext.additional)
        env["SKIP_AUTO_INSTALL"] = "false" if ext.auto_install else "true"
        bfs = cfg.deployment.build_from_source
        if bfs is not None and bfs.git_ref:
            env["SINDRI_SOURCE_REF"] = bfs.git_ref
        resources = cfg.deployment.resources
        memory = (resources.memory if resources and resources.memory else "4GB").lower()
        host: dict[str, Any] = {
            "cpus": resources.cpus if resources and resources.cpus else 2,
            "memory": memory,
        }
        gpu = bool(resources and resources.gpu and resources.gpu.enabled)
        if gpu:
            host["gpu"] = True
        return render(
            "devpod/devcontainer.json.j2",
            name=cfg.name,
            image=image,
            container_env=env,
            home_volume=f"{cfg.name}_home",
            run_args=["--gpus", "all"] if gpu else [],
            host_requirements=host,
        )

    # ----------------------------------------------------------------------------------------------
    # devpod calls

    async def _devpod(self, *args: str, timeout: float = QUERY_TIMEOUT, check: bool = True) -> CommandResult:
        """A captured devpod call, never longer than the runner's own limit (the CLI's --timeout)."""
        limit = min(timeout, self.runner.default_timeout)
        return await self.runner.run(
            ["devpod", *args], timeout=limit, check=check, hint=DEVPOD_RETRY, install_hint=DEVPOD_INSTALL
        )

    async def _installed_providers(self) -> dict[str, Any]:
        result = await self._devpod("provider", "list", "--output", "json")
        try:
            data = json.loads(result.stdout)
        except json.JSONDecodeError:
            data = None
        if not isinstance(data, dict):
            raise ToolOutputError(
                "`devpod provider list --output json` did not print a JSON object: "
                f"{self.runner.redact(result.stdout.strip()[:200])!r}",
                hint="check the DevPod installation (`devpod version`); DevPod 0.5 or newer is needed",
            )
        return data

    async def _ensure_provider(self) -> None:
        """Add the backend's DevPod provider if missing, then apply the options from sindri.yaml."""
        options, warnings = self._backend_options()
        for warning in warnings:
            self.progress(f"warning: {warning}")
        flags = [arg for key, value in options.items() for arg in ("-o", f"{key}={value}")]
        name = self.devpod_provider
        if name not in await self._installed_providers():
            self.progress(f"Adding DevPod provider {name}")
            await self._devpod("provider", "add", name, "--use=false", *flags, timeout=300)
        elif flags:
            await self._devpod("provider", "set-options", name, *flags, timeout=120)

    def _secret_env(self) -> dict[str, str]:
        """The env of a `devpod up` that hands the secrets to the workspace: DevPod reads
        DEVPOD_FLAGS_UP as JSON-encoded up flags and appends its `workspaceEnv` to --workspace-env."""
        if not self.loaded.secrets:
            return {}
        pairs = [f"{key}={value}" for key, value in sorted(self.loaded.secrets.items())]
        return {"DEVPOD_FLAGS_UP": json.dumps({"workspaceEnv": pairs})}

    async def _workspace_state(self) -> tuple[DeploymentState, dict[str, Any]]:
        result = await self._devpod("status", self.workspace_id, "--output", "json", check=False)
        if not result.ok:
            if f"workspace {self.workspace_id} doesn't exist" in result.stderr:
                return DeploymentState.NOT_DEPLOYED, {}
            raise ToolFailedError(result.argv, result.returncode, self.runner.tail(result), hint=DEVPOD_RETRY)
        try:
            data = json.loads(result.stdout)
        except json.JSONDecodeError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("state"), str):
            raise ToolOutputError(
                f"`devpod status {self.workspace_id} --output json` printed no workspace state: "
                f"{self.runner.redact(result.stdout.strip()[:200])!r}",
                hint="check the DevPod installation (`devpod version`)",
            )
        return STATES.get(data["state"], DeploymentState.UNKNOWN), data

    async def _require_deployed(self) -> DeploymentState:
        state, _ = await self._workspace_state()
        if state == DeploymentState.NOT_DEPLOYED:
            raise NotDeployedError(
                f"DevPod workspace '{self.workspace_id}' does not exist", hint="run `sindri deploy` first"
            )
        return state

    async def _up_existing(self, timeout: float | None = None) -> None:
        await self.runner.run(
            ["devpod", "up", self.workspace_id, "--ide", "none"],
            env=self._secret_env(),
            timeout=timeout or BUILD_TIMEOUT,
            stream=True,
            hint=DEVPOD_RETRY,
            install_hint=DEVPOD_INSTALL,
        )

    async def _install_files(self, result: DeployResult) -> None:
        """DevPod mounts no secret files: each goes over `devpod ssh` as base64 on stdin."""
        for secret in self.loaded.files:
            self.progress(f"Installing file secret {secret.name} at {secret.mount_path}")
            await self.runner.run(
                ["devpod", "ssh", self.workspace_id, "--command", install_script(secret)],
                input=secret.encoded,
                hint=f"check that the workspace has `base64` and that {secret.mount_path} is writable "
                "by its user, then `sindri deploy --force`",
                install_hint=DEVPOD_INSTALL,
            )
            result.messages.append(f"installed file secret {secret.name} at {secret.mount_path}")

    # ----------------------------------------------------------------------------------------------
    # Provider interface

    async def check_prerequisites(self) -> PrerequisiteStatus:
        status = PrerequisiteStatus(provider=self.name)
        devpod = Prerequisite(
            name="devpod",
            description="DevPod CLI",
            install_hint=DEVPOD_INSTALL,
            docs_url=DEVPOD_DOCS,
            kind="tool",
        )
        if self.runner.which("devpod") is None:
            status.missing.append(devpod)
        else:
            try:
                result = await self._devpod("version", check=False)
                version = (result.stdout.strip() or result.stderr.strip() or "unknown").splitlines()[0]
            except ProviderError:
                version = "unknown"
            status.available.append(devpod.model_copy(update={"version": version, "install_hint": None}))
        try:
            needs_docker = (await self._image_plan()).build
        except ProviderError:
            needs_docker = False  # deploy reports the configuration problem itself
        docker = Prerequisite(
            name="docker", description="Docker CLI (builds the workspace image)", kind="tool"
        )
        if self.runner.which("docker") is not None:
            status.available.append(docker)
        elif needs_docker:
            status.missing.append(docker.model_copy(update={"install_hint": DOCKER_INSTALL}))
        return status

    async def plan(self) -> DeploymentPlan:
        self._check_id()
        plan = DeploymentPlan(provider=self.name)
        image = await self._image_plan()
        plan.add_file(self.devcontainer_path, "json", self.render_devcontainer(image.image))
        options, warnings = self._backend_options()
        plan.warnings.extend(warnings)
        plan.actions.append(
            PlannedAction(
                action=ActionType.CREATE,
                resource="devcontainer.json",
                description=f"Write {self.devcontainer_path}",
            )
        )
        if image.build:
            where = (
                f"push it to {self.settings.build_repository}"
                if image.push
                else f"load it into {image.load_into[0]} cluster {image.load_into[1]}"
                if image.load_into
                else "keep it in the local Docker engine"
            )
            source = Source.of(self.config, self.runner.base_env)
            action, resource = plan_items(
                source,
                await cached_commit(source, self.runner),
                image=image.image,
                where=f"with `docker build` here, then {where}",
                cost="a few minutes the first time, quicker with Docker's layer cache"
                + ("; the push uploads the image" if image.push else ""),
            )
            plan.actions.append(action)
            plan.resources.append(resource)
        try:
            installed = await self._installed_providers()
            state, _ = await self._workspace_state()
        except ToolNotFoundError:
            plan.warnings.append("devpod is not installed; " + DEVPOD_INSTALL)
            installed, state = {}, DeploymentState.NOT_DEPLOYED
        if self.devpod_provider not in installed:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"provider:{self.devpod_provider}",
                    description=f"devpod provider add {self.devpod_provider}",
                )
            )
        elif options:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.UPDATE,
                    resource=f"provider:{self.devpod_provider}",
                    description="devpod provider set-options " + " ".join(sorted(options)),
                )
            )
        if state == DeploymentState.NOT_DEPLOYED:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"workspace:{self.workspace_id}",
                    description=f"devpod up on the {self.backend} backend",
                )
            )
        else:
            plan.warnings.append(
                f"workspace {self.workspace_id} already exists ({state.label}); "
                "deploy needs --force to recreate it"
            )
        resources = self.config.deployment.resources
        plan.resources.append(
            PlannedResource(
                resource_type="workspace",
                name=self.workspace_id,
                config={
                    "provider": self.devpod_provider,
                    "image": image.image,
                    "memory": resources.memory if resources and resources.memory else "4GB",
                    "cpus": resources.cpus if resources and resources.cpus else 2,
                    "options": options,
                },
            )
        )
        return plan

    async def deploy(self, options: DeployOptions) -> DeployResult:
        self._check_id()
        result = DeployResult(
            success=True, name=self.config.name, provider=self.name, instance_id=self.workspace_id
        )
        image = await self._image_plan()
        if options.dry_run:
            result.messages.append(
                f"Would deploy workspace {self.workspace_id} on DevPod's {self.backend} backend"
            )
            return result
        state, _ = await self._workspace_state()
        if state != DeploymentState.NOT_DEPLOYED:
            if not options.force:
                raise AlreadyDeployedError(
                    f"DevPod workspace '{self.workspace_id}' already exists ({state.label})",
                    hint="use `sindri start` to start it, or `sindri deploy --force` to recreate it",
                )
            self.progress(f"Deleting workspace {self.workspace_id} to recreate it")
            await self._devpod("delete", self.workspace_id, "--force", timeout=300)
        await self._prepare_image(image, options.force)
        self.files.write(self.devcontainer_path, self.render_devcontainer(image.image))
        await self._ensure_provider()
        self.progress(f"Creating DevPod workspace {self.workspace_id} ({self.devpod_provider})")
        await self.runner.run(
            [
                "devpod",
                "up",
                str(self.output_dir),
                "--provider",
                self.devpod_provider,
                "--id",
                self.workspace_id,
                "--ide",
                "none",
            ],
            cwd=self.output_dir,
            env=self._secret_env(),
            timeout=options.timeout,
            stream=True,
            hint=DEVPOD_RETRY,
            install_hint=DEVPOD_INSTALL,
        )
        await self._install_files(result)
        _, warnings = self._backend_options()
        result.warnings.extend(warnings)
        result.connection = ConnectionInfo(
            ssh_command=f"devpod ssh {self.workspace_id}",
            instructions=f"sindri connect, or `ssh {self.workspace_id}.devpod`",
        )
        result.messages.append(f"DevPod workspace {self.workspace_id} is up on {self.devpod_provider}")
        return result

    async def status(self) -> DeploymentStatus:
        state, data = await self._workspace_state()
        status = DeploymentStatus(
            name=self.config.name,
            provider=self.name,
            state=state,
            instance_id=self.workspace_id if state != DeploymentState.NOT_DEPLOYED else None,
            image=self._explicit_image(),
        )
        if data:
            status.details = {k: str(data[k]) for k in ("provider", "context", "state") if data.get(k)}
        return status

    async def start(self) -> None:
        state = await self._require_deployed()
        if state == DeploymentState.RUNNING:
            self.progress(f"Workspace {self.workspace_id} is already running")
            return
        self.progress(f"Starting workspace {self.workspace_id}")
        await self._up_existing()

    async def stop(self) -> None:
        state = await self._require_deployed()
        if state == DeploymentState.STOPPED:
            self.progress(f"Workspace {self.workspace_id} is already stopped")
            return
        await self._devpod("stop", self.workspace_id, timeout=300)

    async def connect(self, command: Sequence[str] | None = None) -> int:
        state = await self._require_deployed()
        if state == DeploymentState.STOPPED:
            self.progress(f"Workspace {self.workspace_id} is stopped; starting it first")
            await self._up_existing()
        argv = ["devpod", "ssh", self.workspace_id]
        if command:
            # devpod runs --command through the workspace's shell: quote so the words arrive as given.
            argv += ["--command", shlex.join(command)]
        return await self.runner.run_attached(argv, hint=DEVPOD_INSTALL)

    async def destroy(self, force: bool = False) -> list[str]:
        done: list[str] = []
        state, _ = await self._workspace_state()
        if state == DeploymentState.NOT_DEPLOYED:
            done.append(f"DevPod workspace {self.workspace_id} does not exist; nothing to delete")
        else:
            argv = ["delete", self.workspace_id, *(["--force"] if force else [])]
            result = await self._devpod(*argv, timeout=600)
            # `devpod delete NAME` exits 0 even when it failed; it only logs the error.
            if (
                "Failed to delete" in result.stderr
                or (await self._workspace_state())[0] != DeploymentState.NOT_DEPLOYED
            ):
                raise ToolFailedError(
                    result.argv,
                    result.returncode,
                    self.runner.tail(result),
                    hint="retry with `sindri destroy --force`",
                )
            done.append(f"Deleted DevPod workspace {self.workspace_id}")
        if self.files.remove_tree(self.output_dir):
            done.append(f"Removed {self.output_dir}")
        return done


def _registry_host(repository: str) -> str | None:
    """The registry of an image repository, or None for Docker Hub (`user/repo` has no host part)."""
    first, sep, _ = repository.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first
    return None


def _json_list(text: str) -> list[Mapping[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return []
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
