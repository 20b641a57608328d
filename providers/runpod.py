"""RunPod: one pod per environment, through RunPod's REST API v2 (`https://api.runpod.io/v2`).

Why a thin httpx client and not the official `runpod` SDK: the SDK drives the GraphQL API only, reads
its key from `~/.runpod/config.toml` rather than RUNPOD_API_KEY, interpolates values into query text
(a quote in an env value breaks it), and pulls about 100 packages (fastapi, boto3, paramiko...).
Upstream's REST v1 (`rest.runpod.io/v1`) is retired as of 2026-11-15; v2 is its successor.

The pod is found by its name (the environment's `name`); nothing is kept on disk. Secrets reach the
pod only as environment variables in the create request's body. `RUNPOD_API_BASE_URL` points the
client elsewhere (as it does for the SDK), e.g. at a loopback stand-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from sindri.schemas.model import RunpodProvider as RunpodSettings

from .base import Provider
from .errors import AlreadyDeployedError, NotDeployedError, ProviderError, UnsupportedError
from .images import configured_image
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

API_BASE = "https://api.runpod.io"
API_TIMEOUT = 30.0
"""Bound of one API call."""
PROBE_TIMEOUT = 10.0
RETRIES = 2
"""Extra attempts of a call that met a rate limit (429), a server error (5xx) or a dropped connection;
only reads and calls RunPod makes idempotent are retried."""
RETRY_AFTER_CAP = 10.0
POLL_FIRST, POLL_MAX = 1.0, 5.0
KEY_HINT = "export RUNPOD_API_KEY=... (create a key at https://www.runpod.io/console/user/settings)"
STATUS_PAGE = "https://uptime.runpod.io"
GPU_TIERS = {
    "gpu-small": "NVIDIA RTX A4000",
    "gpu-medium": "NVIDIA RTX A5000",
    "gpu-large": "NVIDIA A100 80GB PCIe",
    "gpu-xlarge": "NVIDIA H100 80GB HBM3",
}
DEFAULT_GPU = GPU_TIERS["gpu-small"]
HOURLY_ESTIMATE = {
    "NVIDIA RTX A4000": 0.20,
    "NVIDIA RTX A5000": 0.30,
    "NVIDIA GeForce RTX 4090": 0.44,
    "NVIDIA A100 80GB PCIe": 1.10,
    "NVIDIA H100 80GB HBM3": 2.50,
}
"""A rough $/h per GPU for `plan` (upstream's table); status shows what RunPod charges."""
STATES = {
    "PROVISIONING": DeploymentState.CREATING,
    "STARTING": DeploymentState.CREATING,
    "RUNNING": DeploymentState.RUNNING,
    "EXITED": DeploymentState.STOPPED,
    "ERROR": DeploymentState.ERROR,
    "TERMINATED": DeploymentState.NOT_DEPLOYED,
}


@dataclass(frozen=True)
class Ssh:
    host: str
    port: int
    user: str

    def argv(self) -> list[str]:
        return ["ssh", "-p", str(self.port), f"{self.user}@{self.host}"]


class ApiError(ProviderError):
    """RunPod answered with an error status; carries it for callers that treat some as expected."""

    def __init__(self, status: int, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class RunpodProvider(Provider):
    name: ClassVar[str] = "runpod"
    delivers_file_secrets: ClassVar[bool] = False

    # -- derived configuration ------------------------------------------------------------------------

    @property
    def settings(self) -> RunpodSettings:
        providers = self.config.providers
        if providers is not None and providers.runpod is not None:
            return providers.runpod
        return RunpodSettings.model_validate({})

    def gpu(self) -> tuple[str, int] | None:
        """(GPU type, count) of a GPU pod; None for a CPU pod."""
        s = self.settings
        res = self.config.deployment.resources
        gpu = res.gpu if res is not None else None
        if s.cpu_only or (s.gpu_type_id is None and (gpu is None or not gpu.enabled)):
            return None
        tier = str(gpu.tier) if gpu is not None and gpu.tier is not None else None
        kind = s.gpu_type_id or GPU_TIERS.get(tier or "", DEFAULT_GPU)
        count = s.gpu_count or (gpu.count if gpu is not None and gpu.enabled else 1)
        return kind, count

    def vcpus(self) -> int:
        """CPU pods take a power of two, at least 2: resources.cpus rounded up."""
        res = self.config.deployment.resources
        cpus = res.cpus if res is not None and res.cpus else 2
        return max(2, 1 << math.ceil(math.log2(cpus)))

    def image(self) -> str | None:
        image = configured_image(self.config)
        if image is None and self.settings.template_id is None:
            raise UnsupportedError(
                "RunPod runs an existing image and cannot build one, and no image is configured",
                hint="set deployment.image (e.g. ghcr.io/pacphi/sindri:v3-latest) "
                "or providers.runpod.templateId",
            )
        return image

    def workload_env(self) -> dict[str, str]:
        """Non-secret settings the Sindri image's entrypoint reads."""
        ext = self.config.extensions
        return {
            "INSTALL_PROFILE": ext.profile or "base",
            "CUSTOM_EXTENSIONS": ",".join(ext.active or []),
            "ADDITIONAL_EXTENSIONS": ",".join(ext.additional or []),
            "SKIP_AUTO_INSTALL": "false" if ext.auto_install else "true",
        }

    def create_body(self) -> dict[str, Any]:
        """The `POST /v2/pods` body (secrets included: it lives in memory only)."""
        s = self.settings
        body: dict[str, Any] = {"name": self.config.name, "cloud": str(s.cloud_type)}
        image = self.image()
        if image is not None:
            body["image"] = image
        if s.template_id is not None:
            body["templateId"] = s.template_id
        gpu = self.gpu()
        if gpu is not None:
            body["gpu"] = {"id": gpu[0], "count": gpu[1]}
            if s.volume_size_gb:
                body["mounts"] = {"persistent": {"size": s.volume_size_gb, "path": s.volume_mount_path}}
        else:
            body["cpu"] = {"id": str(s.cpu_flavor), "vcpuCount": self.vcpus()}
        if s.region is not None:
            body["dataCenterIds"] = [s.region]
        body["disk"] = s.container_disk_gb
        body["ports"] = ["22/tcp", *(f"{port}/http" for port in s.expose_ports)]
        body["env"] = {**self.workload_env(), **self.loaded.secrets}
        body["startSsh"] = s.start_ssh
        return body

    def warnings(self) -> list[str]:
        s = self.settings
        out = []
        if s.spot_bid:
            out.append("providers.runpod.spotBid is ignored: RunPod's current API has no spot pods")
        if self.gpu() is None and s.volume_size_gb and "volumeSizeGb" in s.model_fields_set:
            out.append("providers.runpod.volumeSizeGb is ignored: RunPod gives CPU pods no pod volume")
        return out

    # -- the API, bounded, retried and with errors a user can act on ---------------------------------

    def _key(self) -> str:
        key = self.runner.base_env.get("RUNPOD_API_KEY", "")
        if not key:
            raise ProviderError("RUNPOD_API_KEY is not set", hint=KEY_HINT)
        return key

    def _base(self) -> str:
        return (self.runner.base_env.get("RUNPOD_API_BASE_URL") or API_BASE).rstrip("/")

    async def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        body: dict[str, Any] | None = None,
        timeout: float = API_TIMEOUT,
        retry: bool = True,
    ) -> Any:
        """One API call within `timeout` per attempt; the JSON reply (None for 204)."""
        headers = {"Authorization": f"Bearer {self._key()}", "Accept": "application/json"}
        url = f"{self._base()}/v2{path}"
        attempts = 1 + (RETRIES if retry else 0)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            for attempt in range(attempts):
                last = attempt == attempts - 1
                try:
                    async with asyncio.timeout(timeout):
                        reply = await client.request(method, url, json=body, headers=headers)
                except (TimeoutError, httpx.TimeoutException):
                    if last:
                        raise ProviderError(
                            f"the RunPod API ({self._base()}) did not answer within {timeout:g}s "
                            f"while {what}",
                            hint=f"check your network and {STATUS_PAGE}, then retry",
                        ) from None
                    continue
                except httpx.HTTPError as exc:
                    if last:
                        raise ProviderError(
                            f"the RunPod API ({self._base()}) could not be reached while {what}: "
                            f"{type(exc).__name__}: {exc}",
                            hint="check your network (and RUNPOD_API_BASE_URL if you set it), then retry",
                        ) from None
                    await asyncio.sleep(0.5 * (attempt + 1))
                    continue
                if (reply.status_code == 429 or reply.status_code >= 500) and not last:
                    await asyncio.sleep(_retry_after(reply, attempt))
                    continue
                return self._reply(reply, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def _reply(self, reply: httpx.Response, what: str) -> Any:
        code = reply.status_code
        if code == 204:
            return None
        if 200 <= code < 300:
            try:
                return reply.json()
            except ValueError:
                raise ProviderError(
                    f"the RunPod API answered {code} with something that is not JSON while {what}",
                    hint=f"retry; if it persists see {STATUS_PAGE}",
                ) from None
        detail = _problem(reply)
        hints = {
            401: KEY_HINT,
            403: "give the API key read/write access to pods in the RunPod console",
            404: "deploy first: sindri deploy",
            429: "RunPod is rate limiting this key: wait a minute and retry",
        }
        hint = hints.get(code) or (f"see {STATUS_PAGE}" if code >= 500 else None)
        prefix = "the RunPod API rejected the API key" if code == 401 else "the RunPod API refused"
        error_type = NotDeployedError if code == 404 else ApiError
        message = f"{prefix} ({code}{': ' + detail if detail else ''}) while {what}"
        if error_type is NotDeployedError:
            raise NotDeployedError(message, hint=hint)
        raise ApiError(code, message, hint=hint)

    async def _pods(self, timeout: float = API_TIMEOUT) -> list[dict[str, Any]]:
        """Our pods (named like the environment) that are not terminated."""
        data = await self._call("GET", "/pods", "listing pods", timeout=timeout)
        pods = data.get("pods") if isinstance(data, dict) else None
        if not isinstance(pods, list):
            raise ProviderError(
                "the RunPod API answered the pod list with an unexpected shape (no `pods` list)",
                hint="check RUNPOD_API_BASE_URL (it must name the API host, e.g. https://api.runpod.io)",
            )
        return [
            p
            for p in pods
            if isinstance(p, dict) and p.get("name") == self.config.name and p.get("status") != "TERMINATED"
        ]

    async def _one(self) -> dict[str, Any]:
        pods = await self._pods()
        if not pods:
            raise NotDeployedError(
                f"no RunPod pod named '{self.config.name}'", hint="deploy first: sindri deploy"
            )
        return pods[0]

    # -- prerequisites and plan ----------------------------------------------------------------------

    async def check_prerequisites(self) -> PrerequisiteStatus:
        status = PrerequisiteStatus(provider=self.name)
        key = Prerequisite(name="RUNPOD_API_KEY", description="RunPod API key in the environment", kind="env")
        if not self.runner.base_env.get("RUNPOD_API_KEY"):
            status.missing.append(
                key.model_copy(
                    update={
                        "install_hint": KEY_HINT,
                        "docs_url": "https://docs.runpod.io/get-started/api-keys",
                    }
                )
            )
            return status
        status.available.append(key)
        api = Prerequisite(name="runpod-api", description=f"RunPod API at {self._base()}", kind="auth")
        try:
            await self._call(
                "GET", "/pods", "checking the API key", timeout=self.probe_timeout(PROBE_TIMEOUT), retry=False
            )
            status.available.append(api)
        except ProviderError as exc:
            status.missing.append(
                api.model_copy(update={"description": exc.message, "install_hint": exc.hint})
            )
        return status

    async def plan(self) -> DeploymentPlan:
        plan = DeploymentPlan(provider=self.name, warnings=self.warnings())
        body = self.create_body()
        existing = await self._pods()
        for pod in existing:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.UPDATE,
                    resource=f"pod:{pod.get('id')}",
                    description=f"Pod exists ({pod.get('status')}); "
                    "deploy refuses it unless --force recreates it",
                )
            )
        gpu = self.gpu()
        what = (
            f"{gpu[1]} x {gpu[0]}" if gpu else f"CPU only ({self.settings.cpu_flavor}, {self.vcpus()} vCPUs)"
        )
        if not existing:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"pod:{self.config.name}",
                    description=f"Create a RunPod pod with {what} from {body.get('image') or 'the template'}",
                )
            )
        config = {k: v for k, v in body.items() if k not in ("env", "name")}
        config["env"] = sorted(self.workload_env())
        config["secrets"] = sorted(self.loaded.secrets)
        if gpu is not None:
            hourly = HOURLY_ESTIMATE.get(gpu[0])
            config["estimated_usd_per_hour"] = round(hourly * gpu[1], 2) if hourly else "unknown"
        plan.resources.append(
            PlannedResource(resource_type="runpod-pod", name=self.config.name, config=config)
        )
        return plan

    # -- deploy --------------------------------------------------------------------------------------

    async def deploy(self, options: DeployOptions) -> DeployResult:
        result = DeployResult(
            success=True, name=self.config.name, provider=self.name, warnings=self.warnings()
        )
        body = self.create_body()
        if options.dry_run:
            result.messages.append("dry run: nothing was changed (see `sindri plan`)")
            return result
        existing = await self._pods()
        if existing and not options.force:
            pod = existing[0]
            raise AlreadyDeployedError(
                f"RunPod pod '{self.config.name}' already exists (id {pod.get('id')}, {pod.get('status')})",
                hint="sindri start starts a stopped pod; "
                "sindri deploy --force recreates it (the pod volume is lost)",
            )
        for pod in existing:
            await self._terminate(str(pod.get("id")))
            result.messages.append(f"terminated pod {pod.get('id')} (--force)")
        self.progress(f"Creating RunPod pod {self.config.name}...")
        created = await self._call("POST", "/pods", "creating the pod", body=body, retry=False)
        pod_id = str(created.get("id")) if isinstance(created, dict) else ""
        if not pod_id:
            raise ProviderError(
                "the RunPod API created a pod but did not say its id", hint="run sindri status"
            )
        result.instance_id = pod_id
        gpu = self.gpu()
        result.messages.append(
            f"created pod {pod_id} with " + (f"{gpu[1]} x {gpu[0]}" if gpu else "CPUs only")
        )
        if self.loaded.secrets:
            result.messages.append(f"passed {len(self.loaded.secrets)} secret(s) as environment variables")
        pod = created
        if options.wait:
            pod = await self._wait_running(pod_id, max(1.0, options.timeout - 5))
        result.connection = self._connection(pod)
        return result

    async def _wait_running(self, pod_id: str, timeout: float) -> dict[str, Any]:
        """Poll until the pod runs (and, with startSsh, has an SSH address); ERROR/TERMINATED fail."""
        delay, last = POLL_FIRST, "PROVISIONING"
        try:
            async with asyncio.timeout(timeout):
                while True:
                    pod = await self._call("GET", f"/pods/{pod_id}", "waiting for the pod")
                    last = str(pod.get("status"))
                    if last == "RUNNING" and (not self.settings.start_ssh or _ssh(pod) is not None):
                        return dict(pod)
                    if last in ("ERROR", "TERMINATED", "EXITED"):
                        raise ProviderError(
                            f"pod {pod_id} is {last} instead of starting",
                            hint="see its logs at https://www.runpod.io/console/pods; "
                            "sindri destroy removes it",
                        )
                    self.progress(f"Pod {pod_id}: {last.lower()}...")
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, POLL_MAX)
        except TimeoutError:
            raise ProviderError(
                f"pod {pod_id} did not reach RUNNING within {timeout:g}s (last: {last}); it is kept",
                hint="check `sindri status` later, or `sindri destroy` it; raise --timeout for big images",
            ) from None

    def _connection(self, pod: dict[str, Any]) -> ConnectionInfo:
        ssh = _ssh(pod)
        ports = self.settings.expose_ports
        pod_id = pod.get("id")
        return ConnectionInfo(
            ssh_command=" ".join(ssh.argv()) if ssh else None,
            https_url=f"https://{pod_id}-{ports[0]}.proxy.runpod.net" if ports else None,
            instructions=f"sindri connect; console: https://www.runpod.io/console/pods/{pod_id}",
        )

    # -- status, start, stop, destroy ----------------------------------------------------------------

    async def status(self) -> DeploymentStatus:
        status = DeploymentStatus(
            name=self.config.name, provider=self.name, state=DeploymentState.NOT_DEPLOYED
        )
        pods = await self._pods()
        if not pods:
            return status
        pod = pods[0]
        if len(pods) > 1:
            status.messages.append(f"{len(pods)} pods are named {self.config.name}; showing {pod.get('id')}")
        status.state = STATES.get(str(pod.get("status")), DeploymentState.UNKNOWN)
        status.instance_id = str(pod.get("id"))
        status.image = pod.get("image") if isinstance(pod.get("image"), str) else None
        status.details = _details(pod)
        ssh = _ssh(pod)
        if ssh is not None:
            status.addresses.append(
                Address(type=AddressType.SSH, value=f"{ssh.user}@{ssh.host}", port=ssh.port)
            )
        for port in self.settings.expose_ports:
            status.addresses.append(
                Address(
                    type=AddressType.HTTPS,
                    value=f"https://{pod.get('id')}-{port}.proxy.runpod.net",
                    port=port,
                )
            )
        return status

    async def _action(self, action: str) -> None:
        pod = await self._one()
        pod_id = str(pod.get("id"))
        self.progress(f"{action.capitalize()} pod {pod_id}...")
        try:
            await self._call(
                "POST", f"/pods/{pod_id}/action", f"{action}ing the pod", body={"action": action}
            )
        except ApiError as exc:
            if exc.status != 409:
                raise
            state = str(pod.get("status"))
            if (action, state) in (("start", "RUNNING"), ("stop", "EXITED")):
                self.progress(f"Pod {pod_id} is already {'running' if action == 'start' else 'stopped'}")
                return
            raise ProviderError(
                f"pod {pod_id} cannot {action} while {state}", hint="retry once it settles"
            ) from None

    async def start(self) -> None:
        await self._action("start")

    async def stop(self) -> None:
        await self._action("stop")

    async def _terminate(self, pod_id: str) -> None:
        with contextlib.suppress(NotDeployedError):  # already gone: what we wanted
            await self._call("DELETE", f"/pods/{pod_id}", "terminating the pod")

    async def destroy(self, force: bool = False) -> list[str]:
        done = []
        for pod in await self._pods():
            await self._terminate(str(pod.get("id")))
            done.append(f"terminated pod {pod.get('id')} (its container disk and pod volume are deleted)")
        return done or [f"no RunPod pod named '{self.config.name}' (nothing to terminate)"]

    # -- connect -------------------------------------------------------------------------------------

    async def connect(self, command: Sequence[str] | None = None) -> int:
        pod = await self._one()
        if pod.get("status") != "RUNNING":
            raise ProviderError(
                f"pod {pod.get('id')} is {pod.get('status')}, not RUNNING", hint="sindri start, then retry"
            )
        direct, proxy = _ssh_direct(pod), _ssh_proxy(pod)
        if command and direct is None:
            raise UnsupportedError(
                f"pod {pod.get('id')} has no public SSH address, "
                "and RunPod's SSH proxy gives a terminal only",
                hint="use cloudType: SECURE (always a public IP) for `sindri connect -- CMD`; "
                "`sindri connect` opens a terminal through the proxy",
            )
        ssh = direct or proxy
        if ssh is None:
            raise ProviderError(
                f"pod {pod.get('id')} offers no SSH access",
                hint="set providers.runpod.startSsh: true and add an SSH key to your RunPod account, "
                "then redeploy",
            )
        argv = ssh.argv() + (["--", *command] if command else [])
        return await self.runner.run_attached(
            argv, hint="install an OpenSSH client (apt install openssh-client)"
        )

    def supports_gpu(self) -> bool:
        return True


