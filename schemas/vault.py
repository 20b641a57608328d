"""Reading `source: vault` secrets from HashiCorp Vault's KV v2 engine, in bounded time.

Why one module: a lifecycle command resolves vault secrets through the loader, and a connection check
(`check_vault`) must use the same client settings. Both read the variables the `vault` CLI reads
(VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT, VAULT_SKIP_VERIFY, VAULT_CLIENT_TIMEOUT,
VAULT_MAX_RETRIES), and both turn each of Vault's answers into a message that names the secret and the
fix. Neither the token nor a value ever enters a message.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # hvac and requests cost ~50 ms to import: only a command that reads Vault loads them
    import hvac.exceptions as vault_errors
    import requests

from .model import Secret

DEFAULT_TIMEOUT = 10.0
"""Seconds one request to Vault may take (connect, then each read); VAULT_CLIENT_TIMEOUT overrides."""
DEFAULT_RETRIES = 2
"""Retries of a request that failed in a way that can pass (unreachable, slow, 500, 502, 429)."""
MAX_TIMEOUT = 120.0
MAX_RETRIES = 5
BACKOFF = 0.5
"""Seconds before the first retry, doubled for each next one."""
SETTINGS_HINT = "export VAULT_ADDR=https://vault.example.com:8200 and VAULT_TOKEN (from `vault login`)"


class VaultProblem(Exception):
    """Vault cannot give a value: `message` says what happened, `hint` what to do (no token, no value)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def missing_settings(environ: Mapping[str, str]) -> list[str]:
    """The variables a vault secret needs that are unset (for doctor and validate)."""
    return [name for name in ("VAULT_ADDR", "VAULT_TOKEN") if not environ.get(name, "").strip()]


def _number(environ: Mapping[str, str], name: str, default: float, upper: float) -> float:
    raw = environ.get(name, "").strip().removesuffix("s")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise VaultProblem(f"{name}={raw!r} is not a number", f"set {name} to seconds or a count") from None
    if not 0 <= value <= upper:
        raise VaultProblem(f"{name}={raw} is out of range", f"set {name} between 0 and {upper:g}")
    return value


@dataclass(frozen=True)
class VaultSettings:
    """Where Vault is and how long to wait for it, from the environment."""

    address: str
    token: str = field(repr=False)
    namespace: str | None
    timeout: float
    retries: int
    verify: bool | str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> VaultSettings:
        missing = missing_settings(environ)
        if missing:
            raise VaultProblem(f"{' and '.join(missing)} not set", SETTINGS_HINT)
        address = environ["VAULT_ADDR"].strip().rstrip("/")
        if not address.startswith(("http://", "https://")):
            raise VaultProblem(
                f"VAULT_ADDR {address[:100]!r} is not an http(s) URL",
                "set VAULT_ADDR to e.g. https://host:8200",
            )
        verify: bool | str = environ.get("VAULT_CACERT") or True
        if environ.get("VAULT_SKIP_VERIFY", "").lower() in ("1", "true", "t", "yes"):
            verify = False
        return cls(
            address=address,
            token=environ["VAULT_TOKEN"].strip(),
            namespace=environ.get("VAULT_NAMESPACE") or None,
            timeout=_number(environ, "VAULT_CLIENT_TIMEOUT", DEFAULT_TIMEOUT, MAX_TIMEOUT) or DEFAULT_TIMEOUT,
            retries=int(_number(environ, "VAULT_MAX_RETRIES", DEFAULT_RETRIES, MAX_RETRIES)),
            verify=verify,
        )


@dataclass(frozen=True)
class VaultStatus:
    """What `check_vault` learnt: the token works at this address (never the token itself)."""

    address: str
    namespace: str | None
    display_name: str
    policies: list[str]
    ttl: int
    """Seconds the token has left; 0 for a token that does not expire."""


