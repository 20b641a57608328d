"""What the Docker provider reads from docker's output: sizes, stats, times, states, DinD choice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sindri.providers.docker import (
    EngineInfo,
    choose_dind,
    compose_memory,
    map_state,
    parse_size,
    parse_stats,
    parse_timestamp,
    project_name,
    resolve_image,
)
from sindri.providers.errors import ToolOutputError, UnsupportedError
from sindri.providers.types import DeploymentState
from sindri.schemas.model import DockerProvider as DockerSettings
from sindri.schemas.model import SindriConfig


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0B", 0),
        ("12B", 12),
        ("3.2kB", 3200),
        ("512KiB", 524_288),
        ("732KiB", 749_568),
        ("123.4MiB", 129_394_278),
        ("2GiB", 2_147_483_648),
        ("23.54GiB", round(23.54 * 1024**3)),
        ("1.5TiB", 1_649_267_441_664),
        ("1MB", 1_000_000),
        ("1GB", 1_000_000_000),
        (" 4 GiB ", 4 * 1024**3),
        ("lots", None),
        ("5XB", None),
        ("", None),
    ],
)
def test_parse_size_handles_every_docker_unit(text: str, expected: int | None) -> None:
    assert parse_size(text) == expected


def test_parse_stats_line() -> None:
    usage = parse_stats("1.25%,732KiB / 23.54GiB")
    assert usage.cpu_percent == 1.25
    assert usage.memory_bytes == 749_568
    assert usage.memory_limit == round(23.54 * 1024**3)


def test_parse_stats_garbage_gives_nothing_rather_than_crashing() -> None:
    usage = parse_stats("--,-- / --")
    assert usage.cpu_percent is None and usage.memory_bytes is None and usage.memory_limit is None


def test_parse_timestamp_nanoseconds_and_zero_time() -> None:
    assert parse_timestamp("2026-11-25T20:18:45.440476812Z") == datetime(
        2026, 11, 25, 20, 18, 45, 440476, tzinfo=UTC
    )
    assert parse_timestamp("2026-11-25T21:18:45+01:00") == datetime(2026, 11, 25, 20, 18, 45, tzinfo=UTC)
    assert parse_timestamp("0001-01-01T00:00:00Z") is None
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(None) is None


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"Status": "running"}, DeploymentState.RUNNING),
        ({"Status": "created"}, DeploymentState.CREATING),
        ({"Status": "restarting"}, DeploymentState.CREATING),
        ({"Status": "paused"}, DeploymentState.PAUSED),
        ({"Status": "exited", "ExitCode": 0}, DeploymentState.STOPPED),
        ({"Status": "exited", "ExitCode": 137}, DeploymentState.STOPPED),
        ({"Status": "exited", "ExitCode": 2}, DeploymentState.ERROR),
        ({"Status": "exited", "ExitCode": 137, "OOMKilled": True}, DeploymentState.ERROR),
        ({"Status": "removing"}, DeploymentState.STOPPED),
        ({"Status": "dead"}, DeploymentState.ERROR),
        ({"Status": "weird"}, DeploymentState.UNKNOWN),
    ],
)
def test_map_state(state: dict[str, object], expected: DeploymentState) -> None:
    assert map_state(state) == expected


def test_a_container_restarting_again_and_again_is_an_error() -> None:
    assert map_state({"Status": "restarting"}, restarts=1) == DeploymentState.CREATING
    assert map_state({"Status": "restarting"}, restarts=2) == DeploymentState.ERROR
    assert map_state({"Status": "running"}, restarts=5) == DeploymentState.RUNNING


def dind(mode: str, *, privileged: bool = False) -> DockerSettings:
    return DockerSettings.model_validate({"privileged": privileged, "dind": {"enabled": True, "mode": mode}})


@pytest.mark.parametrize(
    ("settings", "sysbox", "mode", "warns"),
    [
        (None, True, "none", False),
        (DockerSettings.model_validate({"dind": {"enabled": False, "mode": "socket"}}), True, "none", False),
        (dind("sysbox"), True, "sysbox", False),
        (dind("sysbox"), False, "none", True),
        (dind("privileged"), False, "privileged", False),
        (dind("socket"), True, "socket", False),
        (dind("auto"), True, "sysbox", False),
        (dind("auto", privileged=True), False, "privileged", False),
        (dind("auto"), False, "none", True),
    ],
)
def test_choose_dind(settings: DockerSettings | None, sysbox: bool, mode: str, warns: bool) -> None:
    choice = choose_dind(settings, sysbox)
    assert choice.mode == mode
    assert bool(choice.warnings) == warns


def config(**deployment: object) -> SindriConfig:
    return SindriConfig.model_validate(
        {
            "version": "3.0",
            "name": "demo",
            "deployment": {"provider": "docker", **deployment},
            "extensions": {"profile": "minimal"},
        }
    )


def test_resolve_image() -> None:
    assert resolve_image(config(image="sindri-demo:local")) == "sindri-demo:local"
    assert (
        resolve_image(config(image_config={"registry": "ghcr.io/x/y", "digest": "sha256:" + "a" * 64}))
        == "ghcr.io/x/y@sha256:" + "a" * 64
    )
    assert resolve_image(config(image_config={"registry": "r/y", "tag_override": "dev"})) == "r/y:dev"
    assert resolve_image(config(image_config={"registry": "r/y", "version": "3.1.0"})) == "r/y:3.1.0"
    with pytest.raises(UnsupportedError, match=r"deployment\.image"):
        resolve_image(config())


def test_compose_memory_and_project_name() -> None:
    assert compose_memory("4GB") == "4g"
    assert compose_memory("512MB") == "512m"
    assert project_name("my-env") == "sindri-my-env"


def test_engine_info_from_a_down_daemon_and_from_garbage() -> None:
    down = EngineInfo.parse('{"ServerVersion":"","ClientInfo":{"Version":"28.2.2","Plugins":[]}}', "boom")
    assert down.server_version is None and down.client_version == "28.2.2" and down.error == "boom"
    with pytest.raises(ToolOutputError):
        EngineInfo.parse("<html>not json</html>", None)
