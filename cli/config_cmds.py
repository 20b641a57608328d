"""`sindri config init` (a starter sindri.yaml) and `sindri config validate` (`sindri validate`)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

import click
from sindri.schemas.starter import STARTER_PROVIDERS, default_name, starter, starter_profiles

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


def register(group: click.Group) -> None:
    config_group.add_command(validate_cmd)
    group.add_command(config_group)
