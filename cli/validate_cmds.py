"""`sindri validate` and `sindri schema` (owned by the model issue)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Attach this module's commands to the top-level group."""
