"""`sindri secrets list|validate|test-vault`: where each secret of sindri.yaml comes from, never its value.

Why through the loader: a lifecycle command resolves secrets with `resolve_secrets`; these commands
run the same resolution, so "set" here means set for `sindri deploy`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click
from sindri.providers.runner import Redactor
from sindri.schemas.errors import ConfigError
from sindri.schemas.loader import LoadedConfig, resolve_secrets
from sindri.schemas.model import Secret, SecretSource
from sindri.schemas.secret_values import DOTENV_FILES, mountable_problem, read_dotenv, secret_file_path
from sindri.schemas.vault import VaultProblem, check_vault, missing_settings

from .lifecycle_cmds import _common, _fail, _json_option, _load
from .terminal import echo

"""Seconds `test-vault` waits for Vault before it says it cannot reach it."""


@dataclass
class SecretReport:
    """One secret as `secrets list` shows it: where it was found, never what it holds."""

    name: str
    source: str
    required: bool
    set: bool
    resolved_from: str | None
    """`environment`, a .env file, `fromFile <path>`, the file of a `file` secret, or Vault's path."""
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        problem, resolved_from = data.pop("problem"), data.pop("resolved_from")
        return {**data, "resolvedFrom": resolved_from, "problem": problem}


def report_secrets(loaded: LoadedConfig, environ: dict[str, str]) -> list[SecretReport]:
    """Each secret of the config with whether it resolves and from where.

    Resolves with every secret made optional, so one missing required secret does not hide the others;
    raises ConfigError for what no command could use (a value too large, a socket as a file secret).
    """
    relaxed = LoadedConfig(
        config=loaded.config.model_copy(
            update={"secrets": [s.model_copy(update={"required": False}) for s in loaded.config.secrets]}
        ),
        path=loaded.path,
        warnings=loaded.warnings,
    )
    resolved = resolve_secrets(relaxed, environ=environ)
    loaded.secrets = relaxed.secrets
    dotenv = {name: _dotenv_names(loaded.directory / name) for name in DOTENV_FILES}
    return [_report(secret, loaded.directory, resolved, environ, dotenv) for secret in loaded.config.secrets]


def _dotenv_names(file: Path) -> set[str]:
    try:
        return set(read_dotenv(file)[0]) if file.is_file() else set()
    except (OSError, UnicodeDecodeError):  # resolve_secrets has already reported it
        return set()


def _report(
    secret: Secret,
    directory: Path,
    resolved: dict[str, str],
    environ: dict[str, str],
    dotenv: dict[str, set[str]],
) -> SecretReport:
    source = str(secret.source)
    report = SecretReport(secret.name, source, secret.required, secret.name in resolved, None)
    if source == SecretSource.FILE:
        path = secret_file_path(directory, secret.path or "")
        report.problem = mountable_problem(path)
        report.set, report.resolved_from = report.problem is None, str(path)
    elif source == SecretSource.VAULT:
        report.resolved_from = f"vault {secret.vault_mount}/{secret.vault_path}#{secret.vault_key}"
        if not report.set:
            report.problem = "not resolved: this tool does not read from Vault yet"
    elif not report.set and secret.from_file:
        path = secret_file_path(directory, secret.from_file)
        report.problem = None if path.is_file() else f"fromFile {path} does not exist"
    elif report.set:  # the order of resolve_secrets: environment, .env.local, .env, fromFile
        if environ.get(secret.name):
            report.resolved_from = "environment"
        else:
            found = [name for name in reversed(DOTENV_FILES) if secret.name in dotenv[name]]
            report.resolved_from = (
                str(directory / found[0])
                if found
                else f"fromFile {secret_file_path(directory, secret.from_file or '')}"
            )
    return report


@click.group("secrets")
def secrets_group() -> None:
    """List and check the secrets of sindri.yaml (names and sources, never values)."""


def _reports(config: Path | None, provider: str | None) -> list[SecretReport]:
    loaded = _load(config, provider)
    try:
        reports = report_secrets(loaded, dict(os.environ))
    except ConfigError as exc:
        _fail(str(exc))
    redact = Redactor()
    redact.add(loaded.secrets.values())
    for warning in loaded.warnings:
        echo(f"warning: {redact(warning)}", err=True)
    return reports


@secrets_group.command("list")
@_common
@click.option(
    "-s", "--source", type=click.Choice([s.value for s in SecretSource]), help="Only secrets of this source."
)
@_json_option
def list_cmd(config: Path | None, provider: str | None, source: str | None, as_json: bool) -> None:
    """Each secret: its source, whether it is set, and where its value was found."""
    reports = [r for r in _reports(config, provider) if source is None or r.source == source]
    if as_json:
        echo(json.dumps([r.to_json() for r in reports], indent=2))
        return
    if not reports:
        echo("No secrets configured." if source is None else f"No {source} secrets configured.", err=True)
        return
    rows = [("NAME", "SOURCE", "REQUIRED", "SET", "FROM")]
    for r in reports:
        where = r.resolved_from or "-"
        if r.problem:
            where = f"{where} ({r.problem})" if r.resolved_from else r.problem
        rows.append((r.name, r.source, "yes" if r.required else "no", "yes" if r.set else "no", where))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        echo("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[4]]))


@secrets_group.command("validate")
@_common
def validate_cmd(config: Path | None, provider: str | None) -> None:
    """Check that every required secret resolves (exit 1 naming those that do not)."""
    reports = _reports(config, provider)
    missing = [r for r in reports if r.required and not r.set]
    for r in missing:
        echo(
            f"error: required {r.source} secret {r.name} is not set" + (f": {r.problem}" if r.problem else "")
        )
    if missing:
        _fail(
            f"{len(missing)} required secret{'s are' if len(missing) != 1 else ' is'} not set\n"
            "  fix: export them, put NAME=value lines in .env.local next to sindri.yaml, or fix the paths"
        )
    optional = sum(1 for r in reports if not r.required and not r.set)
    unset = f" ({optional} optional one{'s' if optional != 1 else ''} not set)" if optional else ""
    echo(
        f"{len(reports)} secret{'s' if len(reports) != 1 else ''} checked: every required one is set{unset}."
    )


@secrets_group.command("test-vault")
@click.option("--address", help="Vault's address (default: $VAULT_ADDR).")
@_json_option
def test_vault_cmd(address: str | None, as_json: bool) -> None:
    """Check that Vault answers and accepts $VAULT_TOKEN (and $VAULT_NAMESPACE when set), with the
    same client, timeouts and retries as deploy's vault secrets.

    There is no --token: a token on the command line is visible to every user of the machine.
    """
    environ = {**os.environ, **({"VAULT_ADDR": address} if address else {})}
    redact = Redactor()
    redact.add([environ.get("VAULT_TOKEN", "")])
    missing = missing_settings(environ)
    if missing:
        _fail(f"{' and '.join(missing)} not set\n  fix: export them (a token from `vault login`)")
    try:
        status = check_vault(environ)
    except VaultProblem as problem:
        _fail(redact(f"{problem.message}\n  fix: {problem.hint}"))
    if as_json:
        echo(redact(json.dumps(asdict(status), indent=2)))
        return
    echo(f"Address:   {status.address}")
    if status.namespace:
        echo(f"Namespace: {status.namespace}")
    echo("Token:     ******** (accepted)")
    echo(f"Identity:  {status.display_name or 'unknown'}")
    echo(f"Policies:  {', '.join(status.policies) or 'none'}")
    echo(f"Expires:   {'never' if status.ttl == 0 else f'in {status.ttl} s'}")


def register(group: click.Group) -> None:
    group.add_command(secrets_group)
