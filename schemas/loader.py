"""Finding and loading sindri.yaml for the lifecycle commands, and resolving its env secrets.

Why here and not in the CLI: the CLI and the language server load configs the same way, and both must
never show a secret value, so discovery, validation and secret resolution live in one place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from .findings import Severity
from .model import SindriConfig, canonical_provider
from .plugins import supported_providers
from .secret_values import (
    DOTENV_FILES,
    MAX_SECRET_BYTES,
    MIN_MASKED_LENGTH,
    SecretFileError,
    SecretTooLarge,
    mountable_problem,
    read_dotenv,
    read_secret_file,
    secret_file_path,
)
from .validate import validate_text

CONFIG_NAMES = ("sindri.yaml", "sindri.yml")
MAX_LISTED_FINDINGS = 20


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


@dataclass
class LoadedConfig:
    """A validated config and where it lives; generated files go below `directory`."""

    config: SindriConfig
    path: Path
    secrets: dict[str, str] = field(default_factory=dict)
    """Resolved env secrets, NAME -> value. Never print, log or write these."""
    warnings: list[str] = field(default_factory=list)
    """Non-fatal findings and secret-resolution notes (names only), for the user."""

    @property
    def directory(self) -> Path:
        return self.path.parent


def find_config(start: Path) -> Path:
    """The nearest sindri.yaml (then sindri.yml) in `start` or any folder above it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    raise ConfigError(
        f"no {' or '.join(CONFIG_NAMES)} found in {start} or any folder above it",
        hint="create one (see `sindri schema`) or point at it with -c/--config PATH",
    )


def _config_in(folder: Path) -> Path:
    """The sindri.yaml (then sindri.yml) directly in `folder`, a folder given with -c/--config."""
    for name in CONFIG_NAMES:
        if (folder / name).is_file():
            return folder / name
    raise ConfigError(
        f"no {' or '.join(CONFIG_NAMES)} file in {folder}",
        hint="point -c/--config at the sindri.yaml file, or at the folder that holds it",
    )


def load_config(path: Path | None, *, cwd: Path, provider_override: str | None = None) -> LoadedConfig:
    """Read and validate a config (discovered from `cwd` when `path` is None).

    Error-level findings raise ConfigError listing each as `path:line:col: code: message`;
    warnings are kept on the result. `provider_override` replaces `deployment.provider`.
    """
    try:
        if path is None:
            path = find_config(cwd)
        elif not path.is_absolute():
            path = cwd / path
        path = path.resolve()
        if path.is_dir():  # only that folder: walking up could act on another environment's config
            path = _config_in(path)
        elif path.exists() and not path.is_file():  # a FIFO or device would block the read forever
            raise ConfigError(
                f"{path} is not a regular file", hint="point -c/--config at a sindri.yaml file or its folder"
            )
        raw = path.read_bytes()
    except (OSError, RuntimeError) as exc:  # a link loop, a name too long, no permission...
        raise ConfigError(
            f"cannot read {shown_path(path)}: {_reason(exc)}", hint="check the path given with -c/--config"
        ) from None
    if provider_override is not None:
        _check_provider_name(provider_override)
    config, warnings = _validate(raw, path, provider_override)
    return LoadedConfig(config=config, path=path, warnings=warnings)


def shown_path(path: Path | None) -> str:
    """A path for a message: a 6,000-character one is cut, not printed whole."""
    text = str(path)
    return text if len(text) <= 200 else f"{text[:100]}...{text[-60:]} ({len(text):,} characters)"


def _reason(exc: OSError | RuntimeError) -> str:
    if isinstance(exc, RuntimeError):  # pathlib's "Symlink loop from ..."
        return "too many levels of symbolic links"
    return exc.strerror or str(exc)


def _check_provider_name(name: str) -> None:
    supported = supported_providers()
    if name not in supported:
        raise ConfigError(
            f"provider '{name}' is not supported by this tool",
            hint=f"use one of: {', '.join(supported)}",
        )


def _validate(raw: bytes, path: Path, provider_override: str | None) -> tuple[SindriConfig, list[str]]:
    """The validation engine decides: error findings fail with their positions, warnings are kept.

    With --provider, findings about the file's own `deployment.provider` do not count: the override
    replaces the value they are about.
    """
    result = validate_text(raw, source_path=path)
    errors: list[str] = []
    warnings: list[str] = []
    for finding in result.findings:
        if provider_override is not None and tuple(finding.path) == ("deployment", "provider"):
            continue
        start = finding.range.start
        shown = f"{path}:{start.line + 1}:{start.character + 1}: {finding.severity.label} {finding.code}: "
        if finding.severity == Severity.ERROR:
            errors.append(shown + finding.message)
        elif finding.severity == Severity.WARNING:
            warnings.append(shown + finding.message)
    if errors:
        _raise_findings(path, errors)
    if provider_override is None and result.config is not None:
        return result.config, warnings
    data = result.document.to_python() if result.document is not None else None
    deployment = data.get("deployment") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(deployment, dict):
        _raise_findings(path, [f"{path}:1:1: error: the file must be a mapping of sindri.yaml keys"])
    overridden = {**data, "deployment": {**deployment, "provider": provider_override}}  # the parse is shared
    try:
        return SindriConfig.model_validate(overridden), warnings
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        _raise_findings(path, [f"{path}: error: {problem}" for problem in problems])


