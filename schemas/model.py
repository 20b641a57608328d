"""The pydantic model of sindri.yaml, following upstream Sindri v3 key for key.

Python attribute names are snake_case; the YAML spelling (camelCase where upstream uses it) is the
alias. Every field's `json_schema_extra` records the providers that use it (`x-providers`), which the
hover text and the "ignored by the chosen provider" rule read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ALL_PROVIDERS = ("docker", "fly", "devpod", "e2b", "kubernetes")
SIZE_PATTERN = r"^\d+(MB|GB)$"
NAME_PATTERN = r"^[a-z][a-z0-9-]*$"


def used_by(*providers: str) -> dict[str, Any]:
    """Schema extra naming the providers that read a field (all five when none are given)."""
    return {"x-providers": list(providers or ALL_PROVIDERS)}


class SindriModel(BaseModel):
    """Base of every block: YAML aliases, unknown keys kept (the engine warns about them)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", use_enum_values=True)


class StrictModel(SindriModel):
    """Blocks where upstream's schema sets additionalProperties: false."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", use_enum_values=True)


class ProviderName(StrEnum):
    DOCKER = "docker"
    DOCKER_COMPOSE = "docker-compose"
    FLY = "fly"
    DEVPOD = "devpod"
    E2B = "e2b"
    KUBERNETES = "kubernetes"
    RUNPOD = "runpod"
    NORTHFLANK = "northflank"


SUPPORTED_PROVIDERS = ("docker", "docker-compose", "fly", "devpod", "e2b", "kubernetes")
UNSUPPORTED_PROVIDERS = ("runpod", "northflank")


def canonical_provider(name: str) -> str:
    """`docker-compose` is an alias of `docker`; every other name is its own."""
    return "docker" if name == "docker-compose" else name


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
    registry: str = Field(description="Image registry and repository, e.g. ghcr.io/pacphi/sindri.")
    version: str | None = Field(None, description="Semver constraint used to pick a tag.")
    tag_override: str | None = Field(None, description="Exact tag to use instead of resolving.")
    digest: str | None = Field(None, description="Image digest (sha256:...); wins over every tag.")
    resolution_strategy: ResolutionStrategy = Field(
        ResolutionStrategy.SEMVER, description="How `version` is resolved to a tag."
    )
    allow_prerelease: bool = Field(False, description="Allow pre-release tags when resolving.")
    verify_signature: bool = Field(True, description="Verify the image signature with cosign.")
    verify_provenance: bool = Field(True, description="Verify the image provenance with cosign.")
    pull_policy: PullPolicy = Field(PullPolicy.IF_NOT_PRESENT, description="When to pull the image.")
    certificate_identity: str = Field(
        "https://github.com/pacphi/sindri", description="Expected signing certificate identity."
    )
    certificate_oidc_issuer: str = Field(
        "https://token.actions.githubusercontent.com", description="Expected OIDC issuer of the signature."
    )


class BuildFromSource(SindriModel):
    enabled: bool = Field(False, description="Build the image from Sindri's source instead of pulling it.")
    git_ref: str | None = Field(None, alias="gitRef", description="Branch, tag or commit to build from.")


class GpuType(StrEnum):
    NVIDIA = "nvidia"
    AMD = "amd"


class GpuTier(StrEnum):
    SMALL = "gpu-small"
    MEDIUM = "gpu-medium"
    LARGE = "gpu-large"
    XLARGE = "gpu-xlarge"


class Gpu(StrictModel):
    enabled: bool = Field(
        False,
        description="Request GPU hardware.",
        json_schema_extra=used_by("docker", "fly", "devpod", "kubernetes"),
    )
    type: GpuType = Field(GpuType.NVIDIA, description="GPU vendor.", json_schema_extra=used_by())
    count: int = Field(
        1, ge=1, le=8, description="Number of GPUs.", json_schema_extra=used_by("docker", "kubernetes")
    )
    tier: GpuTier | None = Field(
        None, description="GPU size class (mapped to Fly GPU machines).", json_schema_extra=used_by("fly")
    )
    memory: str | None = Field(
        None, pattern=SIZE_PATTERN, description="GPU memory, e.g. 16GB.", json_schema_extra=used_by()
    )


class Resources(SindriModel):
    memory: str | None = Field(
        None,
        pattern=SIZE_PATTERN,
        description="Memory limit, e.g. 4GB or 512MB.",
        json_schema_extra=used_by("docker", "fly", "e2b", "kubernetes"),
    )
    cpus: int | None = Field(
        None,
        ge=1,
        description="CPU count (default 2).",
        json_schema_extra=used_by("docker", "fly", "e2b", "kubernetes"),
    )
    gpu: Gpu | None = Field(None, description="GPU request.")


class WorkspaceVolume(SindriModel):
    path: str = Field(
        "/alt/home/developer/workspace",
        description="Workspace path inside the environment.",
        json_schema_extra=used_by(),
    )
    size: str = Field(
        "10GB",
        pattern=SIZE_PATTERN,
        description="Size of the persistent home volume.",
        json_schema_extra=used_by("fly", "kubernetes"),
    )


class Volumes(SindriModel):
    workspace: WorkspaceVolume | None = Field(None, description="The persistent workspace volume.")


class Deployment(SindriModel):
    provider: ProviderName = Field(description="Where the environment runs.")
    distro: Distro = Field(Distro.UBUNTU, description="Linux distribution of the image.")
    image: str | None = Field(None, description="Full image reference, e.g. ghcr.io/pacphi/sindri:v3-latest.")
    image_config: ImageConfig | None = Field(
        None, description="Structured image selection (wins over image)."
    )
    build_from_source: BuildFromSource | None = Field(
        None, alias="buildFromSource", description="Build the image from source."
    )
    resources: Resources | None = Field(None, description="CPU, memory and GPU.")
    volumes: Volumes | None = Field(None, description="Persistent volumes.")


PROFILES = (
    "minimal",
    "fullstack",
    "anthropic-dev",
    "systems",
    "enterprise",
    "devops",
    "mobile",
    "visionflow-core",
    "visionflow-data-scientist",
    "visionflow-creative",
    "visionflow-full",
)


class Extensions(StrictModel):
    profile: str | None = Field(None, description="A named set of extensions to install.")
    active: list[str] | None = Field(None, description="Exactly these extensions (instead of a profile).")
    additional: list[str] | None = Field(None, description="Extensions added on top of the profile.")
    auto_install: bool = Field(True, description="Install the extensions when the environment starts.")


class SecretSource(StrEnum):
    ENV = "env"
    FILE = "file"
    VAULT = "vault"


class Secret(SindriModel):
    name: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", description="Variable name in the environment.")
    source: SecretSource = Field(description="Where the value comes from.")
    from_file: str | None = Field(None, alias="fromFile", description="env: read the value from this file.")
    required: bool = Field(False, description="Fail the deploy when the value cannot be resolved.")
    path: str | None = Field(None, description="file: the local file to copy.")
    mount_path: str | None = Field(
        None, alias="mountPath", description="file: where it goes in the environment."
    )
    permissions: str = Field("0644", pattern=r"^0[0-7]{3}$", description="file: mode of the mounted file.")
    vault_path: str | None = Field(None, alias="vaultPath", description="vault: secret path.")
    vault_key: str | None = Field(None, alias="vaultKey", description="vault: key inside the secret.")
    vault_mount: str = Field("secret", alias="vaultMount", description="vault: secrets engine mount.")


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


class Dind(StrictModel):
    enabled: bool = Field(False, description="Run Docker inside the environment.")
    mode: DindMode = Field(DindMode.AUTO, description="How Docker-in-Docker is provided.")
    storage_driver: StorageDriver = Field(
        StorageDriver.AUTO, alias="storageDriver", description="Storage driver of the inner Docker."
    )
    storage_size: str = Field(
        "20GB", alias="storageSize", pattern=SIZE_PATTERN, description="Size of the inner Docker's storage."
    )


class DockerProvider(SindriModel):
    network: DockerNetwork = Field(DockerNetwork.BRIDGE, description="Network mode of the container.")
    restart: DockerRestart = Field(DockerRestart.UNLESS_STOPPED, description="Restart policy.")
    ports: list[str] = Field(
        default_factory=list,
        description="Published ports, HOST:CONTAINER.",
        json_schema_extra={"items": {"pattern": r"^\d+:\d+$"}},
    )
    privileged: bool = Field(False, description="Run the container privileged.")
    extra_hosts: list[str] = Field(
        default_factory=list, alias="extraHosts", description="Extra /etc/hosts entries, HOST:IP."
    )
    runtime: DockerRuntime = Field(DockerRuntime.AUTO, description="Container runtime.")
    dind: Dind | None = Field(None, description="Docker-in-Docker.")


class FlyCpuKind(StrEnum):
    SHARED = "shared"
    PERFORMANCE = "performance"


class FlyProvider(SindriModel):
    region: str = Field("sjc", description="Primary Fly.io region.")
    auto_stop_machines: bool = Field(
        True, alias="autoStopMachines", description="Suspend the machine when idle."
    )
    auto_start_machines: bool = Field(
        True, alias="autoStartMachines", description="Wake the machine on traffic."
    )
    cpu_kind: FlyCpuKind = Field(
        FlyCpuKind.SHARED, alias="cpuKind", description="Shared or performance CPUs."
    )
    ssh_port: int = Field(10022, alias="sshPort", ge=1024, le=65535, description="External SSH port.")
    organization: str | None = Field(None, description="Fly.io organization (default personal).")
    high_availability: bool = Field(False, alias="highAvailability", description="Run two machines.")


class DevpodType(StrEnum):
    AWS = "aws"
    GCP = "gcp"
    AZURE = "azure"
    DIGITALOCEAN = "digitalocean"
    KUBERNETES = "kubernetes"
    SSH = "ssh"
    DOCKER = "docker"


class DevpodAws(SindriModel):
    region: str = "us-west-2"
    instance_type: str = Field("c5.xlarge", alias="instanceType")
    disk_size: int = Field(40, alias="diskSize")
    use_spot: bool = Field(False, alias="useSpot")
    subnet_id: str | None = Field(None, alias="subnetId")
    security_group_id: str | None = Field(None, alias="securityGroupId")


class GcpDiskType(StrEnum):
    STANDARD = "pd-standard"
    BALANCED = "pd-balanced"
    SSD = "pd-ssd"


class DevpodGcp(SindriModel):
    project: str | None = None
    zone: str = "us-central1-a"
    machine_type: str = Field("e2-standard-4", alias="machineType")
    disk_size: int = Field(40, alias="diskSize")
    disk_type: GcpDiskType = Field(GcpDiskType.BALANCED, alias="diskType")


class DevpodAzure(SindriModel):
    subscription: str | None = None
    resource_group: str = Field("devpod-resources", alias="resourceGroup")
    location: str = "eastus"
    vm_size: str = Field("Standard_D4s_v3", alias="vmSize")
    disk_size: int = Field(40, alias="diskSize")


class DevpodDigitalOcean(SindriModel):
    region: str = "nyc3"
    size: str = "s-4vcpu-8gb"
    disk_size: int | None = Field(None, alias="diskSize")


class DevpodKubernetes(SindriModel):
    namespace: str = "devpod"
    storage_class: str | None = Field(None, alias="storageClass")
    context: str | None = None
    node_selector: dict[str, str] | None = Field(None, alias="nodeSelector")


class DevpodSsh(SindriModel):
    host: str | None = None
    user: str = "root"
    port: int = 22
    key_path: str = Field("~/.ssh/id_rsa", alias="keyPath")


class DevpodDocker(SindriModel):
    docker_host: str | None = Field(None, alias="dockerHost")


class DevpodProvider(SindriModel):
    type: DevpodType = Field(description="DevPod backend that hosts the workspace.")
    build_repository: str | None = Field(
        None, alias="buildRepository", description="Registry path images are pushed to (cloud backends)."
    )
    aws: DevpodAws | None = None
    gcp: DevpodGcp | None = None
    azure: DevpodAzure | None = None
    digitalocean: DevpodDigitalOcean | None = None
    kubernetes: DevpodKubernetes | None = None
    ssh: DevpodSsh | None = None
    docker: DevpodDocker | None = None


class E2bProvider(StrictModel):
    template_alias: str | None = Field(
        None,
        alias="templateAlias",
        pattern=NAME_PATTERN,
        description="E2B template name (default derived from name).",
    )
    reuse_template: bool = Field(True, alias="reuseTemplate", description="Reuse an existing template.")
    timeout: int = Field(300, ge=60, le=86400, description="Sandbox lifetime in seconds.")
    auto_pause: bool = Field(True, alias="autoPause", description="Pause instead of kill on timeout.")
    auto_resume: bool = Field(True, alias="autoResume", description="Resume a paused sandbox on connect.")
    internet_access: bool = Field(True, alias="internetAccess", description="Allow outbound internet.")
    allowed_domains: list[str] = Field(default_factory=list, alias="allowedDomains")
    blocked_domains: list[str] = Field(default_factory=list, alias="blockedDomains")
    public_access: bool = Field(False, alias="publicAccess")
    metadata: dict[str, str] = Field(default_factory=dict, description="Extra sandbox metadata.")
    team: str | None = Field(None, description="E2B team id.")
    build_on_deploy: bool = Field(False, alias="buildOnDeploy", description="Rebuild the template on deploy.")


class Ingress(SindriModel):
    enabled: bool = False
    hostname: str | None = None


class KubernetesProvider(SindriModel):
    namespace: str = Field("default", description="Namespace the environment is deployed into.")
    storage_class: str | None = Field(None, alias="storageClass", description="StorageClass of the home PVC.")
    ingress: Ingress | None = None


class K8sClusterKind(StrEnum):
    KIND = "kind"
    K3D = "k3d"


class KindCluster(SindriModel):
    image: str | None = None
    config_file: str | None = Field(None, alias="configFile")


class K3dRegistry(SindriModel):
    enabled: bool = False
    name: str = "k3d-registry"
    port: int = 5000


class K3dCluster(SindriModel):
    image: str | None = None
    registry: K3dRegistry | None = None


class K8sCluster(SindriModel):
    provider: K8sClusterKind = K8sClusterKind.KIND
    cluster_name: str | None = Field(None, alias="clusterName", pattern=NAME_PATTERN)
    version: str = Field("v1.35.0", pattern=r"^v?\d+\.\d+\.\d+$")
    nodes: int = Field(1, ge=1, le=10)
    kind: KindCluster | None = None
    k3d: K3dCluster | None = None


class Providers(SindriModel):
    docker: DockerProvider | None = None
    fly: FlyProvider | None = None
    devpod: DevpodProvider | None = None
    e2b: E2bProvider | None = None
    kubernetes: KubernetesProvider | None = None
    k8s: K8sCluster | None = None
    runpod: dict[str, Any] | None = None
    northflank: dict[str, Any] | None = None


class SindriConfig(SindriModel):
    version: str = Field(pattern=r"^\d+\.\d+$", description='Configuration format version, e.g. "3.0".')
    name: str = Field(
        pattern=NAME_PATTERN, description="Environment name; every remote resource is named after it."
    )
    deployment: Deployment
    extensions: Extensions
    secrets: list[Secret] = Field(default_factory=list, description="Secrets passed to the environment.")
    providers: Providers | None = Field(None, description="Per-provider settings.")

    @property
    def provider(self) -> str:
        """The chosen provider with aliases folded (`docker-compose` -> `docker`)."""
        return canonical_provider(str(self.deployment.provider))
