"""Issue 11 §1-§2 and issue 10 item 7 through `sindri validate --format json`: YAML 1.2 reading with
portability warnings, whole-value patterns, ports, amounts, backend and mode settings, images."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import run_sindri

HEAD = 'version: "3.0"\nname: demo\nextensions:\n  profile: minimal\n'


def validate(tmp_path: Path, text: str) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / "sindri.yaml"
    path.write_text(text)
    result = run_sindri("validate", "--format", "json", str(path))
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def at(finding: dict[str, Any]) -> tuple[str, int, int]:
    start = finding["range"]["start"]
    return finding["code"], start["line"], start["character"]


YAML12_VALID = HEAD + (
    "deployment:\n"
    "  provider: docker\n"
    "  image: sindri-demo:local\n"
    "providers:\n"
    "  docker:\n"
    "    restart: no\n"
    "    ports:\n"
    "      - 2222:22\n"
    "secrets:\n"
    "  - name: CERT\n"
    "    source: file\n"
    "    path: cert.pem\n"
    "    mountPath: /etc/cert.pem\n"
    "    permissions: 0600\n"
)


def test_yaml12_plain_scalars_that_yaml11_reads_differently_are_valid_with_warnings(tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("x")
    code, findings = validate(tmp_path, YAML12_VALID)
    assert code == 0
    assert [at(f) for f in findings] == [("SY111", 9, 13), ("SY111", 11, 8), ("SY111", 17, 17)]
    restart, port, mode = findings
    assert "YAML 1.1 tools read it as the boolean false" in restart["message"]
    assert restart["fixes"][0]["edits"][0]["newText"] == '"no"'
    assert "the number 133342" in port["message"] and port["fixes"][0]["edits"][0]["newText"] == '"2222:22"'
    assert "the number 384" in mode["message"] and mode["fixes"][0]["edits"][0]["newText"] == '"0600"'
    assert all(f["severity"] == "warning" for f in findings)


def test_the_portable_spelling_has_no_warning(tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("x")
    text = YAML12_VALID.replace("restart: no", 'restart: "no"').replace("- 2222:22", '- "2222:22"')
    code, findings = validate(tmp_path, text.replace("permissions: 0600", 'permissions: "0600"'))
    assert (code, findings) == (0, [])


@pytest.mark.parametrize("word", ["yes", "on", "Off", "n"])
def test_yaml11_boolean_words_are_text_so_not_a_boolean(tmp_path: Path, word: str) -> None:
    code, findings = validate(tmp_path, HEAD + f"  auto_install: {word}\ndeployment:\n  provider: docker\n")
    assert code == 1
    (finding,) = findings  # the error only: no portability warning on the same value
    assert at(finding) == ("SC204", 4, 16)
    assert "has only true and false" in finding["message"]
    expected = "false" if word.lower() in ("off", "n") else "true"
    assert finding["fixes"][0]["edits"][0]["newText"] == expected


@pytest.mark.parametrize(
    "name", ['"rt-nl\\n"', "|\n  rt-nl", '"rt-nl\\r\\n"'], ids=["escaped", "block", "crlf"]
)
def test_a_name_with_a_trailing_line_break_is_refused(tmp_path: Path, name: str) -> None:
    text = f'version: "3.0"\nname: {name}\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'
    code, findings = validate(tmp_path, text)
    assert code == 1
    assert [f["code"] for f in findings] == ["SC206"]
    assert findings[0]["fixes"][0]["edits"][0]["newText"] == "rt-nl"


def test_a_secret_name_with_a_trailing_line_break_is_refused(tmp_path: Path) -> None:
    text = HEAD + 'deployment:\n  provider: docker\nsecrets:\n  - name: "API_KEY\\n"\n    source: env\n'
    code, findings = validate(tmp_path, text)
    assert code == 1 and [at(f) for f in findings] == [("SC206", 7, 10)]


@pytest.mark.parametrize(
    ("port", "side"),
    [("70000:22", "host port 70000"), ("22:99999", "container port 99999"), ("0:22", "host port 0")],
)
def test_docker_ports_out_of_range(tmp_path: Path, port: str, side: str) -> None:
    text = HEAD + f'deployment:\n  provider: docker\nproviders:\n  docker:\n    ports:\n      - "{port}"\n'
    code, findings = validate(tmp_path, text)
    assert code == 1
    (finding,) = findings
    assert at(finding) == ("SE399", 9, 8)
    assert side in finding["message"] and "1 to 65535" in finding["message"]


def test_devpod_ssh_port_out_of_range(tmp_path: Path) -> None:
    text = HEAD + (
        "deployment:\n  provider: devpod\n  image: x\nproviders:\n  devpod:\n    type: ssh\n"
        "    ssh:\n      host: example.org\n      port: 70000\n"
    )
    code, findings = validate(tmp_path, text)
    assert code == 1 and [at(f) for f in findings] == [("SC207", 12, 12)]


@pytest.mark.parametrize(
    ("where", "line"),
    [
        ("  resources:\n    memory: 0GB\n", 7),
        ("  image: x\n  volumes:\n    workspace:\n      size: 0MB\n", 9),
        ("  resources:\n    memory: 4MB\n", 7),
    ],
)
def test_resource_amounts_that_cannot_run(tmp_path: Path, where: str, line: int) -> None:
    provider = "kubernetes" if "volumes" in where else "docker"
    code, findings = validate(tmp_path, HEAD + f"deployment:\n  provider: {provider}\n" + where)
    assert code == 1
    assert [f["code"] for f in findings] == ["SE398"] and findings[0]["range"]["start"]["line"] == line


def test_fly_memory_below_the_shared_cpu_minimum(tmp_path: Path) -> None:
    text = HEAD + "deployment:\n  provider: fly\n  image: x\n  resources:\n    memory: 256MB\n    cpus: 2\n"
    code, findings = validate(tmp_path, text)
    assert code == 1
    (finding,) = findings
    assert at(finding) == ("SE398", 8, 12) and "at least 512 MB" in finding["message"]


def test_fly_volume_in_mb_is_rounded_up_information(tmp_path: Path) -> None:
    text = HEAD + "deployment:\n  provider: fly\n  image: x\n  volumes:\n    workspace:\n      size: 1500MB\n"
    code, findings = validate(tmp_path, text)
    assert code == 0
    (finding,) = findings
    assert at(finding) == ("SE394", 9, 12) and finding["severity"] == "info"
    assert "2 GB volume" in finding["message"] and finding["fixes"][0]["edits"][0]["newText"] == "2GB"


def test_devpod_options_of_another_backend_are_ignored(tmp_path: Path) -> None:
    text = HEAD + (
        "deployment:\n  provider: devpod\n  image: x\nproviders:\n  devpod:\n    type: gcp\n"
        "    gcp:\n      project: p\n    aws:\n      region: us-east-1\n      useSpot: true\n"
    )
    code, findings = validate(tmp_path, text)
    assert code == 0
    (finding,) = findings  # the block, once: not also each of its fields
    assert at(finding) == ("SE397", 12, 4) and finding["severity"] == "warning"
    assert "type is gcp" in finding["message"]


def test_dind_storage_settings_in_socket_mode_are_ignored(tmp_path: Path) -> None:
    text = HEAD + (
        "deployment:\n  provider: docker\nproviders:\n  docker:\n    dind:\n      enabled: true\n"
        "      mode: socket\n      storageDriver: overlay2\n"
    )
    code, findings = validate(tmp_path, text)
    assert code == 0
    assert [at(f) for f in findings] == [("SE396", 11, 6)]
    assert "socket" in findings[0]["message"]


def test_dind_settings_while_disabled_are_ignored(tmp_path: Path) -> None:
    text = (
        HEAD + "deployment:\n  provider: docker\nproviders:\n  docker:\n    dind:\n      mode: privileged\n"
    )
    code, findings = validate(tmp_path, text)
    assert code == 0 and [at(f) for f in findings] == [("SE396", 9, 6)]


def test_kubernetes_without_an_image_is_an_error_with_a_fix(tmp_path: Path) -> None:
    code, findings = validate(tmp_path, HEAD + "deployment:\n  provider: kubernetes\n")
    assert code == 1
    (finding,) = findings
    assert at(finding) == ("SE395", 5, 12)
    edit = finding["fixes"][0]["edits"][0]
    assert edit["newText"] == "  image: ghcr.io/pacphi/sindri:v3-latest\n"
    assert edit["range"]["start"] == {"line": 6, "character": 0}
    code, findings = validate(tmp_path, HEAD + "deployment:\n  provider: kubernetes\n" + edit["newText"])
    assert (code, findings) == (0, [])


def test_deploy_reads_the_file_as_validation_does(tmp_path: Path) -> None:
    """The lifecycle commands load the config through the same YAML 1.2 reading."""
    from sindri.schemas.loader import load_config

    (tmp_path / "cert.pem").write_text("x")
    (tmp_path / "sindri.yaml").write_text(YAML12_VALID)
    loaded = load_config(None, cwd=tmp_path)
    docker = loaded.config.providers.docker if loaded.config.providers else None
    assert docker is not None and docker.restart == "no" and docker.ports == ["2222:22"]
    assert loaded.config.secrets[0].permissions == "0600"
    assert any("SY111" in w for w in loaded.warnings)
