"""The YAML/TOML string filters must produce files the real parsers accept, for any printable value.

JSON-style surrogate pairs (`\\ud83d\\ude00`) are refused by TOML (flyctl) and by Go's YAML parser
(docker compose), so characters beyond the BMP must be written as one `\\UXXXXXXXX` escape.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from sindri.providers.render import toml_str, yaml_str
from support import need

VALUES = [
    "plain",
    "emoji \U0001f600 and \U0010fffd",
    'quote " backslash \\ newline \n tab \t',
    "\\ud83d literal backslash-u text",
    "$HOME ${X} # not a comment",
    "é ü 中文",
]


@pytest.mark.parametrize("value", VALUES)
def test_toml_str_round_trips(value: str) -> None:
    assert tomllib.loads(f"key = {toml_str(value)}")["key"] == value


@pytest.mark.parametrize("value", VALUES)
def test_yaml_str_round_trips(value: str) -> None:
    assert yaml.safe_load(f"key: {yaml_str(value)}")["key"] == value


def test_yaml_str_emoji_accepted_by_docker_compose(tmp_path: Path) -> None:
    need(shutil.which("docker") is not None, "no docker CLI")
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n  s:\n    image: busybox\n    environment:\n"
        f"      FOO: {yaml_str('a' + chr(0x1F600) + 'b')}\n"
    )
    result = subprocess.run(
        ["docker", "compose", "-p", "sindri-t-qa-render", "-f", str(compose), "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["services"]["s"]["environment"]["FOO"] == "a\U0001f600b"
