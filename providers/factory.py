"""Maps a provider name to its class. Each provider lives in its own module, imported on demand,
so adding a provider is one line here and touches no other provider."""

from __future__ import annotations

from importlib import import_module

from sindri.schemas.loader import LoadedConfig
from sindri.schemas.model import canonical_provider

from .base import Provider
from .errors import ProviderError
from .runner import Runner

PROVIDERS: dict[str, str] = {
    "docker": "sindri.providers.docker:DockerProvider",
    "fly": "sindri.providers.fly:FlyProvider",
    "devpod": "sindri.providers.devpod:DevpodProvider",
    "e2b": "sindri.providers.e2b:E2bProvider",
    "kubernetes": "sindri.providers.kubernetes:KubernetesProvider",
    "northflank": "sindri.providers.northflank:NorthflankProvider",
}


def provider_class(provider_type: str) -> type[Provider]:
    """The class for a provider name (`docker-compose` is an alias of `docker`)."""
    target = PROVIDERS.get(canonical_provider(provider_type))
    if target is None:
        supported = ", ".join(["docker", "docker-compose", *list(PROVIDERS)[1:]])
        raise ProviderError(
            f"provider '{provider_type}' is not supported by this tool (supported: {supported})"
        )
    module, _, attr = target.partition(":")
    cls: type[Provider] = getattr(import_module(module), attr)
    return cls


def create_provider(provider_type: str, loaded: LoadedConfig, runner: Runner) -> Provider:
    return provider_class(provider_type)(loaded, runner)
