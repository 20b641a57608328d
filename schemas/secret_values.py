"""Reading secret values from the files next to a config (.env, .env.local, fromFile), with limits.

Why one place: the loader resolves the values for a lifecycle command, and the validation engine
checks the same files for values too short to be masked (SE320); both must read them the same way,
and neither may block on a FIFO, read a device or load an 80 MB file into an environment variable.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from dotenv.parser import parse_stream

MIN_MASKED_LENGTH = 4
"""Output masks a secret (and each line of it) only from this length: shorter would garble output."""
MAX_SECRET_BYTES = 100_000
"""Linux passes one environment variable of at most 128 KiB (MAX_ARG_STRLEN) to a process."""
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


def secret_file_path(directory: Path, raw: str) -> Path:
    path = Path(raw).expanduser()
    return path if path.is_absolute() else directory / path


def read_secret_file(path: Path) -> str:
    """A fromFile value, trailing newline dropped; SecretFileError says why it cannot be read.

    Only a regular file of at most MAX_SECRET_BYTES: a FIFO would block, a device never ends, and a
    larger value cannot be passed to a tool in its environment.
    """
    try:
        if path.exists() and not path.is_file():  # before opening: a device or FIFO can block or act
            raise SecretFileError(f"fromFile {path}: not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the check
                raise SecretFileError(f"fromFile {path}: not a regular file")
            data = handle.read(MAX_SECRET_BYTES + 1)
    except OSError as exc:
        raise SecretFileError(f"fromFile {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_SECRET_BYTES:
        raise SecretTooLarge(
            f"fromFile {path}: larger than {MAX_SECRET_BYTES:,} bytes, more than one environment "
            "variable can carry"
        )
    try:
        return data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise SecretFileError(f"fromFile {path}: not UTF-8 text") from None


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
    if stat.S_ISSOCK(info.st_mode):
        return "is a socket, not a file: mounting it would give the environment what listens on it"
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
        return "is a device, not a file"
    if stat.S_ISFIFO(info.st_mode):
        return "is a FIFO, not a file"
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        return "is not a regular file"
    return None