def _retry_after(reply: httpx.Response, attempt: int) -> float:
    """Seconds to wait before retrying: the server's Retry-After when sane, else a short back-off."""
    try:
        return min(max(float(reply.headers.get("Retry-After", "")), 0.0), RETRY_AFTER_CAP)
    except ValueError:
        return 0.5 * (attempt + 1)


def _problem(reply: httpx.Response) -> str:
    """An RFC 9457 problem's detail (or title, or errors), else the first line of the body."""
    try:
        data = reply.json()
    except ValueError:
        text = reply.text.strip()
        return text.splitlines()[0][:200] if text else ""
    if not isinstance(data, dict):
        return ""
    errors = data.get("errors")
    parts = [str(data.get("detail") or data.get("title") or data.get("message") or "")]
    if isinstance(errors, list) and errors:
        parts.append("; ".join(str(e) for e in errors[:5]))
    return ": ".join(p for p in parts if p)[:500]


def _ssh_entry(pod: dict[str, Any], kind: str) -> Ssh | None:
    ssh = pod.get("ssh")
    entry = ssh.get(kind) if isinstance(ssh, dict) else None
    if not isinstance(entry, dict):
        return None
    host, port, user = entry.get("host"), entry.get("port"), entry.get("username")
    if not (isinstance(host, str) and host and isinstance(port, int) and isinstance(user, str) and user):
        return None
    return Ssh(host, port, user)


