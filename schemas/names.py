"""The names sindri.yaml knows: providers, profiles and the environment name's pattern.

Plain values, apart from the pydantic model (`model.py` builds its fields from them), so that what only
needs a name (completion, hover, code lenses, plugin lookup) does not load pydantic: the language
server answers `initialize` before the model is imported.
"""

from __future__ import annotations

from enum import StrEnum

ALL_PROVIDERS = ("docker", "fly", "devpod", "e2b", "kubernetes", "runpod", "northflank")
NAME_PATTERN = r"^[a-z][a-z0-9-]*$"


class ProviderName(StrEnum):
    DOCKER = "docker"
    DOCKER_COMPOSE = "docker-compose"
    FLY = "fly"
    DEVPOD = "devpod"
    E2B = "e2b"
    KUBERNETES = "kubernetes"
    RUNPOD = "runpod"
    NORTHFLANK = "northflank"


SUPPORTED_PROVIDERS = (
    "docker",
    "docker-compose",
    "fly",
    "devpod",
    "e2b",
    "kubernetes",
    "runpod",
    "northflank",
)
UNSUPPORTED_PROVIDERS: tuple[str, ...] = ()
PROVIDER_DESCRIPTIONS = {
    "docker": "Local Docker Compose (the default).",
    "docker-compose": "Alias of docker.",
    "fly": "Fly.io machine with a persistent volume.",
    "devpod": "DevPod workspace (aws, gcp, azure, digitalocean, kubernetes, ssh or docker backend).",
    "e2b": "E2B cloud sandbox.",
    "kubernetes": "A Deployment in the current kubectl context.",
    "runpod": "RunPod GPU or CPU pod (REST API v2, RUNPOD_API_KEY).",
    "northflank": "Northflank deployment service with a volume, paused and resumed through its API.",
}


def canonical_provider(name: str) -> str:
    """`docker-compose` is an alias of `docker`; every other name is its own."""
    return "docker" if name == "docker-compose" else name


class ProfileName(StrEnum):
    MINIMAL = "minimal"
    FULLSTACK = "fullstack"
    ANTHROPIC_DEV = "anthropic-dev"
    SYSTEMS = "systems"
    ENTERPRISE = "enterprise"
    DEVOPS = "devops"
    MOBILE = "mobile"
    VISIONFLOW_CORE = "visionflow-core"
    VISIONFLOW_DATA_SCIENTIST = "visionflow-data-scientist"
    VISIONFLOW_CREATIVE = "visionflow-creative"
    VISIONFLOW_FULL = "visionflow-full"


PROFILES = tuple(p.value for p in ProfileName)
