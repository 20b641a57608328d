"""Making `$/cancelRequest` reach async command handlers, and answering cancelled requests.

pygls runs `workspace/executeCommand` as a generator that awaits the user's handler under a fresh
internal id, so cancelling the client's request only cancels the outer future and the handler (and the
tool it runs) would go on. This protocol links the two: when the outer request future is cancelled,
the inner handler task is cancelled too, which makes the runner kill the tool's process group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from concurrent.futures import Future
from typing import Any

from lsprotocol import types as lsp
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method


class CancellableProtocol(LanguageServerProtocol):
    _outer: Future[Any] | None = None

    def _run_generator(
        self, future: Future[Any] | None, *, gen: Generator[Any, Any, Any], result_future: Future[Any]
    ) -> None:
        if future is not None and future.cancelled():
            # The handler was cancelled (the request, or its progress): pygls would leave the request
            # unanswered; answer it as cancelled instead.
            gen.close()
            if not result_future.done():
                result_future.cancel()
            return
        previous, self._outer = self._outer, result_future
        try:
            super()._run_generator(future, gen=gen, result_future=result_future)
        finally:
            self._outer = previous

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Callable[..., Any],
        callback: Callable[..., Any],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        outer = self._outer
        self._outer = None
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        inner = self._request_futures.get(msg_id)
        if outer is not None and isinstance(inner, asyncio.Future):
            outer.add_done_callback(lambda done: inner.cancel() if done.cancelled() else None)

    @lsp_method(lsp.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """pygls' shutdown, iterating over a copy: cancelling a request answers it, which removes it
        from the dict being iterated ("dictionary changed size during iteration")."""
        if (user_handler := self.fm.features.get(lsp.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True
