"""`workspace/executeCommand`: the lifecycle commands, each taking the document URI.

Every lifecycle command goes through `sindri.providers.lifecycle.run_action`, the same orchestration
the CLI uses (config loading, secrets, prerequisites, the per-environment lock). Long commands report
work-done progress carrying the tools' output lines (already redacted by the runner) and stop their
tools when the client cancels, either the request (`$/cancelRequest`) or the progress
(`window/workDoneProgress/cancel`).
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from sindri.providers.errors import ProviderError
from sindri.providers.lifecycle import Action, ActionResult, doctor, load, run_action
from sindri.providers.toolpath import which
from sindri.providers.types import DeployOptions
from sindri.schemas.loader import ConfigError
from sindri.schemas.validate import validate_text

from . import docs_links, prerequisites
from .server import SindriLanguageServer, source_path, uri_path

log = logging.getLogger(__name__)

STATUS_NOTIFICATION = "sindri/status"
DESTROY = "Destroy"
"""The action that confirms `sindri.destroy`."""
LIFECYCLE: tuple[Action, ...] = ("deploy", "plan", "status", "start", "stop", "destroy")
_progress_tasks: dict[str, asyncio.Task[Any]] = {}
_background: set[asyncio.Task[Any]] = set()


class Progress:
    """Work-done progress for one command, if the client supports it; otherwise a no-op."""

    def __init__(self, ls: SindriLanguageServer, title: str) -> None:
        self.ls = ls
        self.title = title
        window = ls.client_capabilities.window
        self.token: str | None = str(uuid.uuid4()) if window and window.work_done_progress else None

    async def begin(self) -> None:
        if self.token is None:
            return
        try:
            await self.ls.work_done_progress.create_async(self.token)
        except Exception:
            self.token = None
            return
        _progress_tasks[self.token] = asyncio.current_task()  # type: ignore[assignment]
        self.ls.work_done_progress.begin(
            self.token, lsp.WorkDoneProgressBegin(title=self.title, cancellable=True)
        )

    def report(self, line: str) -> None:
        if self.token is not None:
            self.ls.work_done_progress.report(self.token, lsp.WorkDoneProgressReport(message=line))

    def end(self, message: str) -> None:
        if self.token is not None:
            _progress_tasks.pop(self.token, None)
            self.ls.work_done_progress.end(self.token, lsp.WorkDoneProgressEnd(message=message))


def _failure(
    ls: SindriLanguageServer, action: str, error: ProviderError | ConfigError, show: bool = True
) -> dict[str, Any]:
    """The error as the command's result, also shown to the user unless `show` is false."""
    if show:
        ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"sindri {action}: {error}"))
    hint = getattr(error, "hint", None)
    return {"action": action, "success": False, "error": getattr(error, "message", str(error)), "hint": hint}


async def lifecycle(
    ls: SindriLanguageServer, action: Action, uri: str, force: bool = False, *, requested: bool = True
) -> dict[str, Any]:
    """Run one lifecycle action for the document's environment; return the provider layer's result.

    An action the server runs by itself (`requested` false: the status read after a change) does not
    show its failure: the user asked for nothing, and already saw the error of what they asked for.
    """
    try:
        path = uri_path(uri)
    except ConfigError as error:
        return _failure(ls, action, error, show=requested)
    progress = Progress(ls, f"Sindri: {action} {path.name}")
    await progress.begin()
    outcome = "done"
    try:
        result: ActionResult = await run_action(
            action,
            config_path=path,
            cwd=path.parent,
            options=DeployOptions(force=force, timeout=ls.settings.command_timeout),
            progress=progress.report,
            tool_paths=ls.settings.tool_paths,
        )
        payload = {"success": True, **result.to_json()}
        _remember_state(ls, uri, result)
        return payload
    except (ProviderError, ConfigError) as error:
        outcome = "failed"
        return _failure(ls, action, error, show=requested)
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        progress.end(outcome)
        # Not after a cancellation: the user or the server going away stopped it, and a status
        # started now would outlive a server that is exiting (its tool left running).
        if outcome != "cancelled":
            _refresh_after(ls, uri, action)


def _remember_state(ls: SindriLanguageServer, uri: str, result: ActionResult) -> None:
    """Keep the newest known state for the code lens and tell the client (for its status bar)."""
    state = {"deploy": "running", "start": "running", "stop": "stopped", "destroy": "not_deployed"}.get(
        result.action
    )
    if result.status is not None:
        state = result.status.state.value
    if state is None or uri not in ls.documents:
        return
    ls.state(uri).last_state = state
    ls.protocol.notify(
        STATUS_NOTIFICATION,
        {"uri": uri, "name": result.name, "provider": result.provider, "state": state},
    )


