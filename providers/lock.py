"""One lifecycle command at a time per environment: a lock file next to the config.

Why flock: the kernel releases it when the holder exits, however it exits (crash, kill -9), so a stale
lock file never blocks the user; the file's content only names the holder for the error message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sindri.schemas.loader import LoadedConfig

from .errors import EnvironmentBusyError, ProviderError


def lock_path(loaded: LoadedConfig) -> Path:
    """`<config dir>/.sindri/<environment name>.lock`."""
    return loaded.directory / ".sindri" / f"{loaded.config.name}.lock"


@contextlib.contextmanager
def environment_lock(loaded: LoadedConfig, command: str) -> Iterator[Path]:
    """Hold the environment's lock for the duration of the block, or raise EnvironmentBusyError.

    The descriptor is close-on-exec, so tools started while the lock is held never inherit it.
    """
    path = lock_path(loaded)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise ProviderError(
            f"cannot create the lock file {path}: {exc.strerror or exc}",
            hint=f"make {path.parent} writable",
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(loaded, path, fd) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{command}\n".encode(), 0)
        try:
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing releases the flock


def ensure_not_busy(loaded: LoadedConfig) -> None:
    """Refuse (EnvironmentBusyError) when another command holds the lock, without taking it.

    Only reads: a command that changes nothing (connect) must work where the lock file cannot be
    created, and no lock file means no holder.
    """
    path = lock_path(loaded)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise _busy(loaded, path, fd) from None
    finally:
        os.close(fd)


def _busy(loaded: LoadedConfig, path: Path, fd: int) -> EnvironmentBusyError:
    pid, _, running = os.pread(fd, 4096, 0).decode(errors="replace").partition("\n")
    holder = f"'{running.strip()}' (pid {pid.strip()})" if pid.strip() else "another sindri command"
    return EnvironmentBusyError(
        f"environment '{loaded.config.name}' is busy: {holder} is running on it",
        hint=f"wait for it to finish, or stop it; the lock is {path}",
    )
