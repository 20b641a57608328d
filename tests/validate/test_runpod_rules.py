"""RunPod's semantic rules: GPU settings on a CPU pod, the pod volume's minimum, data centre ids."""

from __future__ import annotations

import pytest
from sindri.schemas.validate import validate_text

HEAD = 'version: "3.0"\nname: demo\ndeployment:\n  provider: runpod\n  image: x:1\n'


def codes(deployment: str, runpod: str) -> list[tuple[str, str]]:
    text = f"{HEAD}{deployment}extensions:\n  profile: minimal\nproviders:\n  runpod:\n{runpod}"
    return [(f.code, f.message) for f in validate_text(text).findings]


@pytest.mark.parametrize(
    ("deployment", "runpod", "expected"),
    [
        ("", "    gpuTypeId: NVIDIA RTX A4000\n    volumeSizeGb: 20\n", []),
        ("", "    cpuOnly: true\n    gpuTypeId: NVIDIA RTX A4000\n", ["SE390"]),
        ("  resources:\n    gpu:\n      enabled: true\n", "    cpuOnly: true\n", ["SE390"]),
        ("", "    volumeSizeGb: 20\n", ["SE390"]),  # no GPU asked for: a CPU pod
        ("", "    gpuTypeId: NVIDIA RTX A4000\n    volumeSizeGb: 5\n", ["SE391"]),
        ("", "    gpuTypeId: NVIDIA RTX A4000\n    volumeSizeGb: 0\n", []),
        ("", "    region: US\n", ["SC206"]),
        ("", "    region: EU-RO-1\n    cloudType: COMMUNITY\n    cpuFlavor: cpu5g\n", []),
        ("", "    gpuCount: 9\n", ["SC207"]),
    ],
)
def test_runpod_rules(deployment: str, runpod: str, expected: list[str]) -> None:
    assert [code for code, _ in codes(deployment, runpod)] == expected


def test_messages_say_why() -> None:
    [(_, message)] = codes("", "    region: US\n")
    assert "data centre id such as EU-RO-1" in message
    [(_, message)] = codes("", "    gpuTypeId: NVIDIA L4\n    volumeSizeGb: 5\n")
    assert "at least 10 GB" in message
