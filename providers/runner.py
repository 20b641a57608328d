"""The one way providers run external tools.

Why one runner: every subprocess must be an argv list with a timeout, be cancellable without leaving
orphans (each child gets its own process group, killed as a whole), stream its output line by line to
a progress callback, and never let a secret value reach a log, a progress line or an error message.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import errno
import json
import logging
import os
import shlex
import signal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sindri.schemas.secret_values import MIN_MASKED_LENGTH

from .errors import ProviderError, ToolFailedError, ToolNotFoundError, ToolTimeoutError
from .toolpath import ToolRefusedError, absolute_entries, find_tool

if TYPE_CHECKING:  # types.py is pydantic's; the language server imports this module before pydantic
    from .types import ProgressCallback

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0
STDERR_TAIL_LINES = 20
KILL_GRACE = 2.0
REDACTED = "********"
CHUNK_SIZE = 65536
EXIT_POLL = 0.05


@dataclass(frozen=True)
class CommandResult:
    """What a finished tool returned. stdout/stderr are raw (for parsing); only errors are redacted."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def masked_forms(value: str) -> set[str]:
    """Every form of a secret value that output may carry, each at least MIN_MASKED_LENGTH long.

    Tools print line by line, so each line of a multi-line value is masked on its own (as GitHub
    Actions does); tools also print a value JSON-escaped (`\\n`, `\\"`) or shell-quoted. Shorter
    pieces would mask ordinary words ("a", "}"), garbling every line: the loader and the validation
    engine (SE317) warn about a value that short instead.
    """
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1], shlex.quote(value)}
    for line in value.splitlines():
        forms.update((line, line.strip()))
    return {form for form in forms if len(form) >= MIN_MASKED_LENGTH}


@dataclass
class Redactor:
    """Replaces every known secret value, in every form output may carry it, with a fixed mask."""

    secrets: set[str] = field(default_factory=set)

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            self.secrets.update(masked_forms(value))

    def __call__(self, text: str) -> str:
        for value in sorted(self.secrets, key=len, reverse=True):  # longest first: a line is part of a value
            text = text.replace(value, REDACTED)
        return text


