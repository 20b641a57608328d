"""Rules about what the chosen provider will do with a value: what it refuses, ignores or changes.

Each rule is a function of the `RuleContext` (see `rules.py`, which runs them), reads plain data
without trusting its types, and points at the key or value that is wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .findings import Finding, Fix, Position, Range, TextEdit, make
from .positioned import MappingNode

if TYPE_CHECKING:
    from .rules import RuleContext, YamlPath

PORT_RANGE = (1, 65535)
DOCKER_MIN_MEMORY_MB = 6
"""Docker refuses a memory limit under 6 MB ("Minimum memory limit allowed is 6MB")."""
FLY_MB_PER_SHARED_CPU = 256
"""Fly.io's smallest shared-CPU machine has 256 MB per CPU (providers/fly.py says the same at deploy)."""
FLY_GPU_SIZES = {
    "gpu-small": "8 CPUs, 32768 MB",
    "gpu-medium": "16 CPUs, 65536 MB",
    "gpu-large": "16 CPUs, 65536 MB",
    "gpu-xlarge": "32 CPUs, 131072 MB",
}
"""What a Fly GPU tier sizes the machine to (providers/fly.py GPU_TIERS)."""
DEVPOD_BACKENDS = ("aws", "gcp", "azure", "digitalocean", "kubernetes", "ssh", "docker")
PROVIDERS_WITHOUT_BUILD = ("kubernetes", "runpod", "northflank")
"""Providers that deploy an existing image and cannot build one (deploy stops without an image)."""
DEFAULT_IMAGE = "ghcr.io/pacphi/sindri:v3-latest"
_SIZE = re.compile(r"(\d+)(MB|GB)")
NF_SERVICE_NAME = (3, 54)
"""Northflank service names are 3 to 54 characters."""
NF_REGIONS = (
    "us-east", "us-east-ohio", "us-west", "us-west-california", "us-central", "canada-central",
    "europe-west", "europe-west-frankfurt", "europe-west-netherlands", "europe-west-zurich", "asia-east",
    "asia-northeast", "asia-southeast", "australia-southeast", "africa-south", "southamerica-east",
)  # fmt: skip
"""Northflank's managed-cloud region slugs (upstream's NORTHFLANK.md); BYOC clusters have others."""
NF_GPU_TYPES = (
    "nvidia-l4", "nvidia-a100-40gb", "nvidia-a100-80gb", "nvidia-h100", "nvidia-h200", "nvidia-b200",
    "amd-mi300x",
)  # fmt: skip
"""GPU types Sindri's tiers map to, and the others upstream documents."""


def size_mb(value: object) -> int | None:
    """`4GB` -> 4096, `512MB` -> 512 (binary, as the providers count); None when not a size."""
    match = _SIZE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    return int(match[1]) * (1024 if match[2] == "GB" else 1)


def _fmt(path: YamlPath) -> str:
    from .validate import fmt_path

    return fmt_path(path)


def ports_in_range(ctx: RuleContext) -> Iterator[Finding]:
    """Both sides of a Docker port mapping must be 1..65535, or Compose refuses the file."""
    ports = ctx.get("providers", "docker", "ports")
    if not isinstance(ports, list):
        return
    low, high = PORT_RANGE
    for i, port in enumerate(ports):
        if not isinstance(port, str) or not re.fullmatch(r"\d+:\d+", port):
            continue
        bad = [
            f"{side} port {number}"
            for side, number in zip(("host", "container"), map(int, port.split(":")), strict=True)
            if not low <= number <= high
        ]
        if bad:
            path: YamlPath = ("providers", "docker", "ports", i)
            yield make(
                "SE399",
                f"{_fmt(path)}: {' and '.join(bad)} out of range: ports are {low} to {high}; "
                "docker compose would refuse the file",
                ctx.value(path),
                path,
                data={"range": list(PORT_RANGE)},
            )