def _ssh_direct(pod: dict[str, Any]) -> Ssh | None:
    return _ssh_entry(pod, "direct")


def _ssh_proxy(pod: dict[str, Any]) -> Ssh | None:
    return _ssh_entry(pod, "proxy")


def _ssh(pod: dict[str, Any]) -> Ssh | None:
    return _ssh_direct(pod) or _ssh_proxy(pod)


def _number(value: Any) -> float | None:
    """A number RunPod may send as a number or a string (its own examples do both)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _details(pod: dict[str, Any]) -> dict[str, str]:
    """GPU, cost per hour, uptime and place, read leniently (each only when present and sane)."""
    out: dict[str, str] = {}
    gpu, cpu = pod.get("gpu"), pod.get("cpu")
    if isinstance(gpu, dict):
        out["gpu_type"] = str(gpu.get("displayName") or gpu.get("id") or "")
        out["gpu_count"] = str(gpu.get("count") or "")
    elif isinstance(cpu, dict):
        out["cpu"] = f"{cpu.get('id')} x {cpu.get('vcpuCount')} vCPUs"
    cost = pod.get("cost")
    hourly = _number(cost.get("perHour") if isinstance(cost, dict) else cost)
    if hourly is not None:
        out["cost_per_hour_usd"] = f"{hourly:.3f}"
    runtime = pod.get("runtime")
    uptime = _number(runtime.get("uptime")) if isinstance(runtime, dict) else None
    if uptime is not None:
        out["uptime"] = _duration(int(uptime))
    for key, name in (("dataCenterId", "data_center"), ("cloud", "cloud")):
        if isinstance(pod.get(key), str):
            out[name] = pod[key]
    return {k: v for k, v in out.items() if v}


def _duration(seconds: int) -> str:
    hours, rest = divmod(max(seconds, 0), 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"
