"""Checking only the rejected list items must give exactly the findings of the full schema walk."""

from __future__ import annotations

import pytest
from sindri.schemas import validate

HEAD = (
    'version: "3.0"\nname: many\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\nsecrets:\n'
)


def secrets(bad: dict[int, str]) -> str:
    lines = []
    for i in range(300):
        lines.append(bad.get(i, f"  - name: SECRET_{i}\n    source: env\n"))
    return HEAD + "".join(lines)


@pytest.mark.parametrize(
    "bad",
    [
        {7: "  - name: lower_case\n    source: env\n"},
        {3: "  - name: A_FILE\n    source: file\n", 250: "  - name: B\n    source: s3\n"},
        {0: "  - name: C\n    source: vault\n    vaultPath: x\n", 299: "  - source: env\n"},
    ],
)
def test_targeted_check_equals_full_walk(bad: dict[int, str], monkeypatch: pytest.MonkeyPatch) -> None:
    text = secrets(bad)
    targeted = [f.to_dict() for f in validate.validate_text(text).findings]
    monkeypatch.setattr(validate, "_failing_items", lambda exc, data: None)
    full = [f.to_dict() for f in validate.validate_text(text).findings]
    assert targeted == full
    assert any(f["severity"] == "error" for f in targeted)
