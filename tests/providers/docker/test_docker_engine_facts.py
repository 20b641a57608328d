"""The engine's facts (`docker info`) are read once for a prerequisite check and the commands that
follow it within ENGINE_TTL, in this process or the next one (they are kept in the user's cache
folder), per docker binary, engine variables and Docker config; an unreachable engine is asked again
every time."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sindri.providers.errors import ProviderError
from sindri.providers.prereqs import check_prerequisites
from support import run_sindri
from test_docker_failures import INFO_OK, fake_bin, provider

# Counts each `docker info` in a file; anything else answers "no such container" or an empty list.
DOCKER = """here="${0%/*}/.."
case "$1" in
  info) echo x >> "$here/info-calls"; cat "$here/info.json" || exit 1;;
  inspect) echo "Error: No such container: $4" >&2; exit 1;;
  *) exit 0;;
esac"""


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own cache folder (the facts outlive a process: that is the point)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def info_calls(tmp_path: Path) -> int:
    log = tmp_path / "info-calls"
    return len(log.read_text().splitlines()) if log.exists() else 0


async def test_a_deploy_right_after_the_check_does_not_ask_the_engine_again(tmp_path: Path) -> None:
    (tmp_path / "info.json").write_text(INFO_OK)
    path = fake_bin(tmp_path, {"docker": DOCKER})
    assert (await check_prerequisites(provider(tmp_path, path), ttl=0)).satisfied is False  # no Compose
    assert info_calls(tmp_path) == 1

    another = provider(tmp_path, path)  # the editor makes a provider per command
    assert (await another._engine()).server_version == "20.10.24"
    assert info_calls(tmp_path) == 1

    other_engine = provider(tmp_path, path, {"DOCKER_HOST": "tcp://build-box:2376"})
    await other_engine._engine()
    assert info_calls(tmp_path) == 2  # another engine: its own facts

    await provider(tmp_path, path)._engine()
    assert info_calls(tmp_path) == 3  # one engine's facts are kept at a time: the first is asked again
    await check_prerequisites(provider(tmp_path, path), ttl=0)  # doctor, a check asked for again: ask
    assert info_calls(tmp_path) == 4


async def test_an_unreachable_engine_is_asked_again(tmp_path: Path) -> None:
    path = fake_bin(tmp_path, {"docker": DOCKER})  # no info.json: `docker info` fails
    for attempt in (1, 2):
        with pytest.raises(ProviderError, match=r"engine|daemon|Docker"):
            await provider(tmp_path, path)._require_engine()
        assert info_calls(tmp_path) == attempt


def test_the_next_sindri_command_reuses_the_facts_and_a_check_asks_again(tmp_path: Path) -> None:
    with_compose = json.loads(INFO_OK)
    with_compose["ClientInfo"]["Plugins"] = [{"Name": "compose", "Version": "v2.40.3"}]
    (tmp_path / "info.json").write_text(json.dumps(with_compose))
    path = fake_bin(tmp_path, {"docker": DOCKER})
    (tmp_path / "sindri.yaml").write_text(
        'version: "3.0"\nname: facts\ndeployment:\n  provider: docker\n  image: sindri-demo:local\n'
        "extensions:\n  profile: minimal\n"
    )
    env = {"PATH": path, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    # Each checks prerequisites first; a new process, so only the kept facts can spare a `docker info`.
    for command, calls in (("plan", 1), ("status", 1), ("doctor", 2)):
        result = run_sindri(command, "-c", str(tmp_path / "sindri.yaml"), env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert info_calls(tmp_path) == calls, command
    stored = json.loads((tmp_path / "cache" / "sindri" / "docker-engine.json").read_text())
    assert stored["facts"]["server_version"] == "20.10.24"
    assert oct((tmp_path / "cache" / "sindri" / "docker-engine.json").stat().st_mode & 0o777) == "0o600"


async def test_another_docker_context_is_asked_at_once(tmp_path: Path) -> None:
    (tmp_path / "info.json").write_text(INFO_OK)
    path = fake_bin(tmp_path, {"docker": DOCKER})
    config = tmp_path / "docker-config"
    config.mkdir()
    (config / "config.json").write_text('{"currentContext": "default"}')
    variables = {"DOCKER_CONFIG": str(config)}
    await provider(tmp_path, path, variables)._engine()
    await provider(tmp_path, path, variables)._engine()
    assert info_calls(tmp_path) == 1

    (config / "config.json").write_text('{"currentContext": "build-box"}')  # `docker context use build-box`
    os.utime(config / "config.json", ns=(1, 1))  # a different change time, however fast the test runs
    await provider(tmp_path, path, variables)._engine()
    assert info_calls(tmp_path) == 2


async def test_a_planted_link_in_the_cache_folder_is_neither_read_nor_written_through(
    tmp_path: Path, cache_home: Path
) -> None:
    (tmp_path / "info.json").write_text(INFO_OK)
    path = fake_bin(tmp_path, {"docker": DOCKER})
    target = tmp_path / "elsewhere.json"
    target.write_text("keep me")
    (cache_home / "sindri").mkdir(parents=True)
    (cache_home / "sindri" / "docker-engine.json").symlink_to(target)

    assert (await provider(tmp_path, path)._engine()).server_version == "20.10.24"
    assert info_calls(tmp_path) == 1
    assert target.read_text() == "keep me"
    assert not (cache_home / "sindri" / "docker-engine.json").is_symlink()  # replaced by a file of ours


async def test_a_cache_file_that_is_not_ours_is_ignored(tmp_path: Path, cache_home: Path) -> None:
    (tmp_path / "info.json").write_text(INFO_OK)
    path = fake_bin(tmp_path, {"docker": DOCKER})
    await provider(tmp_path, path)._engine()
    stored = cache_home / "sindri" / "docker-engine.json"
    for text in (
        "not json",
        '{"key": [], "time": 0}',
        json.dumps({**json.loads(stored.read_text()), "facts": {}}),
    ):
        stored.write_text(text)
        assert (await provider(tmp_path, path)._engine()).ncpu == 2
    assert info_calls(tmp_path) == 4
