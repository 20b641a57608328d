"""What one validation learns about the files a config's secrets name, each asked of the system once.

A 5,000-line config names a thousand secret files. Asked the way the rules read (exists, is it a
folder, its real path, its value's length), they cost half of that validation on every keystroke. Here
each path is stat-ed once per validation, a folder's real path is found once for all its files, and a
value file's length (only its length, never the value) is remembered across validations for as long as
the file keeps its identity, size and change times.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from .secret_values import SecretFileError, read_secret_file, stat_problem

_LENGTHS_KEPT = 4096
_lengths: dict[tuple[str, int, int, int, int, int], int | None] = {}
"""(path, device, inode, size, mtime, ctime) -> the length of the value read from that file."""


class FileChecks:
    """The file facts of one validation (a snapshot: what changes meanwhile is seen by the next one)."""

    def __init__(self) -> None:
        self._stats: dict[str, os.stat_result | OSError] = {}
        self._real_folders: dict[str, str] = {}

    def _stat(self, path: Path) -> os.stat_result:
        """os.stat of `path` (links followed), asked once; raises the OSError it raised."""
        key = str(path)
        info = self._stats.get(key)
        if info is None:
            try:
                info = os.stat(key)
            except OSError as exc:
                info = exc
            self._stats[key] = info
        if isinstance(info, OSError):
            raise info
        return info

    def problem(self, path: Path) -> str | None:
        """Why `path` must not be mounted or read as a secret (secret_values.stat_problem), or None."""
        try:
            info = self._stat(path)
        except FileNotFoundError:
            return "does not exist"
        except OSError as exc:
            return f"cannot be read ({exc.strerror or exc})"
        return stat_problem(info)

    def is_dir(self, path: Path) -> bool:
        try:
            return stat.S_ISDIR(self._stat(path).st_mode)
        except OSError:
            return False

    def real(self, path: Path) -> str:
        """`str(path.resolve())`, with the real path of its folder found once for all the files in it."""
        folder, leaf = os.path.split(str(path))
        if leaf in ("", ".", ".."):
            return os.path.realpath(path)
        real_folder = self._real_folders.get(folder)
        if real_folder is None:
            real_folder = self._real_folders[folder] = os.path.realpath(folder)
        joined = os.path.join(real_folder, leaf)
        with contextlib.suppress(OSError):
            if stat.S_ISLNK(os.lstat(joined).st_mode):
                return os.path.realpath(joined)
        return joined

    def inside(self, path: Path, folder: str) -> bool:
        """Whether the real path of `path` lies in `folder` (a real path), as Path.is_relative_to says."""
        real = self.real(path)
        return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)

    def value_length(self, path: Path) -> int | None:
        """The length of the fromFile value in `path` (read_secret_file), or None when it cannot be read."""
        try:
            info = self._stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        key = (str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        if key in _lengths:
            return _lengths[key]
        length: int | None = None
        with contextlib.suppress(SecretFileError):
            length = len(read_secret_file(path))
        if len(_lengths) >= _LENGTHS_KEPT:
            _lengths.clear()
        _lengths[key] = length
        return length
