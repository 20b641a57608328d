"""The pydantic model of sindri.yaml, following upstream Sindri v3 key for key.

Python attribute names are snake_case; the YAML spelling (camelCase where upstream uses it) is the
alias. Every field's `json_schema_extra` records the providers that use it (`x-providers`), which the
hover text and the "ignored by the chosen provider" rule read.

The model and the generated JSON Schema must give the same verdict on every document, so scalars are
strict (no "yes" -> True, no "2" -> 2), explicit `null` is rejected like the schema rejects it, and
patterns use Python's `re` like the `jsonschema` library does, matched against the whole value as JSON Schema
(ECMA-262) reads `^...$`: Python's `$` also matches before a final line break, so each pattern also gets a
`whole_match` check (`name: "env\n"` would otherwise pass and name a lock file with a line break).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic import Strict as _Strict

from .names import (
    ALL_PROVIDERS,
    NAME_PATTERN,
    PROVIDER_DESCRIPTIONS,
    ProfileName,
    ProviderName,
    canonical_provider,
)

SIZE_PATTERN = r"^\d+(MB|GB)$"
GPU_MEMORY_PATTERN = r"^\d+(GB|MB)$"
SECRET_NAME_PATTERN = r"^[A-Z][A-Z0-9_]*$"
PERMISSIONS_PATTERN = r"^0[0-7]{3}$"
PORT_MAPPING_PATTERN = r"^\d+:\d+$"
VERSION_PATTERN = r"^\d+\.\d+$"
K8S_VERSION_PATTERN = r"^v?\d+\.\d+\.\d+$"
NO_EFFECT = "Accepted but has no effect: no provider of this tool reads it."


def used_by(*providers: str) -> dict[str, Any]:
    """Schema extra naming the providers that read a field (all five when none are given)."""
    return {"x-providers": list(providers or ALL_PROVIDERS)}


def ignored() -> dict[str, Any]:
    """Schema extra of a field that upstream accepts but no provider reads."""
    return {"x-providers": []}


def _whole_number(value: Any) -> Any:
    """YAML `2.0` is an integer to JSON Schema; accept it here too so both agree."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole_match(pattern: str) -> AfterValidator:
    """The pattern checked against the whole value (see the module's docstring)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if compiled.fullmatch(value) is None:
            raise ValueError(
                f"String should match pattern '{pattern}' (a trailing line break is not allowed)"
            )
        return value

    return AfterValidator(check)


Int = Annotated[int, _Strict(), BeforeValidator(_whole_number)]
CpuCount = Annotated[int, Ge(1), _Strict(), BeforeValidator(_whole_number)]
Bool = StrictBool
Size = Annotated[str, StringConstraints(pattern=SIZE_PATTERN), whole_match(SIZE_PATTERN)]
GpuMemory = Annotated[str, StringConstraints(pattern=GPU_MEMORY_PATTERN), whole_match(GPU_MEMORY_PATTERN)]
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN), whole_match(NAME_PATTERN)]


class SindriModel(BaseModel):
    """Base of every block: YAML aliases, unknown keys kept (the engine warns about them)."""

    # defer_build: validators are built on first use, not at import (~35 ms of every start; a
    # document with errors never needs them).
    model_config = ConfigDict(
        populate_by_name=True,
        extra="allow",
        use_enum_values=True,
        regex_engine="python-re",
        defer_build=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _reject_null(cls, value: Any) -> Any:
        """An explicit `null` (or an empty value) is invalid, as in the schema: omit the key instead."""
        if value is None:
            raise ValueError("null is not allowed: give a value or remove the key")
        return value


class StrictModel(SindriModel):
    """Blocks where upstream's schema sets additionalProperties: false."""

    model_config = ConfigDict(extra="forbid")


# --- deployment ------------------------------------------------------------------------------------


class Distro(StrEnum):
    UBUNTU = "ubuntu"
    FEDORA = "fedora"
    OPENSUSE = "opensuse"


class ResolutionStrategy(StrEnum):
    SEMVER = "semver"
    LATEST_STABLE = "latest-stable"
    PIN_TO_CLI = "pin-to-cli"
    EXPLICIT = "explicit"


class PullPolicy(StrEnum):
    ALWAYS = "Always"
    IF_NOT_PRESENT = "IfNotPresent"
    NEVER = "Never"


