"""`workspace/executeCommand`: the lifecycle commands, each taking the document URI.

Every lifecycle command goes through `sindri.providers.lifecycle.run_action`, the same orchestration
the CLI uses (config loading, secrets, prerequisites, the per-environment lock). Long commands report
work-done progress carrying the tools' output lines (`progress.py`) and stop their tools when the
client cancels, either the request (`$/cancelRequest`) or the progress
(`window/workDoneProgress/cancel`). Each acts only on a file in scope (`scope.py`); in an untrusted
workspace, none runs anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shlex
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from sindri.providers.errors import ProviderError
from sindri.schemas.errors import ConfigError

from . import docs_links, prerequisites, progress
from .progress import Progress
from .scope import command_path, is_open_document
from .server import SindriLanguageServer, source_path

if TYPE_CHECKING:
    from sindri.providers.lifecycle import Action, ActionResult

    from .payloads import ConnectResult

log = logging.getLogger(__name__)

STATUS_NOTIFICATION = "sindri/status"
DESTROY = "Destroy"
"""The action that confirms `sindri.destroy`."""
LIFECYCLE: tuple[Action, ...] = ("deploy", "plan", "status", "start", "stop", "destroy")
Json = dict[str, Any]


def _failure(
    ls: SindriLanguageServer, action: str, error: ProviderError | ConfigError, show: bool = True
) -> Json:
    """The error as the command's result, also shown to the user unless `show` is false."""
    from .payloads import Failure

    if show:
        ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"sindri {action}: {error}"))
    hint = getattr(error, "hint", None)
    return Failure(action=action, error=getattr(error, "message", str(error)), hint=hint).to_json()


async def lifecycle(
    ls: SindriLanguageServer,
    action: Action,
    uri: str,
    force: bool = False,
    *,
    requested: bool = True,
    token: str | int | None = None,
) -> Json:
    """Run one lifecycle action for the document's environment; return the provider layer's result.

    An action the server runs by itself (`requested` false: the status read after a change) does not
    show its failure: the user asked for nothing, and already saw the error of what they asked for.
    """
    from sindri.providers.lifecycle import run_action
    from sindri.providers.types import DeployOptions

    from .payloads import LifecycleResult

    try:
        path = command_path(ls, uri)
    except ConfigError as error:
        return _failure(ls, action, error, show=requested)
    reporter = Progress(ls, f"Sindri: {action} {path.name}", token)
    await reporter.begin()
    outcome = "done"
    try:
        result: ActionResult = await run_action(
            action,
            config_path=path,
            cwd=path.parent,
            options=DeployOptions(force=force, timeout=ls.settings.command_timeout),
            progress=reporter.report,
            tool_paths=ls.settings.tool_paths,
        )
        _remember_state(ls, uri, result)
        return LifecycleResult(**dict(result)).to_json()
    except (ProviderError, ConfigError) as error:
        outcome = "failed"
        return _failure(ls, action, error, show=requested)
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        reporter.end(outcome)
        # Not after a cancellation: the user or the server going away stopped it, and a status
        # started now would outlive a server that is exiting (its tool left running).
        if outcome != "cancelled":
            _refresh_after(ls, uri, action)


def _remember_state(ls: SindriLanguageServer, uri: str, result: ActionResult) -> None:
    """Keep the newest known state for the code lens and tell the client (for its status bar)."""
    from .payloads import StatusNotification

    state = {"deploy": "running", "start": "running", "stop": "stopped", "destroy": "not_deployed"}.get(
        result.action
    )
    if result.status is not None:
        state = result.status.state.value
    if state is None:
        return
    ls.last_states[uri] = state
    status = StatusNotification(uri=uri, name=result.name, provider=result.provider, state=state)
    ls.protocol.notify(STATUS_NOTIFICATION, status.to_json())


def _refresh_after(ls: SindriLanguageServer, uri: str, action: str) -> None:
    """Lenses show the last state: ask the client to re-fetch them (if it can), and re-read status."""
    workspace = ls.client_capabilities.workspace
    if workspace and workspace.code_lens and workspace.code_lens.refresh_support:
        ls.workspace_code_lens_refresh(None)
    if action in ("deploy", "start", "stop", "destroy") and uri in ls.documents:
        ls.run_task(lifecycle(ls, "status", uri, requested=False), f"status after {action}")


