"""Finding and loading sindri.yaml for the lifecycle commands, and resolving its secrets.

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

from .errors import ConfigError
from .findings import Severity
from .model import Secret, SindriConfig
from .names import canonical_provider
from .plugins import supported_providers
from .secret_values import (
    DOTENV_FILES,
    MAX_SECRET_BYTES,
    MIN_MASKED_LENGTH,
    FileSecret,
    SecretFileError,
    SecretTooLarge,
    mountable_problem,
    read_dotenv,
    read_file_secret,
    read_secret_file,
    secret_file_path,
)
from .validate import validate_text
from .vault import VaultProblem, VaultReader, VaultSettings, resolve_vault_secret

CONFIG_NAMES = ("sindri.yaml", "sindri.yml")
MAX_LISTED_FINDINGS = 20


@dataclass
class LoadedConfig:
    """A validated config and where it lives; generated files go below `directory`."""

    config: SindriConfig
    path: Path
    secrets: dict[str, str] = field(default_factory=dict)
    """Resolved env and vault secrets, NAME -> value. Never print, log or write these."""
    files: list[FileSecret] = field(default_factory=list)
    """`file` secrets to deliver (every provider but Docker, which mounts them). Never print these."""
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


MOUNTED_FILE_PROVIDERS = frozenset({"docker"})
"""Providers that bind-mount a `file` secret's path (read-only); the others receive its content."""


def resolve_secrets(
    loaded: LoadedConfig, *, environ: Mapping[str, str] | None = None, vault: bool = True
) -> dict[str, str]:
    """Resolve the config's secrets for its provider.

    env secrets: process environment > .env.local > .env (next to the config) > fromFile. vault
    secrets (when `vault`; a command that forwards no secret need not ask Vault): key `vaultKey` of
    KV v2 secret `vaultMount`/`vaultPath`, read with VAULT_ADDR/VAULT_TOKEN/VAULT_NAMESPACE. file
    secrets: checked for Docker, which mounts them; read into `loaded.files` for the other providers.

    Stores the values on `loaded.secrets` and returns them. Missing required ones, values too large
    for a tool's environment, Vault failures of required ones and file secrets that are sockets or
    devices raise ConfigError naming them; optional ones that cannot be resolved get a warning, as do
    values too short to be masked in output. An empty env value counts as unset.
    """
    env = os.environ if environ is None else environ
    dotenv: dict[str, str] = {}
    for name in DOTENV_FILES:  # later files win
        file = loaded.directory / name
        if file.is_file():
            dotenv.update(_read_dotenv(file, loaded.warnings))
    provider = canonical_provider(str(loaded.config.deployment.provider))
    resolved: dict[str, str] = {}
    files: list[FileSecret] = []
    missing: list[str] = []
    refused: list[str] = []
    unread: list[VaultProblem] = []
    vault_source = _VaultSource(env)
    for secret in loaded.config.secrets:
        source = str(secret.source)
        if source == "file":
            _resolve_file(loaded, secret, provider, files, missing, refused)
            continue
        problem = ""
        if source == "vault":
            if not vault:
                continue
            try:
                value = vault_source.value(secret)
            except VaultProblem as exc:
                value = ""
                if secret.required:
                    unread.append(VaultProblem(f"{secret.name}: {exc.message}", exc.hint))
                else:
                    _note(
                        loaded.warnings,
                        f"vault secret {secret.name} skipped: {exc.message} (fix: {exc.hint})",
                    )
                    continue
        else:
            value = env.get(secret.name) or dotenv.get(secret.name) or ""
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
        elif secret.required and source == "env":
            missing.append(secret.name + problem)
    if refused:
        raise ConfigError(
            "secrets that cannot be used: " + "; ".join(refused),
            hint="mount regular files only, and pass large values as a `file` secret instead",
        )
    if unread:
        also = f"; also not set: {', '.join(missing)}" if missing else ""
        raise ConfigError(
            "required secrets cannot be read from Vault: " + "; ".join(p.message for p in unread) + also,
            hint=unread[0].hint,
        )
    if missing:
        raise ConfigError(
            "required secrets are not set: " + ", ".join(missing),
            hint=f"export them, or put NAME=value lines in {loaded.directory / '.env.local'}",
        )
    loaded.secrets = resolved
    loaded.files = files
    return resolved


class _VaultSource:
    """One Vault client for one resolution, made on first use; a settings problem is kept, not retried."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.reader: VaultReader | VaultProblem | None = None

    def value(self, secret: Secret) -> str:
        if self.reader is None:
            try:
                self.reader = VaultReader(VaultSettings.from_environ(self.environ))
            except VaultProblem as exc:
                self.reader = exc
        if isinstance(self.reader, VaultProblem):
            raise self.reader
        return resolve_vault_secret(secret, self.environ, reader=self.reader)


def _resolve_file(
    loaded: LoadedConfig,
    secret: Secret,
    provider: str,
    files: list[FileSecret],
    missing: list[str],
    refused: list[str],
) -> None:
    """Check a `file` secret (Docker mounts its path) or read its content (the others deliver it)."""
    path = secret_file_path(loaded.directory, secret.path or "")
    problem = mountable_problem(path)
    if problem == "does not exist" or (problem and problem.startswith("cannot be read")):
        if secret.required:
            missing.append(f"{secret.name} ({secret.path} {problem})")
        else:
            _note(loaded.warnings, f"file secret {secret.name} skipped: {secret.path} {problem}")
        return
    if problem:
        refused.append(f"{secret.name}: {secret.path} {problem}")
        return
    if provider in MOUNTED_FILE_PROVIDERS:
        return
    if path.is_dir():
        refused.append(f"{secret.name}: {secret.path} is a folder; only Docker mounts folders")
        return
    try:
        content = read_file_secret(path)
    except SecretFileError as exc:
        refused.append(f"{secret.name}: {exc}")
        return
    files.append(FileSecret(secret.name, secret.mount_path or "", int(secret.permissions, 8), content))


def _note(warnings: list[str], note: str) -> None:
    if note not in warnings:
        warnings.append(note)


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