def resource_amounts(ctx: RuleContext) -> Iterator[Finding]:
    """Amounts that cannot run anything (0) or that the chosen provider refuses (under its minimum)."""
    sizes: list[tuple[YamlPath, str]] = [
        (("deployment", "resources", "memory"), "no memory"),
        (("deployment", "volumes", "workspace", "size"), "an empty volume"),
        (("providers", "docker", "dind", "storageSize"), "no storage for the inner Docker"),
    ]
    for path, what in sizes:
        if size_mb(ctx.get(*path)) == 0 and _read_by_chosen(ctx, path):
            yield make(
                "SE398",
                f"{_fmt(path)} is 0: that gives {what}, which cannot run anything; give a size such as 4GB",
                ctx.value(path),
                path,
            )
    path = ("deployment", "resources", "memory")
    memory = size_mb(ctx.get(*path))
    if not memory:
        return
    if ctx.provider == "docker" and memory < DOCKER_MIN_MEMORY_MB:
        yield make(
            "SE398",
            f"{_fmt(path)} is {memory} MB: Docker refuses a memory limit under {DOCKER_MIN_MEMORY_MB} MB",
            ctx.value(path),
            path,
        )
    if (
        ctx.provider == "fly"
        and not _fly_gpu(ctx)
        and ctx.get("providers", "fly", "cpuKind") != "performance"
    ):
        cpus = ctx.get("deployment", "resources", "cpus")
        cpus = cpus if isinstance(cpus, int) and not isinstance(cpus, bool) and cpus > 0 else 2
        least = FLY_MB_PER_SHARED_CPU * cpus
        if memory < least:
            yield make(
                "SE398",
                f"{_fmt(path)} is {memory} MB: a shared-CPU Fly.io machine with {cpus} CPUs needs at least "
                f"{least} MB, so Fly would refuse it; use {least}MB or more",
                ctx.value(path),
                path,
                data={"minimum_mb": least},
            )


def _read_by_chosen(ctx: RuleContext, path: YamlPath) -> bool:
    """Whether the chosen provider reads the field (its schema's `x-providers`): an ignored one is
    reported as having no effect (SE304), not as an amount that cannot run."""
    from .rules import schema_at

    users = (schema_at(ctx.schema, path) or {}).get("x-providers")
    return not isinstance(users, list) or ctx.provider in users


def _fly_gpu(ctx: RuleContext) -> bool:
    return ctx.get("deployment", "resources", "gpu", "enabled") is True


def devpod_backend_options(ctx: RuleContext) -> Iterator[Finding]:
    """Options blocks of DevPod backends other than the selected `type` are never read."""
    kind = ctx.get("providers", "devpod", "type")
    block = ctx.get("providers", "devpod")
    if ctx.provider != "devpod" or kind not in DEVPOD_BACKENDS or not isinstance(block, dict):
        return
    for name in DEVPOD_BACKENDS:
        if name != kind and name in block:
            path: YamlPath = ("providers", "devpod", name)
            yield make(
                "SE397",
                f"{_fmt(path)} is ignored: providers.devpod.type is {kind}, so only providers.devpod.{kind} "
                f"options are used; remove this block or set type: {name}",
                ctx.key(path),
                path,
                data={"selected": kind},
            )


