"""The `sindri` command line: a thin front end over the model and the provider layer."""

from __future__ import annotations

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
