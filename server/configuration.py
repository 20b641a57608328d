"""Settings through `workspace/configuration`, re-read when the client says they changed."""

from __future__ import annotations

import dataclasses
import logging

from lsprotocol import types as lsp

from . import prerequisites
from .server import SindriLanguageServer
from .settings import SECTION, Settings

log = logging.getLogger(__name__)


async def pull(ls: SindriLanguageServer) -> None:
    """Ask the client for the `sindri` section; keep the current settings if it cannot answer."""
    caps = ls.client_capabilities.workspace
    if not (caps and caps.configuration):
        return
    try:
        values = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=SECTION)])
        )
    except Exception:
        log.warning("the client did not answer workspace/configuration", exc_info=True)
        return
    previous = ls.settings
    settings = Settings.from_client(values[0] if values else None)
    # An untrusted workspace's settings may name any executable: none is ever run, none is kept.
    ls.settings = settings if ls.trusted else dataclasses.replace(settings, tool_paths={})
    for message in sorted(set(ls.settings.refusals()) - set(previous.refusals())):  # once, not at every pull
        log.warning("%s", message)
        ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Warning, message))


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(lsp.INITIALIZED)
    async def initialized(ls: SindriLanguageServer, params: lsp.InitializedParams) -> None:
        try:
            await pull(ls)
        finally:
            ls.configured.set()

    @ls.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def changed(ls: SindriLanguageServer, params: lsp.DidChangeConfigurationParams) -> None:
        await pull(ls)
        for uri in list(ls.documents):
            prerequisites.schedule(ls, uri, refresh=True)
