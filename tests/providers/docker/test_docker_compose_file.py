"""The generated docker-compose.yml: valid for the compose-spec schema and for Compose itself, in
every mode, with every value escaped and no secret value in it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from sindri.providers.docker import EngineInfo, build_compose
from sindri.providers.errors import UnsupportedError
from sindri.providers.render import render
from sindri.schemas.model import SindriConfig
from support import REPO, need

ENGINE = EngineInfo("28.2.2", "20.10.24", 2, frozenset({"runc"}), "v2.40.3")
NVIDIA_SYSBOX = EngineInfo("28.2.2", "20.10.24", 8, frozenset({"runc", "nvidia", "sysbox-runc"}), "v2.40.3")


def make_config(**extra: Any) -> SindriConfig:
    data: dict[str, Any] = {
        "version": "3.0",
        "name": "sindri-t-docker-compose",
        "deployment": {"provider": "docker", "image": "sindri-demo:local"},
        "extensions": {"profile": "minimal"},
    }
    for key, value in extra.items():
        if key in ("deployment",):
            data["deployment"].update(value)
        else:
            data[key] = value
    return SindriConfig.model_validate(data)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".sindri" / "docker" / "docker-compose.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def check_valid(path: Path) -> None:
    """Both official validators accept the file."""
    checker = REPO / ".venv" / "bin" / "check-jsonschema"
    schema = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    need(shutil.which("docker") is not None, "the docker CLI is not installed")
    compose = subprocess.run(
        ["docker", "compose", "-f", str(path), "config", "-q"], capture_output=True, text=True, timeout=60
    )
    assert compose.returncode == 0, compose.stderr


def compose_config(path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """What Compose itself makes of the file (values after its own interpolation)."""
    result = subprocess.run(
        ["docker", "compose", "-f", str(path), "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def render_for(
    cfg: SindriConfig, tmp_path: Path, engine: EngineInfo = ENGINE, secrets: tuple[str, ...] = ()
) -> tuple[Path, Any]:
    spec = build_compose(cfg, config_path=tmp_path / "sindri.yaml", secret_names=list(secrets), engine=engine)
    path = write(tmp_path, render("docker/docker-compose.yml.j2", **spec.context))
    return path, spec


MODES: dict[str, dict[str, Any]] = {
    "plain": {},
    "limits": {"deployment": {"resources": {"memory": "512MB", "cpus": 1}}},
    "socket": {"providers": {"docker": {"dind": {"enabled": True, "mode": "socket"}}}},
    "privileged": {"providers": {"docker": {"dind": {"enabled": True, "mode": "privileged"}}}},
    "sysbox-absent": {"providers": {"docker": {"dind": {"enabled": True, "mode": "sysbox"}}}},
    "auto-privileged": {
        "providers": {"docker": {"privileged": True, "dind": {"enabled": True, "mode": "auto"}}}
    },
    "network-host": {"providers": {"docker": {"network": "host", "restart": "no"}}},
    "ports-hosts": {
        "providers": {"docker": {"ports": ["8080:80", "2222:22"], "extraHosts": ["db.local:10.0.0.5"]}}
    },
    "extensions": {"extensions": {"active": ["nodejs", "python"], "auto_install": False}},
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_every_mode_is_valid(mode: str, tmp_path: Path) -> None:
    path, _ = render_for(make_config(**MODES[mode]), tmp_path)
    check_valid(path)


def test_sysbox_and_gpu_on_a_host_that_has_them(tmp_path: Path) -> None:
    cfg = make_config(
        deployment={"resources": {"cpus": 4, "gpu": {"enabled": True, "count": 2}}},
        providers={"docker": {"dind": {"enabled": True, "mode": "auto"}}},
    )
    path, spec = render_for(cfg, tmp_path, NVIDIA_SYSBOX)
    check_valid(path)
    service = yaml.safe_load(path.read_text())["services"]["sindri"]
    assert service["runtime"] == "sysbox-runc"  # one runtime key only: GPUs go through device requests
    assert service["deploy"]["resources"]["reservations"]["devices"][0]["count"] == 2
    assert spec.dind.mode == "sysbox"


def test_gpu_without_nvidia_runtime_is_refused(tmp_path: Path) -> None:
    cfg = make_config(deployment={"resources": {"gpu": {"enabled": True}}})
    with pytest.raises(UnsupportedError, match="nvidia"):
        render_for(cfg, tmp_path)


def test_modes_set_what_they_should(tmp_path: Path) -> None:
    def service(mode: str) -> dict[str, Any]:
        path, _ = render_for(make_config(**MODES[mode]), tmp_path / mode)
        loaded: dict[str, Any] = yaml.safe_load(path.read_text())["services"]["sindri"]
        return loaded

    plain = service("plain")
    assert plain["cap_drop"] == ["ALL"] and "privileged" not in plain
    assert plain["mem_limit"] == "4g" and plain["cpus"] == "2"
    socket = service("socket")
    assert {
        "type": "bind",
        "source": "/var/run/docker.sock",
        "target": "/var/run/docker.sock",
    }.items() <= socket["volumes"][1].items()
    assert "privileged" not in socket and socket["environment"]["SINDRI_DIND_MODE"] == "socket"
    privileged = service("privileged")
    assert privileged["privileged"] is True
    assert privileged["volumes"][1]["target"] == "/var/lib/docker"
    absent = service("sysbox-absent")
    assert "runtime" not in absent and "privileged" not in absent
    assert "SINDRI_DIND_MODE" not in absent["environment"]
    host = service("network-host")
    assert host["network_mode"] == "host" and host["restart"] == "no"


def test_cpus_above_the_host_are_limited_with_a_warning(tmp_path: Path) -> None:
    path, spec = render_for(make_config(deployment={"resources": {"cpus": 16}}), tmp_path)
    assert yaml.safe_load(path.read_text())["services"]["sindri"]["cpus"] == "2"
    assert any("cpus: 16" in w for w in spec.warnings)


NASTY = "quote \" single ' hash # {{ jinja }} ${HOME} $$ dollar\nnewline: key: [x] &anchor *ref"


def test_values_are_escaped_and_survive_compose_unchanged(tmp_path: Path) -> None:
    weird_dir = tmp_path / 'dir "with" #{{x}} $HOME'
    weird_dir.mkdir()
    cfg = make_config(extensions={"active": [NASTY]})
    spec = build_compose(cfg, config_path=weird_dir / "sindri.yaml", secret_names=[], engine=ENGINE)
    path = write(weird_dir, render("docker/docker-compose.yml.j2", **spec.context))
    check_valid(path)
    service = compose_config(path)["services"]["sindri"]
    # `config` prints a Compose file again, so it writes each literal `$` as `$$` once more.
    assert service["environment"]["CUSTOM_EXTENSIONS"] == NASTY.replace("$", "$$")
    assert service["labels"]["dev.sindri.config"] == str(weird_dir / "sindri.yaml").replace("$", "$$")
    assert "jinja" not in yaml.safe_load(path.read_text())["services"]["sindri"]["image"]


def test_secrets_are_listed_by_name_and_their_value_comes_from_the_environment(tmp_path: Path) -> None:
    value = "hunter2-" + NASTY
    path, _ = render_for(make_config(), tmp_path, secrets=("API_TOKEN",))
    check_valid(path)
    text = path.read_text()
    assert "API_TOKEN" in text and "hunter2" not in text
    service = compose_config(path, {"SINDRI_SECRET_API_TOKEN": value})["services"]["sindri"]
    assert service["environment"]["API_TOKEN"] == value.replace("$", "$$")
    assert not list(tmp_path.rglob(".env*"))


def test_file_secrets_are_mounted_read_only(tmp_path: Path) -> None:
    cfg = make_config(
        secrets=[{"name": "KUBECONFIG_FILE", "source": "file", "path": "kube.conf", "mountPath": "/etc/kube"}]
    )
    (tmp_path / "kube.conf").write_text("kube")  # a missing (optional) one is skipped, not mounted
    path, _ = render_for(cfg, tmp_path)
    check_valid(path)
    mounts = yaml.safe_load(path.read_text())["services"]["sindri"]["volumes"]
    assert {
        "type": "bind",
        "source": str(tmp_path / "kube.conf"),
        "target": "/etc/kube",
        "read_only": True,
    }.items() <= mounts[-1].items()
