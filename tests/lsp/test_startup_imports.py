"""The engine's heavy half (server/engine.py) loads while the server would otherwise wait: before the
client's first message arrives if the client is slow to send it, else right after `initialize` is
answered, never before that answer. Seen in the real process's stderr, where Python's `-X importtime`
lines and the server's log lines appear in the order they happened."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from importlib.metadata import version
from pathlib import Path
from typing import Any

from test_framing import frame, hover_session, parse_frames

HEAVY = ("pydantic_core", "annotated_types", "sindri.providers.types")
"""Imported by `import` statements inside the engine's steps: Python times those, not the steps'
own importlib.import_module calls."""
IDLE_WAIT = 30.0
"""Seconds the test waits for each line while the server loads with nothing to read."""
SERVER = [sys.executable, "-X", "importtime", "-m", "sindri.server", "--log-level", "DEBUG"]


def line_of(lines: list[str], text: str) -> int:
    return next(n for n, line in enumerate(lines) if text in line)


def imported_at(lines: list[str], module: str) -> int:
    """The stderr line where `module` finished importing (`import time: self | total | <indent>name`)."""
    return next(
        n
        for n, line in enumerate(lines)
        if line.startswith("import time:") and line.split("|")[-1].strip() == module
    )


def replies(stdout: bytes) -> dict[Any, Any]:
    return {f["id"]: f for f in parse_frames(stdout) if "id" in f and "method" not in f}


def test_a_waiting_client_gets_initialize_answered_first_and_the_engine_loads_after(tmp_path: Path) -> None:
    messages = hover_session((tmp_path / "sindri.yaml").as_uri())  # all written at once, at the start
    server = subprocess.run(
        SERVER, input=b"".join(frame(m) for m in messages), capture_output=True, timeout=60
    )
    assert server.returncode == 0, server.stderr.decode(errors="replace")[-3000:]
    lines = server.stderr.decode(errors="replace").splitlines()
    replied, loaded = line_of(lines, 'Sending data: {"id": 1,'), line_of(lines, "engine loaded in")
    for module in HEAVY:
        assert replied < imported_at(lines, module) < loaded, module
    answers = replies(server.stdout)
    # The version it names without reading package metadata is the installed distribution's.
    assert answers[1]["result"]["serverInfo"]["version"] == version("sindri-editor")
    # ...and the features that need the engine work: the hover reads the model's descriptions.
    assert "provider" in answers[2]["result"]["contents"]["value"]


def test_a_client_slow_to_start_finds_the_engine_loaded_while_it_was_starting(tmp_path: Path) -> None:
    server = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert server.stdin is not None and server.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    stderr = server.stderr

    def read_stderr() -> None:
        for line in stderr:
            lines.put(line.decode(errors="replace"))

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        before: list[str] = []
        while not any("engine loaded in" in line for line in before):  # nothing sent yet
            try:
                before.append(lines.get(timeout=IDLE_WAIT))
            except queue.Empty:
                raise AssertionError(
                    "no engine loaded while the server waited:\n" + "".join(before[-30:])
                ) from None
        assert not any("received" in line for line in before)
        messages = hover_session((tmp_path / "sindri.yaml").as_uri())
        server.stdin.write(b"".join(frame(m) for m in messages))
        server.stdin.close()
        assert server.wait(timeout=60) == 0
        stdout = server.stdout.read() if server.stdout else b""
        reader.join(timeout=10)  # stderr to its end
    finally:
        server.kill()
    after = "".join(lines.queue)
    assert "engine loaded in" not in after  # once, not again after initialize
    assert "provider" in replies(stdout)[2]["result"]["contents"]["value"]
