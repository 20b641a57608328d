"""A commented starter sindri.yaml for a provider: what `sindri config init` writes and the editor's
"New sindri.yaml" offers. It validates with no finding at all, so a new user starts from a clean file.
"""

from __future__ import annotations

import re

from .catalog import profiles
from .names import NAME_PATTERN, PROFILES

STARTER_PROVIDERS = ("docker", "fly", "devpod", "e2b", "kubernetes", "runpod", "northflank")
DEFAULT_NAME = "my-env"
NAME_LIMIT = 48
"""The shortest provider limit on `name` (a DevPod workspace id): a default name fits every provider."""

_HEADER = """\
# sindri.yaml: a development environment. Check it with `sindri validate`, see what deploy would do
# with `sindri plan`, then `sindri deploy`, `sindri connect`, `sindri destroy`.
# Every key: `sindri schema`; in an editor, hover a key for its description.
version: "3.0"
name: {name}
"""

_DEPLOYMENT = {
    "docker": """\
deployment:
  provider: docker              # the local Docker engine (Compose project sindri-<name>)
  image: ghcr.io/pacphi/sindri:v3-latest
  resources:
    memory: 4GB
    cpus: 2
""",
    "fly": """\
deployment:
  provider: fly                 # Fly.io: needs flyctl and `flyctl auth login` (or FLY_API_TOKEN)
  image: ghcr.io/pacphi/sindri:v3-latest
  resources:
    memory: 4GB
    cpus: 2
  volumes:
    workspace:
      size: 20GB                # the home volume, kept across deploys
""",
    "devpod": """\
deployment:
  provider: devpod              # a DevPod workspace; the backend is providers.devpod.type
  image: ghcr.io/pacphi/sindri:v3-latest
""",
    "e2b": """\
deployment:
  provider: e2b                 # an E2B sandbox: needs E2B_API_KEY in the environment
  image: ghcr.io/pacphi/sindri:v3-latest
""",
    "kubernetes": """\
deployment:
  provider: kubernetes          # an existing cluster, through kubectl's current context
  image: ghcr.io/pacphi/sindri:v3-latest
  resources:
    memory: 4GB
    cpus: 2
  volumes:
    workspace:
      size: 20GB                # the home PVC <name>-home-pvc
""",
    "runpod": """\
deployment:
  provider: runpod              # a RunPod pod: needs RUNPOD_API_KEY in the environment
  image: ghcr.io/pacphi/sindri:v3-latest
""",
    "northflank": """\
deployment:
  provider: northflank          # a Northflank service: needs NORTHFLANK_API_TOKEN in the environment
  image: ghcr.io/pacphi/sindri:v3-latest
""",
}

_EXTENSIONS = """\
extensions:                     # what is installed; `additional: [...]` adds single extensions
  profile: {profile}
"""

_SECRETS = """\
# secrets:                      # passed to the environment, never written to disk
#   - name: GITHUB_TOKEN
#     source: env               # from the environment, .env.local or .env next to this file
"""

_PROVIDERS = {
    "docker": """\
providers:
  docker:
    restart: unless-stopped
""",
    "fly": """\
providers:
  fly:
    region: ord
    autoStopMachines: true      # suspend when idle; `sindri connect` wakes it
""",
    "devpod": """\
providers:
  devpod:
    type: docker                # or kubernetes, ssh, aws, gcp, azure, digitalocean
""",
    "e2b": """\
providers:
  e2b:
    timeout: 3600               # seconds before the sandbox pauses (autoPause)
""",
    "kubernetes": """\
providers:
  kubernetes:
    namespace: dev-envs         # created (and labelled) if it does not exist
""",
    "runpod": """\
providers:
  runpod:
    cpuOnly: true               # a CPU pod; for a GPU, drop this and set gpuTypeId
""",
    "northflank": """\
providers:
  northflank:
    projectName: sindri-dev     # created when missing
""",
}


def default_name(folder: str) -> str:
    """`folder` made a valid environment name: lower case, letters, digits and `-`, starting with a
    letter (`My Project_2` -> `my-project-2`); `my-env` when nothing is left."""
    name = re.sub(r"[^a-z0-9]+", "-", folder.lower())
    name = re.sub(r"^[^a-z]+", "", name)[:NAME_LIMIT].strip("-")
    return name or DEFAULT_NAME


def starter_profiles() -> tuple[str, ...]:
    """The profiles the catalogue defines (upstream's schema accepts more, which install nothing)."""
    defined = profiles()
    return tuple(name for name in PROFILES if name in defined)


def starter(provider: str = "docker", name: str = DEFAULT_NAME, profile: str = "minimal") -> str:
    """The starter text; raises ValueError naming the allowed values for a bad argument."""
    if provider not in STARTER_PROVIDERS:
        raise ValueError(f"unknown provider '{provider}'; use one of: {', '.join(STARTER_PROVIDERS)}")
    if not re.match(NAME_PATTERN, name) or len(name) > NAME_LIMIT:
        raise ValueError(
            f"invalid name '{name[:80]}': use lower case letters, digits and '-', starting with a letter, "
            f"at most {NAME_LIMIT} characters"
        )
    if profile not in starter_profiles():
        raise ValueError(f"unknown profile '{profile[:80]}'; use one of: {', '.join(starter_profiles())}")
    return "".join(
        (
            _HEADER.format(name=name),
            _DEPLOYMENT[provider],
            _EXTENSIONS.format(profile=profile),
            _SECRETS,
            _PROVIDERS[provider],
        )
    )
