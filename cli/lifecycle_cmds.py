"""`sindri plan|deploy|status|start|stop|connect|destroy|doctor`: a thin front end over
`sindri.providers.lifecycle`.

Exit codes: 0 success; 1 a ProviderError/ConfigError (message and fix on stderr) or an unexpected
failure (one line, never a traceback unless SINDRI_DEBUG=1); 2 usage errors; 130 Ctrl-C; 143 SIGTERM;
129 SIGHUP (a closed terminal); `connect -- CMD` returns CMD's exit code. Progress goes to stderr so
stdout stays machine-readable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shlex
import signal
import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from sindri.providers.errors import ProviderError
from sindri.providers.lifecycle import Action, ActionResult, doctor, load, run_action
from sindri.providers.runner import Redactor
from sindri.providers.types import DeploymentStatus, DeployOptions, PrerequisiteStatus
from sindri.schemas.errors import ConfigError
from sindri.schemas.loader import LoadedConfig
from sindri.schemas.plugins import supported_providers

from .terminal import confirm, echo

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_TIMEOUT = 600.0
DEFAULT_WATCH_INTERVAL = 5.0


def _progress(line: str) -> None:
    echo(f"  {line}", err=True)


STOP_SIGNALS = {signal.SIGTERM: "terminated", signal.SIGHUP: "hung up"}
"""Signals that cancel the command like Ctrl-C does, so its tools are stopped (they run in their own
sessions: a closed terminal's SIGHUP does not reach them). Exit code 128 + the signal's number."""


def _fail(message: str, code: int = 1) -> None:
    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
        echo(f"error: {message}", err=True)
    sys.exit(code)


def _execute(make: Callable[[], Awaitable[T]], redact: Redactor) -> T:
    """Run the coroutine with the CLI's error contract (see the module docstring)."""
    received: list[signal.Signals] = []

    def stop(task: asyncio.Task[T], signum: signal.Signals) -> None:
        received.append(signum)
        task.cancel()

    async def main() -> T:
        task = asyncio.current_task()
        if task is not None:
            loop = asyncio.get_running_loop()
            for signum in STOP_SIGNALS:
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(signum, stop, task, signum)
        return await make()

    try:
        return asyncio.run(main())
    except (ProviderError, ConfigError) as exc:
        _fail(redact(str(exc)))
    except KeyboardInterrupt:
        _fail("interrupted; the running tools were stopped", 130)
    except asyncio.CancelledError:
        signum = received[0] if received else signal.SIGTERM
        _fail(f"{STOP_SIGNALS[signum]}; the running tools were stopped", 128 + signum)
    except Exception as exc:
        detail = redact(str(exc)).splitlines()[0] if str(exc) else ""
        if os.environ.get("SINDRI_DEBUG") == "1":  # the traceback quotes values: masked like all output
            with contextlib.suppress(OSError):
                sys.stderr.write(redact(traceback.format_exc()))
            _fail(f"unexpected {type(exc).__name__}: {detail}")
        _fail(f"unexpected {type(exc).__name__}: {detail} (run with SINDRI_DEBUG=1 for details)")
    raise AssertionError("unreachable")  # pragma: no cover


def _common(func: F) -> F:
    """-c/--config and --provider, shared by every lifecycle command."""
    func = click.option(
        "--provider",
        type=click.Choice(supported_providers()),
        help="Use this provider instead of the file's deployment.provider.",
    )(func)
    func = click.option(
        "-c",
        "--config",
        "config",
        type=click.Path(dir_okay=True, path_type=Path),
        help="sindri.yaml to use (default: found from the current directory upward).",
    )(func)
    return func


class Seconds(click.FloatRange):
    """A number of seconds above 0; `nan` is refused (every comparison with it is false)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail(f"{value!r} is not a number of seconds.", param, ctx)
        return seconds


def _timeout_option(func: F) -> F:
    return click.option(
        "--timeout",
        type=Seconds(min=0, min_open=True),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help="Seconds before the command gives up and stops its tools.",
    )(func)


def _json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")(func)


def _load(config: Path | None, provider: str | None) -> LoadedConfig:
    try:
        return load(config, cwd=Path.cwd(), provider_override=provider)
    except (ConfigError, ProviderError) as exc:
        _fail(str(exc))
    raise AssertionError("unreachable")  # pragma: no cover


def _act(
    action: Action,
    loaded: LoadedConfig,
    *,
    options: DeployOptions | None = None,
    command: Sequence[str] | None = None,
) -> ActionResult:
    redact = Redactor()

    async def go() -> ActionResult:
        try:
            return await run_action(
                action,
                cwd=Path.cwd(),
                loaded=loaded,
                options=options,
                progress=_progress,
                command=command,
            )
        finally:
            redact.add(loaded.secrets.values())

    result = _execute(go, redact)
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)
    return result


def _print_json(data: Any) -> None:
    echo(json.dumps(data, indent=2))


def register(group: click.Group) -> None:
    """Attach this module's commands to the top-level group."""

    @group.command("plan")
    @_common
    @_timeout_option
    @_json_option
    def plan_cmd(config: Path | None, provider: str | None, timeout: float, as_json: bool) -> None:
        """Show what deploy would create or change, without changing anything."""
        _print_plan(_act("plan", _load(config, provider), options=DeployOptions(timeout=timeout)), as_json)

    @group.command("deploy")
    @_common
    @click.option("-f", "--force", is_flag=True, help="Recreate the environment if it exists.")
    @click.option("--wait/--no-wait", default=True, show_default=True, help="Wait until it is running.")
    @click.option("--dry-run", is_flag=True, help="Only show the plan (same as `sindri plan`).")
    @click.option(
        "--skip-image-verification",
        is_flag=True,
        help="Do not check the image's signature and provenance with cosign.",
    )
    @_timeout_option
    @_json_option
    def deploy_cmd(
        config: Path | None,
        provider: str | None,
        force: bool,
        wait: bool,
        dry_run: bool,
        skip_image_verification: bool,
        timeout: float,
        as_json: bool,
    ) -> None:
        """Create (or with --force, recreate) the environment."""
        loaded = _load(config, provider)
        options = DeployOptions(
            force=force,
            wait=wait,
            timeout=timeout,
            dry_run=dry_run,
            skip_image_verification=skip_image_verification,
        )
        if dry_run:
            _print_plan(_act("plan", loaded, options=options), as_json)
            return
        result = _act("deploy", loaded, options=options)
        deployed = result.deploy
        assert deployed is not None
        if as_json:
            _print_json(deployed.to_json())
        else:
            for message in deployed.messages:
                echo(message)
            for warning in deployed.warnings:
                echo(f"warning: {warning}", err=True)
            instance = f" (instance {deployed.instance_id})" if deployed.instance_id else ""
            echo(f"Deployed {deployed.name} to {deployed.provider}{instance}.")
            if deployed.connection and deployed.connection.ssh_command:
                echo(f"Shell: {deployed.connection.ssh_command}")
            echo(f"Connect with: sindri connect -c {shlex.quote(str(loaded.path))}")
        if not deployed.success:
            sys.exit(1)

    @group.command("status")
    @_common
    @click.option("-w", "--watch", is_flag=True, help="Show the status again every --interval until Ctrl-C.")
    @click.option(
        "--interval",
        type=Seconds(min=0, min_open=True),
        default=DEFAULT_WATCH_INTERVAL,
        show_default=True,
        help="Seconds between two looks with --watch.",
    )
    @_timeout_option
    @_json_option
    def status_cmd(
        config: Path | None, provider: str | None, watch: bool, interval: float, timeout: float, as_json: bool
    ) -> None:
        """Show the environment's state, resources and timestamps (with --watch, until Ctrl-C)."""
        loaded = _load(config, provider)
        if watch:
            _watch_status(loaded, interval, timeout, as_json)
            return
        result = _act("status", loaded, options=DeployOptions(timeout=timeout))
        assert result.status is not None
        if as_json:
            _print_json(result.status.to_json())
        else:
            echo(_format_status(result.status))

    simple: tuple[tuple[Action, str, str], ...] = (
        ("start", "Started", "Start a stopped, suspended or paused environment."),
        ("stop", "Stopped", "Stop the environment, keeping its data."),
    )
    for verb, past, doc in simple:
        _register_simple(group, verb, past, doc)

    @group.command(
        "connect",
        context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
    )
    @_common
    @click.argument("command", nargs=-1, type=click.UNPROCESSED)
    def connect_cmd(config: Path | None, provider: str | None, command: tuple[str, ...]) -> None:
        """Open a shell in the environment, or run one command: `sindri connect -- CMD ARGS`.

        With a command, exits with the command's exit code.
        """
        result = _act("connect", _load(config, provider), command=command or None)
        code = result.exit_code
        sys.exit(128 - code if code < 0 else code)  # killed by signal N: 128+N, as a shell reports it

    @group.command("destroy")
    @_common
    @click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
    @click.option(
        "-f",
        "--force",
        is_flag=True,
        help="Remove even when parts are missing or failing; without a terminal, also do not ask "
        "(as upstream's -f).",
    )
    @_timeout_option
    def destroy_cmd(
        config: Path | None, provider: str | None, yes: bool, force: bool, timeout: float
    ) -> None:
        """Remove everything this environment created (asks first unless --yes)."""
        loaded = _load(config, provider)
        what = f"environment '{loaded.config.name}' on {loaded.config.provider}"
        interactive = sys.stdin.isatty()
        if not yes and not (force and not interactive):  # upstream scripts run `destroy -f` unattended
            if not interactive:
                _fail(f"refusing to destroy {what} without confirmation\n  fix: pass --yes (or -f)")
            try:
                confirmed = confirm(f"Destroy {what}? This deletes its data")
            except KeyboardInterrupt:
                echo()
                _fail("interrupted; nothing was destroyed", 130)
            if not confirmed:
                _fail("not destroyed")
        result = _act("destroy", loaded, options=DeployOptions(force=force, timeout=timeout))
        for line in result.destroyed:
            echo(line)
        echo(f"Destroyed {what}.")

    @group.command("doctor")
    @click.option(
        "-c", "--config", "config", type=click.Path(path_type=Path), help="sindri.yaml to read settings from."
    )
    @click.option(
        "--provider",
        "providers",
        multiple=True,
        type=click.Choice(supported_providers()),
        help="Check this provider (repeatable). Default: the config's provider, or all without a config.",
    )
    @click.option("--all", "check_all", is_flag=True, help="Check every provider, plugins included.")
    @_timeout_option
    @_json_option
    def doctor_cmd(
        config: Path | None,
        providers: tuple[str, ...],
        check_all: bool,
        timeout: float,
        as_json: bool,
    ) -> None:
        """Check the tools, logins and daemons each provider needs, with install hints."""
        names = _doctor_targets(config, providers, check_all)

        async def go() -> list[PrerequisiteStatus]:
            try:
                async with asyncio.timeout(timeout):
                    return await doctor(names, config_path=config, cwd=Path.cwd())
            except TimeoutError:
                raise ProviderError(
                    f"sindri doctor did not finish within {timeout:g}s; its tools were stopped",
                    hint="raise --timeout, or run the provider's tools by hand to see which one hangs",
                ) from None

        statuses = _execute(go, Redactor())
        if as_json:
            _print_json([s.to_json() for s in statuses])
        else:
            echo(_format_doctor(statuses))
        if not all(s.satisfied for s in statuses):
            sys.exit(1)


def _print_plan(result: ActionResult, as_json: bool) -> None:
    """`sindri plan` and `sindri deploy --dry-run` print the same."""
    plan = result.plan
    assert plan is not None
    if as_json:
        _print_json(plan.to_json())
        return
    echo(f"Plan for {result.name} on {result.provider}:")
    for act in plan.actions:
        echo(f"  {act.action.value:<8} {act.resource}: {act.description}")
    named = {act.resource for act in plan.actions}
    for file in plan.files:
        if file not in named:
            echo(f"  write    {file}")
    for warning in plan.warnings:
        echo(f"warning: {warning}", err=True)


def _watch_status(loaded: LoadedConfig, interval: float, timeout: float, as_json: bool) -> None:
    """Look every `interval` seconds until Ctrl-C (exit 130). On a terminal the screen is redrawn each
    time; otherwise (a pipe, a log) a status is printed only when it differs from the last one."""
    redraw = sys.stdout.isatty()
    redact = Redactor()
    redact.add(loaded.secrets.values())
    shown_warnings: set[str] = set()

    async def watch() -> None:
        last = None
        while True:
            try:
                result = await run_action(
                    "status", cwd=Path.cwd(), loaded=loaded, options=DeployOptions(timeout=timeout)
                )
            finally:
                redact.add(loaded.secrets.values())
            for warning in result.warnings:
                if warning not in shown_warnings:
                    shown_warnings.add(warning)
                    echo(f"warning: {warning}", err=True)
            assert result.status is not None
            data = result.status.to_json()
            text = json.dumps(data) if as_json else _format_status(result.status)
            if redraw:
                click.clear()
                echo(f"Every {interval:g}s: sindri status {loaded.config.name}. Ctrl-C to stop.\n")
                echo(text)
            elif text != last:
                echo(text if as_json or last is None else f"\n{text}")
            last = text
            await asyncio.sleep(interval)

    _execute(watch, redact)


def _register_simple(group: click.Group, verb: Action, past: str, doc: str) -> None:
    @group.command(verb, help=doc)
    @_common
    @_timeout_option
    def command(config: Path | None, provider: str | None, timeout: float) -> None:
        result = _act(verb, _load(config, provider), options=DeployOptions(timeout=timeout))
        echo(f"{past} {result.name} ({result.provider}).")


def _doctor_targets(config: Path | None, providers: tuple[str, ...], check_all: bool) -> list[str] | None:
    """Explicit providers, else all with --all, else the config's provider, else all."""
    if providers:
        return list(dict.fromkeys(p if p != "docker-compose" else "docker" for p in providers))
    if check_all:
        return None
    try:
        return [load(config, cwd=Path.cwd()).config.provider]
    except (ConfigError, ProviderError) as exc:
        if config is not None:
            _fail(str(exc))
        return None


def _format_status(status: DeploymentStatus) -> str:
    rows = [
        ("Name", status.name),
        ("Provider", status.provider),
        ("State", status.state.label),
        ("Instance ID", status.instance_id or "none"),
        ("Image", status.image or "none"),
    ]
    if status.addresses:
        rows.append(("Addresses", ", ".join(a.value for a in status.addresses)))
    usage = status.resources
    if usage is not None:
        if usage.cpu_percent is not None:
            rows.append(("CPU", f"{usage.cpu_percent:.1f}%"))
        if usage.memory_bytes is not None:
            limit = f" / {_size(usage.memory_limit)}" if usage.memory_limit else ""
            rows.append(("Memory", f"{_size(usage.memory_bytes)}{limit}"))
    stamps = status.timestamps
    for label, when in (("Created", stamps.created_at), ("Started", stamps.started_at)):
        if when is not None:
            rows.append((label, when.isoformat()))
    rows.extend((key, value) for key, value in sorted(status.details.items()))
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"{label + ':':<{width}}{value}" for label, value in rows]
    lines.extend(status.messages)
    return "\n".join(lines)


def _size(count: int | None) -> str:
    value = float(count or 0)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def _format_doctor(statuses: list[PrerequisiteStatus]) -> str:
    lines = []
    for status in statuses:
        lines.append(f"{status.provider}: {'ready' if status.satisfied else 'missing prerequisites'}")
        for item in status.available:
            if item.install_hint:  # available means not needed: an optional tool that is missing
                lines.append(f"  optional {item.name}: {item.description}")
                lines.extend(f"           {line}" for line in item.fix_lines())
                continue
            lines.append(f"  ok       {item.name}" + (f" ({item.version})" if item.version else ""))
        for item in status.missing:
            lines.append(f"  missing  {item.name}: {item.description}")
            lines.extend(f"           {line}" for line in item.fix_lines())
    return "\n".join(lines)
