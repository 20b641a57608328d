"""JSON-RPC as LSP requires it, where pygls falls short: every request is answered, error replies
carry no traceback, and nothing is kept per message once it is handled.

pygls turns params that do not match a method's type (a string for `hover`'s params, line -1 for
`completion`) into an exception while decoding the message, which its reader logs and drops: the
client waits forever. Here such a request gets an InvalidParams error. pygls also puts the handler's
traceback into an error's `data`; it is logged (by pygls) and not sent. And it keeps the future of each
notification handled by a generator (didOpen, didChange, didClose) in its table of requests forever,
about 1 KB per notification; here every future leaves that table when it is done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any

from cattrs import transform_error
from cattrs.errors import ClassValidationError
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger(__name__)

MAX_DETAIL = 300
"""Characters of the decoding error echoed to the client (the log has all of it)."""


@dataclass(frozen=True)
class _Unreadable:
    """A request whose params could not be decoded: answered with `error`, handled no further."""

    id: int | str
    error: lsp.ResponseError
    jsonrpc: str = "2.0"


class AnsweringProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            msg_id, method = data.get("id"), data.get("method")
            if not isinstance(msg_id, int | str) or isinstance(msg_id, bool) or not isinstance(method, str):
                raise  # a notification or a reply: there is no one to answer
            detail = _detail(error.__cause__)
            return _Unreadable(
                msg_id, JsonRpcInvalidParams(f"invalid params for {method}: {detail}").to_response_error()
            )

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Unreadable):
            self._send_response(message.id, error=message.error)
            return
        super().handle_message(message)

    def _send_response(
        self, msg_id: Any, result: Any | None = None, error: lsp.ResponseError | None = None
    ) -> None:
        if error is not None and error.data is not None and error.code == JsonRpcInternalError.CODE:
            # pygls' traceback (already in the log): internal detail, not for the client.
            error = lsp.ResponseError(code=error.code, message=f"{error.message} (details in the server log)")
        super()._send_response(msg_id, result, error)

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Callable[..., Any],
        callback: Callable[..., Any],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(partial(self._forget, msg_id))

    def _forget(self, msg_id: Any, future: Future[Any]) -> None:
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]


def _detail(cause: BaseException | None) -> str:
    if isinstance(cause, ClassValidationError):
        text = "; ".join(transform_error(cause, path="$"))
    else:
        text = str(cause) if cause is not None else "they do not match the method's parameters"
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL] + "..."
