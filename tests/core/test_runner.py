"""The Runner: argv only, timeouts and cancellation that kill the whole process group, streaming,
redaction everywhere, typed errors."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import pytest
from sindri.providers.errors import ProviderError, ToolFailedError, ToolNotFoundError, ToolTimeoutError
from sindri.providers.runner import REDACTED, Runner

SECRET = "hunter2-very-secret"

# Starts a grandchild that sleeps, records both pids, then sleeps itself.
SPAWNER = """
import os, subprocess, sys, time
grandchild = subprocess.Popen(["sleep", "300"])
with open(sys.argv[1], "w") as f:
    f.write(f"{os.getpid()} {grandchild.pid}")
time.sleep(300)
"""


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def _pids(file: Path) -> list[int]:
    for _ in range(200):
        if file.exists() and file.read_text():
            return [int(p) for p in file.read_text().split()]
        await asyncio.sleep(0.05)
    raise AssertionError("spawner did not start")


async def _gone(pids: list[int]) -> bool:
    for _ in range(100):
        if not any(_alive(p) for p in pids):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_argv_is_never_a_shell_string() -> None:
    result = await Runner().run(["echo", "a; echo injected", "$HOME"])
    assert result.stdout == "a; echo injected $HOME\n"


async def test_captures_output_exit_code_env_cwd_and_input(tmp_path: Path) -> None:
    runner = Runner(env={"PATH": os.environ["PATH"], "BASE": "base"})
    result = await runner.run(
        ["sh", "-c", 'cat; echo "$BASE $EXTRA $(pwd)"; echo oops >&2; exit 3'],
        env={"EXTRA": "extra"},
        cwd=tmp_path,
        input="from stdin\n",
        check=False,
    )
    assert (result.returncode, result.ok) == (3, False)
    assert result.stdout == f"from stdin\nbase extra {tmp_path}\n"
    assert result.stderr == "oops\n"


async def test_timeout_kills_child_and_grandchild(tmp_path: Path) -> None:
    pidfile = tmp_path / "pids"
    runner = Runner()
    task = asyncio.create_task(runner.run([sys.executable, "-c", SPAWNER, str(pidfile)], timeout=1.5))
    pids = await _pids(pidfile)
    with pytest.raises(ToolTimeoutError, match=r"did not finish within 1\.5s"):
        await task
    assert await _gone(pids)


async def test_cancellation_kills_child_and_grandchild(tmp_path: Path) -> None:
    pidfile = tmp_path / "pids"
    task = asyncio.create_task(Runner().run([sys.executable, "-c", SPAWNER, str(pidfile)], timeout=60))
    pids = await _pids(pidfile)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _gone(pids)


async def test_background_leftovers_do_not_outlive_a_finished_tool(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    await Runner().run(["sh", "-c", f"sleep 300 & echo $! > {pidfile}"], timeout=20)
    assert await _gone([int(pidfile.read_text())])


async def test_streams_lines_in_order_and_redacted() -> None:
    lines: list[str] = []
    runner = Runner(secrets=[SECRET], progress=lines.append)
    script = f"echo one; echo 'token={SECRET}' >&2; printf 'no newline at end'"
    result = await runner.run(["sh", "-c", script], stream=True)
    assert sorted(lines) == sorted(["one", f"token={REDACTED}", "no newline at end"])
    assert lines.index("one") < lines.index("no newline at end")  # each stream keeps its order
    assert SECRET in result.stderr  # raw output is for parsing; only what is shown is redacted


async def test_long_single_line_output() -> None:
    result = await Runner().run([sys.executable, "-c", "print('x' * 300_000)"], stream=True)
    assert len(result.stdout) == 300_001


async def test_failure_error_is_redacted_with_tail_and_hint() -> None:
    runner = Runner(secrets=[SECRET])
    with pytest.raises(ToolFailedError) as info:
        await runner.run(["sh", "-c", f"echo 'bad {SECRET}' >&2; exit 4", SECRET], hint="log in first")
    error = info.value
    assert error.returncode == 4 and error.hint == "log in first"
    assert SECRET not in str(error) and REDACTED in str(error) and "exit code 4" in str(error)


async def test_redaction_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="sindri.providers.runner")
    runner = Runner(secrets=[SECRET], progress=lambda _: None)
    await runner.run(["echo", f"--token={SECRET}"], stream=True)
    runner.progress(f"step with {SECRET}")
    assert caplog.records and all(SECRET not in r.getMessage() for r in caplog.records)
    assert any(REDACTED in r.getMessage() for r in caplog.records)


async def test_tool_not_found_has_hint() -> None:
    with pytest.raises(ToolNotFoundError) as info:
        await Runner().run(["sindri-no-such-tool"], hint="install it from example.org")
    assert "sindri-no-such-tool" in str(info.value) and "fix: install it from example.org" in str(info.value)


async def test_configured_tool_path_wins(tmp_path: Path) -> None:
    tool = tmp_path / "mytool"
    tool.write_text("#!/bin/sh\necho configured\n")
    tool.chmod(0o755)
    runner = Runner(tool_paths={"mytool": str(tool)})
    assert (await runner.run(["mytool"])).stdout == "configured\n"
    assert Runner(tool_paths={"mytool": str(tmp_path / "absent")}).which("mytool") is None


async def test_missing_working_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProviderError, match="does not exist"):
        await Runner().run(["true"], cwd=tmp_path / "absent")


async def test_run_attached_returns_exit_code() -> None:
    assert await Runner().run_attached(["sh", "-c", "exit 7"]) == 7
