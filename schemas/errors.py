"""The error of a configuration that cannot be used, apart from the loader that raises it most.

The language server names it in every command before it has loaded the model (`server/scope.py`):
importing it must not import pydantic.
"""

from __future__ import annotations


class ConfigError(Exception):
    """The configuration cannot be found, read, validated or completed (missing required secrets).

    The message never contains a secret value: only names, paths and positions.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.hint}" if self.hint else self.message
