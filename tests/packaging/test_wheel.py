"""The built wheel carries its data (templates, schema, catalogue) and the CLI works from it.

No download at test time: the wheel is built without build isolation (setuptools from the repo's
venv), and the fresh venv reaches the already-installed dependencies through a .pth line naming the
repo venv's site-packages (a path line in a .pth does not run that directory's own .pth hooks, so the
repo's editable install of sindri stays invisible; only the wheel's copy can be imported).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from support import docker_engine_up, need

REPO = Path(__file__).resolve().parents[2]
BUILD_LEFTOVERS = ("build", "dist", ".venv", ".git", "*.egg-info", "__pycache__", "node_modules", ".*_cache")
SAMPLE = 'version: "3.0"\nname: wheel-env\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # from a clean copy: setuptools reuses the checkout's build/lib, which may hold files the package
    # data no longer names (a wheel built there can carry a catalogue pyproject.toml leaves out)
    source = tmp_path_factory.mktemp("source") / "repo"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*BUILD_LEFTOVERS))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(out), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (built,) = out.glob("sindri_editor-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the wheel installed; returns its bin directory."""
    root = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "repo_venv_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         "-q", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return root / "bin"


def test_wheel_contains_templates_schema_and_catalogue(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "sindri/schemas/sindri.schema.json" in names
    assert (
        "sindri/schemas/catalog_data/registry.yaml" in names
        and "sindri/schemas/catalog_data/profiles.yaml" in names
    )
    for provider in ("docker", "fly", "devpod", "kubernetes", "e2b"):
        assert any(n.startswith(f"sindri/templates/{provider}/") and n.endswith(".j2") for n in names), (
            provider
        )
    assert not any(n.startswith("tests/") or "/tests/" in n for n in names)


def test_cli_runs_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import sindri.cli.main as m; print(m.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(installed.parent)), where  # the wheel's copy, not the repo's

    version = subprocess.run([str(installed / "sindri"), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "0.1.0" in version.stdout

    sample = tmp_path / "sindri.yaml"
    sample.write_text(SAMPLE)
    valid = subprocess.run(
        [str(installed / "sindri"), "validate", str(sample)], capture_output=True, text=True
    )
    assert valid.returncode == 0, valid.stdout + valid.stderr
    # only the extension catalogue (catalog_data/registry.yaml) knows 'nodejs'
    sample.write_text(SAMPLE.replace("profile: minimal", "active: [nodejss]"))
    warned = subprocess.run(
        [str(installed / "sindri"), "validate", str(sample)], capture_output=True, text=True
    )
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert "warning SE307: unknown extension 'nodejss'" in warned.stdout
    assert "did you mean 'nodejs'?" in warned.stdout

    schema = subprocess.run([str(installed / "sindri"), "schema"], capture_output=True, text=True)
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"]

    need(docker_engine_up(), "no Docker engine is reachable (plan checks the docker provider's daemon)")
    sample.write_text(SAMPLE.replace("provider: docker", "provider: docker\n  image: sindri-wheel/absent:1"))
    plan = subprocess.run(
        [str(installed / "sindri"), "plan", "-c", str(sample.parent), "--json"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert plan.returncode == 0, plan.stderr
    actions = [a["resource"] for a in json.loads(plan.stdout)["actions"]]
    assert str(tmp_path / ".sindri" / "docker" / "docker-compose.yml") in actions
