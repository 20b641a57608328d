"""Files below a folder we trust, never reached through a symbolic link.

Why: `.sindri/` sits in a repository that may have been cloned from anyone. A committed
`.sindri/docker -> /elsewhere` or `.sindri/env.lock -> ~/.bashrc` would otherwise make deploy write,
truncate or destroy delete files outside it. So every folder from the trusted root down is opened
with O_NOFOLLOW and used through its descriptor (no path is looked up twice), files are created with
O_NOFOLLOW|O_EXCL and renamed into place, and only regular files and real folders are removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

from .errors import ProviderError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePathError(ProviderError):
    """A path below the trusted folder is a symbolic link or not the kind of file expected."""


class ConfinedDir:
    """A trusted folder (the config's folder, the user's state folder) and what sindri keeps below it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _parts(self, path: Path) -> tuple[str, ...]:
        try:
            parts = path.relative_to(self.root).parts
        except ValueError:
            raise UnsafePathError(f"{path} is not inside {self.root}") from None
        if any(part in ("..", ".") for part in parts):
            raise UnsafePathError(f"{path} is not inside {self.root}")
        return parts

    @contextlib.contextmanager
    def _folder(self, path: Path, *, create: bool, verb: str) -> Iterator[int | None]:
        """A descriptor of folder `path`, each step below the root opened without following links.

        Yields None when a step is missing and `create` is false.
        """
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            here = self.root
            for part in self._parts(path):
                here = here / part
                try:
                    child = _open_folder(part, fd, create)
                except FileNotFoundError:
                    yield None
                    return
                except OSError as exc:
                    raise self._refusal(verb, path, here, part, fd, exc) from None
                os.close(fd)
                fd = child
            yield fd
        finally:
            os.close(fd)

    def _refusal(
        self, verb: str, target: Path, here: Path, name: str, fd: int, exc: OSError
    ) -> ProviderError:
        try:
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError:
            info = None
        if info is not None and stat.S_ISLNK(info.st_mode):
            return symlink_refusal(verb, target, here)
        if info is not None and not stat.S_ISDIR(info.st_mode):
            return UnsafePathError(
                f"refusing to {verb} {target}: {here} is not a folder", hint=f"remove {here}"
            )
        return ProviderError(
            f"cannot {verb} {target}: {here}: {exc.strerror or exc}", hint=f"make {here.parent} writable"
        )

    def check(self, path: Path, verb: str = "use") -> None:
        """Raise UnsafePathError when any existing step from the root down to `path` is a link."""
        with self._folder(path.parent, create=False, verb=verb) as fd:
            if fd is not None:
                _kind(fd, path, verb, allowed=(stat.S_IFREG, stat.S_IFDIR))

    def write(self, path: Path, text: str, mode: int = 0o644) -> None:
        """Write atomically (a temp file in the same folder, then rename), creating the folders."""
        with self._folder(path.parent, create=True, verb="write") as fd:
            assert fd is not None
            _kind(fd, path, "write", allowed=(stat.S_IFREG,))
            tmp = f".{path.name}.{secrets.token_hex(6)}.tmp"
            try:
                out = os.open(
                    tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=fd
                )
                with os.fdopen(out, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    os.fchmod(handle.fileno(), mode)
                os.replace(tmp, path.name, src_dir_fd=fd, dst_dir_fd=fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=fd)
                raise

    def open(self, path: Path, flags: int, mode: int = 0o600, *, create: bool = True) -> int | None:
        """A descriptor of the regular file `path` (O_NOFOLLOW); None when absent and not `create`."""
        with self._folder(path.parent, create=create, verb="open") as fd:
            if fd is None:
                return None
            extra = os.O_CREAT if create else 0
            try:
                return os.open(path.name, flags | extra | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=fd)
            except FileNotFoundError:
                return None
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise symlink_refusal("open", path, path) from None
                raise

    def remove_file(self, path: Path) -> bool:
        """Remove the regular file `path`; False when it does not exist. A link is refused."""
        with self._folder(path.parent, create=False, verb="remove") as fd:
            if fd is None or _kind(fd, path, "remove", allowed=(stat.S_IFREG,)) is None:
                return False
            os.unlink(path.name, dir_fd=fd)
            return True

    def remove_tree(self, path: Path) -> bool:
        """Remove the folder `path` and what it holds (links inside are removed, never followed)."""
        with self._folder(path.parent, create=False, verb="remove") as fd:
            if fd is None or _kind(fd, path, "remove", allowed=(stat.S_IFDIR,)) is None:
                return False
            shutil.rmtree(path.name, dir_fd=fd)
            return True

    def prune(self, path: Path) -> None:
        """Remove `path` and the folders above it up to (not including) the root, while empty."""
        while path != self.root and self.root in path.parents:
            with self._folder(path.parent, create=False, verb="remove") as fd:
                if fd is None:
                    return
                try:
                    os.rmdir(path.name, dir_fd=fd)  # a link is not a folder: ENOTDIR, kept
                except OSError:
                    return
            path = path.parent


def _open_folder(name: str, fd: int, create: bool) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=fd)
    except FileNotFoundError:
        if not create:
            raise
    with contextlib.suppress(FileExistsError):  # made meanwhile: opened (and checked) below
        os.mkdir(name, 0o755, dir_fd=fd)
    return os.open(name, _DIR_FLAGS, dir_fd=fd)


def _kind(fd: int, path: Path, verb: str, *, allowed: tuple[int, ...]) -> int | None:
    """The file type of `path` in folder `fd` (None when absent); a link or other type is refused."""
    try:
        info = os.stat(path.name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    kind = stat.S_IFMT(info.st_mode)
    if kind == stat.S_IFLNK:
        raise symlink_refusal(verb, path, path)
    if kind not in allowed:
        what = "a folder" if kind == stat.S_IFDIR else "not a regular file"
        raise UnsafePathError(f"refusing to {verb} {path}: it is {what}", hint=f"remove {path} yourself")
    return kind


def symlink_refusal(verb: str, target: Path, link: Path) -> UnsafePathError:
    where = "" if link == target else f": {link} is a symbolic link"
    if not where:
        where = ": it is a symbolic link"
    with contextlib.suppress(OSError):
        where += f" to {os.readlink(link)}"
    return UnsafePathError(
        f"refusing to {verb} {target}{where}; sindri never writes, opens or removes files through a "
        "symbolic link (a cloned repository may point one anywhere)",
        hint=f"remove the link (`rm {link}`) and run the command again",
    )
