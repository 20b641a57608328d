"""Prerequisite diagnostics: is the chosen provider's tool installed, logged in, its daemon up?

Computed off the editing path: on open, on save and on request (never per keystroke), through the
provider layer's cached checks, and shown on the `provider:` value with the fix in the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sindri.schemas.findings import Finding, Position, Range, Severity
from sindri.schemas.plugins import supported_providers

from .server import SindriLanguageServer, keep_until_done, source_path

if TYPE_CHECKING:
    from sindri.providers.types import Prerequisite

log = logging.getLogger(__name__)

CODES = {"tool": "PR401", "auth": "PR402", "daemon": "PR403", "env": "PR404"}
_PROVIDER_LINE = re.compile(r"^(\s+)provider\s*:\s*[\"']?([A-Za-z0-9_-]+)")
SETTINGS_WAIT = 10.0
"""Seconds a check waits for the client's settings before using the defaults."""


def provider_value(lines: Sequence[str]) -> tuple[str, Range] | None:
    """The `deployment.provider` value and its range, read from the text (works on broken YAML)."""
    in_deployment = False
    for number, line in enumerate(lines):
        if re.match(r"^deployment\s*:", line):
            in_deployment = True
            continue
        if in_deployment and line and not line[0].isspace() and not line.startswith("#"):
            in_deployment = False
        match = _PROVIDER_LINE.match(line) if in_deployment else None
        if match:
            start = match.start(2)
            return match.group(2), Range(Position(number, start), Position(number, match.end(2)))
    return None


def to_finding(item: Prerequisite, provider: str, rng: Range) -> Finding:
    fix = f" Fix: {item.install_hint}" if item.install_hint else ""
    what = item.description if item.name in item.description else f"{item.description} ({item.name})"
    return Finding(
        code=CODES.get(item.kind, "PR401"),
        severity=Severity.WARNING,
        message=f"{provider}: {what} is not available.{fix}",
        range=rng,
        path=("deployment", "provider"),
        data={"docs_url": item.docs_url or "", "prerequisite": item.name},
    )


def anchored(ls: SindriLanguageServer, uri: str, lines: Sequence[str]) -> list[Finding]:
    """The prerequisite findings on the `provider:` value as it is now (edits move it; a different
    provider makes them moot until its own check)."""
    state = ls.state(uri)
    if not state.prerequisite_findings:
        return []
    found = provider_value(lines)
    if found is None or found[0] != state.checked_provider:
        return []
    return [dataclasses.replace(f, range=found[1]) for f in state.prerequisite_findings]


def on_change(ls: SindriLanguageServer, uri: str) -> None:
    """Check again only when the provider value became another supported provider (not per keystroke)."""
    found = provider_value(ls.workspace.get_text_document(uri).lines)
    if found and found[0] != ls.state(uri).checked_provider and found[0] in supported_providers():
        schedule(ls, uri)


def on_save(ls: SindriLanguageServer, uri: str) -> None:
    """Check again at once while something is missing (the user may just have fixed it); otherwise
    the cached answer stands, so saving after every pause (auto-save) does not spawn the tools."""
    schedule(ls, uri, refresh=bool(ls.state(uri).prerequisite_findings))


def schedule(ls: SindriLanguageServer, uri: str, *, refresh: bool = False) -> None:
    """Recompute in the background; the previous check for the same document is superseded.
    In an untrusted workspace nothing is checked: a check runs the provider's tools."""
    if not ls.trusted:
        return
    previous = ls.prerequisite_runs.get(uri)
    if previous is not None and not previous.done():
        previous.cancel()
    keep_until_done(ls.prerequisite_runs, uri, asyncio.ensure_future(_update(ls, uri, refresh)))


def forget(ls: SindriLanguageServer, uri: str) -> None:
    """The document was closed: its check is moot (the shared check itself goes on for other callers)."""
    task = ls.prerequisite_runs.get(uri)
    if task is not None:
        task.cancel()


async def _update(ls: SindriLanguageServer, uri: str, refresh: bool) -> None:
    from sindri.providers.factory import create_provider
    from sindri.providers.prereqs import check_prerequisites
    from sindri.providers.runner import Runner
    from sindri.schemas.loader import LoadedConfig
    from sindri.schemas.model import SindriConfig

    from .diagnostics import publish, settled, validated

    with contextlib.suppress(TimeoutError):  # a client that never says `initialized`: use defaults
        await asyncio.wait_for(ls.configured.wait(), SETTINGS_WAIT)
    await settled(uri)
    if uri not in ls.documents:
        return
    state = ls.state(uri)
    found = provider_value(ls.workspace.get_text_document(uri).lines)
    findings: list[Finding] = []
    checked = found[0] if found else None
    path = source_path(uri)  # a document not saved yet cannot be deployed: nothing to check
    if path and ls.settings.prerequisite_checks and found and found[0] in supported_providers():
        provider, rng = found
        await validated(ls, uri)  # check with the document's own settings (the cache is keyed on them)
        result = state.result
        config = result.config if result and result.config else SindriConfig.minimal(provider, "check")
        runner = Runner(tool_paths=ls.settings.tool_paths, default_timeout=ls.settings.prerequisite_timeout)
        try:
            instance = create_provider(provider, LoadedConfig(config, path), runner)
            status = await check_prerequisites(instance, ttl=0 if refresh else 30)
        except Exception:
            log.exception("prerequisite check failed for %s", provider)
            return
        findings = [to_finding(item, provider, rng) for item in status.missing]
    if uri in ls.documents and (findings, checked) != (state.prerequisite_findings, state.checked_provider):
        state.prerequisite_findings, state.checked_provider = findings, checked
        publish(ls, uri)