def _refresh_after(ls: SindriLanguageServer, uri: str, action: str) -> None:
    """Lenses show the last state: ask the client to re-fetch them (if it can), and re-read status."""
    workspace = ls.client_capabilities.workspace
    if workspace and workspace.code_lens and workspace.code_lens.refresh_support:
        ls.workspace_code_lens_refresh(None)
    if action in ("deploy", "start", "stop", "destroy") and uri in ls.documents:
        task = asyncio.ensure_future(lifecycle(ls, "status", uri, requested=False))
        _background.add(task)
        task.add_done_callback(_background.discard)


async def confirm_destroy(ls: SindriLanguageServer, uri: str) -> bool:
    """Ask before destroy, as the CLI does: a click on a lens must not delete a home volume unasked."""
    try:
        path = uri_path(uri)
        loaded = load(path, cwd=path.parent)
    except ConfigError:
        return True  # nothing can be destroyed; the command reports why
    name, provider = loaded.config.name, loaded.config.provider
    answer = await ls.window_show_message_request_async(
        lsp.ShowMessageRequestParams(
            type=lsp.MessageType.Warning,
            message=f"Destroy '{name}' on {provider}? Its container or machine and its volumes, with the "
            "data in its home folder, are deleted.",
            actions=[lsp.MessageActionItem(title=DESTROY), lsp.MessageActionItem(title="Cancel")],
        )
    )
    return answer is not None and answer.title == DESTROY


def connect_command(uri: str) -> dict[str, Any]:
    """What the client runs in a terminal: `sindri connect -c <file>` in the file's folder."""
    path = uri_path(uri)
    exe = which("sindri") or str(Path(sys.executable).with_name("sindri"))
    argv = [exe, "connect", "-c", str(path)]
    return {"command": argv, "commandLine": shlex.join(argv), "cwd": str(path.parent)}


def register(ls: SindriLanguageServer) -> None:
    def lifecycle_command(action: Action) -> Callable[..., Awaitable[dict[str, Any]]]:
        async def handler(ls: SindriLanguageServer, uri: str, *options: Any) -> dict[str, Any]:
            """Arguments: the document URI, then optionally {"force": true, "yes": true}."""
            flags = options[0] if options and isinstance(options[0], dict) else {}
            if action == "destroy" and not flags.get("yes") and not await confirm_destroy(ls, uri):
                return {"action": action, "success": False, "cancelled": True, "error": "not confirmed"}
            return await lifecycle(ls, action, uri, bool(flags.get("force")))

        handler.__name__ = f"sindri_{action}"
        return handler

    for action in LIFECYCLE:
        ls.command(f"sindri.{action}")(lifecycle_command(action))

    @ls.command("sindri.connect")
    def connect(ls: SindriLanguageServer, uri: str) -> dict[str, Any]:
        return connect_command(uri)

    @ls.command("sindri.validate")
    def validate(ls: SindriLanguageServer, uri: str) -> dict[str, Any]:
        doc = ls.workspace.get_text_document(uri)
        result = validate_text(doc.source, source_path=source_path(uri))
        return {"uri": uri, "findings": [f.to_dict() for f in result.findings]}

    @ls.command("sindri.doctor")
    async def run_doctor(ls: SindriLanguageServer, uri: str) -> dict[str, Any]:
        try:
            path = uri_path(uri)
            statuses = await doctor(config_path=path, cwd=path.parent, tool_paths=ls.settings.tool_paths)
        except ConfigError as error:
            return _failure(ls, "doctor", error)
        if uri in ls.documents:
            prerequisites.schedule(ls, uri, refresh=True)
        return {"providers": [s.to_json() for s in statuses]}

    @ls.command("sindri.openDocs")
    async def open_docs(ls: SindriLanguageServer, url: str) -> bool:
        if not docs_links.is_ours(url):
            raise JsonRpcInvalidParams(
                f"sindri.openDocs opens only the documentation links the server offers: {url!r:.200}"
            )
        window = ls.client_capabilities.window
        if not (window and window.show_document and window.show_document.support):
            ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Info, f"Documentation: {url}"))
            return False  # the client cannot open it: the user gets the address instead
        shown = await ls.window_show_document_async(lsp.ShowDocumentParams(uri=url, external=True))
        return bool(shown and shown.success)

    @ls.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def progress_cancelled(ls: SindriLanguageServer, params: lsp.WorkDoneProgressCancelParams) -> None:
        task = _progress_tasks.pop(str(params.token), None)
        if task is not None:
            task.cancel()
