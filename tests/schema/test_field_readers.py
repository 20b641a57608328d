"""Issue 11 §3: "has no effect" must be true, and x-providers is held against the providers' code.

Attribute reads on the model are recorded while providers run on configs with every field set:
- `test_x_providers_agree_with_what_the_providers_read`: what each provider derives from the config
  without its tool (Docker's compose spec, Fly's fly.toml and volume, Kubernetes' manifests, E2B's
  template, resources and sandbox options, DevPod's devcontainer and image plan);
- `test_x_providers_is_what_plan_and_deploy_read`: the real `plan` and `deploy` code paths (loading the
  file, resolving secrets, prerequisites, plan, deploy) against the stand-ins: flyctl, devpod (with its
  docker stand-in), kubectl over a kind stand-in, the loopback E2B API; Docker's plan on the real engine
  (its deploy would pull the Sindri image, which test machines cannot fetch). Both directions fail: a
  field read by a provider x-providers does not list, and a field listing a provider whose plan and
  deploy never read it. Each exception is an allow-list entry with its reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from sindri.providers.docker import EngineInfo, build_compose
from sindri.providers.errors import ProviderError
from sindri.providers.factory import create_provider
from sindri.providers.lifecycle import run_action
from sindri.providers.runner import Runner
from sindri.providers.types import DeployOptions
from sindri.schemas.loader import LoadedConfig
from sindri.schemas.model import SindriConfig, SindriModel
from sindri.schemas.names import ALL_PROVIDERS
from sindri.schemas.rules import schema_at
from sindri.schemas.validate import schema
from support import docker_engine_up, need, source_repo

ENGINE = EngineInfo("28.2.2", "20.10.24", 8, frozenset({"runc", "nvidia", "sysbox-runc"}), "v2.40.3")
EVERYTHING: dict[str, Any] = {
    "version": "3.0",
    "name": "reads",
    "deployment": {
        "provider": "docker",
        "distro": "ubuntu",
        "image": "ghcr.io/pacphi/sindri:v3.1.0",
        "image_config": {
            "registry": "ghcr.io/pacphi/sindri",
            "version": "3.1.0",
            "tag_override": "v3.1.0",
            "digest": "sha256:" + "a" * 64,
            "resolution_strategy": "semver",
            "allow_prerelease": True,
            "verify_signature": True,
            "verify_provenance": True,
            "pull_policy": "Always",
            "certificate_identity": "x",
            "certificate_oidc_issuer": "y",
        },
        "buildFromSource": {"enabled": False, "gitRef": "main"},
        "resources": {
            "memory": "4GB",
            "cpus": 2,
            "gpu": {"enabled": True, "type": "amd", "count": 1, "tier": "gpu-small", "memory": "16GB"},
        },
        "volumes": {"workspace": {"path": "/w", "size": "20GB"}},
    },
    "extensions": {"profile": "minimal", "additional": ["nodejs"], "auto_install": False},
    "secrets": [
        {"name": "TOKEN", "source": "env", "fromFile": "t", "required": False},
        {"name": "CERT", "source": "file", "path": "c.pem", "mountPath": "/c.pem", "permissions": "0600"},
    ],
}
PROVIDERS = {
    "docker": {
        "network": "bridge",
        "restart": "always",
        "ports": ["3000:3000"],
        "privileged": True,
        "extraHosts": ["a:1.2.3.4"],
        "runtime": "auto",
        "dind": {"enabled": True, "mode": "privileged", "storageDriver": "vfs", "storageSize": "20GB"},
    },
    "fly": {
        "region": "ord",
        "autoStopMachines": True,
        "autoStartMachines": True,
        "cpuKind": "shared",
        "sshPort": 10022,
        "organization": "o",
        "highAvailability": False,
    },
    "kubernetes": {"namespace": "dev", "storageClass": "gp3", "ingress": {"enabled": True, "hostname": "h"}},
    "e2b": {
        "templateAlias": "reads",
        "reuseTemplate": True,
        "timeout": 600,
        "autoPause": True,
        "autoResume": True,
        "internetAccess": False,
        "allowedDomains": ["a"],
        "blockedDomains": ["b"],
        "publicAccess": False,
        "metadata": {"k": "v"},
        "team": "t",
        "buildOnDeploy": False,
    },
    "devpod": {"type": "docker", "buildRepository": "ghcr.io/o/s", "docker": {"dockerHost": "unix:///x"}},
}


@contextmanager
def recording() -> Iterator[set[tuple[type, str]]]:
    """Record (model class, attribute name) of every field read on a SindriModel."""
    reads: set[tuple[type, str]] = set()
    original = SindriModel.__getattribute__

    def record(self: Any, name: str) -> Any:
        cls = type(self)
        if name in type.__getattribute__(cls, "__pydantic_fields__"):
            reads.add((cls, name))
        return original(self, name)

    SindriModel.__getattribute__ = record  # type: ignore[method-assign]
    try:
        yield reads
    finally:
        SindriModel.__getattribute__ = original  # type: ignore[method-assign]


async def derive(provider: str, tmp_path: Path) -> None:
    """What the provider computes from the config before it calls its tool."""
    data = {**EVERYTHING, "deployment": {**EVERYTHING["deployment"], "provider": provider}}
    data["providers"] = {provider: PROVIDERS[provider]}
    config = SindriConfig.model_validate(data)
    loaded = LoadedConfig(config, tmp_path / "sindri.yaml")
    runner = Runner(secrets=(), env={"PATH": str(tmp_path)}, default_timeout=5)
    prov: Any = create_provider(provider, loaded, runner)
    with recording() as reads:
        if provider == "docker":
            build_compose(config, config_path=loaded.path, secret_names=["TOKEN"], engine=ENGINE)
        elif provider == "fly":
            prov.render_fly_toml(), prov.volume_gb()
        elif provider == "kubernetes":
            prov.render_manifests()
        elif provider == "e2b":
            prov.resources(), prov.workload_env(), prov.metadata(), prov.image()
        elif provider == "devpod":
            prov.render_devcontainer("img"), await prov._image_plan()
    READS[provider] = reads


READS: dict[str, set[tuple[type, str]]] = {}


def field_readers() -> dict[tuple[type, str], list[str]]:
    """x-providers of every model field, found by walking the model beside the schema."""
    out: dict[tuple[type, str], list[str]] = {}
    stack: list[tuple[type[SindriModel], tuple[str | int, ...]]] = [(SindriConfig, ())]
    while stack:
        model, path = stack.pop()
        for name, info in model.model_fields.items():
            here = (*path, info.alias or name)
            sub = schema_at(schema(), here) or {}
            users = sub.get("x-providers")
            if isinstance(users, list):
                out[(model, name)] = users
            for arg in getattr(info.annotation, "__args__", (info.annotation,)):
                inner = getattr(arg, "__args__", (arg,))
                for kind in (arg, *inner):
                    if isinstance(kind, type) and issubclass(kind, SindriModel):
                        stack.append((kind, (*here, 0) if arg is not kind and name == "secrets" else here))
    return out


async def test_x_providers_agree_with_what_the_providers_read(tmp_path: Path) -> None:
    for provider in PROVIDERS:
        folder = tmp_path / provider
        folder.mkdir()
        await derive(provider, folder)
    listed = field_readers()
    wrong = []
    for provider, reads in READS.items():
        for model, name in reads:
            users = listed.get((model, name))
            if users is not None and provider not in users:
                wrong.append(f"{model.__name__}.{name} is read by {provider} but x-providers is {users}")
    assert not wrong, "\n".join(sorted(wrong))
    for (model, name), users in listed.items():
        if users == []:
            readers = [p for p, reads in READS.items() if (model, name) in reads]
            assert not readers, f"{model.__name__}.{name} says no provider reads it, but {readers} do"
    assert ("Gpu", "type") in {(m.__name__, n) for m, n in READS["kubernetes"]}


# --- plan and deploy against the stand-ins -------------------------------------------------------

TESTS = Path(__file__).resolve().parents[1]
STANDINS = TESTS / "standins"
sys.path.insert(0, str(STANDINS))
from e2b_api import DEFAULT_KEY, E2bApi, E2bApiServer  # noqa: E402

DEPLOYED = ("fly", "devpod", "e2b", "kubernetes")
"""Providers whose deploy runs against a stand-in here. Docker runs its plan on the real engine only: its
deploy would pull and start the Sindri image, which the test machines cannot fetch."""


def _base_env(tmp: Path) -> dict[str, str]:
    state = tmp / "standin-state"
    state.mkdir(parents=True)
    env = dict(os.environ)
    env["PATH"] = f"{STANDINS}{os.pathsep}{TESTS.parent / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["SINDRI_STANDIN_STATE"] = str(state)
    env["PYTHONPATH"] = str(STANDINS)
    env["HOME"] = str(tmp / "home")
    env["TOKEN"] = "token-value-1234"
    # Builds from source read a local repository (both refs the configs name), cached under tmp.
    source = source_repo(tmp / "sindri-source", "FROM scratch\n", branch="main", dev="FROM scratch\n")
    subprocess.run(["git", "-C", str(source), "branch", "v3"], check=True, timeout=30)
    env["SINDRI_SOURCE_REPO"] = source.as_uri()
    env["XDG_CACHE_HOME"] = str(tmp / "cache")
    # EVERYTHING's pinned image is signed and attested by the certificate it names (identity x, issuer y).
    signed = f"ghcr.io/pacphi/sindri@sha256:{'a' * 64}|x|y"
    env["SINDRI_STANDIN_COSIGN_SIGNED"] = env["SINDRI_STANDIN_COSIGN_ATTESTED"] = signed
    return env


def _devpod_env(tmp: Path) -> dict[str, str]:
    """The DevPod tests' set-up: a private `docker` stand-in (the source repository is _base_env's)."""
    env = _base_env(tmp)
    bin_dir = tmp / "docker-bin"
    bin_dir.mkdir()
    (bin_dir / "docker").symlink_to(TESTS / "providers" / "devpod" / "docker_standin.py")
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["KUBECONFIG"] = str(tmp / "no-kubeconfig")
    for key in ("DOCKER_USERNAME", "DOCKER_PASSWORD", "DOCKER_REGISTRY", "DEVPOD_FLAGS_UP"):
        env.pop(key, None)
    return env


def _kubernetes_env(tmp: Path) -> dict[str, str]:
    """The Kubernetes tests' set-up: the kubectl stand-in over a kind cluster (stand-in) and a kubeconfig."""
    sys.path.insert(0, str(TESTS / "providers" / "kubernetes"))
    from k8s_helpers import k8s_env

    return k8s_env(_base_env(tmp), tmp)


