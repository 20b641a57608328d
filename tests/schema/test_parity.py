"""Schema-level verdicts agree: check-jsonschema (what other editors and CI use), `jsonschema` in process
with our schema, and the pydantic model all accept or all reject each document."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import jsonschema
import pydantic
import pytest
import yaml
from sindri.schemas.generate import json_schema
from sindri.schemas.model import SindriConfig

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "sindri.schema.json"
HEAD = 'version: "3.0"\nname: dev-env\n'


def doc(
    rest: str = "", deployment: str = "{provider: docker}", extensions: str | None = "{profile: minimal}"
) -> str:
    """A sindri.yaml: the head, `deployment` and `extensions` as given (flow style), then `rest`."""
    text = HEAD + f"deployment: {deployment}\n"
    if extensions is not None:
        text += f"extensions: {extensions}\n"
    return text + dedent(rest)


# (case id, document, valid?). Kept to YAML that YAML 1.1 (PyYAML) and 1.2 (check-jsonschema's
# ruamel) read the same way: unquoted yes/no/on/off and 0644 differ between them.
CASES: list[tuple[str, str, bool]] = [
    ("minimal", doc(), True),
    (
        "compose-alias-active",
        doc(deployment="{provider: docker-compose}", extensions="{active: [nodejs]}"),
        True,
    ),
    (
        "fly-full",
        doc(
            """
            providers:
              fly: {region: ord, autoStopMachines: false, cpuKind: performance, sshPort: 10022,
                    organization: acme, highAvailability: false}
            """,
            deployment="{provider: fly, resources: {memory: 2GB}, volumes: {workspace: {size: 1GB}}}",
            extensions="{profile: fullstack}",
        ),
        True,
    ),
    (
        "devpod-aws",
        doc(
            """
            providers:
              devpod:
                type: aws
                buildRepository: ghcr.io/me/sindri
                aws: {region: eu-west-1, useSpot: true, diskSize: 80}
            """,
            deployment="{provider: devpod}",
        ),
        True,
    ),
    (
        "e2b-full",
        doc(
            """
            providers:
              e2b:
                templateAlias: my-tpl
                timeout: 3600
                blockedDomains: [example.com]
                metadata: {team: core}
                buildOnDeploy: true
            """,
            deployment="{provider: e2b}",
        ),
        True,
    ),
    (
        "kubernetes",
        doc(
            """
            providers:
              kubernetes:
                namespace: sindri-dev
                storageClass: gp3
                ingress: {enabled: true, hostname: dev.example.com}
            """,
            deployment="{provider: kubernetes}",
        ),
        True,
    ),
    (
        "secrets-all-sources",
        doc(
            """
            secrets:
              - {name: GITHUB_TOKEN, source: env, required: true}
              - {name: SSH_KEY, source: file, path: ~/.ssh/id, mountPath: /ssh/id, permissions: '0600'}
              - {name: DB_PASSWORD, source: vault, vaultPath: dev/db, vaultKey: password}
            """
        ),
        True,
    ),
    ("unknown-top-level-key", doc("notes: anything\n"), True),
    ("runpod-is-schema-valid", doc(deployment="{provider: runpod}"), True),
    (
        "gpu-docker",
        doc(
            deployment="{provider: docker, resources: {gpu: "
            "{enabled: true, count: 2, tier: gpu-small, memory: 8GB}}}"
        ),
        True,
    ),
    (
        "profile-additional",
        doc(extensions="{profile: minimal, additional: [rust], auto_install: false}"),
        True,
    ),
    (
        "image-config-build",
        doc(
            deployment="{provider: docker, image_config: {registry: ghcr.io/x/sindri, tag_override: v3.1.0, "
            "pull_policy: Always}, buildFromSource: {enabled: true, gitRef: main}}"
        ),
        True,
    ),
    ("cpus-whole-float", doc(deployment="{provider: docker, resources: {cpus: 2.0}}"), True),
    (
        "k8s-cluster",
        doc("providers: {k8s: {provider: k3d, nodes: 3, version: v1.31.0, k3d: {registry: {port: 5001}}}}\n"),
        True,
    ),
    ("unknown-docker-key", doc("providers: {docker: {shmSize: 2GB}}\n"), True),
    ("version-number", doc().replace('"3.0"', "3.0"), False),
    ("version-one-part", doc().replace('"3.0"', '"3"'), False),
    ("name-pattern", doc().replace("dev-env", "My_Env"), False),
    ("provider-k8s", doc(deployment="{provider: k8s}"), False),
    ("missing-extensions", doc(extensions=None), False),
    ("extensions-empty", doc(extensions="{}"), False),
    ("extensions-only-auto-install", doc(extensions="{auto_install: false}"), False),
    ("profile-and-active", doc(extensions="{profile: minimal, active: [rust]}"), False),
    ("active-and-additional", doc(extensions="{active: [rust], additional: [golang]}"), False),
    ("additional-alone", doc(extensions="{additional: [golang]}"), False),
    ("autoInstall-camel", doc(extensions="{profile: minimal, autoInstall: false}"), False),
    ("profile-base", doc(extensions="{profile: base}"), False),
    ("file-secret-no-mount", doc("secrets: [{name: KEY, source: file, path: ./key}]\n"), False),
    ("vault-secret-no-key", doc("secrets: [{name: KEY, source: vault, vaultPath: a/b}]\n"), False),
    ("secret-lowercase-name", doc("secrets: [{name: token, source: env}]\n"), False),
    ("secret-source-s3", doc("secrets: [{name: TOKEN, source: s3}]\n"), False),
    (
        "permissions-pattern",
        doc("secrets: [{name: K, source: file, path: a, mountPath: b, permissions: '644'}]\n"),
        False,
    ),
    ("memory-gi", doc(deployment="{provider: docker, resources: {memory: 4Gi}}"), False),
    ("cpus-zero", doc(deployment="{provider: docker, resources: {cpus: 0}}"), False),
    ("cpus-string", doc(deployment="{provider: docker, resources: {cpus: '2'}}"), False),
    ("gpu-count-9", doc(deployment="{provider: docker, resources: {gpu: {count: 9}}}"), False),
    ("gpu-unknown-key", doc(deployment="{provider: docker, resources: {gpu: {vram: 8GB}}}"), False),
    ("gpu-enabled-string", doc(deployment="{provider: docker, resources: {gpu: {enabled: 'true'}}}"), False),
    ("e2b-unknown-key", doc("providers: {e2b: {sandboxSize: big}}\n"), False),
    ("e2b-timeout-low", doc("providers: {e2b: {timeout: 30}}\n"), False),
    ("e2b-metadata-int", doc("providers: {e2b: {metadata: {build: 7}}}\n"), False),
    ("fly-ssh-port-low", doc("providers: {fly: {sshPort: 22}}\n"), False),
    ("docker-port-no-container", doc("providers: {docker: {ports: ['3000']}}\n"), False),
    ("docker-port-protocol", doc("providers: {docker: {ports: ['3000:3000/tcp']}}\n"), False),
    ("dind-unknown-key", doc("providers: {docker: {dind: {enabled: true, storage: vfs}}}\n"), False),
    ("devpod-without-type", doc("providers: {devpod: {buildRepository: ghcr.io/me/x}}\n"), False),
    ("explicit-null-image", doc(deployment="{provider: docker, image: null}"), False),
    ("empty-providers-block", doc("providers:\n  fly:\n"), False),
    (
        "image-config-without-registry",
        doc(deployment="{provider: docker, image_config: {digest: 'sha256:0'}}"),
        False,
    ),
]


def _schema_verdict(data: object) -> bool:
    return jsonschema.Draft7Validator(json_schema()).is_valid(data)


def _model_verdict(data: object) -> bool:
    try:
        SindriConfig.model_validate(data)
    except pydantic.ValidationError:
        return False
    return True


@pytest.fixture(scope="module")
def check_jsonschema_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bool]:
    """One check-jsonschema run over every case file: file name -> valid?"""
    folder = tmp_path_factory.mktemp("parity")
    files = []
    for case_id, text, _ in CASES:
        path = folder / f"{case_id}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    tool = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run(
        [str(tool), "-o", "json", "--schemafile", str(SCHEMA_FILE), *files],
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = json.loads(done.stdout)
    assert not report["parse_errors"], report["parse_errors"]
    failed = {Path(error["filename"]).stem for error in report["errors"]}
    return {case_id: case_id not in failed for case_id, _, _ in CASES}


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 20
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES)
    assert {valid for _, _, valid in CASES} == {True, False}


@pytest.mark.parametrize(("case_id", "text", "valid"), CASES, ids=[case[0] for case in CASES])
def test_same_verdict_everywhere(
    case_id: str, text: str, valid: bool, check_jsonschema_verdicts: dict[str, bool]
) -> None:
    data = yaml.safe_load(text)
    verdicts = {
        "jsonschema": _schema_verdict(data),
        "pydantic": _model_verdict(data),
        "check-jsonschema": check_jsonschema_verdicts[case_id],
    }
    assert verdicts == dict.fromkeys(verdicts, valid), f"{case_id}: expected valid={valid}, got {verdicts}"