class VaultReader:
    """One client for one command, and each KV v2 secret read once (three keys of a path: one request)."""

    def __init__(self, settings: VaultSettings) -> None:
        import hvac

        self.settings = settings
        self._client = hvac.Client(
            url=settings.address,
            token=settings.token,
            namespace=settings.namespace,
            timeout=settings.timeout,
            verify=settings.verify,
            allow_redirects=False,
        )
        self._read: dict[tuple[str, str], dict[str, Any]] = {}

    def value(self, mount: str, path: str, key: str) -> str:
        """The string under `key` of the latest version of `<mount>/<path>`. Raises VaultProblem."""
        where = f"{mount}/{path}"
        if (mount, path) not in self._read:
            answer = self._call(
                where,
                lambda: self._client.secrets.kv.v2.read_secret_version(
                    path=path, mount_point=mount, raise_on_deleted_version=True
                ),
            )
            data = answer.get("data", {}).get("data") if isinstance(answer, dict) else None
            if not isinstance(data, dict):
                raise VaultProblem(
                    f"Vault's answer for {where} is not a KV v2 secret",
                    f"check that `{mount}` is a KV version 2 mount (`vault secrets list -detailed`)",
                )
            self._read[(mount, path)] = data
        data = self._read[(mount, path)]
        if key not in data:
            keys = ", ".join(sorted(map(str, data))[:20]) or "none"
            raise VaultProblem(
                f"{where} in Vault has no key '{key}' (its keys: {keys})",
                "fix vaultKey, or add the key in Vault",
            )
        value = data[key]
        if not isinstance(value, str):
            raise VaultProblem(
                f"key '{key}' of {where} in Vault holds a {type(value).__name__}, not a string",
                "store the value as a string",
            )
        return value

    def status(self) -> VaultStatus:
        """Look the token up (`auth/token/lookup-self`): proves address, namespace, seal and token."""
        answer = self._call("auth/token/lookup-self", self._client.auth.token.lookup_self)
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            raise VaultProblem("Vault's token lookup gave no data", "check VAULT_ADDR points at Vault")
        return VaultStatus(
            address=self.settings.address,
            namespace=self.settings.namespace,
            display_name=str(data.get("display_name", "")),
            policies=[str(p) for p in data.get("policies") or []],
            ttl=int(data.get("ttl") or 0),
        )

    def _call(self, where: str, request: Any) -> Any:
        """Run one request, retrying what can pass (bounded); every failure becomes a VaultProblem."""
        import hvac.exceptions as vault_errors
        import requests

        settings = self.settings
        for attempt in range(settings.retries + 1):
            last = attempt == settings.retries
            try:
                return request()
            except (requests.Timeout, requests.ConnectionError) as exc:
                if not last:
                    time.sleep(BACKOFF * 2**attempt)
                    continue
                raise _unreachable(settings, exc) from None
            except (
                vault_errors.InternalServerError,
                vault_errors.BadGateway,
                vault_errors.RateLimitExceeded,
            ):
                if not last:
                    time.sleep(BACKOFF * 2**attempt)
                    continue
                raise VaultProblem(
                    f"Vault at {settings.address} kept failing to read {where} "
                    f"({settings.retries + 1} attempts)",
                    "check Vault's status (`vault status`) and retry",
                ) from None
            except vault_errors.VaultError as exc:
                raise _answer_problem(settings, where, exc) from None
            except requests.RequestException as exc:  # a malformed URL, a redirect loop...
                raise VaultProblem(
                    f"cannot ask Vault at {settings.address}: {type(exc).__name__}", "check VAULT_ADDR"
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover


def _said(exc: vault_errors.VaultError) -> str:
    """Vault's own error strings (paths and reasons, never values), shortened."""
    errors = exc.errors if isinstance(exc.errors, list) else []
    text = "; ".join(str(e) for e in errors if e) or ""
    return f": {text[:300]}" if text else ""


def _unreachable(settings: VaultSettings, exc: requests.RequestException) -> VaultProblem:
    import requests

    tries = f"{settings.retries + 1} attempt(s)"
    if isinstance(exc, requests.exceptions.SSLError):
        return VaultProblem(
            f"cannot verify Vault's TLS certificate at {settings.address}",
            "set VAULT_CACERT to the CA bundle that signed it",
        )
    if isinstance(exc, requests.Timeout):
        return VaultProblem(
            f"Vault at {settings.address} did not answer within {settings.timeout:g}s ({tries})",
            "check VAULT_ADDR and the network, or raise VAULT_CLIENT_TIMEOUT",
        )
    return VaultProblem(
        f"cannot reach Vault at {settings.address} ({tries})",
        "check VAULT_ADDR, that Vault runs, and the network (`vault status`)",
    )


def _answer_problem(settings: VaultSettings, where: str, exc: vault_errors.VaultError) -> VaultProblem:
    import hvac.exceptions as vault_errors

    said = _said(exc)
    if isinstance(exc, vault_errors.InvalidPath):
        return VaultProblem(
            f"no secret at {where} in Vault{said}",
            "check vaultPath and vaultMount (the path is inside the mount, without `data/`); "
            "`vault kv get -mount=<mount> <path>` shows it",
        )
    if isinstance(exc, vault_errors.Forbidden | vault_errors.Unauthorized):
        return VaultProblem(
            f"Vault refused to read {where}{said}",
            "VAULT_TOKEN may be expired or lack a policy with `read` on this path "
            "(`vault token capabilities <mount>/data/<path>`)",
        )
    if isinstance(exc, vault_errors.VaultDown | vault_errors.VaultNotInitialized):
        return VaultProblem(
            f"Vault at {settings.address} is sealed or not ready{said}",
            "unseal it (`vault operator unseal`) or ask its operator",
        )
    return VaultProblem(
        f"Vault could not read {where}{said}", "check vaultPath, vaultMount and VAULT_NAMESPACE"
    )


def resolve_vault_secret(
    secret: Secret, environ: Mapping[str, str], *, reader: VaultReader | None = None
) -> str:
    """The value of a `source: vault` secret: key `vaultKey` of KV v2 secret `vaultMount`/`vaultPath`.

    Pass one `reader` for several secrets to reuse the client and its reads. Raises VaultProblem
    (settings missing, path or key missing, permission denied, sealed, unreachable, timed out), whose
    message names the path, never the token or a value.
    """
    reader = reader or VaultReader(VaultSettings.from_environ(environ))
    return reader.value(secret.vault_mount, (secret.vault_path or "").strip("/"), secret.vault_key or "")


def check_vault(environ: Mapping[str, str]) -> VaultStatus:
    """Check that the environment's VAULT_ADDR answers and its VAULT_TOKEN is valid there.

    For `sindri secrets test-vault`: one token lookup, bounded like every read. Raises VaultProblem.
    """
    return VaultReader(VaultSettings.from_environ(environ)).status()
