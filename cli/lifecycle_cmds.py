"""`sindri plan|deploy|status|start|stop|connect|destroy|doctor` (owned by the provider issue)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Attach this module's commands to the top-level group."""
