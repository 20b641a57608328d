"""Providers from other packages: an installed distribution declares one under the entry-point group
`sindri.providers` (`acme = "acme_sindri:AcmeProvider"`), and `deployment.provider: acme` then
selects it like a built-in one.

Only the distributions' metadata is read here (no plugin code runs until its provider is used), and
only installed packages count: nothing in a workspace can add a provider. A plugin cannot take a
built-in name, and its name must be a valid provider name.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from .names import NAME_PATTERN, SUPPORTED_PROVIDERS, ProviderName

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "sindri.providers"
_BUILT_IN = frozenset(p.value for p in ProviderName)


@functools.cache
def plugin_providers() -> dict[str, EntryPoint]:
    """Installed plugin providers by name (the first distribution declaring a name wins)."""
    from importlib.metadata import entry_points  # ~10 ms: not before the language server's `initialize`

    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        if ep.name in _BUILT_IN or ep.name in found or not re.fullmatch(NAME_PATTERN, ep.name):
            continue
        found[ep.name] = ep
    return found


def plugin_description(name: str) -> str:
    ep = plugin_providers()[name]
    dist = ep.dist.name if ep.dist is not None else "an installed package"
    return f"From the installed package {dist} ({ep.value})."


def supported_providers() -> tuple[str, ...]:
    """Every name `deployment.provider` may take here: the built-in ones, then the installed plugins."""
    return (*SUPPORTED_PROVIDERS, *plugin_providers())
