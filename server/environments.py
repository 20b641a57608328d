"""`sindri.environments` and `sindri.newConfig`: the workspace's environments and new ones, for the
client's views. Neither runs a tool, so both work in an untrusted workspace.

`sindri.environments` takes the URIs of the sindri.yaml files the client found and reads name and
provider from each file (in scope only, `scope.py`); the state is the last one the server saw.
`sindri.newConfig` returns a starter sindri.yaml (`schemas/starter.py`); the client writes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sindri.schemas.errors import ConfigError
from sindri.schemas.starter import DEFAULT_NAME, starter

from .scope import command_path
from .server import SindriLanguageServer

if TYPE_CHECKING:
    from .payloads import Environment

MAX_URIS = 1000
"""At most this many files per call: each is read and validated."""


def environment(ls: SindriLanguageServer, uri: str) -> Environment:
    """Name and provider from the file as saved, or why they could not be read."""
    from sindri.providers.lifecycle import load

    from .payloads import Environment

    state = ls.last_states.get(uri)
    try:
        path = command_path(ls, uri)
        config = load(path, cwd=path.parent).config
    except ConfigError as error:
        return Environment(uri=uri, name=None, provider=None, state=state, error=error.message)
    return Environment(uri=uri, name=config.name, provider=config.provider, state=state)


def register(ls: SindriLanguageServer) -> None:
    @ls.command("sindri.environments")
    def environments(ls: SindriLanguageServer, *uris: Any) -> list[dict[str, Any]]:
        """Arguments: document URIs (or one list of them)."""
        flat = list(uris[0]) if len(uris) == 1 and isinstance(uris[0], list) else list(uris)
        wanted = [uri for uri in flat if isinstance(uri, str)][:MAX_URIS]
        return [environment(ls, uri).to_json() for uri in wanted]

    @ls.command("sindri.newConfig")
    def new_config(ls: SindriLanguageServer, *options: Any) -> dict[str, Any]:
        """Argument: {"provider": P, "name"?: N, "profile"?: X}."""
        from .payloads import Failure, NewConfigResult

        raw = options[0] if options and isinstance(options[0], dict) else {}
        try:
            text = starter(
                str(raw.get("provider") or "docker"),
                str(raw.get("name") or DEFAULT_NAME),
                str(raw.get("profile") or "minimal"),
            )
        except ValueError as error:
            return Failure(action="newConfig", error=str(error)).to_json()
        return NewConfigResult(text=text).to_json()
