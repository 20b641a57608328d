"""Checking an image's signature and provenance with cosign before deploy runs it.

Upstream's rule (on by default when `image_config` names the image): a missing cosign is a warning
and deploy goes on; a signature that does not verify stops the deploy; a provenance attestation that
does not verify is a warning. `--skip-image-verification` (or `verify_signature: false` and
`verify_provenance: false`) turns it off. An image built from source has nothing to verify.

The expected signer is `certificate_identity` matched from its start up to a `/` or `@` (the workflow
path and ref GitHub puts after the repository), never as a bare substring: upstream passes it to
`--certificate-identity-regexp` unanchored, which `https://github.com/pacphi/sindri-fork/...` matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from sindri.schemas.model import SindriConfig

from .errors import ProviderError
from .images import configured_image
from .runner import Runner

COSIGN_TIMEOUT = 120.0
"""Seconds one cosign call may take: it fetches signatures from the registry and the transparency log."""
COSIGN_INSTALL = "install cosign (https://docs.sigstore.dev/cosign/system_config/installation/)"
GO_REGEXP_SPECIALS = set("\\.+*?()|[]{}^$")


@dataclass(frozen=True)
class ImageCheck:
    """What deploy verifies: the image and which of its attestations, against which signer."""

    image: str
    signature: bool
    provenance: bool
    identity: str
    issuer: str

    def parts(self) -> str:
        return " and ".join(
            n for n, on in (("signature", self.signature), ("provenance", self.provenance)) if on
        )

    def what(self) -> str:
        return f"{self.parts()} of {self.image}"


def image_check(config: SindriConfig, *, skip: bool = False) -> ImageCheck | None:
    """What deploy would verify, or None: skipped, nothing asked, no `image_config`, or built from source."""
    deployment = config.deployment
    ic = deployment.image_config
    if skip or ic is None or (deployment.build_from_source and deployment.build_from_source.enabled):
        return None
    if not (ic.verify_signature or ic.verify_provenance):
        return None
    image = configured_image(config)
    if image is None:
        return None
    return ImageCheck(
        image, ic.verify_signature, ic.verify_provenance, ic.certificate_identity, ic.certificate_oidc_issuer
    )


def identity_regexp(identity: str) -> str:
    """A Go (RE2) regular expression matching `identity` and anything under it after `/` or `@`."""
    quoted = "".join(f"\\{c}" if c in GO_REGEXP_SPECIALS else c for c in identity.rstrip("/"))
    return f"^{quoted}([/@].*)?$"


def missing_cosign_warning(check: ImageCheck) -> str:
    return (
        f"cosign is not installed: the {check.what()} is not verified "
        f"({COSIGN_INSTALL}, or pass --skip-image-verification to silence this)"
    )


async def verify_image(runner: Runner, check: ImageCheck) -> list[str]:
    """Run cosign as upstream does; returns warnings. Raises ProviderError when the signature fails."""
    if runner.which("cosign") is None:
        refused = runner.refused.get("cosign")
        if refused is not None:  # found only through a relative PATH entry: said, never run
            return [f"{refused.message}; the image is not verified"]
        return [missing_cosign_warning(check)]
    signer = ["--certificate-identity-regexp", identity_regexp(check.identity)]
    signer += ["--certificate-oidc-issuer", check.issuer]
    warnings: list[str] = []
    if check.signature:
        runner.progress(f"Verifying the signature of {check.image} with cosign...")
        result = await runner.run(
            ["cosign", "verify", *signer, check.image], timeout=COSIGN_TIMEOUT, check=False
        )
        if not result.ok:
            raise ProviderError(
                f"the signature of {check.image} does not verify (cosign exited {result.returncode}):\n"
                f"{runner.tail(result)}",
                hint="check deployment.image_config.certificate_identity and certificate_oidc_issuer, "
                "or pass --skip-image-verification to deploy an image you trust without it",
            )
    if check.provenance:
        runner.progress(f"Verifying the provenance of {check.image} with cosign...")
        result = await runner.run(
            ["cosign", "verify-attestation", "--type", "slsaprovenance", *signer, check.image],
            timeout=COSIGN_TIMEOUT,
            check=False,
        )
        if not result.ok:
            last = runner.tail(result).splitlines()[-1:] or [f"exit {result.returncode}"]
            warnings.append(f"the provenance attestation of {check.image} does not verify: {last[0]}")
    return warnings
