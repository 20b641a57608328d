"""Server settings, pulled from the client with `workspace/configuration` (section `sindri`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

SECTION = "sindri"


@dataclass(frozen=True)
class Settings:
    tool_paths: dict[str, str] = field(default_factory=dict)
    """Executable per tool name, e.g. {"flyctl": "~/.fly/bin/flyctl"} (`~` is the home directory); PATH
    when absent. A relative path is kept so that the runner refuses it: the tool is then not usable,
    rather than silently the one on PATH."""
    command_timeout: float = 900.0
    """Upper bound, in seconds, for one lifecycle command (deploy, destroy, ...)."""
    prerequisite_checks: bool = True
    """Whether to check the chosen provider's tools, logins and daemons and show what is missing."""
    prerequisite_timeout: float = 15.0
    """Upper bound, in seconds, for each prerequisite probe."""

    @classmethod
    def from_client(cls, raw: Any) -> Settings:
        """Build from the client's JSON, ignoring values of the wrong type rather than failing."""
        if not isinstance(raw, dict):
            return cls()
        defaults = cls()
        paths = raw.get("toolPaths")
        if not isinstance(paths, dict):
            paths = {}
        return cls(
            tool_paths={str(k): os.path.expanduser(str(v)) for k, v in paths.items() if v},
            command_timeout=_positive(raw.get("commandTimeout"), defaults.command_timeout),
            prerequisite_checks=raw.get("prerequisiteChecks", True) is not False,
            prerequisite_timeout=_positive(raw.get("prerequisiteTimeout"), defaults.prerequisite_timeout),
        )

    def refusals(self) -> list[str]:
        """One message per relative `toolPaths` entry, naming the setting (they are not run)."""
        return [
            f"{SECTION}.toolPaths.{tool}: '{path}' is not an absolute path, so {tool} is not run from it "
            "and is reported as not usable; set an absolute path (`~` is allowed)"
            for tool, path in sorted(self.tool_paths.items())
            if not os.path.isabs(path)
        ]


def _positive(value: Any, default: float) -> float:
    return (
        float(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        else default
    )