def _env(provider: str, tmp: Path, e2b_url: str) -> dict[str, str]:
    if provider == "devpod":
        return _devpod_env(tmp)
    if provider == "kubernetes":
        return _kubernetes_env(tmp)
    env = _base_env(tmp)
    if provider == "e2b":
        env.update(E2B_API_KEY=DEFAULT_KEY, E2B_API_URL=e2b_url, E2B_SANDBOX_URL=e2b_url)
    return env


def everything(provider: str, variant: dict[str, Any]) -> dict[str, Any]:
    """EVERYTHING for one provider, changed by a variant, with what gets it through against a stand-in."""
    deployment = {**EVERYTHING["deployment"], "provider": provider}
    if provider in ("docker", "e2b"):  # no nvidia runtime on the test engine; E2B has no GPUs (SE302)
        deployment["resources"] = {"memory": "4GB", "cpus": 2}
    for key, value in variant.get("deployment", {}).items():
        if value is None:
            deployment.pop(key, None)
        else:
            deployment[key] = value
    settings = {**PROVIDERS[provider], **variant.get("settings", {})}
    return {**EVERYTHING, "deployment": deployment, "providers": {provider: settings}}


REGISTRY = "ghcr.io/pacphi/sindri"
UNVERIFIED = {"verify_signature": False, "verify_provenance": False}
"""The variants are about naming the image; EVERYTHING (signed, see _base_env) reads the checks."""
IMAGES: list[dict[str, Any]] = [
    {
        "deployment": {
            "image_config": {"registry": REGISTRY, "tag_override": "v3", "pull_policy": "Never", **UNVERIFIED}
        }
    },
    {"deployment": {"image_config": {"registry": REGISTRY, "version": "3.1.0", **UNVERIFIED}}},
    {"deployment": {"image_config": None}},  # deployment.image
]
"""Each way of naming the image: a digest wins over a tag override, which wins over a version, which
wins over deployment.image, so one config cannot read them all."""
DEVPOD_BACKENDS: dict[str, dict[str, Any]] = {
    "aws": {"region": "r", "instanceType": "t", "diskSize": 50, "subnetId": "s", "securityGroupId": "g"},
    "gcp": {"project": "p", "zone": "z", "machineType": "m", "diskSize": 50},
    "azure": {"subscription": "s", "resourceGroup": "r", "location": "l", "vmSize": "v", "diskSize": 50},
    "digitalocean": {"region": "r", "size": "s", "diskSize": 50},
    "kubernetes": {"namespace": "n", "storageClass": "c", "context": "k", "nodeSelector": {"a": "b"}},
    "ssh": {"host": "h", "user": "u", "port": 2222, "keyPath": "/k"},
}
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "docker": IMAGES,
    "fly": [
        *IMAGES,
        {"deployment": {"resources": {"memory": "4GB", "cpus": 2}}},  # no GPU: the machine size is read
        {"deployment": {"image": None, "image_config": None, "buildFromSource": {"enabled": True}}},
    ],
    "devpod": [
        *IMAGES,
        *({"settings": {"type": kind, kind: options}} for kind, options in DEVPOD_BACKENDS.items()),
        {"deployment": {"image": None, "image_config": None, "buildFromSource": {"enabled": True}}},
        {  # a remote backend builds and pushes: the registry is read
            "deployment": {"image": None, "image_config": None, "buildFromSource": {"enabled": True}},
            "settings": {"type": "ssh", "ssh": {"host": "h"}},
        },
    ],
    "e2b": [
        *IMAGES,
        {"deployment": {"image": None, "image_config": None, "buildFromSource": {"enabled": True}}},
    ],
    "kubernetes": IMAGES,
}
"""Configs run after EVERYTHING (plan and deploy), each under its own environment name."""


