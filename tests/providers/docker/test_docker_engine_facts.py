"""The engine's facts (`docker info`) are read once for a prerequisite check and the deploy that
follows it, per docker binary and engine variables; an unreachable engine is asked again every time."""

from __future__ import annotations

from pathlib import Path

import pytest
from sindri.providers.errors import ProviderError
from test_docker_failures import INFO_OK, fake_bin, provider

# Counts each `docker info` in a file; anything else answers "no such container" or an empty list.
DOCKER = """here="${0%/*}/.."
case "$1" in
  info) echo x >> "$here/info-calls"; cat "$here/info.json" || exit 1;;
  inspect) echo "Error: No such container: $4" >&2; exit 1;;
  *) exit 0;;
esac"""


def info_calls(tmp_path: Path) -> int:
    log = tmp_path / "info-calls"
    return len(log.read_text().splitlines()) if log.exists() else 0


async def test_a_deploy_right_after_the_check_does_not_ask_the_engine_again(tmp_path: Path) -> None:
    (tmp_path / "info.json").write_text(INFO_OK)
    path = fake_bin(tmp_path, {"docker": DOCKER})
    assert (await provider(tmp_path, path).check_prerequisites()).satisfied is False  # no Compose
    assert info_calls(tmp_path) == 1

    another = provider(tmp_path, path)  # the editor makes a provider per command
    assert (await another._engine()).server_version == "20.10.24"
    assert info_calls(tmp_path) == 1

    other_engine = provider(tmp_path, path, {"DOCKER_HOST": "tcp://build-box:2376"})
    await other_engine._engine()
    assert info_calls(tmp_path) == 2  # another engine: its own facts

    await provider(tmp_path, path).check_prerequisites()
    assert info_calls(tmp_path) == 3  # a check always asks


async def test_an_unreachable_engine_is_asked_again(tmp_path: Path) -> None:
    path = fake_bin(tmp_path, {"docker": DOCKER})  # no info.json: `docker info` fails
    for attempt in (1, 2):
        with pytest.raises(ProviderError, match=r"engine|daemon|Docker"):
            await provider(tmp_path, path)._require_engine()
        assert info_calls(tmp_path) == attempt
