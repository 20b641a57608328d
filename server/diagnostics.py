"""Diagnostics while typing: validate at once, coalesce changes, never publish a stale result.

Validation is CPU work, so it runs on one dedicated worker thread (not pygls' pool, which reads stdin)
while the event loop keeps answering completion and hover. There is at most one validation per
document in flight; changes that arrive meanwhile are picked up by the same loop, newest text first,
and a result is published only if the document is still at the version that was validated.
Diagnostics are pushed (`textDocument/publishDiagnostics`), never pulled, so no client shows them twice.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from . import prerequisites
from .convert import Positions
from .server import SindriLanguageServer, is_sindri_uri, keep_until_done, source_path

if TYPE_CHECKING:
    from sindri.schemas.validate import ValidationResult

log = logging.getLogger(__name__)

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sindri-validate")
_running: dict[str, asyncio.Task[None]] = {}
_TEST_GATE = os.environ.get("SINDRI_LSP_TEST_GATE")
"""Tests only: a folder holding a FIFO `release`. Each validation first creates `started-<n>` there
(n = 1, 2, ...) and then waits until the test writes to `release`, so a test can hold a validation
open for as long as it needs instead of hoping the validation is slow."""
_gate_count = itertools.count(1)


def _gated(check: Callable[[], ValidationResult]) -> Callable[[], ValidationResult]:
    if not _TEST_GATE:
        return check

    def held() -> ValidationResult:
        Path(_TEST_GATE, f"started-{next(_gate_count)}").touch()
        with open(Path(_TEST_GATE, "release")) as fifo:
            fifo.read()
        return check()

    return held


_recent: dict[str, None] = {}
"""Documents whose results (findings, trees, configs) are held, least recently validated first."""
RESULTS_KEPT = 8
GC_THRESHOLDS = (20_000, 10, 10)


def schedule(ls: SindriLanguageServer, uri: str) -> None:
    """Make sure the newest text of `uri` gets validated and published."""
    task = _running.get(uri)
    if task is None or task.done():
        keep_until_done(_running, uri, asyncio.ensure_future(_validate_until_current(ls, uri)))


async def _validate_until_current(ls: SindriLanguageServer, uri: str) -> None:
    from sindri.schemas.validate import validate_text

    loop = asyncio.get_running_loop()
    while (state := ls.documents.get(uri)) is not None:
        doc = ls.workspace.get_text_document(uri)
        version, text = doc.version, doc.source
        try:
            check = partial(validate_text, text, source_path=source_path(uri))
            result = await loop.run_in_executor(_executor, _gated(check))
        except Exception:  # the engine promises not to raise; if it does, keep serving
            log.exception("validation failed for %s", uri)
            return
        current = ls.workspace.get_text_document(uri)
        if ls.documents.get(uri) is not state or current.version != version:
            # Edited, or closed and reopened (maybe at the same version), meanwhile: validate the
            # newest text instead of publishing a stale result.
            continue
        state.result, state.validated_version = result, version
        if result.document is not None and result.document.root is not None:
            state.parsed = result.document
        _keep_recent(ls, uri)
        publish(ls, uri)
        return


def _keep_recent(ls: SindriLanguageServer, uri: str) -> None:
    """Hold the results of the documents validated last only: a 5,000-line document's tree is a few
    megabytes and its findings can be thousands. An older document is validated again when its
    findings are next needed (`validated`, `publish`); its outline reads its text again."""
    _recent.pop(uri, None)
    _recent[uri] = None
    while len(_recent) > RESULTS_KEPT:
        oldest = next(iter(_recent))
        del _recent[oldest]
        state = ls.documents.get(oldest)
        if state is not None:
            state.result = None
            if state.parsed is not None:
                state.parsed.release()


async def settled(uri: str) -> None:
    """Wait until the running validation of `uri`, if any, has caught up with the newest text."""
    task = _running.get(uri)
    if task is not None and not task.done():
        await asyncio.shield(task)  # a cancelled request must not cancel the validation


async def validated(ls: SindriLanguageServer, uri: str) -> None:
    """Wait until `uri` has findings for its newest text, validating it again if they were dropped."""
    await settled(uri)
    state = ls.documents.get(uri)
    if state is not None and state.result is None:
        schedule(ls, uri)
        await settled(uri)


def publish(ls: SindriLanguageServer, uri: str) -> None:
    """Push the document's findings plus its prerequisite findings, as one set.

    Only for the validated version: while a newer text is being validated, that run publishes.
    """
    state = ls.state(uri)
    doc = ls.workspace.get_text_document(uri)
    if state.validated_version != doc.version:
        return
    if state.result is None:  # dropped (_keep_recent): the validation publishes both sets
        schedule(ls, uri)
        return
    positions = Positions(doc)
    findings = [
        *state.result.findings,
        *prerequisites.anchored(ls, uri, positions.lines),
    ]
    ls.protocol._send_data(message(uri, doc.version, [positions.diagnostic_json(f) for f in findings]))


def message(uri: str, version: int | None, diagnostics: list[dict[str, Any]]) -> dict[str, Any]:
    """The publishDiagnostics notification as plain JSON, sent past pygls' cattrs conversion: structuring
    thousands of lsprotocol objects only for cattrs to take them apart again cost more than validating
    the document. It is the message `text_document_publish_diagnostics` writes, key for key
    (tests/lsp/test_diagnostics_json.py holds that)."""
    params = {"uri": uri, "diagnostics": diagnostics, "version": version}
    return {"params": params, "method": lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "jsonrpc": "2.0"}


def register(ls: SindriLanguageServer) -> None:
    # What is loaded by now lives as long as the server: the collector need not walk it again and again.
    # Each validation of a large document makes some 100,000 objects, almost none in cycles; collecting
    # every 700 of them (the default) made that validation up to twice as slow and its time uneven.
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

    @ls.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SindriLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        if not is_sindri_uri(uri):
            return
        ls.state(uri)
        schedule(ls, uri)
        prerequisites.schedule(ls, uri)

    @ls.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SindriLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        if params.text_document.uri in ls.documents:
            schedule(ls, params.text_document.uri)
            prerequisites.on_change(ls, params.text_document.uri)

    @ls.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SindriLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri in ls.documents:
            prerequisites.on_save(ls, params.text_document.uri)

    @ls.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SindriLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        _recent.pop(uri, None)
        if ls.documents.pop(uri, None) is not None:
            prerequisites.forget(ls, uri)
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