async def plan_and_deploy(provider: str, tmp: Path, e2b_url: str) -> set[tuple[type, str]]:
    """Fields read while the real `sindri plan` and `sindri deploy` code paths run (loading the file,
    resolving secrets, checking prerequisites, planning, deploying) against the provider's stand-in,
    for EVERYTHING and for each of the provider's variants."""
    env = _env(provider, tmp, e2b_url)
    options = DeployOptions(timeout=90)
    actions = ("plan", "deploy") if provider in DEPLOYED else ("plan",)
    reads: set[tuple[type, str]] = set()
    for n, variant in enumerate([{}, *VARIANTS[provider]]):
        project = tmp / f"project-{n}"
        project.mkdir(parents=True)
        (project / "t").write_text("token-from-file-1234\n")
        (project / "c.pem").write_text("certificate-1234\n")
        path = project / "sindri.yaml"
        data = {**everything(provider, variant), "name": f"reads-{provider}-{n}"}
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        refused = None
        with recording() as found:
            try:
                for action in actions:
                    await run_action(action, config_path=path, cwd=project, env=env, options=options)
            except ProviderError as error:
                refused = error.message
        assert refused == variant.get("refused"), f"{provider}: {data}"
        reads |= found
    return reads


VALIDATION = "read while validating, before any provider runs; listed for every provider so that no "
NOT_IN_PLAN_OR_DEPLOY: dict[tuple[str, str, str], str] = {
    **{
        (p, "SindriConfig", "version"): VALIDATION + "'has no effect' is said about the schema version"
        for p in ALL_PROVIDERS
    },
    **{
        (p, "Deployment", "distro"): VALIDATION + "'has no effect' is said of the field the image tag is "
        "checked against (SE310): the image decides which distribution runs"
        for p in ALL_PROVIDERS
    },
}
"""(provider, model class, field) listed in x-providers but not read by that provider's plan or deploy,
and why."""
NOT_AN_EFFECT: dict[tuple[str, str, str], str] = {
    ("e2b", "E2bProvider", "allowed_domains"): "read by warnings(): 'not applied by sindri yet'",
    ("e2b", "E2bProvider", "team"): "read by warnings(): 'ignored: the team is the one of E2B_API_KEY'",
    ("e2b", "Resources", "gpu"): "read only to refuse a GPU (SE302 says so while editing)",
    ("fly", "FlyProvider", "high_availability"): "read by warnings(): 'highAvailability is not used'",
    ("devpod", "DevpodAws", "use_spot"): "read by warnings(): DevPod's aws provider has no such option",
    ("devpod", "DevpodGcp", "disk_type"): "read by warnings(): DevPod's gcloud provider has no such option",
}
"""(provider, model class, field) read by a provider that x-providers does not list, because the read
only says that the field has no effect, or refuses it."""


