"""A long-lived server sees secret files change between keystrokes (schemas/file_checks.py remembers
only what a file's identity and change times vouch for)."""

from __future__ import annotations

import os
from pathlib import Path

from lsp_helpers import session

NO_PREREQS = {"prerequisiteChecks": False}
DOC = """version: "3.0"
name: files
deployment:
  provider: docker
  image: sindri-demo:local
extensions:
  profile: minimal
secrets:
  - name: TOKEN
    source: env
    fromFile: secrets/token
"""


def _touch_later(path: Path) -> None:
    """Move the file's times on, as a later write would (a write within the same tick keeps them)."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns + 10**9, info.st_mtime_ns + 10**9))


async def test_a_value_file_that_shrinks_or_moves_away_is_seen_at_the_next_edit(tmp_path: Path) -> None:
    token = tmp_path / "secrets" / "token"
    token.parent.mkdir()
    token.write_text("long-enough-value\n")
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(DOC)
        assert await s.diagnostics(uri, 1) == []

        token.write_text("ab\n")  # same file, same inode: only its size and times tell
        _touch_later(token)
        version = s.change(uri, DOC + "# edited\n")
        (short,) = await s.diagnostics(uri, version)
        assert short.code == "SE320" and "2 characters" in short.message

        outside = tmp_path.parent / f"{tmp_path.name}-outside"
        outside.mkdir()
        (outside / "token").write_text("another-long-value\n")
        token.parent.rename(tmp_path / "old-secrets")
        token.parent.symlink_to(outside)  # the folder now leads outside the config's folder
        version = s.change(uri, DOC + "# edited again\n")
        (moved,) = await s.diagnostics(uri, version)
        assert moved.code == "SE321"
        assert str(outside / "token") in moved.message

        (outside / "token").unlink()
        version = s.change(uri, DOC)
        (missing,) = await s.diagnostics(uri, version)
        assert missing.code == "SE306" and "does not exist" in missing.message
