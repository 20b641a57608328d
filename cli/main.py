"""The `sindri` command line: a thin front end over the model and the provider layer."""

from __future__ import annotations

import os
import sys

import click

from .completion_cmds import register as register_completions
from .config_cmds import register as register_config
from .lifecycle_cmds import register as register_lifecycle
from .secrets_cmds import register as register_secrets
from .validate_cmds import register as register_validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sindri-editor", prog_name="sindri")
def cli() -> None:
    """Describe a development environment in sindri.yaml, validate it, and deploy it."""


register_validate(cli)
register_lifecycle(cli)
register_config(cli)
register_secrets(cli)
register_completions(cli)


def main() -> None:
    """The console script. Ends the process once the command's output is flushed: Python's own teardown
    (freeing every object, one by one) added ~50 ms to each command and does nothing a user needs."""
    try:
        cli()  # in standalone mode click always ends with SystemExit
        status = 0
    except SystemExit as done:
        status = _exit_status(done.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`sindri status | head`): Python's own exit status for it
        status = status or 120
    os._exit(status)


def _exit_status(code: str | int | None) -> int:
    """What the interpreter makes of SystemExit's code: a text is printed and means failure."""
    if isinstance(code, str):
        sys.stderr.write(f"{code}\n")
        return 1
    return code or 0
