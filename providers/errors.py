"""Typed errors of the provider layer. Every message is meant for a human and says how to fix it."""

from __future__ import annotations


class ProviderError(Exception):
    """A lifecycle step failed in a way the user can act on (the CLI prints it, exit 1)."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.hint}" if self.hint else self.message


class ToolNotFoundError(ProviderError):
    """The executable is not on PATH (or at the configured path)."""

    def __init__(self, tool: str, *, hint: str | None = None) -> None:
        super().__init__(f"'{tool}' was not found on PATH", hint=hint)
        self.tool = tool


class ToolFailedError(ProviderError):
    """The tool ran and exited non-zero; carries the exit code and the tail of stderr (redacted)."""

    def __init__(
        self, argv: list[str], returncode: int, stderr_tail: str, *, hint: str | None = None
    ) -> None:
        shown = " ".join(argv[:4]) + (" ..." if len(argv) > 4 else "")
        detail = f":\n{stderr_tail}" if stderr_tail else ""
        super().__init__(f"'{shown}' failed with exit code {returncode}{detail}", hint=hint)
        self.argv = argv
        self.returncode = returncode
        self.stderr_tail = stderr_tail


class ToolTimeoutError(ProviderError):
    """The tool did not finish within its timeout and was killed (with its whole process group)."""

    def __init__(self, argv: list[str], timeout: float, *, hint: str | None = None) -> None:
        super().__init__(
            f"'{' '.join(argv[:4])}' did not finish within {timeout:g}s and was stopped", hint=hint
        )
        self.argv = argv
        self.timeout = timeout


class ToolOutputError(ProviderError):
    """The tool answered with output we could not understand (garbage JSON, wrong shape)."""


class NotDeployedError(ProviderError):
    """The operation needs an environment that does not exist."""


class AlreadyDeployedError(ProviderError):
    """Deploy found an existing environment and --force was not given."""


class EnvironmentBusyError(ProviderError):
    """Another lifecycle command holds the environment's lock."""


class UnsupportedError(ProviderError):
    """The provider cannot do what the configuration asks (e.g. GPU on E2B)."""
