"""One lifecycle command at a time per environment on this machine: a lock file in the user's state folder.

Why per (provider, environment name) and not per config folder: two folders whose sindri.yaml use
the same `name` act on the same Docker container, Fly app or Kubernetes Deployment, so they must
take the same lock wherever the command runs from (like Terraform's one lock per state). Why the
user's state folder: it is not in a repository, so a cloned `.sindri/` cannot point the lock file
at another file.

Why flock: the kernel releases it when the holder exits, however it exits (crash, kill -9), so a stale
lock file never blocks the user; the file's content only names the holder for the error message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import quote

from sindri.schemas.loader import LoadedConfig

from .confined import ConfinedDir
from .errors import EnvironmentBusyError, ProviderError


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/sindri` (when absolute, as the XDG spec says), else `~/.local/state/sindri`."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "sindri"


def lock_path(loaded: LoadedConfig) -> Path:
    """`<state dir>/locks/<provider>-<environment name>.lock` (`docker-compose` is `docker`)."""
    name = quote(f"{loaded.config.provider}-{loaded.config.name}", safe="-_.")
    return state_dir() / "locks" / f"{name}.lock"


def _locks() -> ConfinedDir:
    """The state folder's parent is the trusted root: the state folder itself is created if missing."""
    root = state_dir().parent
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ProviderError(
            f"cannot create the state folder {root}: {exc.strerror or exc}",
            hint=f"make {root} writable, or set XDG_STATE_HOME to a writable folder",
        ) from None
    return ConfinedDir(root)


@contextlib.contextmanager
def environment_lock(loaded: LoadedConfig, command: str) -> Iterator[Path]:
    """Hold the environment's lock for the duration of the block, or raise EnvironmentBusyError.

    The descriptor is close-on-exec, so tools started while the lock is held never inherit it.
    """
    path = lock_path(loaded)
    try:
        fd = _locks().open(path, os.O_RDWR)
    except OSError as exc:
        raise ProviderError(
            f"cannot create the lock file {path}: {exc.strerror or exc}",
            hint=f"make {path.parent} writable",
        ) from None
    assert fd is not None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(loaded, path, fd) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{command}\n{loaded.path}\n".encode(), 0)
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
        fd = ConfinedDir(state_dir().parent).open(path, os.O_RDONLY, create=False)
    except OSError:
        return
    if fd is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise _busy(loaded, path, fd) from None
    finally:
        os.close(fd)


def _busy(loaded: LoadedConfig, path: Path, fd: int) -> EnvironmentBusyError:
    pid, running, config = [*os.pread(fd, 8192, 0).decode(errors="replace").split("\n"), "", ""][:3]
    holder = f"'{running.strip()}' (pid {pid.strip()})" if pid.strip() else "another sindri command"
    where = f" from {config}" if config and config != str(loaded.path) else ""
    return EnvironmentBusyError(
        f"environment '{loaded.config.name}' is busy: {holder} is running on it{where}",
        hint=f"wait for it to finish, or stop it; the lock is {path}",
    )
