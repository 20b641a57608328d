"""Maps a provider name to its class. Each provider lives in its own module, imported on demand,
so adding a provider is one line here and touches no other provider. A package installed beside
this one can add a provider too, under the entry-point group `sindri.providers`
(sindri/schemas/plugins.py): its module is imported only when its provider is used."""

from __future__ import annotations

from importlib import import_module

from sindri.schemas.loader import LoadedConfig
from sindri.schemas.names import canonical_provider
from sindri.schemas.plugins import plugin_providers

from .base import Provider
from .errors import ProviderError
from .runner import Runner

PROVIDERS: dict[str, str] = {
    "docker": "sindri.providers.docker:DockerProvider",
    "fly": "sindri.providers.fly:FlyProvider",
    "devpod": "sindri.providers.devpod:DevpodProvider",
    "e2b": "sindri.providers.e2b:E2bProvider",
    "kubernetes": "sindri.providers.kubernetes:KubernetesProvider",
    "runpod": "sindri.providers.runpod:RunpodProvider",
    "northflank": "sindri.providers.northflank:NorthflankProvider",
}


def provider_names() -> list[str]:
    """Every provider this installation can run: the built-in ones, then the plugins."""
    return [*PROVIDERS, *plugin_providers()]


def provider_class(provider_type: str) -> type[Provider]:
    """The class for a provider name (`docker-compose` is an alias of `docker`)."""
    name = canonical_provider(provider_type)
    target = PROVIDERS.get(name)
    if target is not None:
        module, _, attr = target.partition(":")
        cls: type[Provider] = getattr(import_module(module), attr)
        return cls
    if name in plugin_providers():
        return _plugin_class(name)
    supported = ", ".join(["docker", "docker-compose", *provider_names()[1:]])
    raise ProviderError(f"provider '{provider_type}' is not supported by this tool (supported: {supported})")


def _plugin_class(name: str) -> type[Provider]:
    """Load a plugin's class; a broken plugin is a clear error naming its package, not a traceback."""
    ep = plugin_providers()[name]
    where = f"{ep.dist.name if ep.dist is not None else 'its package'} ({ep.value})"
    hint = f"reinstall or fix the package that declares the '{name}' provider: {where}"
    try:
        loaded = ep.load()
    except Exception as exc:
        raise ProviderError(
            f"provider '{name}' could not be loaded from {where}: {type(exc).__name__}: {exc}", hint=hint
        ) from None
    if not (isinstance(loaded, type) and issubclass(loaded, Provider)):
        raise ProviderError(
            f"provider '{name}' from {where} is not a sindri.providers.base.Provider subclass", hint=hint
        )
    return loaded


def create_provider(provider_type: str, loaded: LoadedConfig, runner: Runner) -> Provider:
    return provider_class(provider_type)(loaded, runner)
