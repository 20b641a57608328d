"""The `sindri` entry point."""

from __future__ import annotations

import gc


def main() -> None:
    """Run the command line.

    Importing the model, the validator and the providers creates ~100k objects that live until exit.
    Collecting them while importing, and once more at exit, cost ~30 ms of every command's start-up
    (see bench/docker_deploy.py), so they are frozen out of the collector's reach.
    """
    gc.disable()
    try:
        from .app import cli
    finally:
        gc.freeze()
        gc.enable()
    cli()