def inactive_mode_settings(ctx: RuleContext) -> Iterator[Finding]:
    """Settings that only take effect in a mode (DinD on, a DinD mode, GPU on) the file does not select."""
    dind = ctx.get("providers", "docker", "dind")
    if ctx.provider == "docker" and isinstance(dind, dict):
        base: YamlPath = ("providers", "docker", "dind")
        if dind.get("enabled") is not True:
            for key in ("mode", "storageDriver", "storageSize"):
                if key in dind:
                    yield _inactive(ctx, (*base, key), "providers.docker.dind.enabled is not true")
        elif dind.get("mode") == "socket":
            for key in ("storageDriver", "storageSize"):
                if key in dind:
                    yield _inactive(
                        ctx,
                        (*base, key),
                        "dind.mode is socket, which shares the host's Docker daemon (there is no inner one)",
                    )
    gpu = ctx.get("deployment", "resources", "gpu")
    if isinstance(gpu, dict) and gpu.get("enabled") is not True and ctx.provider != "e2b":
        for key in ("count", "tier"):
            if key in gpu:
                yield _inactive(
                    ctx,
                    ("deployment", "resources", "gpu", key),
                    "deployment.resources.gpu.enabled is not true",
                )
    if ctx.provider == "fly" and _fly_gpu(ctx):
        tier = ctx.get("deployment", "resources", "gpu", "tier")
        tier = tier if tier in FLY_GPU_SIZES else "gpu-small"
        why = f"a Fly.io GPU machine is sized by gpu.tier ({tier}: {FLY_GPU_SIZES[tier]})"
        for path in (
            ("deployment", "resources", "memory"),
            ("deployment", "resources", "cpus"),
            ("providers", "fly", "cpuKind"),
        ):
            if ctx.doc.entry_at(path) is not None and ctx.get(*path) != "performance":
                yield _inactive(ctx, path, why)


def _inactive(ctx: RuleContext, path: YamlPath, why: str) -> Finding:
    return make("SE396", f"{_fmt(path)} is ignored: {why}", ctx.key(path), path)


def runpod_pod(ctx: RuleContext) -> Iterator[Finding]:
    """What RunPod does with a GPU setting on a CPU pod (nothing) and with a pod volume under 10 GB
    (refuses the pod); providers/runpod.py decides GPU or CPU the same way."""
    if ctx.provider != "runpod":
        return
    block = ctx.get("providers", "runpod")
    block = block if isinstance(block, dict) else {}
    gpu_enabled = ctx.get("deployment", "resources", "gpu", "enabled") is True
    cpu_only = block.get("cpuOnly") is True
    if cpu_only:
        for key in ("gpuTypeId", "gpuCount"):
            if key in block:
                path: YamlPath = ("providers", "runpod", key)
                yield make(
                    "SE390", f"{_fmt(path)} has no effect: cpuOnly makes a CPU pod", ctx.key(path), path
                )
        if gpu_enabled:
            path = ("deployment", "resources", "gpu", "enabled")
            yield make("SE390", f"{_fmt(path)} has no effect: cpuOnly makes a CPU pod", ctx.value(path), path)
    size = block.get("volumeSizeGb")
    if not isinstance(size, int) or isinstance(size, bool) or size == 0:
        return
    path = ("providers", "runpod", "volumeSizeGb")
    if cpu_only or not (gpu_enabled or "gpuTypeId" in block):
        yield make(
            "SE390", f"{_fmt(path)} has no effect: RunPod gives a CPU pod no pod volume", ctx.key(path), path
        )
    elif 0 < size < 10:
        r = ctx.value(path)
        yield make(
            "SE391",
            f"{_fmt(path)}: RunPod pod volumes are at least 10 GB (0 for none); the API would refuse the pod",
            r,
            path,
            fixes=(Fix("Use 10 GB", (TextEdit(r, "10"),), preferred=True),),
        )


def image_required(ctx: RuleContext) -> Iterator[Finding]:
    """A provider that cannot build an image needs one configured, or deploy stops."""
    chosen = ctx.provider
    deployment = ctx.get("deployment")
    if chosen not in PROVIDERS_WITHOUT_BUILD or not isinstance(deployment, dict):
        return
    if deployment.get("image") or deployment.get("image_config") is not None:
        return
    if chosen == "runpod" and ctx.get("providers", "runpod", "templateId"):
        return  # the RunPod template names the image
    path: YamlPath = ("deployment", "provider")
    r = ctx.value(path)
    fixes: tuple[Fix, ...] = ()
    node = ctx.doc.node_at(("deployment",))
    if isinstance(node, MappingNode) and not node.flow and node.entries:
        provider_entry = ctx.doc.entry_at(path)
        if provider_entry is not None and provider_entry.value.el == provider_entry.key.sl:
            at = Position(provider_entry.key.sl + 1, 0)
            indent = " " * provider_entry.key.sc
            text = f"{indent}image: {DEFAULT_IMAGE}{ctx.doc.newline}"
            if at.line >= len(ctx.doc.lines):
                last = len(ctx.doc.lines) - 1
                at = Position(last, len(ctx.doc.lines[last]))
                text = ctx.doc.newline + text.rstrip("\r\n")
            fixes = (Fix("Add deployment.image", (TextEdit(Range(at, at), text),), preferred=True),)
    yield make(
        "SE395",
        f"the {chosen} provider deploys an existing image and cannot build one, and no image is "
        f"configured: deploy would stop; set deployment.image (e.g. {DEFAULT_IMAGE}) or "
        "deployment.image_config",
        r,
        path,
        fixes=fixes,
    )


