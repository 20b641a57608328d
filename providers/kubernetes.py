"""Kubernetes provider: one Deployment (+ PVC, Service, Secret) per environment, driven by kubectl.

Fixes over upstream Sindri v3: the configured namespace really is used; memory and storage become valid
quantities (`4GB` -> `4Gi`); secrets reach the container through a Secret referenced by `envFrom`, applied
from memory through stdin; `--force` recreates the Deployment but keeps the home PVC; a stopped
environment (scaled to 0) is reported as stopped; kind/k3d detection is confirmed by parsing the tools'
own cluster lists; the manifest is written under the config's `.sindri/kubernetes/`, never the CWD.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .base import Provider
from .errors import (
    AlreadyDeployedError,
    NotDeployedError,
    ProviderError,
    ToolFailedError,
    ToolOutputError,
)
from .images import configured_image
from .render import render
from .runner import CommandResult
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

KUBECTL_HINT = "Install kubectl: https://kubernetes.io/docs/tasks/tools/"
CLUSTER_HINT = (
    "Check `kubectl config current-context` and `kubectl cluster-info`; for a local cluster run "
    "`kind create cluster --name sindri-local` or `k3d cluster create sindri-local`"
)
MANIFEST = "k8s-deployment.yaml"
NAMESPACE_MANIFEST = "namespace.yaml"
CONTAINER = "sindri"
HOME_PATH = "/alt/home/developer"
PROBE_TIMEOUT = 20.0
"""Upper bound for quick cluster calls during prerequisite checks (a dead API server must not hang us)."""

WAIT_MARGIN = 3.0
"""Seconds of the deploy's timeout kept for diagnosing a pod that did not become ready."""

UNREACHABLE = re.compile(
    r"connection to the server .* was refused|Unable to connect to the server|i/o timeout"
)
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
SIZE = re.compile(r"^(\d+)(MB|GB)$")
ERROR_REASONS = frozenset(
    {
        "ImagePullBackOff",
        "ErrImagePull",
        "CrashLoopBackOff",
        "CreateContainerConfigError",
        "InvalidImageName",
        "CreateContainerError",
        "ErrImageNeverPull",
    }
)
PHASES = {
    "Pending": DeploymentState.CREATING,
    "Succeeded": DeploymentState.STOPPED,
    "Failed": DeploymentState.ERROR,
    "Unknown": DeploymentState.UNKNOWN,
}
INTERACTIVE_SHELL = "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi"


def quantity(size: str) -> str:
    """sindri.yaml sizes (`4GB`, `512MB`) as Kubernetes binary quantities (`4Gi`, `512Mi`)."""
    match = SIZE.match(size)
    if match is None:
        raise ProviderError(f"'{size}' is not a size like 4GB or 512MB", hint="Fix the value in sindri.yaml")
    number, unit = match.groups()
    return f"{int(number)}{'Gi' if unit == 'GB' else 'Mi'}"


def pod_state(pod: dict[str, Any]) -> DeploymentState:
    """One pod's state in the unified vocabulary (tool-contracts section 1)."""
    if pod.get("metadata", {}).get("deletionTimestamp"):
        return DeploymentState.STOPPED
    status = pod.get("status", {})
    for container in status.get("containerStatuses", []) or []:
        waiting = (container.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in ERROR_REASONS:
            return DeploymentState.ERROR
    phase = status.get("phase", "Unknown")
    if phase == "Running":
        ready = any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions", []) or []
        )
        return DeploymentState.RUNNING if ready else DeploymentState.CREATING
    return PHASES.get(phase, DeploymentState.UNKNOWN)


def waiting_reason(pod: dict[str, Any]) -> str | None:
    for container in pod.get("status", {}).get("containerStatuses", []) or []:
        waiting = (container.get("state") or {}).get("waiting") or {}
        if waiting.get("reason"):
            return f"{waiting['reason']}: {waiting.get('message', '')}".rstrip(": ")
    return None


def cluster_kind(context: str, kind_clusters: Sequence[str], k3d_clusters: Sequence[str]) -> tuple[str, str]:
    """(`kind` | `k3d` | `remote`, cluster name) from the current context, confirmed by the tools' lists.

    A `kind-x` context only counts as kind when `kind get clusters` lists `x` (a remote context that merely
    coexists with a local kind cluster is not mistaken for one, unlike upstream)."""
    for prefix, known, kind in (("kind-", kind_clusters, "kind"), ("k3d-", k3d_clusters, "k3d")):
        if context.startswith(prefix) and context[len(prefix) :] in known:
            return kind, context[len(prefix) :]
    return "remote", context


