"""The Sindri language server: state shared by the feature modules, and the server factory.

The server answers `initialize` before it loads the engine's heavy half (pydantic, the model, the
validation rules, the providers): feature modules import those inside the functions that use them, and
`engine.py` loads them right after. At the top of a server module only light engine modules are
imported: findings, names, errors, plugins, the schema, the catalogue, the YAML tree.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from sindri.schemas.errors import ConfigError
from sindri.schemas.findings import Finding

from . import VERSION
from .documents import LspDocumentsProtocol
from .settings import Settings

if TYPE_CHECKING:
    from sindri.schemas.positioned import PositionedDocument
    from sindri.schemas.validate import ValidationResult

log = logging.getLogger(__name__)

DOCUMENT_PATTERNS = ("**/sindri.yaml", "**/sindri.yml", "**/*.sindri.yaml")


@dataclass
class DocumentState:
    """What the server knows about one open sindri document."""

    result: ValidationResult | None = None
    """The newest validation published for the document."""
    validated_version: int | None = None
    """The document version `result` is for."""
    parsed: PositionedDocument | None = None
    """The newest text that parsed as YAML (the outline stays while a keystroke breaks the syntax)."""
    prerequisite_findings: list[Finding] = field(default_factory=list)
    checked_provider: str | None = None
    """The provider the prerequisite findings are about (they are dropped when the value changes)."""


class SindriLanguageServer(LanguageServer):
    """pygls server plus the per-document state the features share."""

    def __init__(self) -> None:
        super().__init__("sindri-lsp", VERSION, protocol_cls=LspDocumentsProtocol)
        self.settings = Settings()
        self.configured = asyncio.Event()
        """Set once the client's settings were asked for (prerequisite checks wait for them)."""
        self.exit_deadline: threading.Timer | None = None
        """Ends the process a few seconds after `exit` (lifetime.py), set once."""
        self.documents: dict[str, DocumentState] = {}
        self.last_states: dict[str, str] = {}
        """Last known deployment state per sindri.yaml URI (from status or a lifecycle command), shown
        on the code lens and by `sindri.environments`."""
        self.trusted = True
        """False when the client says the workspace is untrusted: then no tool is ever run."""
        self.codicons = False
        """Whether the client renders `$(icon)` syntax in code lens titles."""
        self.progress_tasks: dict[str | int, asyncio.Task[Any]] = {}
        """Running commands by progress token (`window/workDoneProgress/cancel` cancels them)."""
        self.background: set[asyncio.Task[Any]] = set()
        """Tasks started by the server itself (a status read after a change), held until done."""
        self.prerequisite_runs: dict[str, asyncio.Task[None]] = {}
        """The running prerequisite check per document (a newer one supersedes it)."""

    def run_task(self, work: Coroutine[Any, Any, Any], what: str) -> None:
        """Run `work` in the background, holding it until done and logging how it failed."""
        task = asyncio.ensure_future(work)
        self.background.add(task)

        def finished(done: asyncio.Task[Any]) -> None:
            self.background.discard(done)
            if not done.cancelled() and done.exception() is not None:
                log.error("%s failed", what, exc_info=done.exception())

        task.add_done_callback(finished)

    def state(self, uri: str) -> DocumentState:
        return self.documents.setdefault(uri, DocumentState())

    def shutdown(self) -> None:
        """pygls' shutdown, without waiting for its thread that reads stdin: after a SIGTERM that read
        only ends when the editor closes the pipe. The process ends right after (`__main__`)."""
        pool, self._thread_pool = self._thread_pool, None
        if pool is not None:
            pool.shutdown(wait=False)
        super().shutdown()  # type: ignore[no-untyped-call]

    def report_server_error(self, error: Exception, source: object) -> None:
        """A handler failed: log it and keep serving (never crash, never spam the user)."""
        log.error("handler error (%s): %s", getattr(source, "__name__", source), error, exc_info=error)


def keep_until_done(tasks: dict[str, asyncio.Task[None]], uri: str, task: asyncio.Task[None]) -> None:
    """Hold a document's background task in `tasks` while it runs, and not a moment longer: a closed
    document must leave nothing behind."""
    tasks[uri] = task
    task.add_done_callback(lambda done: tasks.pop(uri) if tasks.get(uri) is done else None)


def is_sindri_uri(uri: str) -> bool:
    name = Path(to_fs_path(uri) or uri).name
    return name in ("sindri.yaml", "sindri.yml") or name.endswith(".sindri.yaml")


def source_path(uri: str) -> Path | None:
    """The file a document is in; None for one not saved to a file (`untitled:`)."""
    path = to_fs_path(uri)
    return Path(path) if path is not None else None


def uri_path(uri: str) -> Path:
    """The file a command acts on (commands act on the file as saved)."""
    path = source_path(uri)
    if path is None:
        raise ConfigError(f"{uri} is not saved to a file", hint="save it as sindri.yaml first")
    return path


def create_server() -> SindriLanguageServer:
    """Build a server with every feature registered."""
    from . import (
        code_actions,
        code_lens,
        commands,
        completion,
        configuration,
        diagnostics,
        environments,
        hover,
        initialization,
        lifetime,
        symbols,
    )

    server = SindriLanguageServer()
    features = (initialization, diagnostics, configuration, completion, hover, symbols, code_actions)
    for module in (*features, code_lens, commands, environments, lifetime):
        module.register(server)
    return server


DOCUMENT_SELECTOR = [lsp.TextDocumentFilterPattern(pattern=p) for p in DOCUMENT_PATTERNS]