def _raise_findings(path: Path, findings: list[str]) -> NoReturn:
    listed = findings[:MAX_LISTED_FINDINGS]
    more = len(findings) - len(listed)
    body = "\n".join(listed) + (f"\n... and {more} more" if more > 0 else "")
    raise ConfigError(
        f"{path} is not a valid sindri.yaml:\n{body}", hint=f"run `sindri validate {path}` for details"
    )


FILE_SECRET_PROVIDERS = frozenset({"docker"})
"""Providers that forward `source: file` secrets (Docker mounts each read-only at its mountPath)."""


def resolve_secrets(loaded: LoadedConfig, *, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Resolve env secrets: process environment > .env.local > .env (next to the config) > fromFile.

    Stores the values on `loaded.secrets` and returns them. Missing required ones, values too large
    for a tool's environment and file secrets that are sockets or devices raise ConfigError naming
    them; file secrets (except where FILE_SECRET_PROVIDERS mount them) and vault secrets are not
    forwarded and get a warning, as do values too short to be masked in output. An empty value counts
    as unset, so it falls through to the next source.
    """
    env = os.environ if environ is None else environ
    dotenv: dict[str, str] = {}
    for name in DOTENV_FILES:  # later files win
        file = loaded.directory / name
        if file.is_file():
            dotenv.update(_read_dotenv(file, loaded.warnings))
    provider = canonical_provider(str(loaded.config.deployment.provider))
    resolved: dict[str, str] = {}
    missing: list[str] = []
    refused: list[str] = []
    for secret in loaded.config.secrets:
        source = str(secret.source)
        if source == "file" and provider in FILE_SECRET_PROVIDERS:
            problem = mountable_problem(secret_file_path(loaded.directory, secret.path or ""))
            if problem and problem != "does not exist":
                refused.append(f"{secret.name}: {secret.path} {problem}")
            continue
        if source != "env":
            note = f"{source} secret {secret.name} is not forwarded by {provider}"
            if note not in loaded.warnings:
                loaded.warnings.append(note + " (only env secrets are)")
            continue
        value = env.get(secret.name) or dotenv.get(secret.name)
        problem = ""
        if not value and secret.from_file:
            try:
                value = read_secret_file(secret_file_path(loaded.directory, secret.from_file))
            except SecretTooLarge as exc:
                value = ""
                refused.append(f"{secret.name}: {exc}")
            except SecretFileError as exc:
                value, problem = "", f" ({exc})"
        if value and len(value.encode()) > MAX_SECRET_BYTES:
            refused.append(
                f"{secret.name}: its value is {len(value.encode()):,} bytes, more than the "
                f"{MAX_SECRET_BYTES:,} one environment variable can carry"
            )
        elif value:
            resolved[secret.name] = value
            _warn_short(loaded.warnings, secret.name, value)
        elif secret.required:
            missing.append(secret.name + problem)
    if refused:
        raise ConfigError(
            "secrets that cannot be used: " + "; ".join(refused),
            hint="mount regular files only, and pass large values as a `file` secret instead",
        )
    if missing:
        raise ConfigError(
            "required secrets are not set: " + ", ".join(missing),
            hint=f"export them, or put NAME=value lines in {loaded.directory / '.env.local'}",
        )
    loaded.secrets = resolved
    return resolved


def _warn_short(warnings: list[str], name: str, value: str) -> None:
    note = (
        f"secret {name} is shorter than {MIN_MASKED_LENGTH} characters: output cannot mask a value "
        "that short without garbling every line, so it may be shown"
    )
    if len(value) < MIN_MASKED_LENGTH and note not in warnings:
        warnings.append(note)


def _read_dotenv(file: Path, warnings: list[str]) -> dict[str, str]:
    """NAME -> value of a .env file; unparsable lines become positioned warnings (never their text)."""
    try:
        values, bad = read_dotenv(file)
    except OSError as exc:
        raise ConfigError(
            f"cannot read {file}: {exc.strerror or exc}", hint=f"make {file} readable"
        ) from None
    except UnicodeDecodeError as exc:
        raw = exc.object
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{file}:{line}: cannot read: not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            hint=f"save {file.name} as UTF-8 text with NAME=value lines",
        ) from None
    for line in bad:
        note = f"{file}:{line}: ignored a line that is not NAME=value"
        if note not in warnings:
            warnings.append(note)
    return values