async def confirm_destroy(ls: SindriLanguageServer, path: Path) -> bool:
    """Ask before destroy, as the CLI does: a click on a lens must not delete a home volume unasked."""
    from sindri.providers.lifecycle import load

    try:
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


def sindri_cli() -> list[str]:
    """The `sindri` of this server's own installation, never one found on PATH (a workspace may put
    one there): the extension's bundled launcher (SINDRI_CLI, set by it), the script beside this
    interpreter (a venv), else this interpreter running the package."""
    bundled = os.environ.get("SINDRI_CLI")
    if bundled:
        with contextlib.suppress(ValueError):
            argv = json.loads(bundled)
            if isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv):
                return argv
    script = Path(sys.executable).with_name("sindri")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "sindri.cli"]


def connect_command(path: Path) -> ConnectResult:
    """What the client runs in a terminal: `sindri connect -c <file>` in the file's folder."""
    from sindri.providers.lifecycle import load

    from .payloads import ConnectResult

    loaded = load(path, cwd=path.parent)
    argv = [*sindri_cli(), "connect", "-c", str(path)]
    return ConnectResult(
        command=argv,
        command_line=shlex.join(argv),
        cwd=str(path.parent),
        name=loaded.config.name,
        provider=loaded.config.provider,
    )


def _flags(options: tuple[Any, ...]) -> Json:
    """The optional second argument: {"force"?: bool, "yes"?: bool, "progressToken"?: string}."""
    return options[0] if options and isinstance(options[0], dict) else {}


def _token(flags: Json) -> str | int | None:
    token = flags.get("progressToken")
    return token if isinstance(token, str | int) and not isinstance(token, bool) else None


def register(ls: SindriLanguageServer) -> None:
    progress.register(ls)

    def lifecycle_command(action: Action) -> Callable[..., Awaitable[Json]]:
        async def handler(ls: SindriLanguageServer, uri: str, *options: Any) -> Json:
            """Arguments: the document URI, then optionally {"force", "yes", "progressToken"}."""
            from .payloads import Cancelled, Untrusted

            if not ls.trusted:
                return Untrusted(action=action).to_json()
            flags = _flags(options)
            if action == "destroy" and not flags.get("yes"):
                try:
                    path = command_path(ls, uri)
                except ConfigError as error:
                    return _failure(ls, action, error)
                if not await confirm_destroy(ls, path):
                    return Cancelled(action=action).to_json()
            return await lifecycle(ls, action, uri, bool(flags.get("force")), token=_token(flags))

        handler.__name__ = f"sindri_{action}"
        return handler

    for action in LIFECYCLE:
        ls.command(f"sindri.{action}")(lifecycle_command(action))

    @ls.command("sindri.connect")
    def connect(ls: SindriLanguageServer, uri: str, *options: Any) -> Json:
        from .payloads import Untrusted

        if not ls.trusted:
            return Untrusted(action="connect").to_json()
        try:
            return connect_command(command_path(ls, uri)).to_json()
        except ConfigError as error:
            return _failure(ls, "connect", error)

    @ls.command("sindri.validate")
    def validate(ls: SindriLanguageServer, uri: str) -> Json:
        from sindri.schemas.validate import validate_text

        from .payloads import ValidateResult

        try:
            if not is_open_document(ls, uri):  # an open one may be unsaved: its text is checked
                command_path(ls, uri)
        except ConfigError as error:
            return _failure(ls, "validate", error, show=False)
        doc = ls.workspace.get_text_document(uri)
        result = validate_text(doc.source, source_path=source_path(uri))
        return ValidateResult(uri=uri, findings=[f.to_dict() for f in result.findings]).to_json()

    @ls.command("sindri.doctor")
    async def run_doctor(ls: SindriLanguageServer, uri: str, *options: Any) -> Json:
        """Arguments: the document URI (then options, accepted like the lifecycle commands')."""
        from sindri.providers.lifecycle import doctor

        from .payloads import DoctorResult, Untrusted

        if not ls.trusted:
            return Untrusted(action="doctor").to_json()
        try:
            path = command_path(ls, uri)
            statuses = await doctor(config_path=path, cwd=path.parent, tool_paths=ls.settings.tool_paths)
        except ConfigError as error:
            return _failure(ls, "doctor", error)
        if uri in ls.documents:
            prerequisites.schedule(ls, uri, refresh=True)
        return DoctorResult(providers=[s.to_json() for s in statuses]).to_json()

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