def parse_kind_clusters(stdout: str) -> list[str]:
    """`kind get clusters`: one name per line on stdout (the "none" message goes to stderr)."""
    return [line.strip() for line in stdout.splitlines() if line.strip()]


def parse_k3d_clusters(stdout: str) -> list[str]:
    """`k3d cluster list -o json`: a JSON array of cluster objects with a `name`."""
    try:
        data = json.loads(stdout or "[]")
    except json.JSONDecodeError as exc:
        raise ToolOutputError("k3d cluster list -o json printed something that is not JSON") from exc
    if not isinstance(data, list):
        raise ToolOutputError("k3d cluster list -o json did not print a JSON array")
    return [str(item["name"]) for item in data if isinstance(item, dict) and "name" in item]


@dataclass(frozen=True)
class Cluster:
    kind: str
    name: str
    context: str


class KubernetesProvider(Provider):
    name: ClassVar[str] = "kubernetes"

    # -- settings derived from sindri.yaml -------------------------------------------------------

    @property
    def env_name(self) -> str:
        return self.config.name

    @property
    def namespace(self) -> str:
        settings = self.config.providers.kubernetes if self.config.providers else None
        return settings.namespace if settings else "default"

    @property
    def storage_class(self) -> str | None:
        settings = self.config.providers.kubernetes if self.config.providers else None
        return settings.storage_class if settings else None

    @property
    def pvc_name(self) -> str:
        return f"{self.env_name}-home-pvc"

    @property
    def secret_name(self) -> str:
        return f"{self.env_name}-secrets"

    @property
    def files_secret_name(self) -> str:
        """The Secret holding `file` secrets: apart from env secrets, which envFrom exports whole."""
        return f"{self.env_name}-files"

    @property
    def selector(self) -> dict[str, str]:
        return {"app.kubernetes.io/instance": self.env_name, "instance": self.env_name}

    @property
    def labels(self) -> dict[str, str]:
        return {
            "app.kubernetes.io/name": "sindri",
            "app.kubernetes.io/instance": self.env_name,
            "app.kubernetes.io/component": "dev-environment",
            "app.kubernetes.io/managed-by": "sindri",
            "app": "sindri",
            "instance": self.env_name,
        }

    @property
    def namespace_labels(self) -> dict[str, str]:
        """Marks a namespace as created by this environment, so destroy may remove it (and only it)."""
        return {"app.kubernetes.io/managed-by": "sindri", "sindri.dev/created-by": self.env_name}

    def _check_names(self) -> None:
        for what, value, limit in (
            ("name", self.env_name, 63),
            ("providers.kubernetes.namespace", self.namespace, 63),
        ):
            if len(value) > limit or not DNS_LABEL.match(value):
                raise ProviderError(
                    f"{what} '{value}' is not a valid Kubernetes name",
                    hint="Use at most 63 lowercase letters, digits and '-', "
                    "starting and ending with a letter or digit",
                )

    def image(self) -> str:
        """The image reference (no build support on Kubernetes: the cluster must be able to get it)."""
        image = configured_image(self.config)
        if image is not None:
            return image
        raise ProviderError(
            "No image configured: the Kubernetes provider deploys an existing image",
            hint="Set deployment.image (e.g. ghcr.io/pacphi/sindri:v3-latest) in sindri.yaml",
        )

    def _pull_policy(self) -> str:
        ic = self.config.deployment.image_config
        return str(ic.pull_policy) if ic is not None else "IfNotPresent"

    def _env(self) -> dict[str, str]:
        ext = self.config.extensions
        env = {"INIT_WORKSPACE": "true", "INSTALL_PROFILE": ext.profile or ""}
        if ext.active:
            env["CUSTOM_EXTENSIONS"] = ",".join(ext.active)
        if ext.additional:
            env["ADDITIONAL_EXTENSIONS"] = ",".join(ext.additional)
        env["SKIP_AUTO_INSTALL"] = "false" if ext.auto_install else "true"
        source = self.config.deployment.build_from_source
        if source is not None and source.git_ref:
            env["SINDRI_SOURCE_REF"] = source.git_ref
        return env

    def _sizes(self) -> tuple[str, str, str]:
        """(memory, cpu, storage) as Kubernetes quantities."""
        res = self.config.deployment.resources
        memory = quantity((res.memory if res else None) or "4GB")
        cpu = str((res.cpus if res else None) or 2)
        volumes = self.config.deployment.volumes
        storage = quantity(volumes.workspace.size if volumes and volumes.workspace else "10GB")
        return memory, cpu, storage

    def _gpu_limits(self) -> dict[str, str]:
        res = self.config.deployment.resources
        gpu = res.gpu if res else None
        if gpu is None or not gpu.enabled:
            return {}
        return {f"{'amd' if str(gpu.type) == 'amd' else 'nvidia'}.com/gpu": str(gpu.count)}

    def render_manifests(self) -> str:
        """The PVC, Deployment and Service, with every value escaped (no secret values)."""
        self._check_names()
        memory, cpu, storage = self._sizes()
        return render(
            "kubernetes/k8s-deployment.yaml.j2",
            name=self.env_name,
            namespace=self.namespace,
            labels=self.labels,
            selector=self.selector,
            pvc_name=self.pvc_name,
            storage_class=self.storage_class,
            storage=storage,
            container=CONTAINER,
            image=self.image(),
            pull_policy=self._pull_policy(),
            memory=memory,
            cpu=cpu,
            gpu_limits=self._gpu_limits(),
            env=self._env(),
            has_secrets=bool(self.loaded.secrets),
            secret_name=self.secret_name,
            files=[(f.name, f.mount_path, f.mode) for f in self.loaded.files],
            files_secret_name=self.files_secret_name,
            home_path=HOME_PATH,
        )

    def render_namespace(self) -> str:
        self._check_names()
        return render(
            "kubernetes/namespace.yaml.j2",
            name=self.env_name,
            namespace=self.namespace,
            namespace_labels=self.namespace_labels,
        )

    def secret_manifest(self) -> str:
        """The Secret as JSON, for `kubectl apply -f -` (it only ever exists in memory and on stdin)."""
        data = {k: base64.b64encode(v.encode()).decode() for k, v in sorted(self.loaded.secrets.items())}
        return self._secret_json(self.secret_name, data)

    def files_manifest(self) -> str:
        """The Secret of the `file` secrets, one key each (mounted by the Deployment), for stdin only."""
        return self._secret_json(self.files_secret_name, {f.name: f.encoded for f in self.loaded.files})

    def _secret_json(self, name: str, data: dict[str, str]) -> str:
        return json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {"name": name, "namespace": self.namespace, "labels": self.labels},
                "data": data,
            }
        )

    # -- kubectl helpers ------------------------------------------------------------------------

    async def _kubectl(self, *args: str, **kwargs: Any) -> CommandResult:
        kwargs.setdefault(
            "hint", f"Check the error above and `kubectl get all -n {self.namespace}`, then retry"
        )
        return await self.runner.run(["kubectl", *args], install_hint=KUBECTL_HINT, **kwargs)

    async def _get_json(self, *args: str) -> dict[str, Any] | None:
        """`kubectl get ... -o json`; None when the object does not exist."""
        result = await self._kubectl("get", *args, "-o", "json", check=False)
        if not result.ok:
            if "(NotFound)" in result.stderr:
                return None
            last = self.runner.tail(result).splitlines()[-1:] or [""]
            if UNREACHABLE.search(last[0]):
                raise ProviderError(f"Cannot reach the Kubernetes cluster: {last[0]}", hint=CLUSTER_HINT)
            raise ToolFailedError(
                ["kubectl", "get", *args], result.returncode, self.runner.tail(result), hint=CLUSTER_HINT
            )
        try:
            data = json.loads(result.stdout)
        except json.JSONDecodeError:
            raise ToolOutputError(
                f"kubectl get {' '.join(args)} -o json printed something that is not JSON",
                hint="Check that `kubectl` is the real kubectl and the cluster is healthy",
            ) from None
        if not isinstance(data, dict):
            raise ToolOutputError(f"kubectl get {' '.join(args)} -o json did not print a JSON object")
        return data

    async def _deployment(self) -> dict[str, Any] | None:
        return await self._get_json("deployment", self.env_name, "-n", self.namespace)

    @property
    def _objects(self) -> tuple[tuple[str, str], ...]:
        """(kind, name) of every namespaced object this environment creates."""
        return (
            ("deployment", self.env_name),
            ("service", self.env_name),
            ("secret", self.secret_name),
            ("secret", self.files_secret_name),
            ("pvc", self.pvc_name),
        )

    def _ours(self, obj: dict[str, Any]) -> bool:
        """Created by sindri for this environment (by its labels): only those may be replaced or deleted."""
        labels = obj.get("metadata", {}).get("labels") or {}
        return (
            labels.get("app.kubernetes.io/managed-by") == "sindri"
            and labels.get("app.kubernetes.io/instance") == self.env_name
        )

    async def _foreign(self) -> list[str]:
        """Objects with this environment's names in its namespace that sindri did not create for it."""
        found = []
        for kind, name in self._objects:
            obj = await self._get_json(kind, name, "-n", self.namespace)
            if obj is not None and not self._ours(obj):
                found.append(f"{kind} {name}")
        return found

    async def _pods(self) -> list[dict[str, Any]]:
        """Pods of this environment (found by label), the newest live one first."""
        data = await self._get_json("pods", "-n", self.namespace, "-l", f"instance={self.env_name}")
        items = [p for p in (data or {}).get("items", []) if isinstance(p, dict)]
        items.sort(key=lambda p: str(p.get("metadata", {}).get("creationTimestamp", "")), reverse=True)
        items.sort(key=lambda p: bool(p.get("metadata", {}).get("deletionTimestamp")))
        return items

    async def _current_context(self) -> str:
        result = await self._kubectl(
            "config", "current-context", check=False, timeout=self.probe_timeout(PROBE_TIMEOUT)
        )
        if not result.ok or not result.stdout.strip():
            raise ProviderError(
                f"kubectl has no current context: {self.runner.tail(result) or 'empty output'}",
                hint="Point kubectl at a cluster (KUBECONFIG / `kubectl config use-context`); "
                + CLUSTER_HINT,
            )
        return result.stdout.strip()

    async def _cluster(self) -> Cluster:
        """Which cluster we talk to; kind/k3d are only believed when their own list confirms it."""
        context = await self._current_context()
        kind_clusters: list[str] = []
        k3d_clusters: list[str] = []
        if context.startswith("kind-") and self.runner.which("kind"):
            result = await self.runner.run(
                ["kind", "get", "clusters"], check=False, timeout=self.probe_timeout(PROBE_TIMEOUT)
            )
            kind_clusters = parse_kind_clusters(result.stdout) if result.ok else []
        elif context.startswith("k3d-") and self.runner.which("k3d"):
            result = await self.runner.run(
                ["k3d", "cluster", "list", "-o", "json"],
                check=False,
                timeout=self.probe_timeout(PROBE_TIMEOUT),
            )
            k3d_clusters = parse_k3d_clusters(result.stdout) if result.ok else []
        kind, name = cluster_kind(context, kind_clusters, k3d_clusters)
        return Cluster(kind, name, context)

    # -- lifecycle ------------------------------------------------------------------------------

    async def check_prerequisites(self) -> PrerequisiteStatus:
        status = PrerequisiteStatus(provider=self.name)
        if self.runner.which("kubectl") is None:
            status.missing.append(
                Prerequisite(
                    name="kubectl",
                    kind="tool",
                    description="Kubernetes command-line tool",
                    install_hint=KUBECTL_HINT,
                    docs_url="https://kubernetes.io/docs/tasks/tools/",
                )
            )
            return status
        version = await self._kubectl(
            "version", "--client", "-o", "json", check=False, timeout=self.probe_timeout(PROBE_TIMEOUT)
        )
        try:
            client = json.loads(version.stdout)["clientVersion"]["gitVersion"]
        except (json.JSONDecodeError, KeyError, TypeError):
            client = None
        if not version.ok or not isinstance(client, str):
            status.missing.append(
                Prerequisite(
                    name="kubectl",
                    kind="tool",
                    description="`kubectl version --client -o json` did not report a version",
                    install_hint=KUBECTL_HINT,
                )
            )
            return status
        status.available.append(
            Prerequisite(name="kubectl", kind="tool", description="Kubernetes CLI", version=client)
        )
        for tool, argv in (("kind", ["kind", "version"]), ("k3d", ["k3d", "version"])):
            if self.runner.which(tool):
                result = await self.runner.run(argv, check=False, timeout=self.probe_timeout(PROBE_TIMEOUT))
                first = (result.stdout.strip() or result.stderr.strip() or "unknown").splitlines()[0]
                status.available.append(
                    Prerequisite(
                        name=tool,
                        kind="tool",
                        description=f"{tool} local cluster tool (optional)",
                        version=first,
                    )
                )
        reachable = await self._kubectl(
            "cluster-info",
            "--request-timeout=10s",
            check=False,
            timeout=self.probe_timeout(PROBE_TIMEOUT),
            hint=CLUSTER_HINT,
        )
        if reachable.ok:
            status.available.append(
                Prerequisite(name="cluster", description="Kubernetes API reachable", kind="daemon")
            )
        else:
            tail = self.runner.tail(reachable).splitlines()
            status.missing.append(
                Prerequisite(
                    name="cluster",
                    description="No reachable Kubernetes cluster: "
                    + (tail[-1] if tail else "kubectl cluster-info failed"),
                    install_hint=CLUSTER_HINT,
                    kind="daemon",
                )
            )
        return status

    async def plan(self) -> DeploymentPlan:
        self._check_names()
        memory, cpu, storage = self._sizes()
        plan = DeploymentPlan(provider=self.name)
        image = self.image()
        namespace_exists = True
        exists = False
        try:
            namespace_exists = await self._get_json("namespace", self.namespace) is not None
            exists = namespace_exists and await self._deployment() is not None
        except ProviderError as exc:
            plan.warnings.append(f"Could not query the cluster, assuming nothing exists yet: {exc.message}")
        ns = self.namespace
        if not namespace_exists:
            plan.add_file(self.output_dir / NAMESPACE_MANIFEST, "yaml", self.render_namespace())
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"namespace:{ns}",
                    description=f"Create namespace '{ns}'",
                )
            )
        plan.add_file(self.output_dir / MANIFEST, "yaml", self.render_manifests())
        if exists:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.UPDATE,
                    resource=f"deployment:{self.env_name}",
                    description="Deployment exists; deploy --force recreates it (the home PVC is kept)",
                )
            )
        else:
            plan.actions += [
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"pvc:{self.pvc_name}",
                    description=f"Create persistent volume claim ({storage})",
                ),
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"deployment:{self.env_name}",
                    description=f"Create deployment in namespace '{ns}'",
                ),
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"service:{self.env_name}",
                    description="Create ClusterIP service (ssh 22)",
                ),
            ]
        if self.loaded.secrets:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.UPDATE if exists else ActionType.CREATE,
                    resource=f"secret:{self.secret_name}",
                    description=f"Apply {len(self.loaded.secrets)} secret(s) from memory "
                    "(never written to disk)",
                )
            )
        if self.loaded.files:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.UPDATE if exists else ActionType.CREATE,
                    resource=f"secret:{self.files_secret_name}",
                    description=f"Apply {len(self.loaded.files)} file secret(s) from memory, mounted at "
                    + ", ".join(f.mount_path for f in self.loaded.files),
                )
            )
        plan.resources += [
            PlannedResource(
                resource_type="deployment",
                name=self.env_name,
                config={"namespace": ns, "replicas": 1, "image": image, "memory": memory, "cpu": cpu},
            ),
            PlannedResource(
                resource_type="pvc",
                name=self.pvc_name,
                config={"size": storage, "storageClass": self.storage_class},
            ),
            PlannedResource(
                resource_type="service", name=self.env_name, config={"type": "ClusterIP", "ports": [22]}
            ),
        ]
        return plan

    async def deploy(self, options: DeployOptions) -> DeployResult:
        started = time.monotonic()
        image = self.image()
        manifest = self.render_manifests()
        path = self.output_dir / MANIFEST
        result = DeployResult(success=True, name=self.env_name, provider=self.name)
        if options.dry_run:
            result.messages.append(
                f"Would deploy '{self.env_name}' to namespace '{self.namespace}' with {image}"
            )
            return result

        cluster = await self._cluster()
        if await self._get_json("namespace", self.namespace) is None:
            ns_path = self.output_dir / NAMESPACE_MANIFEST
            self.files.write(ns_path, self.render_namespace())
            self.progress(f"Creating namespace {self.namespace}")
            await self._kubectl("apply", "-f", str(ns_path), stream=True)
            result.messages.append(f"Created namespace '{self.namespace}'")
        elif foreign := await self._foreign():
            raise AlreadyDeployedError(
                f"namespace '{self.namespace}' already holds {', '.join(foreign)}, not created by sindri "
                f"for '{self.env_name}'; deploying would overwrite or delete it",
                hint="choose another `name` or `providers.kubernetes.namespace`",
            )
        elif await self._deployment() is not None:
            if not options.force:
                raise AlreadyDeployedError(
                    f"Deployment '{self.env_name}' already exists in namespace '{self.namespace}'",
                    hint="Use `sindri deploy --force` to recreate it (the home volume is kept), "
                    "or `sindri start` if it is stopped",
                )
            self.progress(f"Recreating deployment {self.env_name} (keeping {self.pvc_name})")
            await self._kubectl(
                "delete", "deployment", self.env_name, "-n", self.namespace, "--ignore-not-found"
            )

        await self._load_image(cluster, image, result)

        if self.loaded.secrets:
            self.progress(f"Applying secret {self.secret_name}")
            await self._kubectl("apply", "-f", "-", input=self.secret_manifest())
        else:
            await self._kubectl(
                "delete", "secret", self.secret_name, "-n", self.namespace, "--ignore-not-found"
            )
        if self.loaded.files:
            self.progress(f"Applying secret {self.files_secret_name} ({len(self.loaded.files)} file(s))")
            await self._kubectl("apply", "-f", "-", input=self.files_manifest())
        else:
            await self._kubectl(
                "delete", "secret", self.files_secret_name, "-n", self.namespace, "--ignore-not-found"
            )

        self.files.write(path, manifest)
        self.progress(f"Applying {path}")
        await self._kubectl("apply", "-f", str(path), stream=True)

        if options.wait:
            # Leave a little of the command's --timeout to report *why* the pod is not ready.
            elapsed = time.monotonic() - started
            await self._wait_ready(max(options.timeout - elapsed - WAIT_MARGIN, 1.0))
        pods = await self._pods()
        pod = pods[0]["metadata"]["name"] if pods else None
        result.instance_id = pod
        shell = f"kubectl exec -it {pod} -n {self.namespace} -c {CONTAINER} -- bash" if pod else None
        result.connection = ConnectionInfo(ssh_command=shell, instructions="sindri connect")
        result.messages.append(
            f"Deployed '{self.env_name}' to namespace '{self.namespace}' ({cluster.kind} cluster)"
        )
        return result

    async def _load_image(self, cluster: Cluster, image: str, result: DeployResult) -> None:
        """Load a locally built image into kind/k3d; a remote cluster must pull it itself."""
        if cluster.kind == "remote":
            result.warnings.append(
                f"Remote cluster '{cluster.context}': the image {image} must be pullable by the cluster"
            )
            return
        argv = (
            ["kind", "load", "docker-image", image, "--name", cluster.name]
            if cluster.kind == "kind"
            else ["k3d", "image", "import", image, "-c", cluster.name]
        )
        self.progress(f"Loading {image} into {cluster.kind} cluster {cluster.name}")
        loaded = await self.runner.run(argv, check=False, stream=True)
        if loaded.ok:
            return
        if "not present locally" in loaded.stderr:
            result.warnings.append(
                f"{image} is not in the local Docker; the {cluster.kind} cluster will pull it"
            )
            return
        raise ToolFailedError(
            argv, loaded.returncode, self.runner.tail(loaded), hint=f"Check `{argv[0]}` and the image name"
        )

    async def _wait_ready(self, timeout: float) -> None:
        seconds = max(int(timeout), 1)
        self.progress(f"Waiting up to {seconds}s for {self.env_name} to become ready")
        waited = await self._kubectl(
            "rollout",
            "status",
            f"deployment/{self.env_name}",
            "-n",
            self.namespace,
            f"--timeout={seconds}s",
            check=False,
            timeout=seconds + 15,
            stream=True,
        )
        if waited.ok:
            return
        if "timed out" not in waited.stderr:
            raise ToolFailedError(
                list(waited.argv), waited.returncode, self.runner.tail(waited), hint=CLUSTER_HINT
            )
        pods = await self._pods()
        why = waiting_reason(pods[0]) if pods else None
        raise ProviderError(
            f"'{self.env_name}' did not become ready within {seconds}s" + (f" ({why})" if why else ""),
            hint="See `kubectl describe pod -n "
            f"{self.namespace} -l instance={self.env_name}`; `sindri status` shows the state",
        )

    async def status(self) -> DeploymentStatus:
        status = DeploymentStatus(name=self.env_name, provider=self.name, state=DeploymentState.NOT_DEPLOYED)
        deployment = await self._deployment()
        if deployment is None:
            return status
        status.details["namespace"] = self.namespace
        status.image = next(
            (
                c.get("image")
                for c in deployment.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
            ),
            None,
        )
        replicas = deployment.get("spec", {}).get("replicas", 1)
        status.details["replicas"] = str(replicas)
        pods = await self._pods()
        if not pods:
            status.state = DeploymentState.STOPPED if replicas == 0 else DeploymentState.CREATING
            return status
        pod = pods[0]
        status.state = pod_state(pod)
        status.instance_id = pod.get("metadata", {}).get("name")
        status.details["pod"] = str(status.instance_id)
        status.details["phase"] = str(pod.get("status", {}).get("phase", "Unknown"))
        if node := pod.get("spec", {}).get("nodeName"):
            status.details["node"] = str(node)
        if why := waiting_reason(pod):
            status.messages.append(why)
        return status

    async def _require_deployment(self) -> dict[str, Any]:
        deployment = await self._deployment()
        if deployment is None:
            raise NotDeployedError(
                f"Deployment '{self.env_name}' not found in namespace '{self.namespace}'",
                hint="Deploy it first: sindri deploy",
            )
        return deployment

    async def start(self) -> None:
        await self._require_deployment()
        await self._kubectl("scale", "deployment", self.env_name, "-n", self.namespace, "--replicas", "1")
        await self._wait_ready(self.runner.default_timeout)

    async def stop(self) -> None:
        await self._require_deployment()
        await self._kubectl("scale", "deployment", self.env_name, "-n", self.namespace, "--replicas", "0")

    async def connect(self, command: Sequence[str] | None = None) -> int:
        await self._require_deployment()
        pods = await self._pods()
        if not pods:
            raise ProviderError(
                f"'{self.env_name}' has no pod (it is stopped)", hint="Start it first: sindri start"
            )
        pod = pods[0]
        state = pod_state(pod)
        if state is not DeploymentState.RUNNING:
            raise ProviderError(
                f"Pod {pod['metadata']['name']} is not running (state: {state.label})",
                hint="Wait for it with `sindri status`, or start it with `sindri start`",
            )
        argv = ["kubectl", "exec", "-i"]
        if sys.stdin.isatty() and sys.stdout.isatty():
            argv.append("-t")
        argv += [pod["metadata"]["name"], "-n", self.namespace, "-c", CONTAINER, "--"]
        argv += list(command) if command else ["sh", "-c", INTERACTIVE_SHELL]
        return await self.runner.run_attached(argv, hint=KUBECTL_HINT)

    async def destroy(self, force: bool = False) -> list[str]:
        """Delete the Deployment, Service, Secret and PVC of this environment; the namespace only
        when this environment created it (label) and no other Deployment is left in it."""
        done: list[str] = []
        namespace = await self._get_json("namespace", self.namespace)
        if namespace is not None:
            for kind, name in self._objects:
                obj = await self._get_json(kind, name, "-n", self.namespace)
                if obj is None:
                    continue
                if not self._ours(obj):
                    self.progress(f"Warning: left {kind} {name} alone: sindri did not create it")
                    done.append(f"Left {kind} {name} in namespace {self.namespace} (not created by sindri)")
                    continue
                deleted = await self._kubectl(
                    "delete", kind, name, "-n", self.namespace, "--ignore-not-found"
                )
                if deleted.stdout.strip():
                    done.append(f"Deleted {kind} {name} in namespace {self.namespace}")
            labels = namespace.get("metadata", {}).get("labels", {}) or {}
            if labels.get("sindri.dev/created-by") == self.env_name:
                others = await self._get_json("deployments", "-n", self.namespace)
                if not (others or {}).get("items"):
                    await self._kubectl("delete", "namespace", self.namespace, "--ignore-not-found")
                    done.append(f"Deleted namespace {self.namespace} (created by this environment)")
        for file in (MANIFEST, NAMESPACE_MANIFEST):
            self.files.remove_file(self.output_dir / file)
        if not done:
            self.progress(f"Warning: nothing of '{self.env_name}' found in namespace '{self.namespace}'")
            done.append(
                f"Nothing to destroy: '{self.env_name}' is not deployed in namespace '{self.namespace}'"
            )
        return done

    def supports_gpu(self) -> bool:
        return True
