"""Which image an environment runs: one rule for every provider.

Upstream's order: `image_config.digest`, then `tag_override`, then `version`, then the registry's
`latest`, then the legacy `deployment.image`. A version *range* would need a registry lookup that no
provider here does, so it is refused with a fix instead of silently becoming `latest`.
"""

from __future__ import annotations

import re

from sindri.schemas.model import SindriConfig

from .errors import ProviderError

EXACT_VERSION = re.compile(r"v?\d+(\.\d+)*([-+][\w.]+)?")


def configured_image(config: SindriConfig) -> str | None:
    """The image reference the config names, or None when it names none."""
    deployment = config.deployment
    image_config = deployment.image_config
    if image_config is None:
        return deployment.image or None
    registry = image_config.registry
    if image_config.digest:
        return f"{registry}@{image_config.digest}"
    if image_config.tag_override:
        return f"{registry}:{image_config.tag_override}"
    version = (image_config.version or "").strip()
    if version and not EXACT_VERSION.fullmatch(version):
        raise ProviderError(
            f"deployment.image_config.version '{version}' is a range; resolving it needs a registry lookup "
            "this tool does not do",
            hint="set image_config.tag_override (or an exact version such as 3.1.4, or a digest)",
        )
    return f"{registry}:{version or 'latest'}"
