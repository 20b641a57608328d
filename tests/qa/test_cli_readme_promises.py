"""README promises of the `sindri` CLI that no other test covered: `validate a.yaml b.yaml` and
`doctor --all` (through the real CLI, with the stand-ins)."""

from __future__ import annotations

import json
from pathlib import Path

from support import run_sindri

CONFIG = (
    'version: "3.0"\nname: {name}\ndeployment:\n  provider: {provider}\nextensions:\n  profile: minimal\n'
)


def test_validate_checks_every_file_given(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.yaml", tmp_path / "b.yaml"
    good.write_text(CONFIG.format(name="a", provider="fly"))
    bad.write_text(CONFIG.format(name="b", provider="dokcer"))
    both = run_sindri("validate", "a.yaml", "b.yaml", cwd=tmp_path)
    assert both.returncode == 1, both.stderr
    assert both.stdout.startswith("b.yaml:4:13: error SC205: deployment.provider: 'dokcer'")
    assert "2 files checked: 1 error" in both.stdout + both.stderr
    findings = json.loads(run_sindri("validate", "b.yaml", "a.yaml", "--format", "json", cwd=tmp_path).stdout)
    assert [(f["file"], f["code"]) for f in findings] == [("b.yaml", "SC205")]
    fine = run_sindri("validate", "a.yaml", "a.yaml", cwd=tmp_path)
    assert fine.returncode == 0 and "2 files checked: 0 errors" in fine.stdout + fine.stderr


def test_doctor_all_checks_every_provider_whatever_the_config_says(
    tmp_path: Path, standin_env: dict[str, str]
) -> None:
    config = tmp_path / "sindri.yaml"
    config.write_text(CONFIG.format(name="doctor-all", provider="fly"))
    unset = ("E2B_API_KEY", "FLY_API_TOKEN", "NORTHFLANK_API_TOKEN", "NF_API_TOKEN")
    env = {k: v for k, v in standin_env.items() if k not in unset}
    one = run_sindri("doctor", "-c", str(config), "--json", env=env)
    assert [p["provider"] for p in json.loads(one.stdout)] == ["fly"]
    every = run_sindri("doctor", "--all", "-c", str(config), "--json", env=env)
    checked = json.loads(every.stdout)
    assert [p["provider"] for p in checked] == [
        "docker",
        "fly",
        "devpod",
        "e2b",
        "kubernetes",
        "runpod",
        "northflank",
    ]
    e2b = next(p for p in checked if p["provider"] == "e2b")
    assert "E2B_API_KEY" in [m["name"] for m in e2b["missing"]]
    assert every.returncode == 1  # a missing prerequisite is exit 1
