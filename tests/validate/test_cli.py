"""`sindri validate` and `sindri schema` through the real CLI (subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

from support import run_sindri
from validate_helpers import VALID


def test_valid_file_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "sindri.yaml").write_text(VALID)
    result = run_sindri("validate", cwd=tmp_path)  # discovered from the working directory
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_discovery_walks_up(tmp_path: Path) -> None:
    (tmp_path / "sindri.yml").write_text(VALID.replace('"3.0"', "3.0"))
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    result = run_sindri("validate", cwd=sub)
    assert result.returncode == 1
    expected = "1:10: error SC204: version must be text, not a number (3.0); write it in quotes"
    assert result.stdout.startswith(f"{tmp_path / 'sindri.yml'}:{expected}")


def test_compiler_style_lines_are_one_based(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(VALID + "  autoInstal: true\n")
    result = run_sindri("validate", str(path))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}:7:3: error SC202: unknown key 'autoInstal' in extensions")


def test_warnings_only_exit_zero_and_json_is_a_list(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(VALID + "extra: 1\n")
    result = run_sindri("validate", "--format", "json", str(path))
    assert result.returncode == 0
    findings = json.loads(result.stdout)
    assert [(f["code"], f["severity"], f["range"]["start"]) for f in findings] == [
        ("SC202", "warning", {"line": 6, "character": 0})
    ]
    assert findings[0]["file"] == str(path) and findings[0]["docUrl"].endswith("findings.md#sc202")


def test_missing_file_exits_two_without_traceback(tmp_path: Path) -> None:
    result = run_sindri("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_no_config_found_exits_two(tmp_path: Path) -> None:
    result = run_sindri("validate", cwd=tmp_path)
    assert result.returncode == 2 and "no sindri.yaml" in result.stderr
    assert "sindri validate PATH" in result.stderr and "--config" not in result.stderr  # validate has no -c


def test_bad_option_is_a_usage_error(tmp_path: Path) -> None:
    assert run_sindri("validate", "--format", "xml").returncode == 2


def test_hostile_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "sindri.yaml"
    path.write_bytes(b"name: \xff\xfe\n")
    result = run_sindri("validate", str(path))
    assert result.returncode == 1 and ":1:7: error SY106:" in result.stdout


def test_schema_prints_and_writes(tmp_path: Path) -> None:
    printed = run_sindri("schema")
    assert printed.returncode == 0 and json.loads(printed.stdout)["$schema"].startswith(
        "http://json-schema.org"
    )
    out = tmp_path / "s" / "sindri.schema.json"
    assert run_sindri("schema", "--output", str(out)).returncode == 0
    assert json.loads(out.read_text()) == json.loads(printed.stdout)
