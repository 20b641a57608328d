"""An empty value where a choice is expected is one finding that lists the choices, not two."""

from __future__ import annotations

from sindri.schemas.validate import validate_text


def test_empty_choice_is_one_finding_with_the_choices() -> None:
    text = 'version: "3.0"\nname: x\ndeployment:\n  provider:\nextensions:\n  profile: minimal\n'
    findings = validate_text(text).findings
    assert [(f.code, f.range.start.line) for f in findings] == [("SC205", 3)]
    assert findings[0].message.startswith(
        "deployment.provider is empty; allowed values: docker, docker-compose"
    )


def test_empty_text_field_is_still_a_type_error() -> None:
    text = 'version: "3.0"\nname:\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'
    assert [f.code for f in validate_text(text).findings] == ["SC204"]
