"""The one image rule every provider uses."""

from __future__ import annotations

from typing import Any

import pytest
from sindri.providers.errors import ProviderError
from sindri.providers.images import configured_image
from sindri.schemas.model import SindriConfig


def config(**deployment: Any) -> SindriConfig:
    return SindriConfig.model_validate(
        {
            "version": "3.0",
            "name": "img",
            "deployment": {"provider": "docker", **deployment},
            "extensions": {"profile": "minimal"},
        }
    )


REGISTRY = "ghcr.io/pacphi/sindri"


@pytest.mark.parametrize(
    ("deployment", "expected"),
    [
        ({}, None),
        ({"image": "busybox:1"}, "busybox:1"),
        (
            {"image_config": {"registry": REGISTRY, "digest": "sha256:ab", "tag_override": "x"}},
            f"{REGISTRY}@sha256:ab",
        ),
        (
            {"image_config": {"registry": REGISTRY, "tag_override": "v3-dev", "version": "3.1.4"}},
            f"{REGISTRY}:v3-dev",
        ),
        ({"image_config": {"registry": REGISTRY, "version": "3.1.4"}}, f"{REGISTRY}:3.1.4"),
        ({"image_config": {"registry": REGISTRY, "version": "v3.1.4-rc.1"}}, f"{REGISTRY}:v3.1.4-rc.1"),
        ({"image_config": {"registry": REGISTRY}, "image": "legacy:1"}, f"{REGISTRY}:latest"),
    ],
)
def test_upstream_order(deployment: dict[str, Any], expected: str | None) -> None:
    assert configured_image(config(**deployment)) == expected


def test_a_version_range_is_refused_with_a_fix() -> None:
    with pytest.raises(ProviderError) as caught:
        configured_image(config(image_config={"registry": REGISTRY, "version": "^3.0"}))
    assert "'^3.0' is a range" in caught.value.message and "tag_override" in (caught.value.hint or "")
