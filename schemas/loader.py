"""Finding and loading sindri.yaml for the lifecycle commands, and resolving its env secrets.

STUB OF THE INTERFACE: the model issue's helper fills in discovery, validation and secret resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .model import SindriConfig

CONFIG_NAMES = ("sindri.yaml", "sindri.yml")


@dataclass
class LoadedConfig:
    """A validated config and where it lives; generated files go below `directory`."""

    config: SindriConfig
    path: Path
    secrets: dict[str, str] = field(default_factory=dict)
    """Resolved env secrets, NAME -> value. Never print, log or write these."""

    @property
    def directory(self) -> Path:
        return self.path.parent
