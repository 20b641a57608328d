"""Issue 11 §3: "has no effect" must be true. Every provider's rendering code is run on a config with
every field set while attribute reads on the model are recorded; a field a provider reads must list
that provider in `x-providers`, and a field that lists none (SE304 "no provider of this tool reads
it") must be read by none.

Covered: what each provider derives from the config without its tool (Docker's compose spec, Fly's
fly.toml and volume, Kubernetes' manifests, E2B's template, resources and sandbox options, DevPod's
devcontainer and image plan). Not the `warnings()` that say a field is ignored: reading a field to say
it has no effect is not an effect. Reads only made while deploying are not recorded here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sindri.providers.docker import EngineInfo, build_compose
from sindri.providers.factory import create_provider
from sindri.providers.runner import Runner
from sindri.schemas.loader import LoadedConfig
from sindri.schemas.model import SindriConfig, SindriModel
from sindri.schemas.rules import schema_at
from sindri.schemas.validate import schema

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
