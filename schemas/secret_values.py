"""Reading secret values from the files next to a config (.env, .env.local, fromFile), with limits.

Why one place: the loader resolves the values for a lifecycle command, and the validation engine
checks the same files for values too short to be masked (SE320); both must read them the same way,
and neither may block on a FIFO, read a device or load an 80 MB file into an environment variable.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from dotenv.parser import parse_stream

MIN_MASKED_LENGTH = 4
"""Output masks a secret (and each line of it) only from this length: shorter would garble output."""
MAX_SECRET_BYTES = 100_000
"""Linux passes one environment variable of at most 128 KiB (MAX_ARG_STRLEN) to a process."""
MAX_FILE_SECRET_BYTES = 256 * 1024
"""A `file` secret travels inside a Kubernetes Secret (1 MiB in all), a Fly secret or a stdin: bounded."""
DOTENV_FILES = (".env", ".env.local")
"""Read in this order: later files win."""


class SecretFileError(Exception):
    """A secret's file cannot be used; the message names the file, never its content."""


class SecretTooLarge(SecretFileError):
    """The file holds more than a tool's environment can carry: an error even for optional secrets."""


def read_dotenv(file: Path) -> tuple[dict[str, str], list[int]]:
    """NAME -> value of a .env file, and the line numbers of lines that are not NAME=value.

    Raises OSError, or UnicodeDecodeError with the offending position.
    """
    text = file.read_bytes().decode("utf-8")
    values: dict[str, str] = {}
    bad: list[int] = []
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            bad.append(binding.original.line)
        elif binding.key and binding.value:
            values[binding.key] = binding.value
    return values, bad


def dotenv_values(directory: Path) -> dict[str, str]:
    """The values of `.env` then `.env.local` in `directory`, unreadable files skipped (for checks)."""
    values: dict[str, str] = {}
    for name in DOTENV_FILES:
        file = directory / name
        try:
            if file.is_file():
                values.update(read_dotenv(file)[0])
        except (OSError, UnicodeDecodeError):
            continue
    return values


@functools.lru_cache(maxsize=2048)
def secret_file_path(directory: Path, raw: str) -> Path:
    """Where `raw` (a secret's path or fromFile) points from the config's folder; remembered, since
    validation asks it for every secret on every keystroke and the answer depends on the strings (and
    the home folder) only."""
    path = Path(raw).expanduser()
    return path if path.is_absolute() else directory / path


def _read_regular(path: Path, limit: int, what: str) -> bytes:
    """At most limit + 1 bytes of a regular file; a FIFO would block and a device never ends."""
    try:
        if path.exists() and not path.is_file():  # before opening: a device or FIFO can block or act
            raise SecretFileError(f"{what} {path}: not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the check
                raise SecretFileError(f"{what} {path}: not a regular file")
            return handle.read(limit + 1)
    except OSError as exc:
        raise SecretFileError(f"{what} {path}: {exc.strerror or exc}") from None


def read_secret_file(path: Path) -> str:
    """A fromFile value, trailing newline dropped; SecretFileError says why it cannot be read.

    Only a regular file of at most MAX_SECRET_BYTES: a larger value cannot be passed to a tool in its
    environment.
    """
    data = _read_regular(path, MAX_SECRET_BYTES, "fromFile")
    if len(data) > MAX_SECRET_BYTES:
        raise SecretTooLarge(
            f"fromFile {path}: larger than {MAX_SECRET_BYTES:,} bytes, more than one environment "
            "variable can carry"
        )
    try:
        return data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise SecretFileError(f"fromFile {path}: not UTF-8 text") from None


@dataclass(frozen=True)
class FileSecret:
    """A `file` secret read for a provider that delivers its content (all but Docker, which mounts it)."""

    name: str
    mount_path: str
    mode: int
    """From `permissions` ("0600" -> 0o600)."""
    content: bytes = field(repr=False)

    @property
    def encoded(self) -> str:
        """Base64: how the content travels (a Kubernetes Secret's data, a Fly file secret, a stdin)."""
        return base64.b64encode(self.content).decode()

    def masked(self) -> list[str]:
        """The forms output could show it in: its text (when it is text) and its base64."""
        forms = [self.encoded]
        with contextlib.suppress(UnicodeDecodeError):
            forms.append(self.content.decode("utf-8"))
        return forms


def read_file_secret(path: Path) -> bytes:
    """The content of a `file` secret (a regular file of at most MAX_FILE_SECRET_BYTES)."""
    data = _read_regular(path, MAX_FILE_SECRET_BYTES, "path")
    if len(data) > MAX_FILE_SECRET_BYTES:
        raise SecretTooLarge(
            f"path {path}: larger than {MAX_FILE_SECRET_BYTES:,} bytes, more than a file secret may carry"
        )
    return data


def mountable_problem(path: Path) -> str | None:
    """Why a `file` secret's path must not be mounted into an environment, or None.

    A socket (the Docker socket would hand the container the whole engine) or a device is refused;
    a missing file is reported as missing.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    return stat_problem(info)


def stat_problem(info: os.stat_result) -> str | None:
    """Why a file of this kind must not be mounted or read as a secret, or None (a file or a folder)."""
    if stat.S_ISSOCK(info.st_mode):
        return "is a socket, not a file: mounting it would give the environment what listens on it"
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
        return "is a device, not a file"
    if stat.S_ISFIFO(info.st_mode):
        return "is a FIFO, not a file"
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        return "is not a regular file"
    return None