class Runner:
    """Runs tools for one lifecycle operation; carries the secrets to redact and the progress sink."""

    def __init__(
        self,
        *,
        secrets: Iterable[str] = (),
        progress: ProgressCallback | None = None,
        tool_paths: Mapping[str, str] | None = None,
        default_timeout: float = DEFAULT_TIMEOUT,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.redact = Redactor()
        self.redact.add(secrets)
        self._progress = progress
        self.tool_paths = dict(tool_paths or {})
        self.default_timeout = default_timeout
        self.base_env = dict(os.environ if env is None else env)
        self.refused: dict[str, ToolRefusedError] = {}
        """Tools found only through a relative path, which are not run (`toolpath.py`)."""

    def progress(self, line: str) -> None:
        """Send one human line to the progress sink (redacted) and the debug log."""
        line = self.redact(line)
        log.debug("%s", line)
        if self._progress is not None:
            self._progress(line)

    def which(self, tool: str) -> str | None:
        """Where `tool` is: a configured path first, then PATH (of the runner's environment); only
        absolute answers (`toolpath.py`). A refusal is kept in `refused` for the error and the checks."""
        try:
            return find_tool(tool, self.base_env.get("PATH"), self.tool_paths.get(tool))
        except ToolRefusedError as refusal:
            self.refused[tool] = refusal
        except ToolNotFoundError:
            pass
        return None

    def _resolve(self, argv: Sequence[str], install_hint: str | None) -> list[str]:
        if not argv:
            raise ValueError("empty argv")
        exe = self.which(argv[0])
        if exe is None:
            raise self.refused.get(argv[0]) or ToolNotFoundError(argv[0], hint=install_hint)
        return [exe, *argv[1:]]

    def _env(self, env: Mapping[str, str] | None) -> dict[str, str]:
        merged = {**self.base_env, **(env or {})}
        if "PATH" in merged:  # the tools' own lookups (a plugin, a helper) stay out of the current folder
            merged["PATH"] = absolute_entries(merged["PATH"])
        return merged

    async def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        check: bool = True,
        stream: bool = False,
        hint: str | None = None,
        install_hint: str | None = None,
    ) -> CommandResult:
        """Run a tool to completion and capture its output.

        `stream` sends each stdout/stderr line to the progress callback as it arrives. `check` raises
        ToolFailedError on a non-zero exit. `input` is written to stdin (how secrets reach tools
        without touching disk). `hint` is attached to failure and timeout errors; `install_hint`
        (default: `hint`) to a missing tool: "install it" is no fix for a tool that ran and failed.
        """
        install_hint = install_hint or hint
        resolved = self._resolve(argv, install_hint)
        limit = self.default_timeout if timeout is None else timeout
        log.debug("run %s (timeout %ss)", self.redact(" ".join(argv)), limit)
        try:
            proc = await asyncio.create_subprocess_exec(
                *resolved,
                cwd=str(cwd) if cwd else None,
                env=self._env(env),
                stdin=asyncio.subprocess.PIPE if input is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise self._start_error(argv, exc, cwd, install_hint) from None
        out: list[str] = []
        err: list[str] = []
        try:
            await asyncio.wait_for(self._communicate(proc, input, out, err, stream), timeout=limit)
        except TimeoutError:
            await _kill_group(proc)
            raise ToolTimeoutError(self._shown(argv), limit, hint=hint) from None
        except BaseException:  # cancellation included: never leave the tool running
            await _kill_group(proc)
            raise
        result = CommandResult(list(argv), proc.returncode or 0, "".join(out), "".join(err))
        if check and not result.ok:
            raise ToolFailedError(self._shown(argv), result.returncode, self.tail(result), hint=hint)
        log.debug("%s exited %s", self.redact(argv[0]), result.returncode)
        return result

    def _shown(self, argv: Sequence[str]) -> list[str]:
        """argv as errors may show it: an argument can carry a secret (`secrets set K=V`)."""
        return [self.redact(arg) for arg in argv]

    def _start_error(
        self, argv: Sequence[str], exc: OSError, cwd: Path | None, hint: str | None
    ) -> ProviderError:
        if cwd is not None and not cwd.is_dir():
            return ProviderError(f"cannot run '{argv[0]}': working directory {cwd} does not exist")
        if exc.errno == errno.E2BIG:  # the tool is there: installing it is no fix
            return ProviderError(
                f"cannot run '{argv[0]}': its arguments and environment are larger than the system allows",
                hint="a value passed to it is too large (one environment variable carries at most 128 KiB): "
                "make the secret smaller, or pass it as a `file` secret",
            )
        return ProviderError(f"cannot run '{argv[0]}': {exc.strerror or exc}", hint=hint)

    def _stream_lines(self, lines: list[str]) -> None:
        for line in lines:
            if line.strip():
                self.progress(line.rstrip("\r"))

    def tail(self, result: CommandResult) -> str:
        """The last lines of stderr (or stdout when stderr is empty), redacted, for error messages."""
        text = result.stderr.strip() or result.stdout.strip()
        return self.redact("\n".join(text.splitlines()[-STDERR_TAIL_LINES:]))

    async def _communicate(
        self,
        proc: asyncio.subprocess.Process,
        input: str | None,
        out: list[str],
        err: list[str],
        stream: bool,
    ) -> None:
        async def pump(reader: asyncio.StreamReader | None, sink: list[str]) -> None:
            # Chunks, not readline(): a tool may print megabytes of JSON on one line.
            if reader is None:
                return
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            pending = ""
            while chunk := await reader.read(CHUNK_SIZE):
                text = decoder.decode(chunk)
                sink.append(text)
                if stream:
                    *lines, pending = (pending + text).split("\n")
                    self._stream_lines(lines)
            tail = decoder.decode(b"", final=True)
            sink.append(tail)
            if stream:
                self._stream_lines([pending + tail])

        async def feed() -> None:
            if proc.stdin is None:
                return
            if input is not None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    proc.stdin.write(input.encode())
                    await proc.stdin.drain()
            proc.stdin.close()

        pumps: asyncio.Future[Any] = asyncio.ensure_future(
            asyncio.gather(feed(), pump(proc.stdout, out), pump(proc.stderr, err))
        )
        exited: asyncio.Future[Any] = asyncio.ensure_future(proc.wait())
        try:
            # Wake on the tool's own exit: its pipes may close before it exits, or stay open after it
            # (held by something it left behind), so the pipes are not the signal. The timeout is a
            # safety net for Pythons whose wait() also waits for the pipes.
            while proc.returncode is None:
                await asyncio.wait(
                    {exited} if pumps.done() else {exited, pumps},
                    timeout=EXIT_POLL,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            # The tool has exited: nothing it started in its process group may outlive it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            await pumps
            await exited
        finally:
            for task in (pumps, exited):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    async def run_attached(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        hint: str | None = None,
    ) -> int:
        """Run a tool on the caller's terminal (interactive shells, `connect -- CMD`); return its exit code.

        On a terminal the child stays in our process group so the terminal's Ctrl-C reaches it. Without
        one (scripts, pipes, supervisors) a signal reaches only us: the child then gets its own session,
        like `run`'s tools, so stopping it stops everything it started. No timeout unless given.
        """
        resolved = self._resolve(argv, hint)
        log.debug("run attached %s", self.redact(" ".join(argv)))
        own_session = not _stdin_is_terminal()
        try:
            proc = await asyncio.create_subprocess_exec(
                *resolved, cwd=str(cwd) if cwd else None, env=self._env(env), start_new_session=own_session
            )
        except OSError as exc:
            raise self._start_error(argv, exc, cwd, hint) from None
        stop = _kill_group if own_session else _kill
        try:
            return await asyncio.wait_for(proc.wait(), timeout=timeout)
        except TimeoutError:
            await stop(proc)
            raise ToolTimeoutError(self._shown(argv), timeout or 0, hint=hint) from None
        except BaseException:
            await stop(proc)
            raise


def _stdin_is_terminal() -> bool:
    try:
        return os.isatty(0)
    except OSError:
        return False


async def _kill_group(proc: asyncio.subprocess.Process) -> None:
    """Stop the child's whole process group: SIGTERM, a grace period for the leader, then SIGKILL.

    The group is signalled even when the leader has already exited: grandchildren it left behind
    (same group) must not outlive the call.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    if proc.returncode is None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(proc.wait()), timeout=KILL_GRACE)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.returncode is None:
        await proc.wait()


async def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
