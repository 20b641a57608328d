"""A provider from another package: `tests/plugins/acme` (a real distribution declaring `acme` under the
entry-point group `sindri.providers`) is installed with pip into a fresh venv, which sees the project
and its dependencies but is otherwise its own. The `sindri` CLI and the language server of that venv
then deploy with it, exactly as with a built-in provider. Offline: pip gets --no-index."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from support import REPO

sys.path.insert(0, str(REPO / "tests" / "lsp"))

from lsp_helpers import label_map, session

OFFLINE = ("--no-deps", "--no-index", "--no-build-isolation")
PACKAGE = Path(__file__).resolve().parent / "acme"
CONFIG = """version: "3.0"
name: acme-env
deployment:
  provider: acme
extensions:
  profile: minimal
"""


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with the acme package pip-installed; the project (editable) comes through a .pth."""
    root = tmp_path_factory.mktemp("plugin")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True, timeout=60
    )
    python = root / "venv" / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    (Path(site) / "sindri-project.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    source = shutil.copytree(PACKAGE, root / "acme")  # the build's leftovers stay out of the repository
    subprocess.run(
        [*(sys.executable, "-m", "pip", "--python", str(python), "install", "-q"), *OFFLINE, str(source)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    yield python


def sindri(python: Path, *args: str, cwd: Path, code: int = 0) -> subprocess.CompletedProcess[str]:
    """`sindri ARGS` run by the venv's interpreter (its console script is the project's own)."""
    proc = subprocess.run(
        [str(python), "-m", "sindri.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == code, (args, proc.stdout, proc.stderr)
    return proc


def test_cli_lifecycle_with_a_plugin_provider(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "sindri.yaml").write_text(CONFIG)
    sindri(venv, "validate", cwd=tmp_path)
    plan = json.loads(sindri(venv, "plan", "--json", cwd=tmp_path).stdout)
    assert plan["provider"] == "acme" and plan["actions"][0]["resource"] == "acme:acme-env"

    def state() -> str:
        return str(json.loads(sindri(venv, "status", "--json", cwd=tmp_path).stdout)["state"])

    assert state() == "not_deployed"
    assert "Acme: creating the box..." in sindri(venv, "deploy", cwd=tmp_path).stderr
    assert state() == "running"
    sindri(venv, "stop", cwd=tmp_path)
    assert state() == "stopped"
    sindri(venv, "start", cwd=tmp_path)
    assert state() == "running"
    proc = subprocess.run(
        [str(venv), "-m", "sindri.cli", "connect", "--", "sh", "-c", "exit 7"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 7, proc.stderr
    sindri(venv, "destroy", "--yes", cwd=tmp_path)
    assert state() == "not_deployed"
    assert not (tmp_path / ".sindri" / "acme").exists()


def test_doctor_lists_plugins_and_a_broken_one_alone_fails(venv: Path, tmp_path: Path) -> None:
    out = sindri(venv, "doctor", "--all", "--json", cwd=tmp_path, code=1).stdout
    by_name = {p["provider"]: p for p in json.loads(out)}
    assert by_name["acme"]["satisfied"] is True
    assert by_name["acme"]["available"][0]["version"] == "acme-tool 1.0"
    broken = by_name["acme-broken"]["missing"][0]
    assert "could not be loaded from sindri-acme" in broken["description"]
    assert "No module named 'acme_sindri_missing'" in broken["description"]

    (tmp_path / "sindri.yaml").write_text(CONFIG.replace("acme", "acme-broken"))
    failed = sindri(venv, "status", cwd=tmp_path, code=1).stderr
    assert "provider 'acme-broken' could not be loaded" in failed and "fix: reinstall" in failed


def test_a_plugin_cannot_take_a_built_in_name(venv: Path) -> None:
    """The package also declares `docker`: the built-in provider keeps the name."""
    code = "from sindri.providers.factory import provider_class; print(provider_class('docker').__module__)"
    out = subprocess.run([str(venv), "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "sindri.providers.docker"


def test_unknown_without_the_package(tmp_path: Path) -> None:
    """The project's own venv does not have the package: the same file names an unknown provider."""
    (tmp_path / "sindri.yaml").write_text(CONFIG)
    proc = subprocess.run(
        [str(REPO / ".venv" / "bin" / "sindri"), "validate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and "acme" in proc.stdout + proc.stderr


async def test_editor_features_with_a_plugin_provider(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "sindri.yaml").write_text(CONFIG)
    async with session(tmp_path, server=[str(venv), "-m", "sindri.server"]) as s:
        uri = await s.open(CONFIG)
        assert await s.diagnostics(uri) == []
        lenses = await s.client.text_document_code_lens_async(
            lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri))
        )
        assert "$(cloud-upload) Deploy to acme" in [
            lens.command.title for lens in lenses or [] if lens.command
        ]

        items = label_map(await s.completion(uri, 3, len("  provider: ")))
        assert "acme" in items and "acme-broken" in items
        assert "sindri-acme" in (items["acme"].detail or "")

        hover = await s.hover(uri, 3, len("  provider: a"))
        assert hover is not None and "acme" in str(hover.contents)

        deployed = await s.command("sindri.deploy", uri)
        assert deployed["success"] is True and deployed["provider"] == "acme", deployed
        status = await s.command("sindri.status", uri)
        assert status["status"]["state"] == "running"
        destroyed = await s.command("sindri.destroy", uri)
        assert destroyed["success"] is True
