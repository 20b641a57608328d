"""Values that pass the schema but cannot work: empty choices, names over a provider's limit."""

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


def test_names_over_a_providers_limit() -> None:
    def codes(provider: str, length: int) -> list[str]:
        name = "a" * length
        text = (
            f'version: "3.0"\nname: {name}\ndeployment:\n  provider: {provider}\n'
            "extensions:\n  profile: minimal\n"
        )
        return [f.code for f in validate_text(text).findings if f.code == "SE305"]

    assert codes("docker", 63) == [] and codes("docker", 64) == ["SE305"]
    assert codes("docker-compose", 64) == ["SE305"]
    assert codes("devpod", 48) == [] and codes("devpod", 49) == ["SE305"]
