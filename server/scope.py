"""Which files a command may act on: sindri documents open in the editor, or sindri files inside the
workspace folders.

A command names its file by URI, and a client (or a crafted link, task or extension) can name any:
a sindri.yaml elsewhere on the machine would be deployed or destroyed, and validating
`~/.aws/credentials` would quote its values back in findings. Links are resolved before the check, so
a `sindri.yaml` in the workspace that points outside it is outside too. The file is not read.
"""

from __future__ import annotations

import os
from pathlib import Path

from pygls.uris import to_fs_path
from sindri.schemas.errors import ConfigError

from .server import SindriLanguageServer, is_sindri_uri, uri_path

SCOPE_HINT = "open it in a workspace folder, or open the folder that holds it"


def workspace_roots(ls: SindriLanguageServer) -> list[Path]:
    """The workspace folders (and the root of a client that sends only `rootUri`), links resolved."""
    uris = [folder.uri for folder in ls.workspace.folders.values()]
    if ls.workspace.root_uri:
        uris.append(ls.workspace.root_uri)
    roots = (to_fs_path(uri) for uri in uris)
    return [Path(os.path.realpath(root)) for root in roots if root]


def is_open_document(ls: SindriLanguageServer, uri: str) -> bool:
    """A sindri document the client opened (the user chose it, wherever it is)."""
    return uri in ls.documents and uri in ls.workspace.text_documents


def command_path(ls: SindriLanguageServer, uri: str) -> Path:
    """The file behind `uri` if a command may act on it; raises ConfigError (nothing read) if not."""
    path = uri_path(uri)
    if is_open_document(ls, uri):
        return path
    if not is_sindri_uri(uri):
        raise ConfigError(
            f"{path} is not a sindri document (sindri.yaml, sindri.yml or *.sindri.yaml); sindri acts only "
            "on those",
            hint="open the sindri.yaml you mean",
        )
    real = Path(os.path.realpath(path))
    if not any(real.is_relative_to(root) for root in workspace_roots(ls)):
        raise ConfigError(
            f"{path} is outside the workspace; sindri acts only on files inside it", hint=SCOPE_HINT
        )
    return path
