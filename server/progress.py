"""Work-done progress of one command, carrying the tools' output lines (already redacted).

The client may hand over its own token (`{"progressToken": ...}`, as VS Code does to show the progress
where it wants): the server then reports on it directly, without `window/workDoneProgress/create`.
Otherwise the server creates one when the client supports it, or reports nothing.
"""

from __future__ import annotations

import asyncio
import uuid

from lsprotocol import types as lsp

from .server import SindriLanguageServer


class Progress:
    def __init__(self, ls: SindriLanguageServer, title: str, token: str | int | None = None) -> None:
        self.ls = ls
        self.title = title
        self.given = token is not None
        """The client made the token: it is not created again."""
        window = ls.client_capabilities.window
        supported = window is not None and bool(window.work_done_progress)
        self.token: str | int | None = token if self.given else str(uuid.uuid4()) if supported else None

    async def begin(self) -> None:
        if self.token is None:
            return
        if not self.given:
            try:
                await self.ls.work_done_progress.create_async(self.token)
            except Exception:
                self.token = None
                return
        task = asyncio.current_task()
        if task is not None:
            self.ls.progress_tasks[self.token] = task
        self.ls.work_done_progress.begin(
            self.token, lsp.WorkDoneProgressBegin(title=self.title, cancellable=True)
        )

    def report(self, line: str) -> None:
        if self.token is not None:
            self.ls.work_done_progress.report(self.token, lsp.WorkDoneProgressReport(message=line))

    def end(self, message: str) -> None:
        if self.token is not None:
            self.ls.progress_tasks.pop(self.token, None)
            self.ls.work_done_progress.end(self.token, lsp.WorkDoneProgressEnd(message=message))


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def progress_cancelled(ls: SindriLanguageServer, params: lsp.WorkDoneProgressCancelParams) -> None:
        task = ls.progress_tasks.pop(params.token, None)
        if task is not None:
            task.cancel()