async def test_x_providers_is_what_plan_and_deploy_read(tmp_path: Path) -> None:
    need(docker_engine_up(), "no Docker engine is reachable (Docker's plan asks the real engine)")
    reads: dict[str, set[tuple[type, str]]] = {}
    with E2bApiServer(E2bApi()) as api:
        for provider in PROVIDERS:
            reads[provider] = await plan_and_deploy(provider, tmp_path / provider, api.url)
            folder = tmp_path / provider / "derive"
            folder.mkdir(parents=True)
            await derive(provider, folder)
            reads[provider] |= READS[provider]
    listed = field_readers()
    wrong = []
    for (model, name), users in sorted(listed.items(), key=lambda item: (item[0][0].__name__, item[0][1])):
        for provider, read in reads.items():
            field = f"{model.__name__}.{name}"
            excuse = NOT_AN_EFFECT.get((provider, model.__name__, name))
            if (model, name) in read and provider not in users and excuse is None:
                wrong.append(f"{field} is read by {provider} but x-providers is {users}")
            if excuse is not None and provider in users:
                wrong.append(f"{field} lists {provider}, but is excused as not an effect ({excuse})")
            reason = NOT_IN_PLAN_OR_DEPLOY.get((provider, model.__name__, name))
            if (model, name) not in read and provider in users and reason is None:
                wrong.append(f"{field} lists {provider} in x-providers, but plan and deploy never read it")
            if reason is not None and (model, name) in read:
                wrong.append(f"{field} is allowed as not read by {provider} ({reason}), but it is read")
    assert not wrong, "\n".join(wrong)
