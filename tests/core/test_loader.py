"""Config discovery, loading with positioned errors, and env secret resolution."""

from __future__ import annotations

from pathlib import Path

import pytest
from sindri.schemas.errors import ConfigError
from sindri.schemas.loader import find_config, load_config, resolve_secrets

from .conftest import CONFIG, SECRET


def test_find_config_walks_up_and_prefers_yaml(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (tmp_path / "a" / "sindri.yml").write_text(CONFIG)
    assert find_config(deep) == tmp_path / "a" / "sindri.yml"
    (tmp_path / "a" / "sindri.yaml").write_text(CONFIG)
    assert find_config(deep) == tmp_path / "a" / "sindri.yaml"


def test_find_config_error_names_where_it_searched(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        find_config(tmp_path)
    assert str(tmp_path) in str(info.value)
    assert "-c/--config" in str(info.value)


def test_load_config_from_a_directory_and_relative_path(project: Path) -> None:
    loaded = load_config(Path("proj/sindri.yaml"), cwd=project.parent.parent)
    assert loaded.path == project and loaded.directory == project.parent
    assert load_config(project.parent, cwd=Path("/")).path == project


def test_invalid_config_lists_positioned_errors(project: Path) -> None:
    project.write_text(CONFIG.replace("provider: docker", "provider: dockr").replace("core-env", "Bad Name"))
    with pytest.raises(ConfigError) as info:
        load_config(project, cwd=project.parent)
    message = str(info.value)
    assert f"{project}:2:7:" in message  # name: Bad Name
    assert f"{project}:4:13:" in message  # provider: dockr


def test_yaml_syntax_error_is_positioned(project: Path) -> None:
    project.write_text("version: '3.0'\nname: [unclosed\n")
    with pytest.raises(ConfigError, match=rf"{project}:\d+:\d+"):
        load_config(project, cwd=project.parent)


def test_unreadable_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml", cwd=tmp_path)


def test_provider_override(project: Path) -> None:
    assert load_config(project, cwd=project.parent, provider_override="fly").config.provider == "fly"
    assert (
        load_config(project, cwd=project.parent, provider_override="docker-compose").config.provider
        == "docker"
    )
    with pytest.raises(ConfigError, match="not supported"):
        load_config(project, cwd=project.parent, provider_override="rundeck")


def _with_secrets(project: Path, block: str) -> Path:
    project.write_text(CONFIG.split("secrets:")[0] + "secrets:\n" + block)
    return project


def test_secret_precedence_env_then_env_local_then_env_then_from_file(project: Path) -> None:
    _with_secrets(
        project,
        "".join(
            f"  - name: {n}\n    source: env\n    fromFile: ./{n.lower()}.txt\n"
            for n in ("A1", "B2", "C3", "D4")
        ),
    )
    folder = project.parent
    for name in ("a1", "b2", "c3", "d4"):
        (folder / f"{name}.txt").write_text(f"file-{name}\n")
    (folder / ".env").write_text("A1=dotenv-a1\nB2=dotenv-b2\nC3=dotenv-c3\n")
    (folder / ".env.local").write_text("A1=local-a1\nB2=local-b2\n")
    loaded = load_config(project, cwd=folder)
    resolved = resolve_secrets(loaded, environ={"A1": "env-a1"})
    assert resolved == {"A1": "env-a1", "B2": "local-b2", "C3": "dotenv-c3", "D4": "file-d4"}
    assert loaded.secrets == resolved


def test_dotenv_values_are_not_interpolated(project: Path) -> None:
    _with_secrets(project, "  - name: A1\n    source: env\n")
    (project.parent / ".env").write_text("A1=pa$$word-${HOME}\n")
    assert resolve_secrets(load_config(project, cwd=project.parent), environ={}) == {"A1": "pa$$word-${HOME}"}


def test_from_file_expands_home(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "token").write_text("from-home-file")
    _with_secrets(project, "  - name: A1\n    source: env\n    fromFile: ~/token\n")
    assert resolve_secrets(load_config(project, cwd=project.parent), environ={}) == {"A1": "from-home-file"}


def test_missing_required_secrets_are_named_without_values(project: Path) -> None:
    _with_secrets(
        project,
        "  - name: NEEDED\n    source: env\n    required: true\n"
        "  - name: ALSO\n    source: env\n    required: true\n    fromFile: ./nope\n"
        "  - name: OPTIONAL\n    source: env\n"
        "  - name: PRESENT\n    source: env\n    required: true\n",
    )
    loaded = load_config(project, cwd=project.parent)
    with pytest.raises(ConfigError) as info:
        resolve_secrets(loaded, environ={"PRESENT": SECRET})
    message = str(info.value)
    assert "NEEDED" in message and "ALSO" in message and "nope" in message
    assert "OPTIONAL" not in message and "PRESENT" not in message and SECRET not in message


def test_file_secrets_are_read_for_fly_and_unreachable_vault_ones_warn(project: Path) -> None:
    (project.parent / "c.pem").write_bytes(b"-----BEGIN-----\x00\xff")
    _with_secrets(
        project,
        "  - name: CERT\n    source: file\n    path: ./c.pem\n    mountPath: /c.pem\n"
        "    permissions: '0600'\n"
        "  - name: VAULTED\n    source: vault\n    vaultPath: p\n    vaultKey: k\n",
    )
    loaded = load_config(project, cwd=project.parent, provider_override="fly")
    assert resolve_secrets(loaded, environ={}) == {}
    assert [(f.name, f.mount_path, f.mode, f.content) for f in loaded.files] == [
        ("CERT", "/c.pem", 0o600, b"-----BEGIN-----\x00\xff")
    ]
    assert not any("CERT" in w for w in loaded.warnings), loaded.warnings
    assert any("VAULTED" in w and "VAULT_ADDR" in w for w in loaded.warnings)


def test_docker_mounts_file_secrets_so_their_content_is_not_read(project: Path) -> None:
    (project.parent / "c.pem").write_text("pem")
    _with_secrets(project, "  - name: CERT\n    source: file\n    path: ./c.pem\n    mountPath: /c.pem\n")
    loaded = load_config(project, cwd=project.parent, provider_override="docker")
    assert resolve_secrets(loaded, environ={}) == {}
    assert loaded.files == []
    assert not any("CERT" in w for w in loaded.warnings), loaded.warnings


def test_a_missing_file_secret_stops_when_required_and_warns_when_optional(project: Path) -> None:
    _with_secrets(
        project,
        "  - name: OPT\n    source: file\n    path: ./gone\n    mountPath: /o\n"
        "  - name: REQ\n    source: file\n    path: ./gone\n    mountPath: /r\n    required: true\n",
    )
    loaded = load_config(project, cwd=project.parent, provider_override="kubernetes")
    with pytest.raises(ConfigError, match=r"REQ \(./gone does not exist\)"):
        resolve_secrets(loaded, environ={})
    assert any("OPT skipped" in w for w in loaded.warnings)
