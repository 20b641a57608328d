"""Image signature and provenance checks with cosign on deploy (and in the plan), through the real CLI
with the cosign stand-in (tests/standins/cosign) and the fake docker provider."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support import STANDINS

from .conftest import fake_cli

IMAGE = "ghcr.io/pacphi/sindri:v3.1.0"
IDENTITY = "https://github.com/pacphi/sindri/.github/workflows/release.yml@refs/tags/v3.1.0"
ISSUER = "https://token.actions.githubusercontent.com"
CONFIG = """\
version: "3.0"
name: verify-env
deployment:
  provider: docker
  image_config:
    registry: ghcr.io/pacphi/sindri
    tag_override: v3.1.0
{extra}extensions:
  profile: minimal
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "sindri.yaml").write_text(CONFIG.format(extra=""))
    return folder


@pytest.fixture
def state(tmp_path: Path) -> Path:
    path = tmp_path / "standin-state"
    path.mkdir()
    return path


def env_with(state: Path, *, cosign: bool = True, signed: str = "", attested: str = "") -> dict[str, str]:
    """PATH with the cosign stand-in (or, without it, no cosign at all)."""
    path = os.environ["PATH"]
    if shutil.which("cosign", path=path):
        pytest.skip("a real cosign is on PATH: the missing-cosign case cannot be shown here")
    return {
        "PATH": f"{STANDINS}{os.pathsep}{path}" if cosign else path,
        "PYTHONPATH": str(STANDINS),
        "SINDRI_STANDIN_STATE": str(state),
        "SINDRI_STANDIN_COSIGN_SIGNED": signed,
        "SINDRI_STANDIN_COSIGN_ATTESTED": attested,
    }


def cosign_calls(state: Path) -> list[list[str]]:
    log = state / "cosign.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def deployed(folder: Path) -> bool:
    return json.loads(fake_cli("status", "--json", cwd=folder).stdout)["state"] == "running"


SIGNER = [
    "--certificate-identity-regexp",
    r"^https://github\.com/pacphi/sindri([/@].*)?$",
    "--certificate-oidc-issuer",
    ISSUER,
]


def test_a_signed_image_with_provenance_deploys(folder: Path, state: Path) -> None:
    made = f"{IMAGE}|{IDENTITY}|{ISSUER}"
    result = fake_cli("deploy", cwd=folder, env=env_with(state, signed=made, attested=made))
    assert result.returncode == 0, result.stderr
    assert f"Verifying the signature of {IMAGE} with cosign..." in result.stderr
    assert "warning" not in result.stderr
    assert cosign_calls(state) == [
        ["verify", *SIGNER, IMAGE],
        ["verify-attestation", "--type", "slsaprovenance", *SIGNER, IMAGE],
    ]
    assert deployed(folder)


def test_an_unsigned_image_is_not_deployed(folder: Path, state: Path) -> None:
    result = fake_cli("deploy", cwd=folder, env=env_with(state))
    assert result.returncode == 1
    assert f"error: the signature of {IMAGE} does not verify (cosign exited 1)" in result.stderr
    assert "Error: no signatures found" in result.stderr and "--skip-image-verification" in result.stderr
    assert not deployed(folder) and len(cosign_calls(state)) == 1


def test_a_signature_by_another_repository_is_refused(folder: Path, state: Path) -> None:
    """Upstream's unanchored regexp would accept a fork whose name starts like the repository."""
    fork = IDENTITY.replace("pacphi/sindri", "pacphi/sindri-fork")
    result = fake_cli("deploy", cwd=folder, env=env_with(state, signed=f"{IMAGE}|{fork}|{ISSUER}"))
    assert result.returncode == 1 and "no matching signatures" in result.stderr
    assert not deployed(folder)


def test_missing_provenance_is_a_warning(folder: Path, state: Path) -> None:
    result = fake_cli("deploy", cwd=folder, env=env_with(state, signed=f"{IMAGE}|{IDENTITY}|{ISSUER}"))
    assert result.returncode == 0, result.stderr
    assert f"warning: the provenance attestation of {IMAGE} does not verify" in result.stderr
    assert deployed(folder)


