"""`sindri completions SHELL`: the shell completion script, from click's own completion support.

Why click's: the script asks `sindri` itself what to complete (`_SINDRI_COMPLETE=<shell>_complete`),
so commands, options and choices (providers, shells, secret sources) stay in step with the CLI.
"""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from .terminal import echo

SHELLS = ("bash", "zsh", "fish")
PROG_NAME = "sindri"
COMPLETE_VAR = "_SINDRI_COMPLETE"
"""The variable click's scripts set when they call sindri back; click derives it from the program name."""


@click.command("completions")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completions_cmd(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash: eval "$(sindri completions bash)"        (in ~/.bashrc; bash 4.4 or later)
    zsh:  eval "$(sindri completions zsh)"         (in ~/.zshrc)
    fish: sindri completions fish > ~/.config/fish/completions/sindri.fish
    """
    root = ctx.find_root().command
    completion = get_completion_class(shell)
    assert completion is not None  # every name in SHELLS is one click supports
    echo(completion(root, {}, PROG_NAME, COMPLETE_VAR).source(), nl=False)


def register(group: click.Group) -> None:
    group.add_command(completions_cmd)
