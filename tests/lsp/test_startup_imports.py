"""The server answers `initialize` before it imports the engine's heavy half, and imports it right
after (server/engine.py): seen in the real process's own log, where Python's `-X importtime` lines and
the server's log lines share stderr in the order they happened."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from test_framing import frame, hover_session, parse_frames

HEAVY = ("pydantic", "sindri.schemas.model", "sindri.providers.types")
"""Imported by `import` statements of the engine: Python times those, not importlib.import_module's own."""


def imported_at(lines: list[str], module: str) -> int:
    """The stderr line where `module` finished importing (`import time: self | total | <indent>name`)."""
    return next(
        n
        for n, line in enumerate(lines)
        if line.startswith("import time:") and line.split("|")[-1].strip() == module
    )


def test_initialize_is_answered_before_the_engine_loads_and_the_engine_loads_after(tmp_path: Path) -> None:
    messages = hover_session((tmp_path / "sindri.yaml").as_uri())
    server = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sindri.server", "--log-level", "DEBUG"],
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        timeout=60,
    )
    assert server.returncode == 0, server.stderr.decode(errors="replace")[-3000:]
    lines = server.stderr.decode(errors="replace").splitlines()
    replied = next(n for n, line in enumerate(lines) if 'Sending data: {"id": 1,' in line)
    loaded = next(n for n, line in enumerate(lines) if "engine loaded in" in line)
    for module in HEAVY:
        assert replied < imported_at(lines, module) < loaded, module
    replies = {f["id"]: f for f in parse_frames(server.stdout) if "id" in f and "method" not in f}
    # The version it names without reading package metadata is the installed distribution's.
    assert replies[1]["result"]["serverInfo"]["version"] == version("sindri-editor")
    # ...and the features that need the engine work: the hover reads the model's descriptions.
    assert "provider" in replies[2]["result"]["contents"]["value"]
