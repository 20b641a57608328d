"""`sindri config init` (a starter sindri.yaml), `sindri config show` (the resolved configuration) and
`sindri config validate` (`sindri validate`)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
import yaml
from pydantic import ValidationError
from sindri.providers.lifecycle import redacted_values
from sindri.providers.runner import Redactor
from sindri.schemas.errors import ConfigError
from sindri.schemas.loader import resolve_secrets
from sindri.schemas.model import Providers, SindriConfig
from sindri.schemas.starter import STARTER_PROVIDERS, default_name, starter, starter_profiles

from .lifecycle_cmds import _common, _json_option, _load
from .terminal import echo
from .validate_cmds import validate_cmd

FILE_NAME = "sindri.yaml"


class WriteRefused(Exception):
    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


def write_new(path: Path, text: str, *, force: bool) -> None:
    """Write `path`, never through a symlink and, without `force`, never over an existing file.

    Raises WriteRefused with the reason and its fix. Without force the file is created with O_EXCL (no
    race with another writer); with force a temporary file is renamed over the old one.
    """
    if path.is_symlink():
        raise WriteRefused(f"{path} is a symbolic link; not writing through it", "remove the link first")
    if path.exists() and not force:
        raise WriteRefused(f"{path} already exists", "pass --force to overwrite it")
    if path.exists() and not path.is_file():
        raise WriteRefused(f"{path} exists and is not a regular file", "remove it or choose another folder")
    try:
        if not force:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)  # replaces a name, never follows a link made meanwhile
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except FileExistsError:
        raise WriteRefused(f"{path} already exists", "pass --force to overwrite it") from None
    except OSError as exc:
        raise WriteRefused(
            f"cannot write {path}: {exc.strerror or exc}", "check the folder's permissions"
        ) from None


@click.group("config")
def config_group() -> None:
    """Create or check sindri.yaml."""


@config_group.command("init")
@click.argument(
    "folder", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True), default="."
)
@click.option(
    "--provider",
    type=click.Choice(STARTER_PROVIDERS),
    default="docker",
    show_default=True,
    help="Where it runs.",
)
@click.option("--name", help="Environment name (default: the folder's name made valid).")
@click.option(
    "--profile",
    type=click.Choice(starter_profiles()),
    default="minimal",
    show_default=True,
    help="What is installed.",
)
@click.option("--force", "-f", is_flag=True, help="Overwrite an existing sindri.yaml.")
def init_cmd(folder: Path, provider: str, name: str | None, profile: str, force: bool) -> None:
    """Write a commented starter sindri.yaml in FOLDER (default: here)."""
    target = folder / FILE_NAME
    try:
        text = starter(provider, name or default_name(folder.resolve().name), profile)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--name") from None
    try:
        write_new(target, text, force=force)
    except WriteRefused as exc:
        click.echo(f"sindri config init: {exc}", err=True)
        click.echo(f"  fix: {exc.fix}", err=True)
        sys.exit(1)
    click.echo(f"wrote {target}", err=True)
    click.echo("  next: sindri validate, then sindri plan and sindri deploy", err=True)


def with_provider_defaults(config: SindriConfig) -> SindriConfig:
    """The config with the chosen provider's `providers.<name>` block filled in when it is absent."""
    chosen = config.provider
    providers = config.providers or Providers.model_validate({})
    if chosen not in Providers.model_fields or getattr(providers, chosen) is not None:
        return config
    try:
        block = getattr(Providers.model_validate({chosen: {}}), chosen)
    except ValidationError:  # a block with required keys has no defaults to show
        return config
    return config.model_copy(update={"providers": providers.model_copy(update={chosen: block})})


def masked(data: Any, redact: Redactor) -> Any:
    """`data` with every string (keys too) masked, so the YAML or JSON printed stays well formed."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {redact(str(key)): masked(value, redact) for key, value in data.items()}
    if isinstance(data, list):
        return [masked(item, redact) for item in data]
    return data


@config_group.command("show")
@_common
@_json_option
def show_cmd(config: Path | None, provider: str | None, as_json: bool) -> None:
    """Print the resolved configuration: the file with every default filled in (YAML, or JSON).

    Secrets appear by name and source only. Any value of a secret or provider credential that the
    file itself happens to hold (in an unknown key, say) is shown as ********.
    """
    loaded = _load(config, provider)
    with contextlib.suppress(ConfigError):  # only to know what to mask; `sindri secrets validate` checks
        resolve_secrets(loaded)
    redact = Redactor()
    redact.add(redacted_values(loaded, os.environ))
    data = masked(
        with_provider_defaults(loaded.config).model_dump(mode="json", by_alias=True, exclude_none=True),
        redact,
    )
    if as_json:
        echo(json.dumps(data, indent=2))
    else:
        echo(f"# {loaded.path}, with defaults filled in")
        echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
    for warning in loaded.warnings:
        echo(f"warning: {redact(warning)}", err=True)


def register(group: click.Group) -> None:
    config_group.add_command(validate_cmd)
    group.add_command(config_group)
