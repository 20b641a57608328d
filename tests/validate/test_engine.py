"""Schema errors, fixes and semantic rules: code, severity, exact range, and that fixes repair the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from sindri.schemas.findings import CODES, DOCS_FILE, Severity, doc_url
from sindri.schemas.validate import validate_text
from validate_helpers import VALID, apply, codes, only, span

CORPUS = Path(__file__).parent.parent / "corpus"


def with_provider(provider: str, extra: str = "", tail: str = "") -> str:
    return VALID.replace("provider: docker\n", f"provider: {provider}\n{extra}") + tail


def test_unknown_key_warning_with_rename_fix() -> None:
    text = with_provider("docker", "  resouces:\n    cpus: 2\n")
    f = only(text, "SC202")
    assert f.severity == Severity.WARNING and span(f) == (4, 2, 4, 10)
    assert "did you mean 'resources'" in f.message
    assert validate_text(apply(text, f.fixes[0])).findings == []


def test_unknown_key_in_a_strict_block_is_an_error_not_a_duplicate() -> None:
    text = VALID + "  autoInstall: false\n"
    result = validate_text(text)
    assert codes(result) == ["SC202"]
    f = result.findings[0]
    assert f.severity == Severity.ERROR and "auto_install" in f.message
    assert validate_text(apply(text, f.fixes[0])).findings == []


def test_enum_fix_per_candidate() -> None:
    f = only(with_provider("kubernets"), "SC205")
    assert span(f) == (3, 12, 3, 21)
    assert "allowed values: docker, docker-compose" in f.message
    assert f.fixes[0].title == "Change to 'kubernetes'"
    assert f.fixes[0].preferred


def test_missing_required_key_fix_inserts_under_the_parent() -> None:
    text = 'version: "3.0"\nname: demo\ndeployment:\n  distro: ubuntu\nextensions:\n  profile: minimal\n'
    f = only(text, "SC203")
    assert span(f) == (2, 0, 2, 10)  # the parent key
    fixed = apply(text, f.fixes[0])
    assert "  distro: ubuntu\n  provider: docker\n" in fixed
    assert validate_text(fixed).findings == []


def test_missing_top_level_key_fix_never_inserts_null() -> None:
    text = 'version: "3.0"\nname: demo\ndeployment:\n  provider: docker\n'
    f = only(text, "SC203")
    fixed = apply(text, f.fixes[0])
    assert fixed.endswith("extensions:\n  profile: minimal\n") and "null" not in fixed
    assert validate_text(fixed).findings == []


def test_conditional_required_names_the_condition() -> None:
    text = VALID + "secrets:\n  - name: CERT\n    source: file\n    mountPath: /etc/c\n"
    f = only(text, "SC203")
    assert "secrets[0] is missing the required key 'path' (required when source is file)" in f.message
    assert span(f) == (7, 4, 7, 14)


def test_one_of_profile_and_active() -> None:
    text = VALID + "  active: [nodejs]\n"
    f = only(text, "SC208")
    assert "either 'profile'" in f.message and "jsonschema" not in f.message
    assert span(f) == (6, 2, 6, 8)
    assert validate_text(apply(text, f.fixes[0])).findings == []


def test_type_error_offers_quoting() -> None:
    text = VALID.replace('"3.0"', "3.0")
    f = only(text, "SC204")
    assert validate_text(apply(text, f.fixes[0])).findings == []


def test_pattern_error_offers_repair() -> None:
    text = with_provider("docker", "  resources:\n    memory: 4gb\n")
    f = only(text, "SC206")
    assert "MB or GB" in f.message and f.fixes[0].title == "Change to 4GB"
    assert validate_text(apply(text, f.fixes[0])).findings == []


def test_range_error_names_the_bounds() -> None:
    f = only(with_provider("fly", tail="providers:\n  fly:\n    sshPort: 22\n"), "SC207")
    assert "at least 1024" in f.message and "1024..65535" in f.message


def test_gpu_on_e2b_names_capable_providers() -> None:
    text = with_provider("e2b", "  resources:\n    gpu:\n      enabled: true\n")
    result = validate_text(text)
    assert codes(result) == ["SE302"]
    assert "docker, fly, devpod, kubernetes" in result.findings[0].message
    assert validate_text(apply(text, result.findings[0].fixes[0])).ok  # the block stays an SE304 info


def test_block_of_another_provider_is_info() -> None:
    f = only(VALID + "providers:\n  e2b:\n    timeout: 600\n", "SE303")
    assert f.severity == Severity.INFO and span(f) == (7, 2, 7, 5)


def test_field_ignored_by_the_chosen_provider() -> None:
    f = only(with_provider("docker", "  volumes:\n    workspace:\n      size: 20GB\n"), "SE304")
    assert f.severity == Severity.INFO and "used by fly, kubernetes" in f.message


def test_kubernetes_name_limit_counts_the_pvc_suffix() -> None:
    ok = VALID.replace("name: demo", f"name: {'a' * 54}").replace(
        "docker", "kubernetes\n  image: ghcr.io/pacphi/sindri:v3"
    )
    assert validate_text(ok).findings == []
    f = only(ok.replace("a" * 54, "a" * 55), "SE305")
    assert "-home-pvc" in f.message and "64 characters" in f.message


def test_secret_file_checked_relative_to_the_config(tmp_path: Path) -> None:
    config = tmp_path / "sindri.yaml"
    text = VALID + "secrets:\n  - name: CERT\n    source: file\n    path: cert.pem\n    mountPath: /etc/c\n"
    f = only(text, "SE306", source_path=config)
    assert span(f) == (9, 10, 9, 18)
    (tmp_path / "cert.pem").write_text("x")
    assert validate_text(text, source_path=config).findings == []
    assert validate_text(text, source_path=None).findings == []
    (tmp_path / "cert.pem").unlink()
    assert validate_text(text, source_path=config, check_files=False).findings == []


def test_unknown_extension_did_you_mean() -> None:
    text = VALID.replace("profile: minimal", "active: [nodjs]")
    f = only(text, "SE307")
    assert "did you mean 'nodejs'" in f.message
    assert validate_text(apply(text, f.fixes[0])).findings == []


def test_devpod_cloud_without_build_repository() -> None:
    f = only(with_provider("devpod", tail="providers:\n  devpod:\n    type: azure\n"), "SE309")
    assert f.severity == Severity.WARNING


@pytest.mark.parametrize(
    ("deployment", "backend", "warned"),
    [
        ("", "ssh", True),
        ("  image: ghcr.io/pacphi/sindri:v3-latest\n", "gcp", False),
        ("  image_config:\n    registry: ghcr.io/pacphi/sindri\n", "aws", False),
        ("  image: ghcr.io/pacphi/sindri:v3-latest\n  buildFromSource:\n    enabled: true\n", "gcp", True),
        ("", "docker", False),
    ],
)
def test_build_repository_is_needed_only_when_a_remote_backend_builds(
    deployment: str, backend: str, warned: bool
) -> None:
    text = with_provider("devpod", deployment, f"providers:\n  devpod:\n    type: {backend}\n")
    codes = [f.code for f in validate_text(text).findings]
    assert ("SE309" in codes) is warned, codes


def test_devpod_backend_options_and_the_image_are_read_where_providers_read_them() -> None:
    devpod = with_provider(
        "devpod",
        "  image_config:\n    registry: ghcr.io/pacphi/sindri\n",
        "providers:\n  devpod:\n    type: aws\n    aws:\n      region: eu-west-1\n",
    )
    assert validate_text(devpod).findings == []
    e2b = with_provider("e2b", "  image: ghcr.io/pacphi/sindri:v3-latest\n")
    assert validate_text(e2b).findings == []
    spot = with_provider(
        "devpod",
        "  image: ghcr.io/pacphi/sindri:v3-latest\n",
        "providers:\n  devpod:\n    type: aws\n    aws:\n      useSpot: true\n",
    )
    f = only(spot, "SE304")
    assert f.path == ("providers", "devpod", "aws", "useSpot")


def test_distro_mismatch() -> None:
    f = only(with_provider("docker", "  image: ghcr.io/pacphi/sindri:v3-latest-opensuse\n"), "SE310")
    assert "opensuse" in f.message and f.severity == Severity.INFO


def test_result_is_iterable_and_config_only_without_errors() -> None:
    result = validate_text(with_provider("dockr"))
    assert list(result) == result.findings and result.config is None


def test_every_code_is_documented_with_an_anchor() -> None:
    docs = DOCS_FILE.read_text()
    for code in CODES:
        assert f'<a id="{code.lower()}"></a>' in docs, code
        assert doc_url(code).endswith(f"findings.md#{code.lower()}")


def test_model_and_schema_agree_on_the_corpus() -> None:
    """The engine uses the model as its fast path: both must judge every corpus document alike."""
    import pydantic
    from sindri.schemas.model import SindriConfig
    from sindri.schemas.positioned import parse
    from sindri.schemas.validate import schema_validator

    checked = 0
    for path in sorted(CORPUS.glob("*.yaml")):
        doc = parse(path.read_bytes())
        data = doc.to_python()
        if doc.findings or not isinstance(data, dict):
            continue
        schema_ok = schema_validator().is_valid(data)  # patterns matched as JSON Schema means them
        try:
            SindriConfig.model_validate(data)
            model_ok = True
        except pydantic.ValidationError:
            model_ok = False
        assert schema_ok == model_ok, path.name
        checked += 1
    assert checked > 50


def test_adding_a_missing_key_keeps_a_crlf_file_crlf() -> None:
    for text in (
        'version: "3.0"\r\nname: x\r\ndeployment:\r\n  provider: docker\r\n',
        'version: "3.0"\r\nname: x\r\ndeployment:\r\n  provider: docker',  # no final line break
    ):
        f = only(text, "SC203")
        fixed = apply(text, f.fixes[0])
        assert "extensions:" in fixed and "\n" not in fixed.replace("\r\n", ""), repr(fixed)
        assert validate_text(fixed).ok


def test_northflank_is_supported_and_its_settings_checked() -> None:
    """Issue #13: no SE301; the service name's length, the region and the GPU type are checked."""
    tail = "providers:\n  northflank:\n    projectName: team\n    region: us-east-1\n    gpuType: nvidia-x\n"
    text = with_provider("northflank", "  image: ghcr.io/pacphi/sindri:v3.1.4\n", tail=tail)
    assert codes(validate_text(text)) == ["SE380", "SE381"]
    assert "us-east" in only(text, "SE380").message
    short = text.replace("name: demo", "name: ab", 1)
    assert "3 to 54 characters" in only(short, "SE305").message
    good = text.replace("us-east-1", "europe-west").replace("nvidia-x", "nvidia-h100")
    assert codes(validate_text(good)) == []
