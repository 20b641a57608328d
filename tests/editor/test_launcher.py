"""The .vsix's server launcher (bundled/tool/lsp_server.py) on a Python its compiled libraries do not
fit: a clear message naming the fix and exit 1, found from the files before anything is imported."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from support import REPO

LAUNCHER = REPO / "vscode-extension" / "bundled" / "tool" / "lsp_server.py"


def launch(bundle: Path) -> subprocess.CompletedProcess[str]:
    """Run a copy of the launcher beside `bundle`/libs as the extension does (-I -S, the user's Python)."""
    (bundle / "tool").mkdir(parents=True)
    shutil.copy(LAUNCHER, bundle / "tool" / LAUNCHER.name)
    argv = [sys.executable, "-I", "-S", str(bundle / "tool" / LAUNCHER.name), "--log-level", "INFO"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_libraries_built_for_other_pythons_are_named_with_the_fix(tmp_path: Path) -> None:
    for module in ("pydantic_core/_pydantic_core", "rpds/rpds"):  # builds for a Python that is not this one
        (tmp_path / "libs" / module).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "libs" / f"{module}.cpython-399-x86_64-linux-gnu.so").write_bytes(b"")
    result = launch(tmp_path)
    assert result.returncode == 1
    assert "no build of pydantic_core._pydantic_core, rpds.rpds for it" in result.stderr
    assert f"do not load on Python {sys.version.split()[0]}" in result.stderr
    assert "Set sindri.interpreter to a Python 3.11-3.13" in result.stderr
    assert "Traceback" not in result.stderr


def test_builds_that_fit_get_past_the_check_to_the_import(tmp_path: Path) -> None:
    for module in ("pydantic_core/_pydantic_core", "rpds/rpds"):
        (tmp_path / "libs" / module).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "libs" / f"{module}{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    result = launch(tmp_path)  # no sindri package in these libs: the import itself fails, as clearly
    assert result.returncode == 1
    assert "No module named 'sindri'" in result.stderr
    assert "no build of" not in result.stderr
    assert "Traceback" not in result.stderr
