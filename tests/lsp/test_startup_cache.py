"""The code attrs compiles for lsprotocol, kept in the user's cache folder (server/startup_cache.py):
written by the first start, used by the next; a broken or planted cache never stops a start."""

from __future__ import annotations

import marshal
import os
import subprocess
from pathlib import Path

from support import REPO
from test_framing import frame, hover_session, parse_frames


def serve_once(cache: Path, workspace: Path) -> list[dict[str, object]]:
    """Start `sindri-lsp` with `cache` as XDG_CACHE_HOME, hover in a file, shut down; its frames."""
    messages = hover_session((workspace / "sindri.yaml").as_uri())
    server = subprocess.run(
        [str(REPO / ".venv" / "bin" / "sindri-lsp")],
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        timeout=60,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )
    assert server.returncode == 0, server.stderr.decode(errors="replace")
    assert b"Traceback" not in server.stderr
    frames = parse_frames(server.stdout)
    replies = {f["id"]: f for f in frames if "id" in f and "method" not in f}
    assert replies[1]["result"]["serverInfo"]["name"] == "sindri-lsp"
    assert "provider" in replies[2]["result"]["contents"]["value"]  # lsprotocol's types at work
    return frames


def cache_files(cache: Path) -> list[Path]:
    return sorted((cache / "sindri").glob("attrs-code-*.marshal"))


def test_the_first_start_writes_the_cache_and_the_next_one_serves_from_it(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    serve_once(cache, tmp_path)
    (written,) = cache_files(cache)
    codes = marshal.loads(written.read_bytes())
    assert len(codes) > 400  # one compiled script per lsprotocol class
    assert all(name.startswith("<attrs generated") for _script, name in codes)
    assert oct(written.stat().st_mode & 0o777) == "0o600"

    before = written.stat().st_mtime_ns
    serve_once(cache, tmp_path)
    assert written.stat().st_mtime_ns == before  # all found: nothing to write again


def test_a_broken_cache_is_replaced_and_a_planted_link_is_not_followed(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    serve_once(cache, tmp_path)
    (written,) = cache_files(cache)

    written.write_bytes(b"\x00not marshal data")
    serve_once(cache, tmp_path)
    assert len(marshal.loads(written.read_bytes())) > 400

    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(
        marshal.dumps({("print('planted')", "<attrs generated planted>"): compile("1", "x", "exec")})
    )
    written.unlink()
    written.symlink_to(elsewhere)
    serve_once(cache, tmp_path)
    assert not written.is_symlink()  # replaced by the server's own file
    assert b"planted" in elsewhere.read_bytes()  # the link's target is untouched
