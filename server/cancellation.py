"""Making `$/cancelRequest` reach async command handlers.

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

from pygls.protocol import LanguageServerProtocol


class CancellableProtocol(LanguageServerProtocol):
    _outer: Future[Any] | None = None

    def _run_generator(
        self, future: Future[Any] | None, *, gen: Generator[Any, Any, Any], result_future: Future[Any]
    ) -> None:
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
