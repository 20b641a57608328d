"""`sindri config init` and `sindri config validate` through the real CLI (subprocess): the starter of
every provider validates with no finding at all, and init never overwrites or writes through a link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sindri.schemas.starter import default_name, starter
from support import run_sindri

PROVIDERS = ("docker", "fly", "devpod", "e2b", "kubernetes", "runpod", "northflank")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_starter_of_every_provider_has_no_finding(tmp_path: Path, provider: str) -> None:
    made = run_sindri("config", "init", "--provider", provider, "--name", "team-env", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "sindri.yaml").read_text()
    assert f"provider: {provider}" in text and "name: team-env" in text and "#" in text
    checked = run_sindri("validate", "--format", "json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout) == []


def test_defaults_name_from_folder_docker_minimal(tmp_path: Path) -> None:
    folder = tmp_path / "My Project_2"
    folder.mkdir()
    made = run_sindri("config", "init", str(folder))  # PATH argument, run from elsewhere
    assert made.returncode == 0, made.stderr
    text = (folder / "sindri.yaml").read_text()
    assert "name: my-project-2\n" in text
    assert "provider: docker" in text and "profile: minimal" in text
    checked = run_sindri("config", "validate", "--format", "json", str(folder / "sindri.yaml"))
    assert checked.returncode == 0 and json.loads(checked.stdout) == []


def test_profile_option_and_bad_values(tmp_path: Path) -> None:
    assert run_sindri("config", "init", "--profile", "devops", cwd=tmp_path).returncode == 0
    assert "profile: devops" in (tmp_path / "sindri.yaml").read_text()
    other = tmp_path / "other"
    other.mkdir()
    bad = run_sindri("config", "init", "--name", "Bad_Name", cwd=other)
    assert bad.returncode == 2 and "invalid name 'Bad_Name'" in bad.stderr
    assert run_sindri("config", "init", "--provider", "rundeck", cwd=other).returncode == 2
    assert not (other / "sindri.yaml").exists()


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    target = tmp_path / "sindri.yaml"
    target.write_text("mine: true\n")
    refused = run_sindri("config", "init", cwd=tmp_path)
    assert refused.returncode == 1
    assert "sindri.yaml already exists" in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert target.read_text() == "mine: true\n"
    forced = run_sindri("config", "init", "--force", "--provider", "fly", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "provider: fly" in target.read_text()


@pytest.mark.parametrize("force", [False, True])
def test_refuses_to_write_through_a_symlink(tmp_path: Path, force: bool) -> None:
    outside = tmp_path / "outside.txt"
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "sindri.yaml").symlink_to(outside)  # dangling: plain O_CREAT would create outside.txt
    refused = run_sindri("config", "init", *(["--force"] if force else []), cwd=folder)
    assert refused.returncode == 1
    assert "symbolic link" in refused.stderr
    assert not outside.exists()
    assert (folder / "sindri.yaml").is_symlink()


def test_config_validate_is_validate(tmp_path: Path) -> None:
    (tmp_path / "sindri.yaml").write_text("version: 3.0\nname: x\n")
    plain = run_sindri("validate", "--format", "json", cwd=tmp_path)
    alias = run_sindri("config", "validate", "--format", "json", cwd=tmp_path)
    assert alias.returncode == plain.returncode == 1
    assert alias.stdout == plain.stdout and json.loads(alias.stdout)


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("My Project_2", "my-project-2"),
        ("web-app", "web-app"),
        ("2024 stuff", "stuff"),
        ("__", "my-env"),
        ("Ünïcode", "n-code"),
        ("a" * 60, "a" * 48),
    ],
)
def test_default_name_is_valid(folder: str, name: str) -> None:
    assert default_name(folder) == name
    assert starter(name=default_name(folder))  # accepted by the starter's own check


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"provider": "rundeck"}, "unknown provider"),
        ({"name": "-x"}, "invalid name"),
        ({"profile": "nope"}, "unknown profile"),
    ],
)
def test_starter_refuses_bad_arguments(kwargs: dict[str, str], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        starter(**kwargs)