def test_without_cosign_deploy_warns_and_goes_on(folder: Path, state: Path) -> None:
    env = env_with(state, cosign=False)
    plan = fake_cli("plan", cwd=folder, env=env)
    assert plan.returncode == 0 and "warning: cosign is not installed" in plan.stderr
    result = fake_cli("deploy", cwd=folder, env=env)
    assert result.returncode == 0, result.stderr
    assert (
        f"warning: cosign is not installed: the signature and provenance of {IMAGE} is not verified"
        in result.stderr
    )
    assert "--skip-image-verification" in result.stderr and deployed(folder)


def test_skip_image_verification_runs_no_cosign(folder: Path, state: Path) -> None:
    result = fake_cli("deploy", "--skip-image-verification", cwd=folder, env=env_with(state))
    assert result.returncode == 0, result.stderr
    assert cosign_calls(state) == [] and deployed(folder)


def test_plan_shows_the_check(folder: Path, state: Path) -> None:
    plan = fake_cli("plan", cwd=folder, env=env_with(state))
    assert plan.returncode == 0, plan.stderr
    first = plan.stdout.splitlines()[1]
    assert first == (
        f"  verify   image:{IMAGE}: check its signature and provenance with cosign "
        "(signer https://github.com/pacphi/sindri)"
    )
    skipped = fake_cli("deploy", "--dry-run", "--skip-image-verification", cwd=folder, env=env_with(state))
    assert "  verify " not in skipped.stdout and cosign_calls(state) == []


@pytest.mark.parametrize(
    "extra",
    [
        "    verify_signature: false\n    verify_provenance: false\n",
        "  buildFromSource:\n    enabled: true\n",
    ],
)
def test_nothing_to_verify(folder: Path, state: Path, extra: str) -> None:
    text = CONFIG.format(extra="")
    if extra.startswith("    "):
        text = text.replace("    tag_override: v3.1.0\n", "    tag_override: v3.1.0\n" + extra)
    else:
        text = text.replace("extensions:", extra + "extensions:")
    (folder / "sindri.yaml").write_text(text)
    result = fake_cli("deploy", cwd=folder, env=env_with(state))
    assert result.returncode == 0, result.stderr
    assert cosign_calls(state) == []


def test_only_the_signature_with_a_custom_signer(folder: Path, state: Path) -> None:
    extra = (
        "    verify_provenance: false\n"
        "    certificate_identity: https://github.com/acme/images/\n"
        "    certificate_oidc_issuer: https://issuer.example\n"
    )
    text = CONFIG.format(extra="").replace("    tag_override: v3.1.0\n", "    tag_override: v3.1.0\n" + extra)
    (folder / "sindri.yaml").write_text(text)
    signer = f"{IMAGE}|https://github.com/acme/images/.github/workflows/b.yml@refs/heads/main|https://issuer.example"
    result = fake_cli("deploy", cwd=folder, env=env_with(state, signed=signer))
    assert result.returncode == 0, result.stderr
    assert cosign_calls(state) == [
        [
            "verify",
            "--certificate-identity-regexp",
            r"^https://github\.com/acme/images([/@].*)?$",
            "--certificate-oidc-issuer",
            "https://issuer.example",
            IMAGE,
        ]
    ]


def test_the_standin_refuses_what_cosign_refuses(state: Path) -> None:
    env = {**os.environ, **env_with(state)}
    cosign = str(STANDINS / "cosign")
    for args, message in (
        (["verify", "--certificate-identiy", "x", IMAGE], "Error: unknown flag: --certificate-identiy"),
        (["verify", IMAGE], "--certificate-identity or --certificate-identity-regexp is required"),
        (["verify", "--certificate-identity", "x", IMAGE], "--certificate-oidc-issuer or"),
    ):
        result = subprocess.run([cosign, *args], env=env, capture_output=True, text=True, timeout=30)
        assert result.returncode == 1 and message in result.stderr and result.stdout == ""
