"""stdout carries only LSP frames: `sindri-lsp` driven by hand over pipes, its output parsed strictly."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from support import REPO

DOC = 'version: "3.0"\nname: demo\ndeployment:\n  provider: dokcer\nextensions:\n  profile: minimal\n'


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def parse_frames(data: bytes) -> list[dict[str, Any]]:
    """Every byte must belong to a `Content-Length: N\\r\\n\\r\\n<N bytes of JSON>` frame."""
    frames = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"bytes outside a frame: {data[:200]!r}"
        headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n"))
        assert set(headers) <= {b"Content-Length", b"Content-Type"}, head
        length = int(headers[b"Content-Length"])
        body, data = rest[:length], rest[length:]
        assert len(body) == length, "truncated frame"
        frames.append(json.loads(body))
    return frames


def hover_session(uri: str) -> list[dict[str, Any]]:
    """initialize, open DOC as `uri`, hover on its provider value, shutdown and exit."""
    return [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "capabilities": {}},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": DOC}},
        },
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 4}},
        },
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]


def test_stdout_is_only_frames_and_exit_is_clean(tmp_path: Path) -> None:
    messages = hover_session((tmp_path / "sindri.yaml").as_uri())
    server = subprocess.run(
        [str(REPO / ".venv" / "bin" / "sindri-lsp")],
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        timeout=60,
    )
    assert server.returncode == 0, server.stderr.decode(errors="replace")
    frames = parse_frames(server.stdout)
    replies = {f["id"]: f for f in frames if "id" in f and "method" not in f}
    assert replies[1]["result"]["serverInfo"]["name"] == "sindri-lsp"
    assert "diagnosticProvider" not in replies[1]["result"]["capabilities"]
    hover = replies[2]["result"]
    assert hover["range"] == {"start": {"line": 3, "character": 2}, "end": {"line": 3, "character": 10}}
    assert replies[3]["result"] is None
    assert b"Traceback" not in server.stderr


def test_a_closed_standard_input_is_named_not_a_traceback() -> None:
    server = subprocess.run(
        [str(REPO / ".venv" / "bin" / "sindri-lsp")],
        preexec_fn=lambda: os.close(0),  # started with no standard input at all
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert server.returncode == 2
    assert "standard input and output must be open" in server.stderr
    assert "Traceback" not in server.stderr