def provider_changes(ctx: RuleContext) -> Iterator[Finding]:
    """Values the provider silently changes: say what the user will get."""
    if ctx.provider == "fly":
        path: YamlPath = ("deployment", "volumes", "workspace", "size")
        mb = size_mb(ctx.get(*path))
        if mb and mb % 1024:
            gb = math.ceil(mb / 1024)
            yield make(
                "SE394",
                f"{_fmt(path)} is {ctx.get(*path)}: Fly.io volumes are whole GB, so this is a {gb} GB "
                f"volume; write {gb}GB to say so",
                ctx.value(path),
                path,
                fixes=(Fix(f"Change to {gb}GB", (TextEdit(ctx.value(path), f"{gb}GB"),), preferred=True),),
                data={"effective": f"{gb}GB"},
            )
    if ctx.provider == "e2b":
        path = ("deployment", "resources", "memory")
        mb = size_mb(ctx.get(*path))
        if mb and mb % 2:
            yield make(
                "SE394",
                f"{_fmt(path)} is {mb} MB: E2B takes an even number of MB, so the sandbox gets {mb + 1} MB",
                ctx.value(path),
                path,
                fixes=(
                    Fix(f"Change to {mb + 1}MB", (TextEdit(ctx.value(path), f"{mb + 1}MB"),), preferred=True),
                ),
                data={"effective": f"{mb + 1}MB"},
            )


def northflank_settings(ctx: RuleContext) -> Iterator[Finding]:
    """What Northflank refuses or will not find: the service name's length, an unknown region or GPU type
    (the project is created in the region, which cannot change afterwards)."""
    if ctx.provider != "northflank":
        return
    service_path: YamlPath = ("providers", "northflank", "serviceName")
    if not isinstance(ctx.get(*service_path), str):
        service_path = ("name",)
    service = ctx.get(*service_path)
    low, high = NF_SERVICE_NAME
    if isinstance(service, str) and not low <= len(service) <= high:
        yield make(
            "SE305",
            f"{_fmt(service_path)} '{service}' names the Northflank service, which takes {low} to {high} "
            f"characters; it has {len(service)}",
            ctx.value(service_path),
            service_path,
            data={"derived": service, "limit": high},
        )
    region_path: YamlPath = ("providers", "northflank", "region")
    region = ctx.get(*region_path)
    if isinstance(region, str) and region not in NF_REGIONS:
        yield make(
            "SE380",
            f"{_fmt(region_path)} '{region}' is not a Northflank region; a new project is created there and "
            f"cannot move: one of {', '.join(NF_REGIONS)}",
            ctx.value(region_path),
            region_path,
            data={"known": list(NF_REGIONS)},
        )
    gpu_path: YamlPath = ("providers", "northflank", "gpuType")
    gpu = ctx.get(*gpu_path)
    if isinstance(gpu, str) and gpu not in NF_GPU_TYPES:
        yield make(
            "SE381",
            f"{_fmt(gpu_path)} '{gpu}' is not a GPU type sindri knows for Northflank "
            f"({', '.join(NF_GPU_TYPES)}); the API refuses types it does not offer",
            ctx.value(gpu_path),
            gpu_path,
            data={"known": list(NF_GPU_TYPES)},
        )
