"""Northflank: a deployment service in a project, with a volume and a secret group, driven through the
official `northflank` Python SDK (its REST API v1 and its exec WebSocket).

Why the SDK and not the CLI (as upstream does): the CLI needs Node and a `northflank login` context
(it never reads NORTHFLANK_API_TOKEN), prompts on `delete` and `resume` without extra flags, and
upstream's calls of it are wrong in syntax and in the shapes they parse (reference B.3). The SDK reads
the same token, takes the base URL we give it, and raises `ApiCallError(status, message, id)` from the
API's error envelope. The CLI is used only for the interactive shell (`northflank exec service`).

Nothing is written to disk: the service is found by name through the API. Secrets go to a Northflank
secret group restricted to the service, sent in memory; the service definition holds none.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import Awaitable, Sequence
from typing import Any, ClassVar, TypeVar

import httpx
from northflank import ApiCallError, AsyncApiClient
from northflank.errors import NorthflankError
from sindri.schemas.model import NorthflankProvider as NorthflankSettings

from .base import Provider
from .errors import AlreadyDeployedError, NotDeployedError, ProviderError, ToolOutputError, UnsupportedError
from .images import configured_image
from .source import wants_build
from .types import (
    ActionType,
    Address,
    AddressType,
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

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.northflank.com"
BASE_URL_VARS = ("NORTHFLANK_API_BASE_URL", "NF_API_HOST", "NF_HOST")
TOKEN_VARS = ("NORTHFLANK_API_TOKEN", "NF_API_TOKEN")
API_TIMEOUT = 30.0
"""Bound of one API call."""
PROBE_TIMEOUT = 10.0
POLL_SECONDS = 1.0
"""Between two reads of the service while waiting for its deployment to settle."""
MAX_PAGES = 100
"""A list that never ends (a server that always says hasNextPage) stops here instead of looping."""
TOKEN_HINT = (
    "export NORTHFLANK_API_TOKEN=... (create an API token under Team settings > API > Tokens "
    "at https://app.northflank.com)"
)
CLI_HINT = "npm install -g @northflank/cli, then `northflank login`"
DEFAULT_CPUS = 2
DEFAULT_MEMORY_MB = 2048
PLANS: tuple[tuple[str, float, int], ...] = (
    ("nf-compute-10", 0.1, 256),
    ("nf-compute-20", 0.2, 512),
    ("nf-compute-50", 0.5, 1024),
    ("nf-compute-100-1", 1, 1024),
    ("nf-compute-100-2", 1, 2048),
    ("nf-compute-100-4", 1, 4096),
    ("nf-compute-200", 2, 4096),
    ("nf-compute-200-8", 2, 8192),
    ("nf-compute-200-16", 2, 16384),
    ("nf-compute-400", 4, 8192),
    ("nf-compute-400-16", 4, 16384),
    ("nf-compute-800-8", 8, 8192),
    ("nf-compute-800-16", 8, 16384),
    ("nf-compute-800-24", 8, 24576),
    ("nf-compute-800-32", 8, 32768),
    ("nf-compute-800-40", 8, 40960),
    ("nf-compute-1200-24", 12, 24576),
    ("nf-compute-1600-32", 16, 32768),
    ("nf-compute-2000-40", 20, 40960),
)
"""Northflank's compute plans (id, vCPU, MB), smallest first, from upstream's NORTHFLANK.md."""
GPU_TIERS = {
    "gpu-small": "nvidia-l4",
    "gpu-medium": "nvidia-a100-40gb",
    "gpu-large": "nvidia-a100-80gb",
    "gpu-xlarge": "nvidia-h100",
}
"""Sindri's GPU tiers as Northflank GPU types (upstream's `northflank_gpu_from_tier`)."""
DEPLOY_STATES = {
    "PENDING": DeploymentState.CREATING,
    "IN_PROGRESS": DeploymentState.CREATING,
    "COMPLETED": DeploymentState.RUNNING,
    "FAILED": DeploymentState.ERROR,
}
SECRET_PRIORITY = 10


def plan_for(cpus: int, memory_mb: int) -> str:
    """The smallest plan with at least `cpus` vCPU and `memory_mb` MB (the largest when none has)."""
    for plan, vcpu, mb in PLANS:
        if vcpu >= cpus and mb >= memory_mb:
            return plan
    return PLANS[-1][0]


def size_to_mb(text: str | None, default: int) -> int:
    """`2GB` -> 2048, `512MB` -> 512 (the model allows MB or GB only)."""
    match = re.fullmatch(r"(\d+)(MB|GB)", (text or "").strip())
    if match is None:
        return default
    return int(match[1]) * (1024 if match[2] == "GB" else 1)


class NorthflankProvider(Provider):
    name: ClassVar[str] = "northflank"
    delivers_file_secrets: ClassVar[bool] = False

    # -- derived configuration ------------------------------------------------------------------------

    @property
    def settings(self) -> NorthflankSettings:
        providers = self.config.providers
        if providers is not None and providers.northflank is not None:
            return providers.northflank
        return NorthflankSettings.model_validate({"projectName": f"sindri-{self.config.name}"})

    @property
    def project(self) -> str:
        return str(self.settings.project_name)

    @property
    def service(self) -> str:
        """The service's name, which is also its id (our names are already Northflank slugs)."""
        return str(self.settings.service_name or self.config.name)

    @property
    def secret_group(self) -> str:
        return f"{self.service}-secrets"

    @property
    def volume(self) -> str:
        return f"{self.service}-data"

    def compute_plan(self) -> str:
        if self.settings.compute_plan:
            return str(self.settings.compute_plan)
        res = self.config.deployment.resources
        cpus = res.cpus if res is not None and res.cpus else DEFAULT_CPUS
        memory = size_to_mb(res.memory if res is not None else None, DEFAULT_MEMORY_MB)
        return plan_for(cpus, memory)

    def gpu_type(self) -> str | None:
        """The GPU type when one is asked for: gpuType, or the tier's type when resources.gpu is on."""
        res = self.config.deployment.resources
        gpu = res.gpu if res is not None else None
        if self.settings.gpu_type:
            return str(self.settings.gpu_type)
        if gpu is None or not gpu.enabled:
            return None
        return GPU_TIERS.get(str(gpu.tier or "gpu-small"), "nvidia-l4")

    def image(self) -> str:
        image = configured_image(self.config)
        if image is None or wants_build(self.config):
            raise UnsupportedError(
                "Northflank deploys an existing image; this config builds from source or names no image",
                hint="build and push the image (e.g. to ghcr.io), then set deployment.image",
            )
        return image

    def workload_env(self) -> dict[str, str]:
        """Non-secret settings the Sindri entrypoint reads: they go in the service definition."""
        ext = self.config.extensions
        return {
            "NORTHFLANK_PROVIDER": "true",
            "INSTALL_PROFILE": ext.profile or "base",
            "CUSTOM_EXTENSIONS": ",".join(ext.active or []),
            "ADDITIONAL_EXTENSIONS": ",".join(ext.additional or []),
            "SKIP_AUTO_INSTALL": "false" if ext.auto_install else "true",
        }

    def warnings(self) -> list[str]:
        s = self.settings
        out = []
        if s.volume_size_gb > 0 and s.instances > 1:
            out.append(
                f"providers.northflank.instances is {s.instances}, but a service with a volume runs one "
                "instance on Northflank"
            )
        if s.health_check is not None or s.auto_scaling is not None:
            out.append("providers.northflank healthCheck/autoScaling are not applied by sindri yet")
        return out

    def service_definition(self) -> dict[str, Any]:
        """The body of `POST /v1/projects/{p}/services/deployment` (no secret in it)."""
        s = self.settings
        external: dict[str, Any] = {"imagePath": self.image()}
        if s.registry_credentials:
            external["credentials"] = s.registry_credentials
        billing: dict[str, Any] = {"deploymentPlan": self.compute_plan()}
        gpu = self.gpu_type()
        if gpu:
            billing["gpu"] = {"enabled": True, "configuration": {"gpuType": gpu}}
        instances = min(s.instances, 1) if s.volume_size_gb > 0 else s.instances
        return {
            "name": self.service,
            "description": f"Sindri development environment: {self.config.name}",
            "billing": billing,
            "deployment": {
                "instances": instances,
                "external": external,
                "docker": {"configType": "default"},
            },
            "ports": [
                {
                    "name": p.name,
                    "internalPort": p.internal_port,
                    "public": p.public,
                    "protocol": str(getattr(p.protocol, "value", p.protocol)),
                }
                for p in s.ports
            ],
            "runtimeEnvironment": self.workload_env(),
        }

    def volume_definition(self) -> dict[str, Any]:
        s = self.settings
        return {
            "name": self.volume,
            "mounts": [{"containerMountPath": s.volume_mount_path}],
            "spec": {"accessMode": "ReadWriteOnce", "storageSize": s.volume_size_gb * 1024},
            "attachedObjects": [{"id": self.service, "type": "service"}],
        }

    def secret_definition(self) -> dict[str, Any]:
        """The secret group: environment variables, applied to this service only."""
        return {
            "name": self.secret_group,
            "description": f"Sindri secrets of {self.config.name}",
            "secretType": "environment",
            "priority": SECRET_PRIORITY,
            "secrets": {"variables": dict(self.loaded.secrets)},
            "restrictions": {"restricted": True, "nfObjects": [{"id": self.service, "type": "service"}]},
        }

    # -- the SDK, bounded and with errors a user can act on ---------------------------------------------

    def _token(self) -> str:
        env = self.runner.base_env
        for var in TOKEN_VARS:
            if env.get(var):
                return env[var]
        raise ProviderError("NORTHFLANK_API_TOKEN is not set", hint=TOKEN_HINT)

    def _where(self) -> str:
        env = self.runner.base_env
        return next((env[v] for v in BASE_URL_VARS if env.get(v)), DEFAULT_BASE_URL)

    def _client(self, timeout: float = API_TIMEOUT) -> AsyncApiClient:
        """A client from the runner's environment (so the editor's environment wins over ours)."""
        return AsyncApiClient(api_token=self._token(), base_url=self._where(), timeout=timeout)

    async def _api(self, what: str, call: Awaitable[T], timeout: float = API_TIMEOUT) -> T:
        """Await one SDK call within `timeout`, turning every failure into a ProviderError."""
        try:
            async with asyncio.timeout(timeout):
                return await call
        except TimeoutError:
            raise ProviderError(
                f"the Northflank API ({self._where()}) did not answer within {timeout:g}s while {what}",
                hint="check your network and https://status.northflank.com, then retry",
            ) from None
        except ApiCallError as exc:
            raise self._api_error(what, exc) from None
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"the Northflank API ({self._where()}) could not be reached while {what}: "
                f"{_first_line(exc) or type(exc).__name__}",
                hint="check your network, and NORTHFLANK_API_BASE_URL if you set it",
            ) from None
        except NorthflankError as exc:
            raise ProviderError(f"Northflank: {what} failed: {_first_line(exc)}") from None

    def _api_error(self, what: str, exc: ApiCallError) -> ProviderError:
        text = f"{exc.message}" + (f" (error id {exc.id})" if exc.id else "")
        if exc.status in (401, 403):
            return ProviderError(
                f"the Northflank API rejected the token ({exc.status} {text}) while {what}", hint=TOKEN_HINT
            )
        if exc.status == 404:
            return NotDeployedError(f"Northflank: not found while {what}: {text}")
        if exc.status == 429:
            return ProviderError(
                f"the Northflank API is rate limiting this token (429) while {what}: {text}",
                hint="wait for the hourly limit to reset (1000 requests per hour by default), then retry",
            )
        if exc.status >= 500 or exc.status == 0:
            return ProviderError(
                f"the Northflank API ({self._where()}) failed ({exc.status or 'protocol'}) "
                f"while {what}: {text}",
                hint="retry; if it persists see https://status.northflank.com",
            )
        return _StatusError(exc.status, f"Northflank refused {what} ({exc.status}): {text}")

    @staticmethod
    def _data(response: Any, what: str) -> dict[str, Any]:
        data = getattr(response, "data", None)
        if not isinstance(data, dict):
            raise ToolOutputError(f"the Northflank API answered {what} with something that is not its JSON")
        return data

    async def _find(self, client: AsyncApiClient) -> dict[str, Any] | None:
        """Our service, in full (None when the project or the service does not exist)."""
        try:
            listed = await self._api(
                "listing services", client.list.services.all(project_id=self.project, per_page=100)
            )
        except NotDeployedError:
            return None
        services = self._data(listed, "the service list").get("services")
        if not isinstance(services, list):
            raise ToolOutputError("the Northflank service list has no `services`")
        match = next((s for s in services if isinstance(s, dict) and s.get("name") == self.service), None)
        if match is None:
            return None
        return await self._get(client, str(match.get("id") or self.service))

    async def _get(self, client: AsyncApiClient, service_id: str) -> dict[str, Any]:
        response = await self._api(
            "reading the service", client.get.service(project_id=self.project, service_id=service_id)
        )
        return self._data(response, "the service")

    async def _one(self, client: AsyncApiClient) -> dict[str, Any]:
        found = await self._find(client)
        if found is None:
            raise NotDeployedError(
                f"no Northflank service '{self.service}' in project '{self.project}'",
                hint="deploy first: sindri deploy",
            )
        return found

    # -- prerequisites and plan ----------------------------------------------------------------------------

    async def check_prerequisites(self) -> PrerequisiteStatus:
        status = PrerequisiteStatus(provider=self.name)
        token = Prerequisite(
            name="NORTHFLANK_API_TOKEN", description="Northflank API token in the environment", kind="env"
        )
        if not any(self.runner.base_env.get(v) for v in TOKEN_VARS):
            status.missing.append(
                token.model_copy(
                    update={"install_hint": TOKEN_HINT, "docs_url": "https://northflank.com/docs/v1/api/auth"}
                )
            )
        else:
            status.available.append(token)
            api = Prerequisite(
                name="northflank-api", description=f"Northflank API at {self._where()}", kind="auth"
            )
            timeout = self.probe_timeout(PROBE_TIMEOUT)
            try:
                client = self._client(timeout)
                await self._api("checking the API token", client.list.projects(per_page=1), timeout=timeout)
                status.available.append(api)
            except ProviderError as exc:
                status.missing.append(
                    api.model_copy(update={"description": exc.message, "install_hint": exc.hint})
                )
        status.available.append(
            await self.optional_tool(
                "northflank", "Northflank CLI, for interactive `sindri connect`", CLI_HINT
            )
        )
        return status

    async def plan(self) -> DeploymentPlan:
        s = self.settings
        plan = DeploymentPlan(provider=self.name, warnings=self.warnings())
        definition = self.service_definition()
        client = self._client()
        existing = await self._find(client)
        project_exists = existing is not None or await self._project_exists(client)
        if not project_exists:
            where = f" in region {s.region}" if s.region else ""
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"project:{self.project}",
                    description=f"Create the project{where}",
                )
            )
        if existing is not None:
            paused = bool(existing.get("servicePaused"))
            plan.actions.append(
                PlannedAction(
                    action=ActionType.START if paused else ActionType.UPDATE,
                    resource=f"service:{self.service}",
                    description=f"Service exists ({'paused' if paused else 'deployed'}); deploy "
                    + ("resumes it" if paused else "keeps it (--force recreates it)"),
                )
            )
        else:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"service:{self.service}",
                    description="Create the deployment service on plan "
                    + definition["billing"]["deploymentPlan"]
                    + (f" with GPU {self.gpu_type()}" if self.gpu_type() else ""),
                )
            )
            if s.volume_size_gb > 0:
                plan.actions.append(
                    PlannedAction(
                        action=ActionType.CREATE,
                        resource=f"volume:{self.volume}",
                        description=f"Create a {s.volume_size_gb} GB volume at {s.volume_mount_path}",
                    )
                )
            if self.loaded.secrets:
                plan.actions.append(
                    PlannedAction(
                        action=ActionType.CREATE,
                        resource=f"secret-group:{self.secret_group}",
                        description=f"Create a secret group of {len(self.loaded.secrets)} variable(s) "
                        "for the service only",
                    )
                )
        plan.resources.append(
            PlannedResource(
                resource_type="northflank-service",
                name=self.service,
                config={
                    "project": self.project,
                    "compute_plan": definition["billing"]["deploymentPlan"],
                    "gpu": self.gpu_type(),
                    "instances": definition["deployment"]["instances"],
                    "image": definition["deployment"]["external"]["imagePath"],
                    "volume_gb": s.volume_size_gb,
                    "secrets": sorted(self.loaded.secrets),
                },
            )
        )
        return plan

    async def _project_exists(self, client: AsyncApiClient) -> bool:
        try:
            await self._api("reading the project", client.get.project(project_id=self.project))
        except NotDeployedError:
            return False
        return True

    # -- deploy -------------------------------------------------------------------------------------------

    async def deploy(self, options: DeployOptions) -> DeployResult:
        result = DeployResult(
            success=True, name=self.config.name, provider=self.name, warnings=self.warnings()
        )
        definition = self.service_definition()
        if options.dry_run:
            result.messages.append("dry run: nothing was changed (see `sindri plan`)")
            return result
        client = self._client()
        existing = await self._find(client)
        if existing is not None and not options.force:
            raise AlreadyDeployedError(
                f"service '{self.service}' already exists in project '{self.project}'",
                hint="`sindri start` resumes it; `sindri deploy --force` recreates it",
            )
        if existing is not None:
            await self._delete_service(client)
            await self._wait_gone(client)
            result.messages.append(f"deleted service {self.service} (--force)")
        if not await self._project_exists(client):
            body: dict[str, Any] = {"name": self.project, "description": f"Sindri: {self.config.name}"}
            if self.settings.region:
                body["region"] = self.settings.region
            self.progress(f"Creating project {self.project}...")
            await self._api("creating the project", client.create.project(data=body))  # type: ignore[arg-type]
            result.messages.append(f"created project {self.project}")
        self.progress(f"Creating service {self.service} on {definition['billing']['deploymentPlan']}...")
        created = await self._api(
            "creating the service",
            client.create.service.deployment(project_id=self.project, data=definition),  # type: ignore[arg-type]
        )
        service_id = str(self._data(created, "the created service").get("id") or self.service)
        result.instance_id = service_id
        result.messages.append(f"created service {service_id} in project {self.project}")
        if self.loaded.secrets:
            await self._put_secrets(client)
            result.messages.append(
                f"created secret group {self.secret_group} ({len(self.loaded.secrets)} variables)"
            )
        if self.settings.volume_size_gb > 0:
            await self._api(
                "creating the volume",
                client.create.volume(project_id=self.project, data=self.volume_definition()),  # type: ignore[arg-type]
            )
            result.messages.append(f"created volume {self.volume} ({self.settings.volume_size_gb} GB)")
        if options.wait:
            service = await self._wait_running(client, service_id)
        else:
            service = self._data(created, "the created service")
        result.connection = self._connection(service)
        return result

    async def _put_secrets(self, client: AsyncApiClient) -> None:
        """Create the secret group; one left by an earlier deploy is replaced (new values win)."""
        body = self.secret_definition()
        create = client.create.secret(project_id=self.project, data=body)  # type: ignore[arg-type]
        try:
            await self._api("creating the secret group", create)
        except _StatusError as exc:
            if exc.status != 409:
                raise
            await self._delete_secrets(client)
            again = client.create.secret(project_id=self.project, data=body)  # type: ignore[arg-type]
            await self._api("creating the secret group", again)

    async def _wait_running(self, client: AsyncApiClient, service_id: str) -> dict[str, Any]:
        """Poll until the deployment is COMPLETED (FAILED is an error); the action's timeout bounds it."""
        self.progress(f"Waiting for service {service_id} to deploy...")
        last = ""
        while True:
            service = await self._get(client, service_id)
            state = _deploy_status(service)
            if state != last:
                self.progress(f"deployment: {state or 'unknown'}")
                last = state
            if state == "COMPLETED":
                return service
            if state == "FAILED":
                reason = (service.get("status") or {}).get("deployment", {}).get("reason", "")
                raise ProviderError(
                    f"the Northflank deployment of service {service_id} failed"
                    + (f" ({reason})" if reason else ""),
                    hint="see the service's logs in the Northflank dashboard (image path, plan, credentials)",
                )
            await asyncio.sleep(POLL_SECONDS)

    async def _wait_gone(self, client: AsyncApiClient) -> None:
        while await self._find(client) is not None:
            await asyncio.sleep(POLL_SECONDS)

    def _connection(self, service: dict[str, Any]) -> ConnectionInfo:
        https = next((f"https://{a.value}" for a in _addresses(service) if a.type == AddressType.HTTPS), None)
        return ConnectionInfo(
            ssh_command=f"northflank exec service --project {self.project} --service {self.service}",
            https_url=https,
            instructions="sindri connect (shell, needs the northflank CLI), sindri connect -- CMD "
            "(one command); sindri stop pauses the service, sindri start resumes it, "
            "sindri destroy deletes it",
        )

    # -- status, start, stop, destroy ---------------------------------------------------------------

    async def status(self) -> DeploymentStatus:
        status = DeploymentStatus(
            name=self.config.name, provider=self.name, state=DeploymentState.NOT_DEPLOYED
        )
        service = await self._find(self._client())
        if service is None:
            return status
        deployment: dict[str, Any] = service.get("deployment") or {}
        instances = deployment.get("instances")
        if service.get("servicePaused"):
            status.state = DeploymentState.PAUSED
        elif instances == 0:
            status.state = DeploymentState.STOPPED
        else:
            status.state = DEPLOY_STATES.get(_deploy_status(service), DeploymentState.UNKNOWN)
        status.instance_id = str(service.get("id", self.service))
        status.image = str((deployment.get("external") or {}).get("imagePath") or "") or None
        status.addresses = _addresses(service)
        status.details = {
            "project": self.project,
            "compute_plan": str((service.get("billing") or {}).get("deploymentPlan", "")),
            "instances": str(instances if instances is not None else ""),
            "deployment": _deploy_status(service),
        }
        return status

    async def start(self) -> None:
        client = self._client()
        service = await self._one(client)
        if not service.get("servicePaused"):
            self.progress(f"Service {self.service} is not paused")
            return
        await self._resume(client)

    async def _resume(self, client: AsyncApiClient) -> None:
        self.progress(f"Resuming service {self.service}...")
        resume = client.resume.service(project_id=self.project, service_id=self.service, data={})
        try:
            await self._api("resuming the service", resume)
        except _StatusError as exc:
            if exc.status != 409:  # 409: "not paused", someone resumed it meanwhile
                raise
        await self._wait_running(client, self.service)

    async def stop(self) -> None:
        client = self._client()
        service = await self._one(client)
        if service.get("servicePaused"):
            self.progress(f"Service {self.service} is already paused")
            return
        self.progress(f"Pausing service {self.service}...")
        pause = client.pause.service(project_id=self.project, service_id=self.service)
        try:
            await self._api("pausing the service", pause)
        except _StatusError as exc:
            if exc.status != 409:
                raise

    async def destroy(self, force: bool = False) -> list[str]:
        client = self._client()
        done = []
        if await self._find(client) is not None:
            await self._delete_service(client)
            done.append(f"deleted service {self.service} and its volume from project {self.project}")
        else:
            done.append(
                f"no Northflank service '{self.service}' in project '{self.project}' (nothing to delete)"
            )
        if await self._delete_secrets(client):
            done.append(f"deleted secret group {self.secret_group}")
        done.append(f"kept the project {self.project} (delete it in the Northflank dashboard when unused)")
        return done

    async def _delete_service(self, client: AsyncApiClient) -> None:
        self.progress(f"Deleting service {self.service}...")
        delete = client.delete.service(
            project_id=self.project, service_id=self.service, delete_child_objects=True
        )
        with contextlib.suppress(NotDeployedError):
            await self._api("deleting the service", delete)

    async def _delete_secrets(self, client: AsyncApiClient) -> bool:
        delete = client.delete.secret(project_id=self.project, secret_id=self.secret_group)
        try:
            await self._api("deleting the secret group", delete)
        except NotDeployedError:
            return False
        return True

    # -- connect ---------------------------------------------------------------------------------------------

    async def connect(self, command: Sequence[str] | None = None) -> int:
        client = self._client()
        service = await self._one(client)
        if service.get("servicePaused"):
            await self._resume(client)
        if not command:
            return await self.runner.run_attached(
                ["northflank", "exec", "service", "--project", self.project, "--service", self.service],
                hint=f"the interactive shell needs the Northflank CLI: {CLI_HINT}",
            )
        return await self._run_command(client, list(command))

    async def _run_command(self, client: AsyncApiClient, command: list[str]) -> int:
        """Run one command in the service over the exec WebSocket, streaming its output to ours."""

        async def run() -> int:
            session = await client.exec.aopen_service_session(
                project_id=self.project, service_id=self.service, command=command, shell="none"
            )
            async with session:
                await session.send_eof()
                async for chunk in session:
                    stream = sys.stderr if chunk.stream == "stderr" else sys.stdout
                    stream.write(self.runner.redact(chunk.data))
                    stream.flush()
                result = await session.wait()
            return int(result.exit_code if result.exit_code is not None else 1)

        try:
            return await run()
        except ApiCallError as exc:
            raise ProviderError(
                f"running the command in service {self.service} failed: {exc.message}",
                hint="check `sindri status`: the service must be running",
            ) from None
        except (OSError, httpx.HTTPError, NorthflankError) as exc:
            raise ProviderError(
                f"the Northflank exec connection ({self._where()}) failed: {_first_line(exc)}",
                hint="check your network, and NORTHFLANK_API_BASE_URL if you set it",
            ) from None

    def supports_gpu(self) -> bool:
        return True

    def supports_auto_suspend(self) -> bool:
        return False


class _StatusError(ProviderError):
    """A 4xx the caller may handle (409 on resume or on an existing secret group)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _deploy_status(service: dict[str, Any]) -> str:
    status = service.get("status")
    deployment = status.get("deployment") if isinstance(status, dict) else None
    value = deployment.get("status") if isinstance(deployment, dict) else None
    return value if isinstance(value, str) else ""


def _addresses(service: dict[str, Any]) -> list[Address]:
    out = []
    for port in service.get("ports") or []:
        if isinstance(port, dict) and isinstance(port.get("dns"), str) and port["dns"]:
            kind = AddressType.HTTPS if port.get("public") else AddressType.INTERNAL
            internal = port.get("internalPort")
            out.append(
                Address(type=kind, value=port["dns"], port=internal if isinstance(internal, int) else None)
            )
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
