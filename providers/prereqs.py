"""Prerequisite checks, cached briefly and deduplicated while in flight.

Why a cache: the language server asks for prerequisites on every code lens refresh and `doctor` asks
for all five providers at once; a tool's presence does not change within seconds, and each check
spawns several processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Sequence

from . import facts_cache
from .base import Provider
from .types import PrerequisiteStatus

TTL_SECONDS = 30.0

_Key = tuple[str, str, tuple[tuple[str, str], ...], str]
_cache: dict[_Key, tuple[float, asyncio.Future[PrerequisiteStatus]]] = {}


def _key(provider: Provider) -> _Key:
    """Provider + its settings + configured tool paths + PATH: what the answer depends on."""
    runner = provider.runner
    settings = provider.config.model_dump_json(include={"deployment", "providers"})
    return (
        provider.name,
        hashlib.sha256(settings.encode()).hexdigest(),
        tuple(sorted(runner.tool_paths.items())),
        runner.base_env.get("PATH", ""),
    )


async def check_prerequisites(provider: Provider, *, ttl: float = TTL_SECONDS) -> PrerequisiteStatus:
    """The provider's prerequisites, from the cache when a check younger than `ttl` exists; with `ttl`
    0 the tools are asked now, also for facts other checks keep (`facts_cache`).

    Concurrent callers share one check. A caller that is cancelled does not cancel the shared check
    (other callers may wait on it); `asyncio.run` cancels it at shutdown, and the runner's timeouts
    bound it meanwhile. Failed checks are not cached.
    """
    key = _key(provider)
    loop = asyncio.get_running_loop()
    cached = _cache.get(key)
    if cached is None or not _usable(cached, loop, ttl):
        _evict_expired(ttl)
        cached = (time.monotonic(), loop.create_task(_check(provider, fresh=ttl <= 0)))
        _cache[key] = cached
    task = cached[1]
    try:
        return await asyncio.shield(task)
    except Exception:
        if _cache.get(key) is cached:
            del _cache[key]
        raise


async def _check(provider: Provider, *, fresh: bool) -> PrerequisiteStatus:
    """The provider's own check (`fresh`: from no kept facts), with each tool that was found only
    through a relative path (and not run) said so: "not installed, install it" would send the user the
    wrong way."""
    with facts_cache.asking_now() if fresh else contextlib.nullcontext():
        status = await provider.check_prerequisites()
    refused = provider.runner.refused
    for item in status.missing:
        refusal = refused.get(item.name) if item.kind == "tool" else None
        if refusal is not None:
            item.description = f"{item.description} ({refusal.message})"
            item.install_hint = refusal.hint
    return status


def _evict_expired(ttl: float) -> None:
    """Drop finished checks older than `ttl`: each edit of the provider's settings is a new key."""
    now = time.monotonic()
    for key, (started, future) in list(_cache.items()):
        if future.done() and now - started >= max(ttl, TTL_SECONDS):
            del _cache[key]


def _usable(
    cached: tuple[float, asyncio.Future[PrerequisiteStatus]], loop: asyncio.AbstractEventLoop, ttl: float
) -> bool:
    started, future = cached
    if future.get_loop() is not loop or time.monotonic() - started >= ttl:
        return False
    return not future.done() or (not future.cancelled() and future.exception() is None)


async def check_all(providers: Sequence[Provider]) -> list[PrerequisiteStatus]:
    """Check several providers concurrently, in the given order."""
    return list(await asyncio.gather(*(check_prerequisites(p) for p in providers)))


def clear_cache() -> None:
    _cache.clear()