class ImageConfig(SindriModel):
    registry: str = Field(
        description="Image registry and repository, e.g. `ghcr.io/pacphi/sindri`.",
        json_schema_extra=used_by(),
    )
    version: str | None = Field(
        None,
        description="Semver constraint used to pick a tag, e.g. `^3.0.0`.",
        json_schema_extra=used_by(),
    )
    tag_override: str | None = Field(
        None,
        description="Exact tag to use instead of resolving `version`.",
        json_schema_extra=used_by(),
    )
    digest: str | None = Field(
        None,
        description="Image digest (`sha256:...`); wins over every tag.",
        json_schema_extra=used_by(),
    )
    resolution_strategy: ResolutionStrategy = Field(
        ResolutionStrategy.SEMVER,
        description=f"How `version` is resolved to a tag (only exact versions are used here). {NO_EFFECT}",
        json_schema_extra=ignored(),
    )
    allow_prerelease: Bool = Field(
        False,
        description=f"Allow pre-release tags when resolving. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )
    verify_signature: Bool = Field(
        True,
        description="Check the image's signature with cosign before deploy (skipped with a warning "
        "when cosign is not installed; `sindri deploy --skip-image-verification` turns it off).",
        json_schema_extra=used_by(),
    )
    verify_provenance: Bool = Field(
        True,
        description="Check the image's SLSA provenance attestation with cosign before deploy (a "
        "failure is a warning).",
        json_schema_extra=used_by(),
    )
    pull_policy: PullPolicy = Field(
        PullPolicy.IF_NOT_PRESENT,
        description="When to pull the image (the Kubernetes pod's imagePullPolicy).",
        json_schema_extra=used_by("kubernetes"),
    )
    certificate_identity: str = Field(
        "https://github.com/pacphi/sindri",
        description="Expected identity of the signing certificate: this URL, or anything under it "
        "after `/` or `@` (a workflow path and ref).",
        json_schema_extra=used_by(),
    )
    certificate_oidc_issuer: str = Field(
        "https://token.actions.githubusercontent.com",
        description="Expected OIDC issuer of the signing certificate.",
        json_schema_extra=used_by(),
    )


class BuildFromSource(SindriModel):
    enabled: Bool = Field(
        False,
        description="Build the image from Sindri's source (v3/Dockerfile.dev) even when an image is "
        "configured. With no image configured, Docker, Fly, E2B and DevPod build v3/Dockerfile anyway; "
        "the repository is SINDRI_SOURCE_REPO (default upstream's). Kubernetes cannot build; every "
        "provider skips the image signature checks of an image built from source.",
        json_schema_extra=used_by(),
    )
    git_ref: str | None = Field(
        None,
        alias="gitRef",
        description="Branch or tag of Sindri's source to build from (default v3); also passed to the "
        "environment as SINDRI_SOURCE_REF.",
        json_schema_extra=used_by(),
    )


class GpuType(StrEnum):
    NVIDIA = "nvidia"
    AMD = "amd"


class GpuTier(StrEnum):
    SMALL = "gpu-small"
    MEDIUM = "gpu-medium"
    LARGE = "gpu-large"
    XLARGE = "gpu-xlarge"


GPU_PROVIDERS = ("docker", "fly", "devpod", "kubernetes", "runpod", "northflank")


class Gpu(StrictModel):
    enabled: Bool = Field(
        False,
        description="Request GPU hardware. E2B has no GPUs.",
        json_schema_extra=used_by(*GPU_PROVIDERS),
    )
    type: GpuType = Field(
        GpuType.NVIDIA,
        description="GPU vendor: the Kubernetes resource requested (`nvidia.com/gpu` or `amd.com/gpu`).",
        json_schema_extra=used_by("kubernetes"),
    )
    count: Int = Field(
        1,
        ge=1,
        le=8,
        description="Number of GPUs to request (1 to 8).",
        json_schema_extra=used_by("docker", "kubernetes", "runpod"),
    )
    tier: GpuTier | None = Field(
        None,
        description="GPU size class, mapped to a Fly.io GPU machine type, a RunPod GPU type (small RTX "
        "A4000, medium RTX A5000, large A100 80GB, xlarge H100 80GB) or a Northflank GPU type.",
        json_schema_extra=used_by("fly", "runpod", "northflank"),
    )
    memory: GpuMemory | None = Field(
        None,
        description=f"Minimum GPU memory, e.g. `16GB`. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )


RESOURCE_PROVIDERS = ("docker", "fly", "devpod", "e2b", "kubernetes", "northflank")


class Resources(SindriModel):
    memory: Size | None = Field(
        None,
        description="Memory limit: a whole number and `MB` or `GB`, e.g. `4GB`. Default 4GB (Docker, "
        "Kubernetes, DevPod's devcontainer hostRequirements) or 2GB (Fly.io, E2B, Northflank: picks the "
        "compute plan when `computePlan` is not set).",
        json_schema_extra=used_by(*RESOURCE_PROVIDERS),
    )
    cpus: CpuCount | None = Field(
        None,
        description="Number of CPUs (default 2; DevPod: the devcontainer's hostRequirements; "
        "RunPod CPU pods: rounded up to a power of two).",
        json_schema_extra=used_by(*RESOURCE_PROVIDERS, "runpod"),
    )
    gpu: Gpu | None = Field(
        None, description="GPU request for compute workloads.", json_schema_extra=used_by(*GPU_PROVIDERS)
    )


class WorkspaceVolume(SindriModel):
    path: str = Field(
        "/alt/home/developer/workspace",
        description=f"Workspace path inside the environment. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )
    size: Size = Field(
        "10GB",
        description="Size of the persistent volume: a whole number and `MB` or `GB`.",
        json_schema_extra=used_by("fly", "kubernetes"),
    )


class Volumes(SindriModel):
    workspace: WorkspaceVolume | None = Field(
        None, description="The persistent workspace volume.", json_schema_extra=used_by("fly", "kubernetes")
    )


class Deployment(SindriModel):
    provider: ProviderName = Field(
        description="Where the environment runs. `docker-compose` is an alias of `docker`; "
        "every upstream provider is supported.",
        json_schema_extra={**used_by(), "enumDescriptions": [PROVIDER_DESCRIPTIONS[p] for p in ProviderName]},
    )
    distro: Distro = Field(
        Distro.UBUNTU,
        description="Linux distribution of the image; the image tag must match it "
        "(`-fedora`, `-opensuse`, neither for ubuntu).",
        json_schema_extra=used_by(),
    )
    image: str | None = Field(
        None,
        description="Full image reference, e.g. `ghcr.io/pacphi/sindri:v3-latest`. DevPod runs it on "
        "every backend; E2B builds its sandbox template FROM it.",
        json_schema_extra=used_by(),
    )
    image_config: ImageConfig | None = Field(
        None,
        description="Structured image selection; wins over `image`.",
        json_schema_extra=used_by(),
    )
    build_from_source: BuildFromSource | None = Field(
        None,
        alias="buildFromSource",
        description="Build the image from Sindri's source.",
        json_schema_extra=used_by(),
    )
    resources: Resources | None = Field(
        None, description="CPU, memory and GPU.", json_schema_extra=used_by(*RESOURCE_PROVIDERS, "runpod")
    )
    volumes: Volumes | None = Field(
        None, description="Persistent volumes.", json_schema_extra=used_by("fly", "kubernetes")
    )

    @field_validator("provider", mode="wrap")
    @classmethod
    def _plugin_provider(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """A provider an installed package declares (see plugins.py) is chosen by its name too."""
        from .plugins import plugin_providers  # imports this module

        if isinstance(value, str) and value in plugin_providers():
            return value
        return handler(value)


# --- extensions ------------------------------------------------------------------------------------


EXTENSIONS_ONE_OF: list[JsonValue] = [
    {"required": ["profile"], "not": {"required": ["active"]}},
    {
        "required": ["active"],
        "allOf": [{"not": {"required": ["profile"]}}, {"not": {"required": ["additional"]}}],
    },
]


class Extensions(StrictModel):
    """Either a `profile` (optionally with `additional` extensions) or an `active` list."""

    model_config = ConfigDict(json_schema_extra={"oneOf": EXTENSIONS_ONE_OF})

    profile: ProfileName | None = Field(
        None,
        description="A named set of extensions to install. Not together with `active`.",
        json_schema_extra=used_by(),
    )
    active: list[str] | None = Field(
        None,
        description="Exactly these extensions, instead of a profile.",
        json_schema_extra=used_by(),
    )
    additional: list[str] | None = Field(
        None,
        description="Extensions installed on top of the profile (needs `profile`).",
        json_schema_extra=used_by(),
    )
    auto_install: Bool = Field(
        True,
        description="Install the extensions when the environment starts; false for manual control or CI.",
        json_schema_extra=used_by(),
    )

    @model_validator(mode="after")
    def _profile_xor_active(self) -> Extensions:
        if self.profile is not None and self.active is not None:
            raise ValueError("set either `profile` or `active`, not both")
        if self.profile is None and self.active is None:
            raise ValueError("set `profile` (optionally with `additional`) or `active`")
        if self.additional is not None and self.profile is None:
            raise ValueError("`additional` needs a `profile`; with `active`, list every extension there")
        return self


# --- secrets ---------------------------------------------------------------------------------------


class SecretSource(StrEnum):
    ENV = "env"
    FILE = "file"
    VAULT = "vault"


SECRET_REQUIRED_BY_SOURCE = {"file": ("path", "mountPath"), "vault": ("vaultPath", "vaultKey")}
SECRET_CONDITIONS: list[JsonValue] = [
    {
        "if": {"properties": {"source": {"const": source}}, "required": ["source"]},
        "then": {"required": list(keys)},
    }
    for source, keys in SECRET_REQUIRED_BY_SOURCE.items()
]
VAULT_NOTE = "Read from HashiCorp Vault's KV v2 engine with VAULT_ADDR, VAULT_TOKEN and VAULT_NAMESPACE."


class Secret(SindriModel):
    """A secret passed to the environment."""

    model_config = ConfigDict(json_schema_extra={"allOf": SECRET_CONDITIONS})

    name: Annotated[str, whole_match(SECRET_NAME_PATTERN)] = Field(
        pattern=SECRET_NAME_PATTERN,
        description="Environment variable name: upper case letters, digits and `_`, starting with a letter.",
        json_schema_extra=used_by(),
    )
    source: SecretSource = Field(
        description="Where the value comes from: `env` (environment, `.env.local`, `.env`, `fromFile`), "
        "`file` (a file mounted into the environment) or `vault` (HashiCorp Vault).",
        json_schema_extra=used_by(),
    )
    from_file: str | None = Field(
        None,
        alias="fromFile",
        description="source env: read the value from this file (`~` expanded) when the variable is unset.",
        json_schema_extra=used_by(),
    )
    required: Bool = Field(
        False,
        description="Fail the deploy when the value cannot be resolved.",
        json_schema_extra=used_by(),
    )
    path: str | None = Field(
        None, description="source file: the local file (required).", json_schema_extra=used_by()
    )
    mount_path: str | None = Field(
        None,
        alias="mountPath",
        description="source file: where the file goes in the environment (required).",
        json_schema_extra=used_by(),
    )
    permissions: Annotated[str, whole_match(PERMISSIONS_PATTERN)] = Field(
        "0644",
        pattern=PERMISSIONS_PATTERN,
        description="source file: octal mode of the file in the environment, e.g. `0600`. Applied by "
        "Kubernetes, DevPod and E2B; Docker mounts the file read-only with its own mode, and Fly's "
        "`[[files]]` has no mode.",
        json_schema_extra=used_by("kubernetes", "devpod", "e2b"),
    )
    vault_path: str | None = Field(
        None,
        alias="vaultPath",
        description="source vault: path of the secret inside the mount, without `data/` (required). "
        + VAULT_NOTE,
        json_schema_extra=used_by(),
    )
    vault_key: str | None = Field(
        None,
        alias="vaultKey",
        description=f"source vault: key inside the secret (required). {VAULT_NOTE}",
        json_schema_extra=used_by(),
    )
    vault_mount: str = Field(
        "secret",
        alias="vaultMount",
        description=f"source vault: secrets engine mount point. {VAULT_NOTE}",
        json_schema_extra=used_by(),
    )

    @model_validator(mode="after")
    def _source_requirements(self) -> Secret:
        missing = [
            key
            for key in SECRET_REQUIRED_BY_SOURCE.get(str(self.source), ())
            if getattr(self, _ATTRIBUTE_OF_ALIAS[key]) is None
        ]
        if missing:
            keys = " and ".join(f"`{key}`" for key in missing)
            raise ValueError(f"a `{self.source}` secret needs {keys}")
        return self


_ATTRIBUTE_OF_ALIAS = {
    "path": "path",
    "mountPath": "mount_path",
    "vaultPath": "vault_path",
    "vaultKey": "vault_key",
}


# --- providers.docker ------------------------------------------------------------------------------


class DockerNetwork(StrEnum):
    BRIDGE = "bridge"
    HOST = "host"
    NONE = "none"


class DockerRestart(StrEnum):
    NO = "no"
    ALWAYS = "always"
    ON_FAILURE = "on-failure"
    UNLESS_STOPPED = "unless-stopped"


class DockerRuntime(StrEnum):
    RUNC = "runc"
    SYSBOX = "sysbox-runc"
    AUTO = "auto"


class DindMode(StrEnum):
    SYSBOX = "sysbox"
    PRIVILEGED = "privileged"
    SOCKET = "socket"
    AUTO = "auto"


class StorageDriver(StrEnum):
    AUTO = "auto"
    OVERLAY2 = "overlay2"
    FUSE_OVERLAYFS = "fuse-overlayfs"
    VFS = "vfs"


DOCKER = used_by("docker")


class Dind(StrictModel):
    enabled: Bool = Field(False, description="Run Docker inside the environment.", json_schema_extra=DOCKER)
    mode: DindMode = Field(
        DindMode.AUTO,
        description="How Docker-in-Docker is provided: `sysbox` (secure, needs the sysbox runtime on the "
        "host), `privileged` (legacy), `socket` (share the host's Docker daemon), `auto` (best available).",
        json_schema_extra=DOCKER,
    )
    storage_driver: StorageDriver = Field(
        StorageDriver.AUTO,
        alias="storageDriver",
        description="Storage driver of the inner Docker daemon (privileged mode).",
        json_schema_extra=DOCKER,
    )
    storage_size: Size = Field(
        "20GB",
        alias="storageSize",
        description="Size of the inner Docker's storage volume: a whole number and `MB` or `GB`.",
        json_schema_extra=DOCKER,
    )


PortMapping = Annotated[
    str, StringConstraints(pattern=PORT_MAPPING_PATTERN), whole_match(PORT_MAPPING_PATTERN)
]


class DockerProvider(SindriModel):
    network: DockerNetwork = Field(
        DockerNetwork.BRIDGE,
        description="Network mode of the container (`bridge`: the project's own network).",
        json_schema_extra=DOCKER,
    )
    restart: DockerRestart = Field(
        DockerRestart.UNLESS_STOPPED,
        description="Restart policy of the container (Compose `restart`).",
        json_schema_extra=DOCKER,
    )
    ports: list[PortMapping] = Field(
        default_factory=list,
        description="Published ports as `HOST:CONTAINER`, e.g. `3000:3000`.",
        json_schema_extra={**DOCKER, "default": []},
    )
    privileged: Bool = Field(
        False,
        description="Run the container privileged (security risk; lets DinD `auto` pick privileged mode).",
        json_schema_extra=DOCKER,
    )
    extra_hosts: list[str] = Field(
        default_factory=list,
        alias="extraHosts",
        description="Extra `/etc/hosts` entries, e.g. `host.docker.internal:host-gateway`.",
        json_schema_extra={**DOCKER, "default": []},
    )
    runtime: DockerRuntime = Field(
        DockerRuntime.AUTO,
        description=f"Container runtime (derived from the DinD mode instead). {NO_EFFECT}",
        json_schema_extra=ignored(),
    )
    dind: Dind | None = Field(None, description="Docker-in-Docker.", json_schema_extra=DOCKER)


# --- providers.fly ---------------------------------------------------------------------------------


class FlyCpuKind(StrEnum):
    SHARED = "shared"
    PERFORMANCE = "performance"


FLY = used_by("fly")


class FlyProvider(SindriModel):
    region: str = Field(
        "sjc", description="Primary Fly.io region, e.g. sjc, ord, iad, ams.", json_schema_extra=FLY
    )
    auto_stop_machines: Bool = Field(
        True,
        alias="autoStopMachines",
        description="Suspend the machine when idle (saves cost).",
        json_schema_extra=FLY,
    )
    auto_start_machines: Bool = Field(
        True,
        alias="autoStartMachines",
        description="Start the machine on incoming connections.",
        json_schema_extra=FLY,
    )
    cpu_kind: FlyCpuKind = Field(
        FlyCpuKind.SHARED,
        alias="cpuKind",
        description="`shared` (cheaper) or `performance` (dedicated) CPUs.",
        json_schema_extra=FLY,
    )
    ssh_port: Int = Field(
        10022,
        alias="sshPort",
        ge=1024,
        le=65535,
        description="External SSH port (1024 to 65535).",
        json_schema_extra=FLY,
    )
    organization: str | None = Field(
        None, description="Fly.io organization (default `personal`).", json_schema_extra=FLY
    )
    high_availability: Bool = Field(
        False,
        alias="highAvailability",
        description=f"Run more than one machine. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )


# --- providers.devpod ------------------------------------------------------------------------------


class DevpodType(StrEnum):
    AWS = "aws"
    GCP = "gcp"
    AZURE = "azure"
    DIGITALOCEAN = "digitalocean"
    KUBERNETES = "kubernetes"
    SSH = "ssh"
    DOCKER = "docker"


DEVPOD = used_by("devpod")


def _devpod_option(default: Any, description: str, alias: str | None = None) -> Any:
    """A DevPod backend option: handed to DevPod's provider as one of its options (`-o KEY=VALUE`)."""
    return Field(default, alias=alias, description=description, json_schema_extra=DEVPOD)


def _devpod_unsupported(default: Any, description: str, alias: str, backend: str) -> Any:
    """An upstream backend option that DevPod's own provider has no option for (deploy warns)."""
    return Field(
        default,
        alias=alias,
        description=f"{description} Accepted but has no effect: DevPod's {backend} provider has no "
        "such option.",
        json_schema_extra=ignored(),
    )


class DevpodAws(SindriModel):
    region: str = _devpod_option("us-west-2", "AWS region.")
    instance_type: str = _devpod_option("c5.xlarge", "EC2 instance type.", "instanceType")
    disk_size: Int = _devpod_option(40, "Root volume size in GB.", "diskSize")
    use_spot: Bool = _devpod_unsupported(False, "Use spot instances.", "useSpot", "aws")
    subnet_id: str | None = _devpod_option(None, "VPC subnet id.", "subnetId")
    security_group_id: str | None = _devpod_option(None, "Security group id.", "securityGroupId")


class GcpDiskType(StrEnum):
    STANDARD = "pd-standard"
    BALANCED = "pd-balanced"
    SSD = "pd-ssd"


class DevpodGcp(SindriModel):
    project: str | None = _devpod_option(None, "GCP project id.")
    zone: str = _devpod_option("us-central1-a", "GCP zone.")
    machine_type: str = _devpod_option("e2-standard-4", "Compute Engine machine type.", "machineType")
    disk_size: Int = _devpod_option(40, "Boot disk size in GB.", "diskSize")
    disk_type: GcpDiskType = _devpod_unsupported(
        GcpDiskType.BALANCED, "Persistent disk type.", "diskType", "gcloud"
    )


class DevpodAzure(SindriModel):
    subscription: str | None = _devpod_option(None, "Azure subscription id.")
    resource_group: str = _devpod_option("devpod-resources", "Resource group name.", "resourceGroup")
    location: str = _devpod_option("eastus", "Azure region.")
    vm_size: str = _devpod_option("Standard_D4s_v3", "VM size.", "vmSize")
    disk_size: Int = _devpod_option(40, "OS disk size in GB.", "diskSize")


class DevpodDigitalOcean(SindriModel):
    region: str = _devpod_option("nyc3", "DigitalOcean region.")
    size: str = _devpod_option("s-4vcpu-8gb", "Droplet size.")
    disk_size: Int | None = _devpod_option(None, "Block storage size in GB.", "diskSize")


class DevpodKubernetes(SindriModel):
    namespace: str = Field(
        "devpod", description="Namespace of the DevPod workspace pod.", json_schema_extra=DEVPOD
    )
    storage_class: str | None = Field(
        None,
        alias="storageClass",
        description="StorageClass of the workspace volume.",
        json_schema_extra=DEVPOD,
    )
    context: str | None = Field(None, description="kubectl context to use.", json_schema_extra=DEVPOD)
    node_selector: dict[str, str] | None = _devpod_option(None, "Node selector labels.", "nodeSelector")


class DevpodSsh(SindriModel):
    host: str | None = _devpod_option(None, "SSH host address.")
    user: str = _devpod_option("root", "SSH user.")
    port: Int = Field(22, ge=1, le=65535, description="SSH port (1 to 65535).", json_schema_extra=DEVPOD)
    key_path: str = _devpod_option("~/.ssh/id_rsa", "Path to the SSH private key.", "keyPath")


class DevpodDocker(SindriModel):
    docker_host: str | None = _devpod_option(
        None, "Docker host URL (default: the local socket).", "dockerHost"
    )


class DevpodProvider(SindriModel):
    type: DevpodType = Field(description="DevPod backend that hosts the workspace.", json_schema_extra=DEVPOD)
    build_repository: str | None = Field(
        None,
        alias="buildRepository",
        description="Registry path the image is pushed to, e.g. `ghcr.io/myorg/sindri`; needed when no "
        "image is configured and the backend is remote (aws, gcp, azure, digitalocean, ssh, or a "
        "kubernetes cluster that is not a local kind/k3d one).",
        json_schema_extra=DEVPOD,
    )
    aws: DevpodAws | None = Field(None, description="AWS EC2 backend options.", json_schema_extra=DEVPOD)
    gcp: DevpodGcp | None = Field(
        None, description="GCP Compute Engine backend options.", json_schema_extra=DEVPOD
    )
    azure: DevpodAzure | None = Field(None, description="Azure VM backend options.", json_schema_extra=DEVPOD)
    digitalocean: DevpodDigitalOcean | None = Field(
        None, description="DigitalOcean Droplet backend options.", json_schema_extra=DEVPOD
    )
    kubernetes: DevpodKubernetes | None = Field(
        None, description="Kubernetes backend options.", json_schema_extra=DEVPOD
    )
    ssh: DevpodSsh | None = Field(None, description="SSH backend options.", json_schema_extra=DEVPOD)
    docker: DevpodDocker | None = Field(
        None, description="Local Docker backend options.", json_schema_extra=DEVPOD
    )


# --- providers.e2b ---------------------------------------------------------------------------------


E2B = used_by("e2b")


class E2bProvider(StrictModel):
    template_alias: Name | None = Field(
        None,
        alias="templateAlias",
        description="E2B template name (default: derived from `name`).",
        json_schema_extra=E2B,
    )
    reuse_template: Bool = Field(
        True, alias="reuseTemplate", description="Reuse the template when it exists.", json_schema_extra=E2B
    )
    timeout: Int = Field(
        300, ge=60, le=86400, description="Sandbox lifetime in seconds (60 to 86400).", json_schema_extra=E2B
    )
    auto_pause: Bool = Field(
        True,
        alias="autoPause",
        description="Pause the sandbox on timeout instead of killing it.",
        json_schema_extra=E2B,
    )
    auto_resume: Bool = Field(
        True, alias="autoResume", description="Resume a paused sandbox on connect.", json_schema_extra=E2B
    )
    internet_access: Bool = Field(
        True,
        alias="internetAccess",
        description="Allow outbound internet access from the sandbox.",
        json_schema_extra=E2B,
    )
    allowed_domains: list[str] = Field(
        default_factory=list,
        alias="allowedDomains",
        description=f"Outbound domains allowed (empty: all). {NO_EFFECT}",
        json_schema_extra={**ignored(), "default": []},
    )
    blocked_domains: list[str] = Field(
        default_factory=list,
        alias="blockedDomains",
        description=f"Outbound domains blocked. {NO_EFFECT}",
        json_schema_extra={**ignored(), "default": []},
    )
    public_access: Bool = Field(
        False,
        alias="publicAccess",
        description=f"Allow public URLs to the sandbox's services. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )
    metadata: dict[str, str] = Field(
        default_factory=dict,
        description="Extra sandbox metadata (string values).",
        json_schema_extra={**E2B, "default": {}},
    )
    team: str | None = Field(
        None,
        description="E2B team billed. Accepted but has no effect: the team is the one of E2B_API_KEY.",
        json_schema_extra=ignored(),
    )
    build_on_deploy: Bool = Field(
        False,
        alias="buildOnDeploy",
        description="Rebuild the template on every deploy.",
        json_schema_extra=E2B,
    )


# --- providers.northflank --------------------------------------------------------------------------


NORTHFLANK = used_by("northflank")
NF_PLAN_PATTERN = r"^nf-compute-\d+(-\d+)?$"
NF_PORT_NAME_PATTERN = r"^[a-z][a-z0-9-]*$"


class NorthflankProtocol(StrEnum):
    HTTP = "HTTP"
    TCP = "TCP"
    UDP = "UDP"


class NorthflankPort(StrictModel):
    name: Annotated[str, whole_match(NF_PORT_NAME_PATTERN)] = Field(
        pattern=NF_PORT_NAME_PATTERN,
        description="Port name: lower case letters, digits and `-`.",
        json_schema_extra=NORTHFLANK,
    )
    internal_port: Int = Field(
        alias="internalPort",
        ge=1,
        le=65535,
        description="Container port (1 to 65535).",
        json_schema_extra=NORTHFLANK,
    )
    public: Bool = Field(
        False,
        description="Expose it on a public `*.code.run` address with TLS.",
        json_schema_extra=NORTHFLANK,
    )
    protocol: NorthflankProtocol = Field(
        NorthflankProtocol.HTTP, description="HTTP, TCP or UDP.", json_schema_extra=NORTHFLANK
    )


class NorthflankHealthCheckType(StrEnum):
    HTTP = "http"
    TCP = "tcp"
    COMMAND = "command"


class NorthflankHealthCheck(StrictModel):
    type: NorthflankHealthCheckType = Field(
        NorthflankHealthCheckType.TCP,
        description=f"http, tcp or command. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )
    path: str | None = Field(None, description=f"HTTP path. {NO_EFFECT}", json_schema_extra=ignored())
    port: Int | None = Field(
        None, ge=1, le=65535, description=f"Port. {NO_EFFECT}", json_schema_extra=ignored()
    )
    command: list[str] | None = Field(None, description=f"Command. {NO_EFFECT}", json_schema_extra=ignored())
    initial_delay_seconds: Int = Field(
        10,
        alias="initialDelaySeconds",
        ge=0,
        description=f"First check after. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )
    period_seconds: Int = Field(
        15, alias="periodSeconds", ge=1, description=f"Interval. {NO_EFFECT}", json_schema_extra=ignored()
    )
    failure_threshold: Int = Field(
        3,
        alias="failureThreshold",
        ge=1,
        description=f"Failures before restart. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )


class NorthflankAutoScaling(StrictModel):
    enabled: Bool = Field(
        False, description=f"Horizontal autoscaling. {NO_EFFECT}", json_schema_extra=ignored()
    )
    min_instances: Int = Field(
        1, alias="minInstances", ge=1, le=50, description=f"Floor. {NO_EFFECT}", json_schema_extra=ignored()
    )
    max_instances: Int = Field(
        3, alias="maxInstances", ge=1, le=50, description=f"Ceiling. {NO_EFFECT}", json_schema_extra=ignored()
    )
    target_cpu_utilization: Int = Field(
        70,
        alias="targetCpuUtilization",
        ge=1,
        le=100,
        description=f"CPU %. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )
    target_memory_utilization: Int = Field(
        80,
        alias="targetMemoryUtilization",
        ge=1,
        le=100,
        description=f"Memory %. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )


class NorthflankProvider(StrictModel):
    project_name: Name = Field(
        alias="projectName",
        description="Northflank project, created when missing (without this block: `sindri-<name>`).",
        json_schema_extra=NORTHFLANK,
    )
    service_name: Name | None = Field(
        None,
        alias="serviceName",
        description="Deployment service name, 3 to 54 characters (default: `name`).",
        json_schema_extra=NORTHFLANK,
    )
    compute_plan: Annotated[str, whole_match(NF_PLAN_PATTERN)] | None = Field(
        None,
        alias="computePlan",
        pattern=NF_PLAN_PATTERN,
        description="Compute plan, e.g. `nf-compute-200` (2 vCPU, 4 GB); default: the smallest plan with "
        "`resources.cpus` and `resources.memory`.",
        json_schema_extra=NORTHFLANK,
    )
    gpu_type: str | None = Field(
        None,
        alias="gpuType",
        description="GPU type, e.g. `nvidia-h100`, `nvidia-a100-80gb`, `nvidia-l4` (default: from "
        "`resources.gpu.tier` when the GPU is enabled).",
        json_schema_extra=NORTHFLANK,
    )
    gpu_count: Int = Field(
        1,
        alias="gpuCount",
        ge=1,
        le=8,
        description=f"GPUs per instance (1 to 8). {NO_EFFECT}",
        json_schema_extra=ignored(),
    )
    instances: Int = Field(
        1,
        ge=0,
        le=50,
        description="Instances (0 to 50; 0 creates it scaled to zero).",
        json_schema_extra=NORTHFLANK,
    )
    volume_size_gb: Int = Field(
        10,
        alias="volumeSizeGb",
        ge=0,
        le=1500,
        description="Persistent volume in GB (0: none). A volume limits the service to one instance.",
        json_schema_extra=NORTHFLANK,
    )
    volume_mount_path: str = Field(
        "/workspace",
        alias="volumeMountPath",
        description="Where the volume is mounted.",
        json_schema_extra=NORTHFLANK,
    )
    region: str | None = Field(
        None,
        description="Region slug of a new project, e.g. `us-east`, `europe-west` (fixed once created).",
        json_schema_extra=NORTHFLANK,
    )
    registry_credentials: str | None = Field(
        None,
        alias="registryCredentials",
        description="Id of the Northflank registry credentials that pull a private image.",
        json_schema_extra=NORTHFLANK,
    )
    ports: list[NorthflankPort] = Field(
        default_factory=list,
        description="Ports the service exposes (public ones get an HTTPS address).",
        json_schema_extra={**NORTHFLANK, "default": []},
    )
    health_check: NorthflankHealthCheck | None = Field(
        None, alias="healthCheck", description=f"Liveness probe. {NO_EFFECT}", json_schema_extra=ignored()
    )
    auto_scaling: NorthflankAutoScaling | None = Field(
        None,
        alias="autoScaling",
        description=f"Horizontal autoscaling. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )


# --- providers.kubernetes and providers.k8s --------------------------------------------------------


KUBERNETES = used_by("kubernetes")


class Ingress(SindriModel):
    enabled: Bool = Field(False, description=f"Create an Ingress. {NO_EFFECT}", json_schema_extra=ignored())
    hostname: str | None = Field(
        None, description=f"Ingress host name. {NO_EFFECT}", json_schema_extra=ignored()
    )


class KubernetesProvider(SindriModel):
    namespace: str = Field(
        "default", description="Namespace the environment is deployed into.", json_schema_extra=KUBERNETES
    )
    storage_class: str | None = Field(
        None,
        alias="storageClass",
        description="StorageClass of the home volume claim (default: the cluster's default).",
        json_schema_extra=KUBERNETES,
    )
    ingress: Ingress | None = Field(None, description=f"Ingress. {NO_EFFECT}", json_schema_extra=ignored())


class K8sClusterKind(StrEnum):
    KIND = "kind"
    K3D = "k3d"


K8S_NOTE = (
    "Read by upstream's `sindri k8s` cluster commands, which this tool does not have: "
    "accepted but has no effect."
)


def _k8s_option(default: Any, description: str, alias: str | None = None, **constraints: Any) -> Any:
    return Field(
        default,
        alias=alias,
        description=f"{description} {K8S_NOTE}",
        json_schema_extra=ignored(),
        **constraints,
    )


class KindCluster(SindriModel):
    image: str | None = _k8s_option(None, "Custom kind node image, e.g. `kindest/node:v1.31.0`.")
    config_file: str | None = _k8s_option(None, "Path to a kind cluster config file.", "configFile")


class K3dRegistry(SindriModel):
    enabled: Bool = _k8s_option(False, "Create a local registry with the cluster.")
    name: str = _k8s_option("k3d-registry", "Registry name.")
    port: Int = _k8s_option(5000, "Registry port (1 to 65535).", ge=1, le=65535)


class K3dCluster(SindriModel):
    image: str | None = _k8s_option(None, "Custom k3s image.")
    registry: K3dRegistry | None = _k8s_option(None, "Local registry.")


class K8sCluster(SindriModel):
    provider: K8sClusterKind = _k8s_option(K8sClusterKind.KIND, "Local cluster tool: kind or k3d.")
    cluster_name: Name | None = _k8s_option(None, "Cluster name (default: `name`).", "clusterName")
    version: Annotated[str, whole_match(K8S_VERSION_PATTERN)] = _k8s_option(
        "v1.35.0", "Kubernetes version.", pattern=K8S_VERSION_PATTERN
    )
    nodes: Int = _k8s_option(1, "Number of nodes (1 to 10).", ge=1, le=10)
    kind: KindCluster | None = _k8s_option(None, "kind options.")
    k3d: K3dCluster | None = _k8s_option(None, "k3d options.")


# --- providers and the root ------------------------------------------------------------------------


RUNPOD = used_by("runpod")
RUNPOD_GPU_TYPE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$"
RUNPOD_DATA_CENTER_PATTERN = r"^[A-Z]{2}-[A-Z]{2,4}-\d+$"


class RunpodCloud(StrEnum):
    SECURE = "SECURE"
    COMMUNITY = "COMMUNITY"


class RunpodCpuFlavor(StrEnum):
    CPU3C = "cpu3c"
    CPU3G = "cpu3g"
    CPU3M = "cpu3m"
    CPU5C = "cpu5c"
    CPU5G = "cpu5g"
    CPU5M = "cpu5m"


class RunpodProvider(StrictModel):
    gpu_type_id: (
        Annotated[
            str, StringConstraints(pattern=RUNPOD_GPU_TYPE_PATTERN), whole_match(RUNPOD_GPU_TYPE_PATTERN)
        ]
        | None
    ) = Field(
        None,
        alias="gpuTypeId",
        description="RunPod GPU type id, e.g. `NVIDIA RTX A4000`; wins over resources.gpu.tier. "
        "Setting it asks for a GPU pod.",
        examples=["NVIDIA RTX A4000", "NVIDIA GeForce RTX 4090", "NVIDIA A100 80GB PCIe"],
        json_schema_extra=RUNPOD,
    )
    gpu_count: Annotated[int, Ge(1), Le(8), _Strict(), BeforeValidator(_whole_number)] | None = Field(
        None,
        alias="gpuCount",
        description="GPUs to attach (1 to 8; default resources.gpu.count, else 1).",
        json_schema_extra=RUNPOD,
    )
    cpu_only: Bool = Field(
        False,
        alias="cpuOnly",
        description="A CPU pod (no GPU, no pod volume: RunPod refuses one on CPU pods).",
        json_schema_extra=RUNPOD,
    )
    cpu_flavor: RunpodCpuFlavor = Field(
        RunpodCpuFlavor.CPU3C,
        alias="cpuFlavor",
        description="CPU pod flavour: cpu3/cpu5 generation, c(ompute), g(eneral) or m(emory).",
        json_schema_extra=RUNPOD,
    )
    container_disk_gb: Int = Field(
        20,
        alias="containerDiskGb",
        ge=1,
        le=500,
        description="Container disk in GB (ephemeral: wiped when the pod stops).",
        json_schema_extra=RUNPOD,
    )
    volume_size_gb: Int = Field(
        50,
        alias="volumeSizeGb",
        ge=0,
        le=2048,
        description="Pod volume in GB, kept across stop/start (GPU pods; 0 for none, else at least 10).",
        json_schema_extra=RUNPOD,
    )
    volume_mount_path: str = Field(
        "/workspace",
        alias="volumeMountPath",
        description="Where the pod volume is mounted.",
        json_schema_extra=RUNPOD,
    )
    cloud_type: RunpodCloud = Field(
        RunpodCloud.SECURE,
        alias="cloudType",
        description="SECURE (RunPod's data centres, always a public IP) or COMMUNITY (cheaper hosts).",
        json_schema_extra=RUNPOD,
    )
    region: (
        Annotated[
            str,
            StringConstraints(pattern=RUNPOD_DATA_CENTER_PATTERN),
            whole_match(RUNPOD_DATA_CENTER_PATTERN),
        ]
        | None
    ) = Field(
        None,
        description="Data centre id, e.g. `EU-RO-1` or `US-TX-3` (default: any).",
        examples=["EU-RO-1", "US-TX-3", "CA-MTL-1"],
        json_schema_extra=RUNPOD,
    )
    expose_ports: list[Annotated[int, _Strict(), Ge(1), Le(65535)]] = Field(
        default_factory=list,
        alias="exposePorts",
        description="HTTP ports served through RunPod's proxy as https://<pod>-<port>.proxy.runpod.net.",
        json_schema_extra={**RUNPOD, "default": []},
    )
    start_ssh: Bool = Field(
        True,
        alias="startSsh",
        description="Start sshd with the SSH keys of your RunPod account (needed by `sindri connect`).",
        json_schema_extra=RUNPOD,
    )
    template_id: str | None = Field(
        None, alias="templateId", description="A RunPod template to start from.", json_schema_extra=RUNPOD
    )
    spot_bid: float | None = Field(
        None,
        alias="spotBid",
        ge=0,
        description=f"Upstream's spot bid; RunPod's current API has no spot pods. {NO_EFFECT}",
        json_schema_extra=ignored(),
    )


UNSUPPORTED_BLOCK = (
    "Upstream's {name} settings; {name} is not supported by this tool: accepted but has no effect."
)


class Providers(SindriModel):
    docker: DockerProvider | None = Field(
        None,
        description="Docker Compose settings (provider docker or docker-compose).",
        json_schema_extra=DOCKER,
    )
    fly: FlyProvider | None = Field(None, description="Fly.io settings.", json_schema_extra=FLY)
    devpod: DevpodProvider | None = Field(None, description="DevPod settings.", json_schema_extra=DEVPOD)
    e2b: E2bProvider | None = Field(None, description="E2B sandbox settings.", json_schema_extra=E2B)
    kubernetes: KubernetesProvider | None = Field(
        None, description="Kubernetes settings.", json_schema_extra=KUBERNETES
    )
    k8s: K8sCluster | None = Field(
        None, description=f"Local Kubernetes cluster (kind, k3d). {K8S_NOTE}", json_schema_extra=ignored()
    )
    runpod: RunpodProvider | None = Field(None, description="RunPod pod settings.", json_schema_extra=RUNPOD)
    northflank: NorthflankProvider | None = Field(
        None, description="Northflank settings.", json_schema_extra=NORTHFLANK
    )


class SindriConfig(SindriModel):
    """A Sindri cloud development environment (sindri.yaml)."""

    version: Annotated[str, whole_match(VERSION_PATTERN)] = Field(
        pattern=VERSION_PATTERN,
        description='Configuration format version, a quoted string such as "3.0".',
        examples=["3.0"],
        json_schema_extra=used_by(),
    )
    name: Annotated[str, whole_match(NAME_PATTERN)] = Field(
        pattern=NAME_PATTERN,
        description="Environment name: lower case letters, digits and `-`, starting with a letter. "
        "Every remote resource (container, app, workspace, sandbox, Deployment) is named after it.",
        examples=["my-env"],
        json_schema_extra=used_by(),
    )
    deployment: Deployment = Field(
        description="Where and how the environment runs.", json_schema_extra=used_by()
    )
    extensions: Extensions = Field(
        description="What is installed: a `profile` (plus `additional`) or an `active` list.",
        json_schema_extra=used_by(),
    )
    secrets: list[Secret] = Field(
        default_factory=list,
        description="Secrets passed to the environment.",
        json_schema_extra={**used_by(), "default": []},
    )
    providers: Providers | None = Field(
        None,
        description="Per-provider settings; only the chosen provider's block is read.",
        json_schema_extra=used_by(),
    )

    @property
    def provider(self) -> str:
        """The chosen provider with aliases folded (`docker-compose` -> `docker`)."""
        return canonical_provider(str(self.deployment.provider))

    @classmethod
    def minimal(cls, provider: str, name: str) -> SindriConfig:
        """The smallest valid config for a provider: enough to check its tools without a real file."""
        return cls.model_validate(
            {
                "version": "3.0",
                "name": name,
                "deployment": {"provider": provider},
                "extensions": {"profile": "minimal"},
            }
        )
